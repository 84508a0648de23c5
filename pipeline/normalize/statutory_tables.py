"""The annual report's statutory tables rebuilt from their template (ARTIFACTS G1, G7).

Converters leave the three tables of a 政府信息公开工作年度报告 in every form: pipe tables with
placeholder headers and merged cells repeated across their span, HTML from a table recogniser,
``pdftotext -layout`` columns, one cell a line from OCR, spaced digits, or every cell of a row
fused into one run of digits (``本年新收政府信息公开申请数量21710000218``). The template
(``pipeline.core.statutory``) knows each row's words and how many figures it holds, and the arithmetic
between them. So the table is read as a stream: each row's words are found in order, the figures
between one row's words and the next row's are that row's, and a fused run is split where the
row sums allow exactly one split.

A row whose figures fit is written cell by cell. A row whose figures do not fit (too many, too
few, a fused run with more than one split) keeps them whole in one cell and is flagged: no
number is invented, moved between rows or dropped; only the copies a converter made of a merged
cell go, logged. The header and the row labels are the template's text: the characters it adds
(a label an OCR lost) are logged as restored, those it replaces as removed.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import dataclass
from html import escape

from pipeline.core.chars import significant
from pipeline.core.statutory import TEMPLATES, Cell, Row, Template
from pipeline.normalize.registry import Log, rule
from pipeline.normalize.statutory_figures import Placed, _resolve_columns, _sums_hold, _table_adds_up, fit
from pipeline.normalize.statutory_regions import regions

SEP = "\x1f"


# Markup, spaces, table rules and the column names converters make up (`Col2`, `数据3`).
_NOISE_RE = re.compile(r"(?:<br\s*/?>|<[^>]*>|[\s|]|:?-{3,}:?|(?:Col|数据)\s?\d+)+")


_NUMBER_RE = re.compile(r"\d+(?:\.\d+)?")


_PLACEHOLDER_RE = re.compile(r"(?:Col|数据)\s?(\d+)")


_MARKER_RE = re.compile(r"^(\d{1,2})[.．、]|^[（(]([一二三四五六七八九十]{1,2})[）)]|^([一二三四五六七八九十]{1,2})、")


def _stream(text: str) -> tuple[str, list[int]]:
    """The text with markup, spaces and table rules turned into one separator each, and for each
    character of the result the index it came from."""
    out, where, pos = [], [], 0
    for m in _NOISE_RE.finditer(text):
        for k in range(pos, m.start()):
            out.append(text[k])
            where.append(k)
        out.append(SEP)
        where.append(m.start())
        pos = m.end()
    for k in range(pos, len(text)):
        out.append(text[k])
        where.append(k)
    where.append(len(text))
    return "".join(out), where


def _pattern(words: str) -> str:
    """Words with any separators between their characters; a number marker in any form."""
    marker = _MARKER_RE.match(words)
    if marker:
        return _marker_pattern(marker[0]) + f"{SEP}*" + _pattern(words[marker.end() :])
    return f"{SEP}*".join(re.escape(ch) for ch in words)


def _marker_pattern(marker: str) -> str:
    """A number marker in any of the forms converters write (``1.`` ``1．`` ``1、``; ``（一）`` ``(一)``)."""
    m = _MARKER_RE.match(marker)
    if not m:
        return _pattern(marker)
    if m[1]:
        return rf"{m[1]}{SEP}*[.．、]"
    if m[2]:
        return rf"[（(]{SEP}*{m[2]}{SEP}*[）)]"
    return rf"{m[3]}{SEP}*[、.．]"


def _locate(stream: str, template: Template, start: int) -> list[Placed]:
    placed, pos = [], start
    for row in template.rows:
        if not row.key or not row.size:  # a group label: often set vertically, anywhere in the rows
            placed.append(Placed(row, -1, -1))
            continue
        if not row.key:
            placed.append(Placed(row, -1, -1))
            continue
        m = re.compile(_pattern(row.key)).search(stream, pos)
        if m is None and len(row.key) > 4:  # figures set between the lines of a wrapped label
            m = re.compile(_pattern(row.key[:4])).search(stream, pos)
        if m is None:
            placed.append(Placed(row, -1, -1))
            continue
        placed.append(Placed(row, _label_start(stream, row, m.start(), pos), m.end()))
        pos = m.end()
    return placed


def _label_start(stream: str, row: Row, key_start: int, floor: int) -> int:
    """Where the row's label starts: its marker and the words before its key, when they are there."""
    before = row.label[: row.label.find(row.key)] if row.key in row.label else ""
    marker = _MARKER_RE.match(before)
    words = before[marker.end() :] if marker else before
    options = [_marker_pattern(marker[0]) + f"{SEP}*" + _pattern(words)] if marker else []
    options.append(_pattern(words))
    for option in options:
        m = re.compile(f"(?:{option}){SEP}*$").search(stream, max(floor, key_start - 40), key_start)
        if m and m.group(0).strip(SEP):
            return m.start()
    return key_start


