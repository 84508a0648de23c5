"""目录 (tables of contents): kept as a list, never taken for headings, and used to find the
part headings a body leaves unnumbered.

The canonical form is a ``目录`` line and, after it, one list item per entry (``- 一、部门主要职能``),
without dot leaders and without the source's page numbers: those belonged to the source's
layout and would be wrong in ours (the PDF prints its own, see ``styles/official.css``); each
dropped page number is logged as removed. An entry's number at the start of an item is escaped
(``- 1\\. 2025年…``) so that Markdown keeps it as text.
"""

from __future__ import annotations

import re

from pipeline.core import numbering
from pipeline.normalize.registry import Log, rule
from pipeline.xhtml import toc
from pipeline.xhtml.gongwen import is_toc_title

_ITEM_RE = re.compile(r"^- (?P<entry>.+)$")
_NUMBER_DOT_RE = re.compile(r"^(\d{1,2})([.．])")


@rule(
    "structure/toc",
    "A 目录 (`目录`, `目 录`, or `目` and `录` on two lines) and its entries become a list under `目录`: dot "
    "leaders and the source's page numbers dropped (logged); entries are never headings.",
    examples=(
        (
            "# 部门预算\n目 录\n一、部门主要职能……3\n二、部门机构设置……5\n\n某局主要职能\n正文。",
            "# 部门预算\n目录\n\n- 一、部门主要职能\n- 二、部门机构设置\n\n\n某局主要职能\n正文。",
        ),
    ),
)
def table_of_contents(lines: list[str], log: Log) -> list[str]:
    nonblank = [i for i, line in enumerate(lines) if line.strip()][:60]
    for pos, i in enumerate(nonblank):
        text = lines[i].strip()
        split = text == "目" and pos + 1 < len(nonblank) and lines[nonblank[pos + 1]].strip() == "录"
        if not (is_toc_title(text) or split):
            continue
        start = nonblank[pos + 1] + 1 if split else i + 1
        entries, end = _entries(lines, start)
        if len(entries) < 2 or all(line.startswith("- ") for _, line in entries):
            return lines
        items = [f"- {_escape(toc.split_entry(line)[0])}" for _, line in entries]
        pages = "".join(toc.split_entry(line)[1] for _, line in entries)
        log(i + 1, "\n".join(lines[i:end]), "\n".join(["目录", "", *items]), removed=pages)
        return [*lines[:i], "目录", "", *items, "", *lines[end:]]
    return lines


def _entries(lines: list[str], start: int) -> tuple[list[tuple[int, str]], int]:
    """The entry lines after a TOC's title, and the index after the last. With dot leaders, the
    TOC runs while lines have them (blank lines between allowed); without, it runs to the first
    blank line, or to the first entry that repeats the first (the body starting over)."""
    entries: list[tuple[int, str]] = []
    leadered = False
    j = start
    while j < len(lines):
        raw = lines[j].strip()
        if not raw:
            k = next((k for k in range(j, len(lines)) if lines[k].strip()), None)
            if k is None or not (leadered and toc.split_entry(lines[k].strip())[2]) or not entries:
                if entries:
                    break
                j += 1
                continue
            j = k
            continue
        entry, _, has_leaders = toc.split_entry(raw.removeprefix("- "))
        if not toc.is_entry(entry) or (leadered and not has_leaders):
            break
        if entries and not has_leaders and _compact(entry) == _compact(toc.split_entry(entries[0][1])[0]):
            break
        entries.append((j, raw))
        leadered = leadered or has_leaders
        j += 1
    return entries, (entries[-1][0] + 1 if entries else start)


def _escape(entry: str) -> str:
    return _NUMBER_DOT_RE.sub(r"\1\\\2", entry.removeprefix("- "))


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def entries(lines: list[str]) -> tuple[list[str], int]:
    """The entries of a TOC in canonical form, and the index of the line after it ([] if none)."""
    for i, line in enumerate(lines[:80]):
        if line.strip() != "目录":
            continue
        items, j = [], i + 1
        while j < len(lines) and (not lines[j].strip() or _ITEM_RE.match(lines[j].strip())):
            if lines[j].strip():
                items.append(_ITEM_RE.match(lines[j].strip())["entry"])
            j += 1
        return (items, j) if len(items) >= 2 else ([], 0)
    return [], 0


_HEADING_LIKE_RE = re.compile(r"^[^。；！？，：、#|<>*]{2,40}$")


def part_headings(lines: list[str]) -> set[int]:
    """The unnumbered lines after a TOC that its first-level entries name, in the entries' order:
    the part headings of a document whose body does not number them (``某某委员会主要职能`` for
    ``一、部门主要职能``)."""
    items, after = entries(lines)
    top = toc.top_level(items)
    found: set[int] = set()
    position = 0
    for i in range(after, len(lines)):
        text = lines[i].strip().removeprefix("## ")
        if not _HEADING_LIKE_RE.match(text) or numbering.parse(text) is not None:
            continue
        k = next((k for k in range(position, len(top)) if toc.names(top[k], text)), None)
        if k is not None:
            found.add(i)
            position = k
    return found
