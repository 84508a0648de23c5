"""Figures copied from last year: a row of a statutory table identical to the same organ's report
on the year before, when both reports are at hand. Reported as a note: a row can be the same by
right (no 行政强制 two years running), so only rows with something in them count (two figures
other than 0, or one of 10 or more)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from pipeline.audit.findings import NOTE, Finding
from pipeline.audit.tables import TABLE_NAMES, Grid


class Reported(Protocol):
    organ: str
    year: int | None
    grids: list[Grid]
    findings: list[Finding]


def _telling(values: list[float]) -> bool:
    nonzero = [v for v in values if v]
    return len(nonzero) >= 2 or any(v >= 10 for v in nonzero)


def compare(reports: Sequence[Reported]) -> None:
    """Add a note to each report for every row identical to last year's (in place)."""
    by_year = {(r.organ, r.year): r for r in reports if r.organ and r.year}
    for report in reports:
        last = by_year.get((report.organ, (report.year or 0) - 1))
        if last is None:
            continue
        before = {g.kind: g for g in last.grids}
        for grid in report.grids:
            old = before.get(grid.kind)
            if old is None:
                continue
            for key, row in grid.figures.items():
                values = [f.value for f in row]
                previous = [f.value for f in old.figures.get(key, [])]
                if values == previous and all(v is not None for v in values) and _telling(values):  # type: ignore[arg-type]
                    label = f"「{row[0].row}」行" if row[0].row else ""
                    report.findings.append(
                        Finding(
                            "same-as-last-year",
                            NOTE,
                            f"{TABLE_NAMES[grid.kind]}{label}",
                            f"该行数字与 {last.year} 年报告完全相同",
                            "核对是否沿用了上一年度的数字",
                        )
                    )
