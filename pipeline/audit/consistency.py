"""Consistency: the year reported on, the statistics period and the date agree; a figure the text
repeats from a table agrees with its cell.

A figure in the text is compared only where the wording names one cell beyond doubt (申请 received
this year, carried over, carried forward, 予以公开, 行政复议, 行政诉讼, applicants by kind), and
is taken as agreeing when it matches either reading offices use (this year's only, or this year's
with last year's carried over). A sentence about a wider scope (全市, 各级, 各部门…) is not
compared: its figure is not the table's.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable

from pipeline.audit.findings import ERROR, WARNING, Finding
from pipeline.audit.tables import Grid

_PERIOD_RE = re.compile(
    r"统计(?:期限|期间|时限|区间|时段|周期)[^。；\d]{0,8}?(\d{4})年\s*(\d{1,2})月\s*(\d{1,2})日"
    r"[^。；\d]{0,6}?(?:(\d{4})年\s*)?(\d{1,2})月\s*(\d{1,2})日"
)
_WIDE_RE = re.compile(r"全[市县区省州旗盟]|各级|各部门|各单位|系统|下辖|所属")
_CLAUSE_RE = re.compile(r"[^。；！？]+")
Reading = Callable[[Grid | None, Grid | None], list[float | None]]


def _sum(values: list[float | None]) -> float | None:
    return None if any(v is None for v in values) else sum(v or 0 for v in values)


def _readings(key: str, columns: range) -> Reading:
    """This year's figure of ``key`` summed over ``columns``; for received applications also
    with last year's carried over added."""

    def read(apps: Grid | None, _review: Grid | None) -> list[float | None]:
        if apps is None:
            return []
        own = _sum([apps.value(key, c) for c in columns])
        if key != "本年新收":
            return [own]
        carried = _sum([apps.value("上年结转", c) for c in columns])
        return [own, None if own is None or carried is None else own + carried]

    return read


def _review(columns: tuple[int, ...]) -> Reading:
    return lambda _apps, review: [_sum([review.value("", c) for c in columns])] if review else []


_APPLICATIONS = "(?:政府信息公开|信息公开|公开)?申请"
TEXT_FIGURES: tuple[tuple[re.Pattern[str], str, Reading], ...] = (
    (
        re.compile(rf"(?:共|全年|本年|累计)[^。；，,\d]{{0,6}}?(?:新)?(?:收到|受理|接收){_APPLICATIONS}(?:共)?(\d+)件"),
        "收到申请总数",
        _readings("本年新收", range(6, 7)),
    ),
    (re.compile(rf"上一?年度?结转{_APPLICATIONS}?(\d+)件"), "上年结转申请数", _readings("上年结转", range(6, 7))),
    (
        re.compile(rf"结转下一?年度?(?:继续办理)?{_APPLICATIONS}?(\d+)件"),
        "结转下年度申请数",
        _readings("结转下年度", range(6, 7)),
    ),
    (re.compile(r"(?<![及和与、])予以公开(\d+)件"), "予以公开数", _readings("予以公开", range(6, 7))),
    (re.compile(r"自然人(?:提出)?(?:的)?申请(\d+)件"), "自然人申请数", _readings("本年新收", range(0, 1))),
    (
        re.compile(r"法人或其他组织(?:提出)?(?:的)?申请(\d+)件"),
        "法人或其他组织申请数",
        _readings("本年新收", range(1, 6)),
    ),
    (re.compile(r"行政复议(?:案件)?(\d+)(?:件|起)"), "行政复议总数", _review((4,))),
    (re.compile(r"行政诉讼(?:案件)?(\d+)(?:件|起)"), "行政诉讼总数", _review((9, 14))),
)


def text_figures(paragraphs: list[str], grids: list[Grid]) -> list[Finding]:
    kinds = {g.kind: g for g in grids}
    apps, review = kinds.get("applications"), kinds.get("review-litigation")
    findings = []
    for text in paragraphs:
        for clause in _CLAUSE_RE.findall(text):
            if _WIDE_RE.search(clause):
                continue
            for pattern, what, reading in TEXT_FIGURES:
                m = pattern.search(clause)
                if not m:
                    continue
                values = [v for v in reading(apps, review) if v is not None]
                stated = float(m[1])
                if values and stated not in values:
                    table = "、".join(str(int(v)) for v in dict.fromkeys(values))
                    findings.append(
                        Finding(
                            "text-figure",
                            ERROR,
                            f"正文「{m[0]}」",
                            f"正文中的{what}为 {m[1]}，表中为 {table}",
                            "核对后改正正文或表格，使两者一致",
                        )
                    )
    return findings


_BREAKDOWN_RE = re.compile(r"(行政复议|行政诉讼)(?:案件)?\d+(?:件|起)[，,]?其中([^。；]*)")
_RESULT_RE = re.compile(r"(结果维持|结果纠正|其他结果|尚未审结)(\d+)(?:件|起)")
_RESULTS = ("结果维持", "结果纠正", "其他结果", "尚未审结")
_GROUPS = {"行政复议": (0,), "行政诉讼": (5, 10)}  # 表四's groups: 复议; 诉讼 未经复议 and 复议后


def review_breakdown(paragraphs: list[str], grids: list[Grid]) -> list[Finding]:
    """``行政复议351件，其中结果维持72件，结果纠正64件…``: each result against 表四's cells (for
    行政诉讼, both of its groups together)."""
    review = next((g for g in grids if g.kind == "review-litigation"), None)
    if review is None:
        return []
    findings = []
    clauses = [c for text in paragraphs for c in _CLAUSE_RE.findall(text) if not _WIDE_RE.search(c)]
    for clause in clauses:  # a wider scope (全市, 各级…) is not the table's, as for text_figures
        for m in _BREAKDOWN_RE.finditer(clause):
            for r in _RESULT_RE.finditer(m[2]):
                column = _RESULTS.index(r[1])
                value = _sum([review.value("", g + column) for g in _GROUPS[m[1]]])
                if value is not None and float(r[2]) != value:
                    findings.append(Finding("text-figure", ERROR, f"正文「{m[1]}……{r[0]}」",
                                            f"正文中{m[1]}的{r[1]}为 {r[2]}，表中为 {int(value)}",
                                            "核对后改正正文或表格，使两者一致"))  # fmt: skip
    return findings


def years(year: int | None, paragraphs: list[str], date: dt.date | None) -> list[Finding]:
    """The statistics period and the date against the year the title reports on."""
    if year is None:
        return []
    findings = []
    for text in paragraphs:
        m = _PERIOD_RE.search(text)
        if not m:
            continue
        start, end = int(m[1]), int(m[4] or m[1])
        if start != year or end != year:
            findings.append(
                Finding(
                    "year",
                    ERROR,
                    f"正文「{m[0]}」",
                    f"统计期限为 {start} 年至 {end} 年，与标题中的报告年度 {year} 年不符",
                    "改正统计期限或标题中的年度",
                )
            )
        break
    if date is not None and date.year <= year:
        findings.append(
            Finding(
                "year",
                ERROR,
                "成文日期",
                f"成文日期 {date.isoformat()} 早于报告年度 {year} 年结束",
                "核对成文日期：年度报告应在报告年度结束后成文",
            )
        )
    elif date is not None and date.year > year + 1:
        findings.append(
            Finding(
                "year",
                WARNING,
                "成文日期",
                f"成文日期 {date.isoformat()} 晚于报告年度的次年（{year + 1} 年）",
                "核对成文日期或标题中的年度（条例要求每年1月31日前公布上一年度报告）",
            )
        )
    return findings
