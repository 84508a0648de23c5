"""The portal's annual-report pages: audit findings of a report, and one organ's reports compared
year over year (statutory figures, a bar chart of key figures, sections added/removed/changed).

Everything is read from what the pipeline wrote: ``outputs/statistics.json`` (the dataset of
``pipeline.audit.dataset``) for the figures, each bag's ``data/check.json`` (key ``audit``) for
its findings and each bag's ``data/document.xhtml`` for its sections. Files are reached only
through :class:`pipeline.portal.catalog.Catalog` (listed bags, no symlinks, nothing outside ``outputs/``) or,
for the two dataset files at the top of ``outputs/``, as regular files inside it. Reports whose
bag is gone (a stale dataset) are left out. Nothing here runs the audit.

Sections: the level-1 sections of the XHTML (``section.level-1``), matched between two reports
by heading with its numbering stripped (``一、``, ``（一）``, ``第一部分``, ``1.``); a section is
"changed" when its text (tables left out: their figures are in the table above) has a
``difflib`` similarity ratio below 0.6.
"""

from __future__ import annotations

import itertools

from pipeline.portal.sections import Sections, section_changes
from pipeline.portal.statistics import Dataset, _s, _year

TABLE_ORDER = ("active-disclosure", "applications", "review-litigation")


KEY_FIGURES = (  # (label, table, row, column): the bars of the chart
    ("本年新收政府信息公开申请（总计）", "applications", "一、本年新收政府信息公开申请数量", "总计"),
    ("予以公开（总计）", "applications", "（一）予以公开", "总计"),
    ("行政复议（总计）", "review-litigation", "", "行政复议·总计"),
    ("行政诉讼·未经复议直接起诉（总计）", "review-litigation", "", "行政诉讼（未经复议直接起诉）·总计"),
    ("行政诉讼·复议后起诉（总计）", "review-litigation", "", "行政诉讼（复议后起诉）·总计"),
)


# The comparison pages' styles (served as /static/compare.css: the CSP allows no inline style).
CSS = """\
.annual { background: #fff; border: 1px solid var(--line); border-radius: 6px; padding: .6rem 1rem; margin: 1rem 0; }
.annual ul { margin: .3rem 0; padding-left: 1.2rem; }
table.findings, table.figures, table.sections { width: 100%; border-collapse: collapse; background: #fff;
       font-size: .85rem; margin: .5rem 0 1rem; }
table.findings th, table.findings td, table.figures th, table.figures td, table.sections th, table.sections td {
       border: 1px solid var(--line); padding: .3rem .5rem; text-align: left; vertical-align: top; }
table.figures td.num { text-align: right; white-space: nowrap; }
table.figures tr.group th { background: #f1f1f4; }
table.figures td.changed { background: #fff3c4; font-weight: bold; }
.delta { color: var(--muted); font-weight: normal; margin-left: .3rem; }
.severity.bad { color: var(--accent); font-weight: bold; } .severity.warn { color: #a86400; font-weight: bold; }
.severity.note { color: #1f5fa8; }
.legend, .hint { color: var(--muted); font-size: .85rem; }
svg.chart { max-width: 100%; height: auto; background: #fff; border: 1px solid var(--line); border-radius: 6px; }
ul.organs { padding-left: 1.2rem; }
"""


def _quality(report: dict) -> tuple:
    """Which report stands for a year when an organ has several (the same report converted from
    several sources): no errors first, then the fewest relations that fail or could not be
    checked, the most that hold, then the doc id."""
    counts = report.get("counts") if isinstance(report.get("counts"), dict) else {}
    n = lambda key: _year(counts.get(key)) or 0  # noqa: E731
    failing = n("勾稽不一致") + n("勾稽未核对")
    return (not report.get("ok"), failing, -n("勾稽一致"), n("错误") + n("警告"), report["doc_id"])


def organs(dataset: Dataset, published: set[str]) -> list[dict]:
    """Every organ with an annual report of a known year still published, and its years."""
    years: dict[str, set[int]] = {}
    for doc_id, report in dataset.reports.items():
        organ = _s(report.get("organ"))
        year = _year(report.get("year"))
        if organ and year and doc_id in published:  # a report of no known year cannot be compared
            years.setdefault(organ, set()).add(year)
    return [{"organ": o, "years": sorted(y)} for o, y in sorted(years.items())]


def _number(value: object) -> float | None:
    return float(value) if isinstance(value, (int, float)) and not isinstance(value, bool) else None


def _delta(a: float, b: float) -> str:
    return f"{round(b - a, 2):+.2f}".rstrip("0").rstrip(".")


