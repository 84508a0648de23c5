"""The annual-report audit (pipeline.audit) on real reports, with defects planted in copies."""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.audit import dataset
from pipeline.audit.command import collect
from pipeline.audit.findings import ERROR, HOLDS, NOTE, WARNING
from pipeline.audit.run import Audit, applies, reporting_organ
from pipeline.audit.template import covers
from tests.conftest import corpus_file

HUAIAN = corpus_file("04-")  # 淮安市 2024, 2021 template, every table complete and consistent
PINGTAN = corpus_file("07-")  # 平潭综合实验区 2024, flattened web text
SEED = Path(__file__).parent / "fixtures" / "seed.md"  # 留格庄镇 2018: the old 条例's report, dated 2019年3月5日


def audit_text(tmp_path: Path, text: str, name: str = "report.md") -> Audit:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    audits, skipped, errors = collect([path])
    assert not errors and not skipped
    return audits[0]


def planted(tmp_path: Path, old: str, new: str) -> Audit:
    text = HUAIAN.read_text(encoding="utf-8")
    assert text.count(old) == 1
    return audit_text(tmp_path, text.replace(old, new))


def errors(audit: Audit) -> list:
    return [f for f in audit.findings if f.severity == ERROR]


def test_a_consistent_report_has_no_error_and_every_relation_holds(tmp_path: Path):
    audit = audit_text(tmp_path, HUAIAN.read_text(encoding="utf-8"))
    assert (audit.organ, audit.year, audit.template) == ("淮安市人民政府", 2024, "2021")
    assert audit.findings == []
    # 7 row sums of 表三's 24 data rows … every relation of both tables, all evaluated
    assert len(audit.relations) == 42 and all(r.status == HOLDS for r in audit.relations)


def test_a_changed_number_is_found_with_its_cell(tmp_path: Path):
    audit = planted(tmp_path, "|（一）予以公开|（一）予以公开|1288|", "|（一）予以公开|（一）予以公开|1289|")
    (error,) = errors(audit)  # the row and the column that fail meet in the changed cell
    assert error.where == "收到和处理政府信息公开申请情况表「（一）予以公开」行「自然人」列"
    assert error.message.startswith("该格数字 1289 有误")
    failed = [f"{f.where}：{f.message}" for f in audit.findings if f.code == "sum" and f.severity == WARNING]
    assert any("「（一）予以公开」行「总计」列" in m and "总计为 1362" in m and "1363" in m for m in failed), failed
    assert any("「自然人」列中办理结果总计等于各项办理结果之和不成立" in m and "2932" in m and "2933" in m
               for m in failed), failed  # fmt: skip
    assert len(failed) == 2  # the row sum and the column sum: the balance still holds


def test_a_missing_section_is_found(tmp_path: Path):
    text = HUAIAN.read_text(encoding="utf-8")
    start, end = text.index("五、存在的主要问题及改进情况"), text.index("六、其他需要报告的事项")
    audit = audit_text(tmp_path, text[:start] + text[end:])
    assert [(f.code, f.message) for f in errors(audit)] == [
        ("section", "缺少年度报告格式要求的「五、存在的主要问题及改进情况」部分")
    ]


def test_a_wrong_year_in_the_statistics_period_is_found(tmp_path: Path):
    period = "统计期限自 2024 年 1 月 1 日至 2024 年 12 月 31 日"
    audit = planted(tmp_path, period, period.replace("2024", "2023"))
    (finding,) = errors(audit)
    assert finding.code == "year" and "2023 年至 2023 年" in finding.message and "2024 年不符" in finding.message


def test_a_text_figure_that_contradicts_its_table_is_found(tmp_path: Path):
    audit = planted(tmp_path, "政府信息公开行政复议 351", "政府信息公开行政复议 361")
    (finding,) = errors(audit)
    assert finding.code == "text-figure" and "行政复议361件" in finding.where
    assert finding.message == "正文中的行政复议总数为 361，表中为 351"


