"""勾稽: every arithmetic relation the national templates imply, evaluated cell by cell.

表三 (applications), in both templates: each row's 总计 is the sum of the six applicant columns;
in each column, 本年新收 + 上年结转 = (七)总计 + 结转下年度 (the template prints this relation
in its corner cell), and (七)总计 is the sum of every result row (予以公开 … 其他处理). 表四
(review-litigation): in each of its three groups 总计 = 维持 + 纠正 + 其他 + 尚未审结. 表二 states
no relation between its figures. A relation with a blank cell, or a cell the normalizer could
not place, is reported as 未核对 and never as a failure.
"""

from __future__ import annotations

from pipeline.audit.findings import ERROR, FAILS, HOLDS, UNCHECKED, WARNING, Finding, Relation
from pipeline.audit.tables import TABLE_NAMES, Figure, Grid

_FLOW_KEYS = ("本年新收", "上年结转", "总计", "结转下年度")
_ADVICE = "核对原始台账，改正表中数字后重新发布"
_DOUBT = "该行数字未能确认逐格对应（原表有误，或转换时识别错位）"
_DOUBT_ADVICE = "对照原件核对该行：原表有误的改正后重新发布，识别错位的用更好的转换结果重新转换"


def _fmt(value: float) -> str:
    return str(int(value)) if value == int(value) else f"{value:g}"


def _terms(figures: list[Figure]) -> str:
    one_row = len({f.row for f in figures}) == 1
    shown = [f"{f.column if one_row else f.row} {_fmt(f.value or 0)}" for f in figures if f.value]
    hidden = len(figures) - len(shown)
    text = " + ".join(shown) or "0"
    return text + (f"（其余 {hidden} 项为 0）" if hidden and shown else "")


def _equal(
    grid: Grid, name: str, left: list[Figure | None], right: list[Figure | None], findings: list[Finding], describe: str
) -> Relation:
    cells = tuple(f.where() if f else "（缺失）" for f in [*left, *right])
    if any(f is None or f.value is None for f in [*left, *right]):
        return Relation(grid.kind, name, cells, UNCHECKED)
    lsum = sum(f.value or 0 for f in left if f)
    rsum = sum(f.value or 0 for f in right if f)
    if abs(lsum - rsum) < 1e-6:
        return Relation(grid.kind, name, cells, HOLDS)
    where = left[0].where() if len(left) == 1 and left[0] else f"{TABLE_NAMES[grid.kind]}"
    message = describe.format(
        left=_fmt(lsum), right=_fmt(rsum), lterms=_terms([f for f in left if f]), rterms=_terms([f for f in right if f])
    )
    if any(f.doubtful for f in [*left, *right] if f):
        findings.append(Finding("sum", WARNING, where, f"{name}不成立：{message}；{_DOUBT}", _DOUBT_ADVICE))
    else:
        findings.append(Finding("sum", ERROR, where, f"{name}不成立：{message}", _ADVICE))
    return Relation(grid.kind, name, cells, FAILS)


def _culprits(grid: Grid, relations: list[Relation], findings: list[Finding]) -> None:
    """A doubtful row whose sum fails, crossed by a column whose sums fail too: the cell where
    both meet is wrong (the row and the column agree on it), an error whatever the doubt."""
    failing = [r for r in relations if r.status == FAILS]
    rows = [r for r in failing if "行的" in r.name]
    columns = [r for r in failing if "列中" in r.name]
    for figure in grid.all_figures():
        if not figure.doubtful:
            continue
        where = figure.where()
        row = next((r for r in rows if where in r.cells), None)
        column = next((r for r in columns if where in r.cells), None)
        if row and column:
            findings.append(Finding("sum", ERROR, where,
                                    f"该格数字 {figure.text} 有误：{row.name}、{column.name}均不成立，两者交于此格",
                                    _ADVICE))  # fmt: skip


def _applications(grid: Grid, findings: list[Finding]) -> list[Relation]:
    out = []
    for row in grid.figures.values():
        out.append(
            _equal(
                grid,
                f"「{row[0].row}」行的总计等于各类申请人之和",
                [row[6]],
                row[:6],
                findings,
                "总计为 {left}，各类申请人之和为 {right}（{rterms}）",
            )
        )
    results = [r.key for r in grid.template.rows if r.size and r.key not in _FLOW_KEYS]
    for c, column in enumerate(next(iter(grid.figures.values()))[:7] if grid.figures else []):
        col = column.column
        flow = [grid.figure(k, c) for k in _FLOW_KEYS]
        out.append(
            _equal(
                grid,
                f"「{col}」列中本年新收加上年结转等于办理结果总计加结转下年度",
                flow[:2],
                flow[2:],
                findings,
                "本年新收加上年结转为 {left}，办理结果总计加结转下年度为 {right}",
            )
        )
        out.append(
            _equal(
                grid,
                f"「{col}」列中办理结果总计等于各项办理结果之和",
                [grid.figure("总计", c)],
                [grid.figure(k, c) for k in results],
                findings,
                "办理结果总计为 {left}，各项办理结果之和为 {right}（{rterms}）",
            )
        )
    return out


def _review(grid: Grid, findings: list[Finding]) -> list[Relation]:
    out = []
    for row in grid.figures.values():
        for g in range(0, len(row), 5):
            group = row[g].column.split("·")[0]
            out.append(
                _equal(
                    grid,
                    f"{group}的总计等于各项结果之和",
                    [row[g + 4]],
                    row[g : g + 4],
                    findings,
                    "总计为 {left}，结果维持、结果纠正、其他结果、尚未审结之和为 {right}",
                )
            )
    return out


def evaluate(grids: list[Grid]) -> tuple[list[Relation], list[Finding]]:
    """Every relation of every table, and a finding for each that does not hold."""
    relations: list[Relation] = []
    findings: list[Finding] = []
    for grid in grids:
        if grid.kind == "applications":
            found = _applications(grid, findings)
            _culprits(grid, found, findings)
            relations += found
        elif grid.kind == "review-litigation":
            relations += _review(grid, findings)
    return relations, findings
