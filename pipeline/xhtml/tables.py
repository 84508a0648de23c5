"""Tables in the XHTML: spans clamped to the table's real grid, header rows in ``thead``, cells
scoped and numeric ones marked, and the annual report's statutory tables recognised by their fixed
labels (``data-statutory``)."""

from __future__ import annotations

import re

from lxml import etree

from pipeline.core.model import Change
from pipeline.xhtml.markup import SANITIZE_RULE
from pipeline.xhtml.tree import XHTML_NS
from pipeline.xhtml.tree import element as _x
from pipeline.xhtml.tree import local as _local

_NUMERIC = re.compile(r"^[\s\d.,，%‰+\-—～~]+$")
# The statutory tables of the 2019+ annual-report template, recognised by their fixed labels.
STATUTORY_TABLES = (
    ("active-disclosure", "主动公开政府信息情况", ("第二十条第（一）项", "本年制发件数", "现行有效件数")),
    ("applications", "收到和处理政府信息公开申请情况", ("本年新收政府信息公开申请数量", "申请人情况", "予以公开")),
    ("review-litigation", "政府信息公开行政复议、行政诉讼情况", ("行政复议", "行政诉讼", "结果维持")),
)


_SPAN_CAPS = {"colspan": 1000, "rowspan": 65534}  # the HTML table model's limits


def _clamp_spans(table: etree._Element) -> list[Change]:
    """Spans as the table can hold them: capped as HTML caps them, rowspans cut at the table's
    last row, colspans that reach past every row's last cell shrunk (OCR tables: the HTML table
    model forbids columns in which no cell begins). Cells are placed as column intervals, never
    cell by cell, so a declared span costs nothing. Each repair is logged."""
    ns = f"{{{XHTML_NS}}}"
    rows = list(table.iter(f"{ns}tr"))
    repairs: list[Change] = []

    def span(cell: etree._Element, name: str, most: int) -> int:
        declared = cell.get(name, "1")
        if not (declared.isascii() and declared.isdigit()):
            n = 1  # not a number HTML reads (`²`, `٣`)
        else:  # 0 ("to the end of the group") is read as 1; 10^20 is not even converted
            n = (int(declared) or 1) if len(declared) < 7 else most + 1
        if n > most:
            what = "列" if name == "colspan" else "行"
            repairs.append(Change(SANITIZE_RULE, 0, f'<td {name}="{declared[:24]}">',
                                  f"表格单元格{what}跨度超出表格实际大小，改为 {most}"))  # fmt: skip
            n = most
        if n == 1:
            cell.attrib.pop(name, None)
        else:
            cell.set(name, str(n))
        return n

    starts: set[int] = set()
    placed: list[tuple[etree._Element, int]] = []
    above: list[tuple[int, int, int]] = []  # cells reaching down: (last row, first column, end column)
    for r, tr in enumerate(rows):
        above = [a for a in above if a[0] >= r]
        taken = sorted((first, end) for _, first, end in above)
        c, k = 0, 0
        for cell in tr:
            while k < len(taken) and taken[k][0] <= c:
                c, k = max(c, taken[k][1]), k + 1
            span_c = span(cell, "colspan", _SPAN_CAPS["colspan"])
            span_r = span(cell, "rowspan", min(_SPAN_CAPS["rowspan"], len(rows) - r))
            starts.add(c)
            placed.append((cell, c))
            if span_r > 1:
                above.append((r + span_r - 1, c, c + span_c))
            c += span_c
    for cell, c in placed:
        span_c = int(cell.get("colspan", "1"))
        useful = 1 + sum(1 for k in starts if c < k < c + span_c)
        if useful < span_c:
            repairs.append(
                Change(SANITIZE_RULE, 0, f'<td colspan="{span_c}">', f"表格单元格列跨度超出实际列数，改为 {useful}")
            )
            if useful == 1:
                del cell.attrib["colspan"]
            else:
                cell.set("colspan", str(useful))
    return repairs


def _header_rows(rows: list[etree._Element]) -> int:
    """How many leading rows form the header: all-``th`` rows, as many as their rowspans reach."""
    needed, count = 1, 0
    while count < needed and count < len(rows):
        cells = list(rows[count])
        if not cells or any(_local(c) != "th" for c in cells):
            return 0
        needed = max(needed, count + max(int(c.get("rowspan", "1")) for c in cells))
        count += 1
    return count if count == needed else 0


def _statutory_key(content: str, section_title: str) -> str:
    for key, name, labels in STATUTORY_TABLES:
        if sum(label in content for label in labels) >= 2 or name in section_title:
            return key
    return ""


def finish_table(table: etree._Element, caption_text: str | None, section_title: str) -> list[Change]:
    ns = f"{{{XHTML_NS}}}"
    repairs = _clamp_spans(table)
    rows = [tr for tr in table.iter(f"{ns}tr")]
    if caption_text:
        table.insert(0, _x("caption", caption_text))
    key = _statutory_key("".join(table.itertext()).replace(" ", ""), section_title)
    # 表二 is a stack of small tables, each under its own item: no header repeats on a new page
    head_rows = _header_rows(rows) if key != "active-disclosure" else 0
    for row in rows[head_rows:]:
        if len(row) and all(_local(c) == "th" for c in row):
            row.set("class", "subhead")  # an item's name or its column names: kept with what follows
    if table.find(f"{ns}thead") is None and head_rows:
        thead = _x("thead")
        for row in rows[:head_rows]:
            row.getparent().remove(row)
            thead.append(row)
        table.insert(1 if caption_text else 0, thead)
    for cell in table.iter(f"{ns}th", f"{ns}td"):
        text = "".join(cell.itertext()).strip()
        if _local(cell) == "th":
            in_head = cell.getparent().getparent() is not None and _local(cell.getparent().getparent()) == "thead"
            cell.set("scope", "col" if in_head else "row")
        elif text and _NUMERIC.match(text) and not cell.get("class"):
            cell.set("class", "num")
    if key:
        table.set("class", "statutory")
        table.set("data-statutory", key)
    return repairs