def test_a_report_dated_before_its_year_ended_is_found(tmp_path: Path):
    seed = SEED.read_text(encoding="utf-8")
    assert seed.count("2019年3月5日") == 1
    audit = audit_text(tmp_path, seed.replace("2019年3月5日", "2018年12月1日"))
    assert [(f.code, f.message) for f in errors(audit)] == [("year", "成文日期 2018-12-01 早于报告年度 2018 年结束")]


def test_an_announced_part_that_is_missing_is_found(tmp_path: Path):
    seed = SEED.read_text(encoding="utf-8")
    assert not errors(audit_text(tmp_path, seed, "seed.md"))  # the seed's six announced parts are all there
    cut = seed.rindex("\n", 0, seed.index("七、政府信息公开的收费及减免情况")) + 1
    end = seed.rindex("\n", 0, seed.index("八、", cut)) + 1
    rest = seed[end:]
    for old, new in zip(["八", "九", "十", "十一", "十二"], ["七", "八", "九", "十", "十一"], strict=True):
        rest = re.sub(rf"(?m)^((?:#+\s*)?(?:\*\*)?){old}、", rf"\g<1>{new}、", rest, count=1)  # numbered anew
    audit = audit_text(tmp_path, seed[:cut] + rest, "seed-cut.md")
    announced = [f for f in errors(audit) if f.code == "announced"]
    assert len(announced) == 1 and "「政府信息公开的收费及减免情况」" in announced[0].message
    assert any(f.code == "section" and "收费及减免" in f.message for f in errors(audit))  # the 条例's own list


def test_figures_copied_from_last_year_are_noted(tmp_path: Path):
    this_year = HUAIAN.read_text(encoding="utf-8")
    last_year = this_year.replace("2024", "2023").replace("2025", "2024")
    (tmp_path / "a").mkdir()
    (tmp_path / "a" / "2024.md").write_text(this_year, encoding="utf-8")
    (tmp_path / "a" / "2023.md").write_text(last_year, encoding="utf-8")
    audits, _, _ = collect(sorted((tmp_path / "a").iterdir()))
    latest = next(a for a in audits if a.year == 2024)
    notes = [f for f in latest.findings if f.severity == NOTE and f.code == "same-as-last-year"]
    assert notes and all("与 2023 年报告完全相同" in f.message for f in notes)
    assert not [f for f in next(a for a in audits if a.year == 2023).findings if f.code == "same-as-last-year"]


def test_other_documents_are_not_audited(tmp_path: Path):
    audits, skipped, errors_ = collect([corpus_file("10-")])
    assert audits == [] and skipped and not errors_
    assert applies("平潭综合实验区2024年度政府信息公开工作年度报告")
    assert not applies("关于印发某某办法的通知")


def test_reporting_organ_is_the_titles():
    assert reporting_organ("淮安市人民政府2024年政府信息公开工作年度报告", "淮安市人民政府办公室") == "淮安市人民政府"
    assert reporting_organ("2024年上海市科委政府信息公开工作年度报告", "未识别") == "上海市科委"
    assert reporting_organ("政府信息公开工作年度报告", "未识别") == ""


@pytest.mark.parametrize(
    ("part", "heading", "expected"),
    [
        ("依申请公开政府信息办理情况", "（一）依申请公开政府信息办理情况", True),
        ("因政府信息公开申请行政复议及提起行政诉讼的情况", "八、因政府信息公开申请提起行政复议、行政诉讼的情况", True),
        ("政府信息公开的收费及减免情况", "七、政府信息公开的收费及减免情况", True),
        ("政府信息公开的收费及减免情况", "八、因政府信息公开申请提起行政复议、行政诉讼的情况", False),
        ("概述", "一、概述", True),
    ],
)
def test_heading_cover(part: str, heading: str, expected: bool):
    assert covers(part, heading) is expected


