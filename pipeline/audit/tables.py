"""The statutory tables of an annual report read back from its XHTML, cell by cell.

The normalizer writes each table from its template (``pipeline.core.statutory``), so a row is found
by the template's ``key`` in the row's label and its figures are the row's ``td`` cells, in the
template's column order. A table a converter left in pieces (one table split by page breaks) is
read as one: all tables of a kind, in document order. A row whose figures could not be placed
(``td.unsplit``, or a count that does not match the template) is kept as raw text with no
values, so no relation is ever evaluated on a guess.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from lxml import etree

from pipeline.core.statutory import APPLICANTS, REVIEW_COLUMNS, TEMPLATES, Cell, Row, Template
from pipeline.xhtml.tree import XHTML_NS

_X = f"{{{XHTML_NS}}}"
TABLE_NAMES = {
    "active-disclosure": "主动公开政府信息情况表",
    "applications": "收到和处理政府信息公开申请情况表",
    "review-litigation": "行政复议、行政诉讼情况表",
}
_NUMBER_RE = re.compile(r"^-?\d+(?:\.\d+)?$")
_BLANK = {"", "-", "—", "/", "／", "无"}
_COLUMN_WORDS = {  # words a template's table holds whatever the converter did to it
    "active-disclosure": ("信息内容",),
    "applications": ("自然人",),
    "review-litigation": ("维持", "审结"),
}
REVIEW_GROUPS = ("行政复议", "行政诉讼（未经复议直接起诉）", "行政诉讼（复议后起诉）")


@dataclass(frozen=True)
class Figure:
    """One figure cell: where it is (table, row, column) and what it holds."""

    kind: str
    row: str  # the template's row label
    column: str
    text: str
    value: float | None  # None: blank, or the row's figures could not be placed
    doubtful: bool = False  # read from a row the normalizer kept whole (its figures do not add up)

    def where(self) -> str:
        row = f"「{self.row}」行" if self.row else ""
        return f"{TABLE_NAMES[self.kind]}{row}「{self.column}」列"


@dataclass
class Grid:
    """A statutory table of one report: its template and, per template row, its figures."""

    template: Template
    figures: dict[str, list[Figure]] = field(default_factory=dict)  # row key -> figures
    unplaced: dict[str, str] = field(default_factory=dict)  # row key -> the raw text kept whole
    missing: list[Row] = field(default_factory=list)  # template rows not found

    @property
    def kind(self) -> str:
        return self.template.kind

    def value(self, key: str, column: int) -> float | None:
        row = self.figures.get(key)
        return row[column].value if row and column < len(row) else None

    def figure(self, key: str, column: int) -> Figure | None:
        row = self.figures.get(key)
        return row[column] if row and column < len(row) else None

    def all_figures(self) -> list[Figure]:
        return [f for row in self.figures.values() for f in row]


def _text(el: etree._Element) -> str:
    return re.sub(r"\s+", "", "".join(el.itertext()))


def _number(text: str) -> float | None:
    text = text.replace(",", "").replace("，", "")
    return float(text) if _NUMBER_RE.match(text) else None


def columns(template: Template) -> dict[str, list[str]]:
    """Each data row's column names, by row key, as the template defines them."""
    names: dict[str, list[str]] = {}
    header: list[str] = []
    for line in template.lines:
        if isinstance(line, list):
            header = [c.text for c in line if isinstance(c, Cell)][1:]
            continue
        if not line.size:
            continue
        if template.kind == "applications":
            names[line.key] = list(APPLICANTS)
        elif template.kind == "review-litigation":
            names[line.key] = [f"{g}·{c}" for g in REVIEW_GROUPS for c in REVIEW_COLUMNS]
        else:
            names[line.key] = header[: line.count]
    return names


def _rows(tables: list[etree._Element]) -> list[tuple[str, list[etree._Element]]]:
    """(label, figure cells) of each row that holds figures, in document order."""
    out = []
    for table in tables:
        for tr in table.iter(f"{_X}tr"):
            cells = [c for c in tr if isinstance(c.tag, str)]
            tds = [c for c in cells if c.tag == f"{_X}td"]
            label = "".join(_text(c) for c in cells if c.tag == f"{_X}th")
            while not label and tds and _number(_text(tds[0])) is None and _text(tds[0]) not in _BLANK:
                label = _text(tds.pop(0))  # a table kept as the converter made it: labels in td
            if tds:
                out.append((label, tds))
    return out


def _grid(template: Template, rows: list[tuple[str, list[etree._Element]]]) -> Grid:
    grid, names, at = Grid(template), columns(template), 0
    for row in template.rows:
        if not row.size:
            continue
        found = [i for i in range(at, len(rows)) if row.key in rows[i][0]]
        # a table cut by page breaks may hold the row twice: empty in one piece, filled in another
        match = next((i for i in found if any(_text(td) for td in rows[i][1])), found[0] if found else None)
        if match is None:
            grid.missing.append(row)
            continue
        at = match + 1
        cells = rows[match][1]
        texts = [_text(td) for td in cells]
        doubtful = any("unsplit" in (td.get("class") or "") for td in cells)
        if doubtful:
            # kept whole by the normalizer; as many separate figures as cells means they are
            # known but do not add up (the normalizer places no row that does not): read them
            tokens = " ".join("".join(td.itertext()) for td in cells).split()
            texts = tokens if len(tokens) == row.count and all(_number(t) is not None for t in tokens) else []
        if len(texts) != row.count:
            grid.unplaced[row.key] = " ".join(_text(td) for td in cells if _text(td))
            continue
        grid.figures[row.key] = [
            Figure(template.kind, row.label, name, text, None if text in _BLANK else _number(text), doubtful)
            for name, text in zip(names[row.key], texts, strict=True)
        ]
    return grid


def read(root: etree._Element) -> list[Grid]:
    """The statutory tables of a document, one grid per kind found (none for other documents).

    Of the two templates, the one whose rows the table holds more of is taken (the 2021 one on a
    tie): a report may use either, and a converter may have lost a row's words.
    """
    grids = []
    for kind in TABLE_NAMES:
        tables = [t for t in root.iter(f"{_X}table") if t.get("data-statutory") == kind]
        words = "".join(_text(t) for t in tables)
        if not tables:
            continue
        rows = _rows(tables)
        options = [_grid(t, rows) for t in TEMPLATES if t.kind == kind]
        grid = max(options, key=lambda g: (len(g.figures) + len(g.unplaced), g.template.variant == "2021"))
        if grid.figures or (grid.unplaced and any(w in words for w in _COLUMN_WORDS[kind])):
            grids.append(grid)  # else not the template's table (an older report's own 统计表)
    return grids