def compare(dataset: Dataset, sections: Sections, organ: str, published: dict[str, str]) -> dict | None:
    """The comparison page's content for ``organ``, or None when it has no published report.
    ``published``: doc_id -> title of every bag in the catalog."""
    candidates = [
        r for d, r in dataset.reports.items()
        if _s(r.get("organ")) == organ and d in published and _year(r.get("year"))
    ]  # fmt: skip
    if not candidates:
        return None
    by_year: dict[int, list[dict]] = {}
    for report in candidates:
        by_year.setdefault(_year(report["year"]), []).append(report)  # type: ignore[arg-type]
    columns, others = [], []
    for year in sorted(by_year):
        chosen, *rest = sorted(by_year[year], key=_quality)
        columns.append({"doc_id": chosen["doc_id"], "year": year, "title": published[chosen["doc_id"]],
                        "summary": _s(chosen.get("summary")), "ok": bool(chosen.get("ok"))})  # fmt: skip
        others += [{"doc_id": r["doc_id"], "year": year, "title": published[r["doc_id"]]} for r in rest]
    lines = _lines(dataset, [c["doc_id"] for c in columns])
    return {
        "organ": organ,
        "columns": columns,
        "others": others,
        "lines": lines,
        "changed": sum(1 for line in lines if line["changed"]),
        "chart": chart(lines, columns),
        "sections": [
            {"before": a, "after": b, **_pair(sections, a["doc_id"], b["doc_id"])}
            for a, b in itertools.pairwise(columns)
        ],
    }


def _pair(sections: Sections, before: str, after: str) -> dict:
    a, b = sections.of(before), sections.of(after)
    if a is None or b is None:
        return {"unreadable": True, "added": [], "removed": [], "changed": [], "same": 0}
    return {"unreadable": False, **section_changes(a, b)}


def _lines(dataset: Dataset, doc_ids: list[str]) -> list[dict]:
    """One line per (table, row, column) any of the reports has; a cell is ``changed`` when it
    differs from the same cell of the column before (both present)."""
    cells: dict[tuple[str, str, str], dict[str, dict]] = {}
    names: dict[tuple[str, str, str], str] = {}
    for doc_id in doc_ids:
        for row in dataset.rows.get(doc_id, []):
            key = (_s(row.get("table")), _s(row.get("row")), _s(row.get("column")))
            cells.setdefault(key, {})[doc_id] = row
            names.setdefault(key, _s(row.get("table_name")) or key[0])
    rank = {t: i for i, t in enumerate(TABLE_ORDER)}
    keys = list(cells)
    order = sorted(range(len(keys)), key=lambda i: (rank.get(keys[i][0], len(rank)), i))
    out = []
    for i in order:
        key = keys[i]
        line = {"key": key, "table": key[0], "table_name": names[key], "row": key[1], "column": key[2],
                "label": " · ".join(p for p in key[1:] if p), "cells": [], "changed": False}  # fmt: skip
        previous = None
        for doc_id in doc_ids:
            row = cells[key].get(doc_id)
            cell = None
            if row is not None:
                value = _number(row.get("value"))
                text = _s(row.get("text")) or ("" if value is None else f"{value:g}")
                cell = {"text": text or "—", "value": value, "changed": False, "delta": ""}
                if previous is not None:
                    a, b = previous["value"], value
                    if a is not None and b is not None:
                        cell["changed"] = a != b
                        cell["delta"] = _delta(a, b) if a != b else ""
                    else:
                        cell["changed"] = previous["text"] != cell["text"]
                line["changed"] = line["changed"] or cell["changed"]
            line["cells"].append(cell)
            previous = cell
        out.append(line)
    return out


def chart(lines: list[dict], columns: list[dict]) -> dict:
    """Geometry of the bar chart (server-rendered SVG): one group per key figure, one horizontal
    bar per year, each group scaled to its own largest value."""
    by_key = {line["key"]: line for line in lines}
    width, left, span = 760, 64, 560
    groups, y = [], 8
    for label, table, row, column in KEY_FIGURES:
        line = by_key.get((table, row, column))
        values = [(c or {}).get("value") for c in line["cells"]] if line else [None] * len(columns)
        top = max([v for v in values if v is not None] or [0]) or 1
        group = {"label": label, "y": y + 14, "bars": []}
        y += 22
        for column, value in zip(columns, values, strict=True):
            bar = {"year": column["year"], "y": y, "text_y": y + 13, "value": value}
            if value is not None:
                bar["width"] = round(max(value, 0) / top * span, 1)
                bar["text"] = f"{value:g}"
            bar["text_x"] = left + bar.get("width", 0) + 6
            group["bars"].append(bar)
            y += 20
        groups.append(group)
        y += 10
    return {"width": width, "height": y, "left": left, "groups": groups,
            "bars": sum(1 for g in groups for b in g["bars"] if b["value"] is not None)}  # fmt: skip
