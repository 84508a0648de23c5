"""Statutory tables of the annual report flattened into text (ARTIFACTS G1).

Web scrapers turn the three statutory tables of a 政府信息公开工作年度报告 into one run of text in
which the cells of a row are fused: ``一、本年新收政府信息公开申请数量21710000218`` holds the seven
cells 217 | 1 | 0 | 0 | 0 | 0 | 218. With the template known — the labels in order and the rule
that a row's total is the sum of its parts — the split is often unique. This rule rebuilds the
table only where every row splits uniquely or is kept whole and flagged; otherwise the text is
left as it is, with a warning. The table is written in the text's own order (cells in document
order), so no character moves and none is lost.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from html import escape

from pipeline import templates
from pipeline.normalize.registry import Log, rule

MAX_DIGITS = 9


@dataclass(frozen=True)
class Cell:
    text: str
    colspan: int = 1
    rowspan: int = 1


@dataclass(frozen=True)
class Data:
    """A body row: its label, then numbers in ``groups`` of ``size``; ``summed`` when the last
    number of each group is the sum of the others."""

    label: str
    size: int
    groups: int = 1
    summed: bool = True
    span: int = 1  # columns each number cell spans


Row = list[Cell] | Data


def _applications() -> list[Row]:
    header: list[Row] = [
        [Cell("（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）", 3, 3), Cell("申请人情况", 7)],
        [Cell("自然人", 1, 2), Cell("法人或其他组织", 5), Cell("总计", 1, 2)],
        [Cell(c) for c in templates.APPLICATION_COLUMNS[1:6]],
    ]
    body: list[Row] = [
        Data(label, 7) if has_numbers else [Cell(label, 10)] for label, has_numbers in templates.APPLICATION_ROWS
    ]
    return header + body


def _review() -> list[Row]:
    columns = [Cell(c) for c in templates.REVIEW_COLUMNS]
    return [
        [Cell("行政复议", 5), Cell("行政诉讼", 10)],
        [Cell(c, 1, 2) for c in templates.REVIEW_COLUMNS] + [Cell("未经复议直接起诉", 5), Cell("复议后起诉", 5)],
        columns + columns,
        Data("", 5, groups=3),
    ]


def _active() -> list[Row]:
    rows: list[Row] = [
        [Cell("第二十条第（一）项", 4)],
        [Cell("信息内容"), Cell("本年制发件数"), Cell("本年废止件数"), Cell("现行有效件数")],
        Data("规章", 3, summed=False),
        Data("行政规范性文件", 3, summed=False),
    ]
    for item, head, labels in (
        ("第二十条第（五）项", "本年处理决定数量", ("行政许可",)),
        ("第二十条第（六）项", "本年处理决定数量", ("行政处罚", "行政强制")),
        ("第二十条第（八）项", "本年收费金额（单位：万元）", ("行政事业性收费",)),
    ):
        rows += [[Cell(item, 4)], [Cell("信息内容"), Cell(head, 3)]]
        rows += [Data(label, 1, summed=False, span=3) for label in labels]
    return rows


TABLES = {
    "applications": (_applications(), "本年新收政府信息公开申请数量"),
    "review-litigation": (_review(), "结果维持结果纠正其他结果尚未审结总计未经复议直接起诉"),
    "active-disclosure": (_active(), "第二十条第（一）项信息内容"),
}
_NUMBER_RE = re.compile(r"0|[1-9]\d*")
_WS_RE = re.compile(r"\s*")


def _literal(text: str, pos: int, literal: str) -> int:
    """The end of ``literal`` at ``pos`` (stray spaces inside it tolerated: `社会公益 组织`), or -1."""
    pos = _WS_RE.match(text, pos).end()
    m = re.compile(r"\s*".join(map(re.escape, literal))).match(text, pos)
    return m.end() if m else -1


def _numbers(digits: str, count: int) -> list[list[int]]:
    """Every way to cut ``digits`` into ``count`` numbers without leading zeros."""
    if count == 1:
        return [[int(digits)]] if _NUMBER_RE.fullmatch(digits) and len(digits) <= MAX_DIGITS else []
    found = []
    for cut in range(1, min(len(digits) - count + 2, MAX_DIGITS + 1)):
        head = digits[:cut]
        if _NUMBER_RE.fullmatch(head):
            found += [[int(head), *rest] for rest in _numbers(digits[cut:], count - 1)]
    return found


def split_row(digits: str, size: int, groups: int, summed: bool) -> list[int] | None:
    """The unique split of a fused digit run, or None when there is none or several."""
    solutions = []
    for numbers in _numbers(digits, size * groups):
        chunks = [numbers[g * size : (g + 1) * size] for g in range(groups)]
        if not summed or all(sum(c[:-1]) == c[-1] for c in chunks):
            solutions.append(numbers)
            if len(solutions) > 1:
                return None
    return solutions[0] if solutions else None


def _first_text(row: Row) -> str:
    return row[0].text if isinstance(row, list) else row.label


def _html(key: str, rows: list[list[tuple[str, Cell]]]) -> str:
    out = [f'<table class="statutory" data-statutory="{key}">']
    for cells in rows:
        tds = []
        for tag, cell in cells:
            attrs = "".join(
                f' {name}="{value}"'
                for name, value in (("colspan", cell.colspan), ("rowspan", cell.rowspan))
                if value > 1
            )
            tds.append(f"<{tag}{attrs}>{escape(cell.text, quote=False)}</{tag}>")
        out.append("<tr>" + "".join(tds) + "</tr>")
    out.append("</table>")
    return "".join(out)


def _parse(text: str, start: int, key: str) -> tuple[list[list[tuple[str, Cell]]], int, list[str]] | None:
    """Read the table cell by cell in document order from ``start``; None at the first mismatch."""
    spec = TABLES[key][0]
    pos, rows, warnings = start, [], []
    for index, row in enumerate(spec):
        if isinstance(row, list):
            cells = []
            for cell in row:
                pos = _literal(text, pos, cell.text)
                if pos < 0:
                    return None
                cells.append(("th", cell))
            rows.append(cells)
            continue
        cells = []
        if row.label:
            pos = _literal(text, pos, row.label)
            if pos < 0:
                return None
            cells.append(("th", Cell(row.label, 3 if key == "applications" else 1)))
        following = _first_text(spec[index + 1]) if index + 1 < len(spec) else ""
        end = text.find(following, pos) if following else pos + len(re.match(r"\s*[\d.]*", text[pos:])[0])
        raw = text[pos:end].strip() if end >= 0 else ""
        if not re.fullmatch(r"\d+(\.\d+)?", raw):
            return None
        pos = end
        count = row.size * row.groups
        if count == 1:
            cells.append(("td", Cell(raw, row.span)))
        else:
            numbers = None if "." in raw else split_row(raw, row.size, row.groups, row.summed)
            if numbers is None:
                warnings.append(f"“{row.label or '数据行'}”的数字“{raw}”无法唯一拆分，保留原文，请按原表核对")
                cells.append(("td", Cell(raw, count * row.span)))
            else:
                cells += [("td", Cell(str(n), row.span)) for n in numbers]
        rows.append(cells)
    return rows, pos, warnings


@rule(
    "tables/fused-template",
    "Rebuild the annual report's statutory tables from text with fused cells, by the template and the "
    "row sums; a row that does not split uniquely is kept whole and flagged.",
    examples=(
        (
            "行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计未经复议直接起诉复议后起诉"
            "结果维持结果纠正其他结果尚未审结总计结果维持结果纠正其他结果尚未审结总计21317000001324019",
            None,
        ),
    ),
    kind="lines",
    order=275,
)
def fused_template_tables(lines: list[str], log: Log) -> list[str]:
    text = "\n".join(lines)
    if "<table" in text or "|" in text:
        return lines
    for key, (spec, anchor) in TABLES.items():
        if anchor not in re.sub(r"\s+", "", text):
            continue
        first = _first_text(spec[0])[:6]
        for m in re.finditer(re.escape(first), text):
            parsed = _parse(text, m.start(), key)
            if parsed is None:
                continue
            rows, end, warnings = parsed
            line = text.count("\n", 0, m.start()) + 1
            log(line, text[m.start() : end], f'<table data-statutory="{key}">（{len(rows)} 行）')
            for message in warnings:
                log.warn(line, message)
            text = text[: m.start()] + "\n\n" + _html(key, rows) + "\n\n" + text[end:]
            break
        else:
            log.warn(1, f"法定表格（{key}）的文字未能按模板恢复为表格，保留原文，请核对")
    return text.split("\n")
