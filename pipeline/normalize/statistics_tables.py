"""The 统计表 of annual reports before the 2019 template, rebuilt from text (ARTIFACTS G1).

Until 2018 the statistics table of a 政府信息公开工作年度报告 was a list of indicators, each with its
unit and one or more figures: ``统计指标 | 单位 | 统计数``, or ``指标名称 | 计量单位 | 2018年度 |
历年累计``. Crawled pages fuse it into one run (``主动公开信息数条4251516其中：1.网站公开条4181509
2.政府公报公开条77``). A row is its label, its unit (条, 件, 万元…) and its figures; the figures
of a row with two value columns are split where exactly one split keeps the year's figure at most
the cumulative one and each ``其中：`` row equal to the sum of the items under it. A row that
splits more than one way keeps its digits whole and is flagged. Every character stays, in order.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from html import escape

from pipeline.normalize.registry import Log, rule
from pipeline.normalize.statutory_figures import _combine, _cuts
from pipeline.normalize.statutory_regions import _section_heading, _table_line
from pipeline.normalize.statutory_tables import SEP, _pattern, _stream


def _words(*options: str) -> str:
    return "|".join(_pattern(option) for option in options)


# The value columns' names: a year (2018年度), 本年度, 历年累计, 统计数…
_VALUE_NAME = rf"\d{{4}}{SEP}*年{SEP}*度?|" + _words("本年度", "本年", "历年累计", "累计", "统计数", "数量")
_VALUE_NAME_RE = re.compile(_VALUE_NAME)
_HEADER_RE = re.compile(
    rf"(?P<name>{_words('指标名称', '统计指标')}){SEP}*(?P<unit>{_words('计量单位', '单位')}){SEP}*"
    rf"(?P<values>(?:(?:{_VALUE_NAME}){SEP}*){{1,3}})"
)
UNITS = "人次|万元|小时|条|件|个|人|次|元|项|期|篇|份|天|家|场|批"
# A row: its label (an item under a 其中： row starts with its number), its unit, its figures.
_ROW_RE = re.compile(
    rf"(?P<label>(?:其中[：:]{SEP}*)?\d{{1,2}}[.．、][^\d]+?|[^\d{SEP}][^\d]*?)(?P<unit>{UNITS})(?P<digits>[\d{SEP}]*\d)"
)
_MARKER_RE = re.compile(r"^(?:其中[：:])?(\d{1,2})[.．、]")


@dataclass
class Item:
    label: str
    unit: str
    digits: str  # as found, separators kept
    marker: int = 0  # its number under a 其中： row
    children: list[Item] = field(default_factory=list)
    figures: list[str] | None = None


def _items(stream: str, pos: int) -> tuple[list[Item], int]:
    items: list[Item] = []
    end = pos
    while True:
        m = _ROW_RE.match(stream, end)
        if not m:
            break
        label = m["label"].replace(SEP, "")
        marker = _MARKER_RE.match(label)
        item = Item(label, m["unit"], m["digits"], int(marker[1]) if marker else 0)
        digits_end = m.end()
        # `…条41815092.政府公报…`: the digits end with the next item's number marker
        following = stream[digits_end : digits_end + 1]
        if following in ".．、" and following:
            expected = str(item.marker + 1) if item.marker else "1"
            if item.digits.endswith(expected) and len(item.digits) > len(expected):
                item.digits = item.digits[: -len(expected)]
                digits_end -= len(expected)
        items.append(item)
        end = digits_end
    return items, end


def _tree(items: list[Item]) -> list[Item]:
    """Attach the numbered items after a ``其中：`` row to it."""
    parent = None
    for k, item in enumerate(items):
        if item.label.startswith("其中") and k:
            parent = items[k - 1]
        if item.marker and parent is not None:
            parent.children.append(item)
            continue
        parent = None
    return items


def _options(item: Item, columns: int, ordered: bool) -> list[list[str]]:
    tokens = [t for t in item.digits.split(SEP) if t]
    if len(tokens) == columns:
        return [tokens]
    if len(tokens) != 1:
        return []
    found = _cuts(tokens[0], columns)
    if ordered and columns == 2:
        found = [f for f in found if int(f[0]) <= int(f[1])]
    return found


def _decide(items: list[Item], columns: int, ordered: bool) -> None:
    """Each item's figures: its one split, or the one that makes every 其中 row add up."""
    options = {id(item): _options(item, columns, ordered) for item in items}
    for item in items:
        if len(options[id(item)]) == 1:
            item.figures = options[id(item)][0]
    for parent in (i for i in items if i.children):
        family = [parent, *parent.children]
        open_ones = [i for i in family if i.figures is None and options[id(i)]]
        if not open_ones or any(i.figures is None and not options[id(i)] for i in family):
            continue
        total = 1
        for i in open_ones:
            total *= len(options[id(i)])
        if total > 10_000:
            continue
        fits = []
        for choice in _combine([[[k] for k in range(len(options[id(i)]))] for i in open_ones]):
            chosen = {id(i): options[id(i)][k] for i, k in zip(open_ones, choice, strict=True)}
            figures = [chosen.get(id(i), i.figures) for i in family]
            if all(int(figures[0][j]) == sum(int(f[j]) for f in figures[1:]) for j in range(columns)):
                fits.append(chosen)
        if len(fits) == 1:
            for i in open_ones:
                i.figures = fits[0][id(i)]


