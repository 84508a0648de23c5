"""Tables that converters flattened into text (ARTIFACTS G7).

`pdftotext -layout` keeps a table as columns of text aligned with runs of spaces
(``规章            1          0        11``). Such runs are turned back into Markdown pipe
tables, so that the rest of the pipeline sees a table; every character stays, in order.
Labels broken over several lines or set vertically stay as text beside the rows: putting
them back in their cells would be a guess.
"""

from __future__ import annotations

import re

from pipeline.normalize.registry import Log, rule

_GAP_RE = re.compile(r" {2,}|\t+")
_NUMBER_RE = re.compile(r"^-?\d[\d,]*(\.\d+)?%?$")


def _fields(line: str) -> list[str]:
    return [f for f in _GAP_RE.split(line.strip()) if f]


def _is_row(line: str) -> bool:
    fields = _fields(line)
    return len(fields) >= 2 and bool(_NUMBER_RE.match(fields[-1])) and bool(_GAP_RE.search(line.strip()))


def _is_header(line: str) -> bool:
    fields = _fields(line)
    short = len(line.strip()) <= 120
    return len(fields) >= 2 and not any(_NUMBER_RE.match(f) for f in fields) and short


def _is_fragment(lines: list[str], j: int) -> bool:
    """A piece of a label broken over lines or set vertically (``三、`` / ``本`` / ``年``), between
    rows: it becomes a one-cell row, so the table is not cut in pieces."""
    text = lines[j].strip()
    if not text or len(text) > 24 or "。" in text or text.startswith(("#", "|", "<")):
        return False
    following = [ln for ln in lines[j + 1 : j + 12] if ln.strip()][:4]
    return any(_is_row(ln) for ln in following)


def _pipe(cells: list[str], width: int) -> str:
    cells = [c.replace("|", "｜") for c in cells] + [""] * (width - len(cells))
    return "| " + " | ".join(cells) + " |"


@rule(
    "tables/layout-text",
    "Rebuild space-aligned table rows from `pdftotext -layout` output as Markdown pipe tables.",
    examples=(
        (
            "信息内容          本年制发件数     本年废止件数   现行有效件数\n\n"
            "规章            1          0        11\n\n"
            "行政规范性文件       8          26       66\n",
            "\n| 信息内容 | 本年制发件数 | 本年废止件数 | 现行有效件数 |\n| --- | --- | --- | --- |\n"
            "| 规章 | 1 | 0 | 11 |\n| 行政规范性文件 | 8 | 26 | 66 |\n",
        ),
    ),
)
def layout_tables(lines: list[str], log: Log) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(lines):
        if not _is_row(lines[i]) or lines[i].lstrip().startswith(("|", "<")):
            out.append(lines[i])
            i += 1
            continue
        rows, j = [], i
        while j < len(lines) and (_is_row(lines[j]) or not lines[j].strip() or _is_fragment(lines, j)):
            if lines[j].strip():
                rows.append(j)
            j += 1
        while rows and not _is_row(lines[rows[-1]]):
            j = rows.pop()
        header = None
        while out and not out[-1].strip():
            out.pop()
        if out and _is_header(out[-1]) and not out[-1].lstrip().startswith(("|", "#")):
            header = out.pop()
        cells = [_fields(lines[r]) for r in rows]
        head_cells = _fields(header) if header else []
        width = max(len(c) for c in [*cells, head_cells])
        table = [_pipe(head_cells, width), "| " + " | ".join(["---"] * width) + " |"]
        table += [_pipe(c, width) for c in cells]
        before = ([header] if header else []) + [lines[r] for r in rows]
        log(rows[0] + 1, "\n".join(before), "\n".join(table))
        out.extend(["", *table, ""])
        i = j
    return out