def _without_copies(segment: str, label: str) -> tuple[str, list[str]]:
    """The segment without copies of the row's label (a converter repeats a merged cell), and the
    digits of the copies taken out."""
    copies = re.compile(_pattern(label)).findall(segment) if _MARKER_RE.match(label) else []
    if not copies:
        return segment, []
    return re.compile(_pattern(label)).sub(SEP, segment), [d for c in copies for d in re.findall(r"\d", c)]


def _figures_after(stream: str, pos: int) -> tuple[list[str], int]:
    """The run of figures after ``pos`` (after what is left of the row's label, separators between
    them), and where it ends."""
    rest = re.compile(r"[^\d]{0,30}?(?=\d)").match(stream, pos)
    pos = rest.end() if rest else pos
    found, end = [], pos
    m = re.compile(rf"{SEP}*({_NUMBER_RE.pattern})").match(stream, pos)
    while m:
        found.append(m[1])
        end = m.end()
        m = re.compile(rf"{SEP}*({_NUMBER_RE.pattern})(?!\d)").match(stream, end)
    return found, end


def _template(compact: str, kind: str) -> Template:
    candidates = [t for t in TEMPLATES if t.kind == kind]
    return next((t for t in candidates if t.marks and any(m in compact for m in t.marks)), candidates[-1])


@dataclass
class Rebuilt:
    html: str
    start: int  # the rebuilt span in the region's text
    end: int
    warnings: list[str]
    dropped: list[str]  # copies of merged cells


def rebuild(text: str, kind: str) -> Rebuilt | None:
    """The table of ``kind`` rebuilt from a region of text, or None when it cannot be read."""
    stream, where = _stream(text)
    template = _template(stream.replace(SEP, ""), kind)
    anchors = [m.start() for a in template.anchors if (m := re.compile(_pattern(a)).search(stream))]
    if not anchors:
        return None
    start = min(anchors)
    placed = _locate(stream, template, start)
    keyed = [p for p in placed if p.row.key]
    if keyed and sum(p.start >= 0 for p in keyed) * 2 < len(keyed):
        return None  # fewer than half the rows found: not this table
    end, warnings, dropped = start, [], []
    bounds = [p.start for p in placed if p.start >= 0]
    for k, p in enumerate(placed):
        if not p.row.size:
            continue
        if p.row.key and p.start < 0:
            warnings.append(f"法定表格中找不到“{p.row.label}”一行，该行留空，请按原表核对")
            continue
        after = p.end if p.row.key else _first_figure(stream, start)
        later = [b for b in bounds if b > after]
        if not p.row.key:  # 表四's one row: every figure of the table, wherever its groups stand
            found = list(_NUMBER_RE.finditer(stream, after))
            tokens, last = [m[0] for m in found], (found[-1].end() if found else after)
        elif later and k < len(placed) - 1:
            segment, copies = _without_copies(stream[after : later[0]], p.row.label)
            dropped += copies  # a merged label cell's copies: its number marker is not a figure
            tokens = _NUMBER_RE.findall(segment)
            last = later[0]
        else:
            tokens, last = _figures_after(stream, after)
        end = max(end, last)
        p.figures, extra = fit(tokens, p.row)
        dropped += extra
        if p.figures is not None and not _sums_hold(p.figures, p.row):
            p.figures = None  # as many figures as cells, but they do not add up: misread or misplaced
        if p.figures is None:
            p.raw = tokens
    if template.kind == "applications":
        _resolve_columns(placed)
        if not _table_adds_up(placed):
            warnings.append("申请情况表各列的勾稽关系（本年新收 + 上年结转 = 总计 + 结转下年度，"
                            "总计 = 各项办理结果之和）不成立，可能是识别错位或原表有误，请按原表核对")  # fmt: skip
    for p in placed:
        if p.row.size and p.figures is None and p.raw is not None:
            warnings.append(_unplaced_message(p))
    if all(p.figures is None for p in placed if p.row.size):
        return None
    return Rebuilt(_html(template, placed), *_whole_lines(text, where[start], where[end]), warnings, dropped)


_LEAD_RE = re.compile(r"(?:<[^>\n]*>|[\s|#*（(])*")  # the start of the anchor's line: markup, an opening bracket