def test_the_dataset_loads_with_pandas_and_holds_the_tables_values(tmp_path: Path):
    pandas = pytest.importorskip("pandas")
    audits, _, _ = collect([HUAIAN, PINGTAN])
    rows = dataset.write(tmp_path, audits)
    frame = pandas.read_csv(tmp_path / dataset.CSV, encoding="utf-8-sig", dtype=str, keep_default_na=False)
    assert tuple(frame.columns) == dataset.COLUMNS and len(frame) == rows

    def value(organ: str, table: str, row: str, column: str) -> str:
        hit = frame[(frame.organ == organ) & (frame.table == table) & frame.row.str.contains(row, regex=False)
                    & (frame.column == column)]  # fmt: skip
        assert len(hit) == 1, (organ, row, column)
        return hit.iloc[0].value

    # 淮安市: 表三 本年新收 3001 / 53 / 61 / 4 → 3119; 表四 行政复议 总计 351; 表二 行政许可
    assert value("淮安市人民政府", "applications", "本年新收", "自然人") == "3001"
    assert value("淮安市人民政府", "applications", "本年新收", "总计") == "3119"
    assert value("淮安市人民政府", "review-litigation", "", "行政复议·总计") == "351"
    # 平潭综合实验区: 表三 本年新收 217 + 1 = 218; 表四 复议后起诉 总计 19
    assert value("平潭综合实验区", "applications", "本年新收", "总计") == "218"
    assert value("平潭综合实验区", "review-litigation", "", "行政诉讼（复议后起诉）·总计") == "19"
    assert set(frame.status) <= {"一致", "不一致", "未核对", "无"}
    assert (frame[frame.table == "applications"].status == "一致").all()


def test_cli_exit_status_and_json(tmp_path: Path):
    bad = tmp_path / "bad.md"
    bad.write_text(HUAIAN.read_text(encoding="utf-8").replace("政府信息公开行政复议 351", "政府信息公开行政复议 361"),
                   encoding="utf-8")  # fmt: skip
    run = lambda *args: subprocess.run([sys.executable, "-m", "pipeline.cli", "audit", *map(str, args)],  # noqa: E731
                                       capture_output=True, text=True, timeout=120)  # fmt: skip
    good = run(HUAIAN)
    assert good.returncode == 0 and "审核完成：1 份年度报告，无错误 1 份" in good.stdout
    failed = run(bad, "--json")
    assert failed.returncode == 1 and '"code": "text-figure"' in failed.stdout
    missing = run(tmp_path / "nothing.md")
    assert missing.returncode == 2 and "nothing.md：不存在" in missing.stderr


def test_a_review_result_in_the_text_that_contradicts_its_cells_is_found(tmp_path: Path):
    """``行政诉讼46件，其中…结果纠正5件`` against 表四: 4 (未经复议直接起诉) + 1 (复议后起诉)."""
    text = HUAIAN.read_text(encoding="utf-8")
    assert not errors(audit_text(tmp_path, text))  # every result in the text agrees (checked by hand)
    old = next(m for m in re.finditer(r"结果纠正\s*5\s*件", text))
    audit = audit_text(tmp_path, text[: old.start()] + "结果纠正 6 件" + text[old.end():], "changed.md")
    (finding,) = errors(audit)
    assert finding.code == "text-figure" and finding.message == "正文中行政诉讼的结果纠正为 6，表中为 5"


def test_the_dataset_is_rebuilt_only_when_a_package_changed(tmp_path: Path):
    """A run that publishes nothing new reads no XHTML for the dataset; a new package rebuilds it."""
    from pipeline.orchestrate.convert import convert_file

    outputs = tmp_path / "out"
    assert convert_file(PINGTAN, "pingtan", outputs).ok
    rows = dataset.rebuild(outputs)
    assert rows and (outputs / dataset.CSV).is_file()
    assert dataset.rebuild(outputs) is None  # nothing changed
    assert convert_file(HUAIAN, "huaian", outputs).ok
    assert dataset.rebuild(outputs) > rows
    assert dataset.rebuild(outputs) is None