def _html(header: list[str], items: list[Item], columns: int) -> str:
    head = "".join(f"<th>{escape(h, quote=False)}</th>" for h in header)
    rows = [f"<tr>{head}</tr>"]
    for item in items:
        cells = f"<th>{escape(item.label, quote=False)}</th><td>{item.unit}</td>"
        if item.figures is not None:
            cells += "".join(f"<td>{v}</td>" for v in item.figures)
        else:
            span = f' colspan="{columns}"' if columns > 1 else ""
            cells += f'<td{span} class="unsplit">{" ".join(t for t in item.digits.split(SEP) if t)}</td>'
        rows.append(f"<tr>{cells}</tr>")
    return '<table class="statistics">' + "".join(rows) + "</table>"


@rule(
    "tables/statistics",
    "Rebuild a pre-2019 统计表 (指标名称, 单位, figures) from text with fused rows; figures that split more "
    "than one way stay whole and are flagged.",
    examples=(
        (
            "六、统计表\n指标名称计量单位2011年度历年累计主动公开信息数条4251516其中：1.网站公开条4181509"
            "2.政府公报公开条77受理申请总数条00",
            None,
        ),
    ),
)
def statistics_tables(lines: list[str], log: Log) -> list[str]:
    for i, line in enumerate(lines):
        if 'class="statistics"' in line or not _table_line(line):
            continue
        stream, where = _stream(line)
        header = _HEADER_RE.search(stream)
        if not header:
            continue
        j = i + 1
        while j < len(lines) and _table_line(lines[j]) and not _section_heading(lines[j]):
            j += 1
        text = "\n".join(lines[i:j])
        stream, where = _stream(text)
        header = _HEADER_RE.search(stream)
        values = [v.replace(SEP, "") for v in _VALUE_NAME_RE.findall(header["values"])]
        items, end = _items(stream, header.end())
        if len(items) < 2:
            continue
        columns = len(values)
        ordered = any("累计" in v for v in values) and columns == 2
        _decide(_tree(items), columns, ordered)
        names = [header["name"].replace(SEP, ""), header["unit"].replace(SEP, ""), *values]
        start, stop = where[header.start()], where[end]
        table = _html(names, items, columns)
        log(i + 1, text[start:stop], f'<table class="statistics">（{len(items)} 行）')
        for item in items:
            if item.figures is None:
                found = item.digits.replace(SEP, " ")
                log.warn(i + 1, f"统计表“{item.label}”的数字“{found}”无法唯一拆分，保留原文，请按原表核对")
        new = text[:start] + "\n\n" + table + "\n\n" + text[stop:]
        return [*lines[:i], *new.split("\n"), *lines[j:]]
    return lines