_TRAIL_RE = re.compile(r"(?:<[^>\n]*>|[|\s])*?(?=\n|$)")  # what closes the last row: pipes, tags


def _whole_lines(text: str, start: int, end: int) -> tuple[int, int]:
    """Widen the span to whole lines where only markup or the first words of a header are left."""
    line_start = text.rfind("\n", 0, start) + 1
    if _LEAD_RE.fullmatch(text[line_start:start]):
        start = line_start
    m = _TRAIL_RE.match(text, end)
    return start, m.end() if m else end


def _unplaced_message(p: Placed) -> str:
    name, found = p.row.label or "数据行", " ".join(p.raw or []) or "无"
    if len(p.raw or []) == p.row.count:
        return f"“{name}”的数字“{found}”各项之和与合计不符，可能是识别错位或原表有误，保留原样，请按原表核对"
    return f"“{name}”的数字“{found}”与模板的 {p.row.count} 格对不上，保留原样，请按原表核对"


def _first_figure(stream: str, start: int) -> int:
    m = _NUMBER_RE.search(stream, start)
    return m.start() if m else len(stream)


def _html(template: Template, placed: list[Placed]) -> str:
    width = template.label_span + max(r.count * r.span for r in template.rows)
    rows, by_row = [], {id(p.row): p for p in placed}
    for line in template.lines:
        if isinstance(line, list):
            rows.append("".join(_cell("th", c) for c in line))
            continue
        p = by_row[id(line)]
        if not line.size:
            rows.append(_cell("th", Cell(line.label, width)))
            continue
        label = _cell("th", Cell(line.label, template.label_span)) if template.label_span else ""
        if p.figures is not None:
            cells = "".join(_cell("td", Cell(v, line.span)) for v in p.figures)
        else:
            whole = " ".join(p.raw or [])
            cells = _cell("td", Cell(whole, line.count * line.span), "unsplit" if whole else "missing")
        rows.append(label + cells)
    body = "".join(f"<tr>{r}</tr>" for r in rows)
    kind, variant = template.kind, template.variant
    return f'<table class="statutory" data-statutory="{kind}" data-template="{variant}">{body}</table>'


def _cell(tag: str, cell: Cell, cls: str = "") -> str:
    attrs = "".join(f' {n}="{v}"' for n, v in (("colspan", cell.colspan), ("rowspan", cell.rowspan)) if v > 1)
    attrs += f' class="{cls}"' if cls else ""
    return f"<{tag}{attrs}>{escape(cell.text, quote=False)}</{tag}>"


@rule(
    "tables/statutory",
    "Rebuild the annual report's statutory tables (表二, 表三, 表四; 2021 and 2019 templates) from any form a "
    "converter left them in, by the template's rows and sums; figures that do not fit stay whole and are flagged.",
    examples=(
        (
            "行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计未经复议直接起诉复议后起诉"
            "结果维持结果纠正其他结果尚未审结总计结果维持结果纠正其他结果尚未审结总计21317000001324019",
            None,
        ),
        ("|规章|0|0|0|\n|行政规范性文件|3|0|8|", "|规章|0|0|0|\n|行政规范性文件|3|0|8|"),
    ),
)
def statutory_tables(lines: list[str], log: Log) -> list[str]:
    for kind in ("active-disclosure", "applications", "review-litigation"):
        if any(f'data-statutory="{kind}"' in line for line in lines):
            continue
        for a, b in regions(lines, kind)[:1]:
            text = "\n".join(lines[a:b])
            rebuilt = rebuild(text, kind)
            if rebuilt is None:
                continue
            before = text[rebuilt.start : rebuilt.end]
            source, table = Counter(significant(before)), Counter(significant(rebuilt.html))
            removed, added = source - table, table - source
            placeholders = "".join(_PLACEHOLDER_RE.findall(before))  # `Col2`: a converter's column name
            unplaced = Counter(ch for ch in removed.elements() if ch.isdigit()) - Counter(
                "".join(rebuilt.dropped) + placeholders
            )
            if +unplaced:
                log.warn(a + 1, f"法定表格（{kind}）中有数字无法放入模板，保留原文，请核对")
                continue
            log(a + 1, before, f'<table data-statutory="{kind}">', removed="".join(removed.elements()),
                added="".join(added.elements()))  # fmt: skip
            for message in rebuilt.warnings:
                log.warn(a + 1, message)
            new = text[: rebuilt.start] + "\n\n" + rebuilt.html + "\n\n" + text[rebuilt.end :]
            return statutory_tables([*lines[:a], *new.split("\n"), *lines[b:]], log)
    return lines
