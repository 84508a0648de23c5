"""Normalizer: each rule on real fixture lines, the seed end to end, the whole corpus for
text preservation."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pytest

from pipeline.core.chars import lost_characters, significant
from pipeline.core.errors import PreservationError
from pipeline.core.model import Document
from pipeline.ingest.read import read_document
from pipeline.normalize import apply, normalize, registry
from tests.conftest import CORPUS, FIXTURES, SEED, corpus_file


def run_rule(rule_id: str, text: str) -> str:
    return apply(registry.get(rule_id), text)[0]


def norm(text: str) -> Document:
    return normalize(Document("t", Path("t.md"), text.encode(), "UTF-8", text))


@pytest.fixture(scope="module")
def seed():
    return normalize(read_document(SEED, "seed"))


# --- single rules, on lines taken from the corpus and the seed ------------------------------


def test_bom_and_crlf():
    assert run_rule("bytes/bom", "\ufeff政府工作报告") == "政府工作报告"
    assert run_rule("bytes/newlines", "（2017年10月18日）\r\n\r\n习近平\r\n") == "（2017年10月18日）\n\n习近平\n"


@pytest.mark.parametrize("line", ["— 1 —", "- 1 ", "-2-", "—2-", "-1 -", "                 - 12 "])
def test_page_numbers_dropped_and_logged(line):
    after, log = apply(registry.get("debris/page-number"), f"着力发挥\n{line}\n政务公开促落实")
    assert after == "着力发挥\n政务公开促落实"
    assert log.changes[0].removed == significant(line)


def test_page_number_rule_keeps_numbers_in_text():
    text = "2018年\n1\n- 列表项"
    assert run_rule("debris/page-number", text) == text


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("#### **四、重点领域政府信息公开工作推进情况**", "## 四、重点领域政府信息公开工作推进情况"),
        ("##### **(一)依申请公开政府信息办理情况**", "### （一）依申请公开政府信息办理情况"),
        ("八、因政府信息公开申请提起行政复议、行政诉讼的情况", "## 八、因政府信息公开申请提起行政复议、行政诉讼的情况"),
        ("### 九、政府信息公开保密审查及监督检查情况", "## 九、政府信息公开保密审查及监督检查情况"),
        ("一 、总体情况", "## 一、总体情况"),
        ("1、规章制度", "#### 1.规章制度"),
        ("(1)规范流程", "##### （1）规范流程"),
        # run-in headings stay in their paragraph, only the marker is repaired
        ("(一)健全工作机制,强化责任担当。为确保落到实处", "（一）健全工作机制,强化责任担当。为确保落到实处"),
        # an unnumbered converter heading is not a heading
        ("### 三是强化督促检查", "三是强化督促检查"),
        # a short level-1 line may close with 。; a sentence of clauses (a 批复's item) is no heading
        ("一、设置经济特区的依据。", "## 一、设置经济特区的依据"),
        ("一、同意设立某某经济开发区，规划面积10.5平方公里。", "一、同意设立某某经济开发区，规划面积10.5平方公里。"),
    ],
)
def test_heading_level_comes_from_numbering(line, expected):
    assert run_rule("structure/headings", f"# 标题\n\n{line}") == f"# 标题\n\n{expected}"


def test_title_marked_and_unbolded():
    assert (
        run_rule("structure/title", "\n**某某县人民政府2024年政府信息公开工作年度报告**\n正文")
        == "\n# 某某县人民政府2024年政府信息公开工作年度报告\n正文"
    )


def test_sentence_split_across_page_break_is_rejoined():
    text = "坚持“以公开为原则，不公开为特例”的总原则,严格按照\n\n《暂行规定》要求,除了国家秘密外。"
    assert (
        run_rule("lines/rejoin", text)
        == "坚持“以公开为原则，不公开为特例”的总原则,严格按照《暂行规定》要求,除了国家秘密外。"
    )


def test_rejoin_leaves_headings_signature_and_finished_sentences():
    text = (
        "## 八、因政府信息公开申请提起行政复议的情况\n\n我镇未发生行政复议案件，特此报告\n\n"
        "留格庄镇人民政府\n\n2019年3月5日"
    )
    assert run_rule("lines/rejoin", text) == text


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("根据条例,现将情况报告如下:", "根据条例，现将情况报告如下："),
        ("是否公开?已答复;", "是否公开？已答复；"),
        ("增长58.5%, 8000多万人", "增长58.5%，8000多万人"),
        ("报告如下.共3.5万元.", "报告如下。共3.5万元。"),
        ("电话: 0535-3661003", "电话：0535-3661003"),
        ("共1,234件", "共1,234件"),
        ("网址 http://www.gov.cn/a?b=1 查询", "网址 http://www.gov.cn/a?b=1 查询"),
    ],
)
def test_fullwidth_punctuation(line, expected):
    assert run_rule("punct/fullwidth", line) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("(以下简称申请人)", "（以下简称申请人）"),
        ("（一)主动公开", "（一）主动公开"),
        ("方法(MAR机制)", "方法（MAR机制）"),
        ("f(x) = y", "f(x) = y"),
    ],
)
def test_parentheses(line, expected):
    assert run_rule("punct/parens", line) == expected


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("为 2024 年 1 月 1 日至 12 月 31 日", "为2024年1月1日至12月31日"),
        ("# 沐阳县人民政府 2025 年 政府信息公开工作年度报告", "# 沐阳县人民政府2025年政府信息公开工作年度报告"),
        ("社会公益 组织", "社会公益组织"),
        ("中共中央 国务院关于实施乡村振兴战略的意见", "中共中央 国务院关于实施乡村振兴战略的意见"),
        (
            "国家发展改革委 国家能源局关于加强和规范电网规划投资管理工作的通知",
            "国家发展改革委 国家能源局关于加强和规范电网规划投资管理工作的通知",
        ),
        ("Cognitive Diagnosis Assessment", "Cognitive Diagnosis Assessment"),
        ("| 社会公益 组织 | 12 |", "| 社会公益组织 | 12 |"),
    ],
)
def test_spaces_in_chinese_text(line, expected):
    assert run_rule("space/cjk", line) == expected


def test_ideographic_indent_removed():
    assert run_rule("space/indent", "\u3000\u3000实施乡村振兴战略") == "实施乡村振兴战略"


# --- the seed end to end ---------------------------------------------------------------------


def test_seed_headings_levels(seed):
    headings = [ln for ln in seed.markdown.splitlines() if ln.startswith("#")]
    assert headings[0] == "# 海阳市留格庄镇人民政府2018年度政府信息公开年度报告"
    level1 = [h for h in headings if h.startswith("## ")]
    assert [h.split("、")[0][3:] for h in level1] == [*list("一二三四五六七八九十"), "十一", "十二"]
    assert [h for h in headings if h.startswith("### ")] == [
        "### （一）依申请公开政府信息办理情况",
        "### （二）不予公开政府信息办理情况",
    ]
    assert "**" not in seed.markdown


def test_seed_metadata(seed):
    assert seed.meta.title == "海阳市留格庄镇人民政府2018年度政府信息公开年度报告"
    assert seed.meta.organ == "留格庄镇人民政府"
    assert seed.meta.date.isoformat() == "2019-03-05"
    assert seed.meta.year == 2019


def test_seed_text_fully_preserved_and_every_change_explained(seed):
    assert significant(seed.markdown) == significant(seed.text)
    assert "严格按照《暂行规定》要求" in seed.markdown
    assert {c.rule for c in seed.changes} >= {"structure/headings", "lines/rejoin", "punct/fullwidth", "space/cjk"}
    assert all(c.before != c.after for c in seed.changes)


def test_normalize_is_idempotent(seed):
    again = norm(seed.markdown)
    assert again.markdown == seed.markdown


# --- preservation guard -----------------------------------------------------------------------


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name[:2])
def test_corpus_loses_nothing_unlogged(path):
    doc = normalize(read_document(path, "c"))
    lost = lost_characters(doc.text, doc.markdown)
    lost.subtract("".join(c.removed for c in doc.changes))
    assert not +lost
    assert doc.markdown.endswith("\n") and "\n\n\n" not in doc.markdown


def test_guard_refuses_a_rule_that_drops_text(monkeypatch):
    bad = registry.Rule("test/drop", "drops a character", registry.each_line(lambda line: line.replace("镇", "")))
    monkeypatch.setattr(registry, "RULES", [*registry.RULES, bad])
    monkeypatch.setattr("pipeline.normalize.RULES", registry.RULES)
    with pytest.raises(PreservationError, match="test/drop"):
        norm("留格庄镇人民政府")


def test_page_break_debris_in_pdftext_corpus():
    doc = normalize(read_document(corpus_file("03-"), "c"))
    assert "— 1 —" not in doc.markdown
    assert any(c.rule == "debris/page-number" for c in doc.changes)
    again = normalize(replace(doc, text=doc.markdown, changes=[], warnings=[]))
    assert again.markdown == doc.markdown and not [c for c in again.changes if c.rule == "debris/page-number"]


# --- every rule's own fixtures (declared next to the rule) ----------------------------------------


@pytest.mark.parametrize("rule", registry.RULES, ids=lambda r: r.id)
def test_rule_has_fixtures_and_they_hold(rule):
    assert rule.examples or rule.warns, f"{rule.id} has no fixtures"
    for source, expected in rule.examples:
        after, log = apply(rule, source)
        if expected is None:
            assert after != source and log.changes
        else:
            assert after == expected
    for source, phrase in rule.warns:
        _, log = apply(rule, source)
        assert any(phrase in w.message for w in log.warnings), (rule.id, source)


def test_seed_punctuation_and_spacing_acceptance(seed):
    import re

    han = "[\u4e00-\u9fff]"
    assert not re.search(f"{han}[,():;]|[,():;]{han}", seed.markdown)
    assert not re.search(rf"{han} +\d|\d +{han}", seed.markdown)
    assert "电话：0535-3661003。" in seed.markdown
    assert seed.meta.signature == "留格庄镇人民政府" and seed.meta.date_text == "2019年3月5日"


def test_one_ordered_list_names_every_rule_once():
    assert [r.id for r in registry.RULES] == list(registry.ORDER)
    assert len(set(registry.ORDER)) == len(registry.ORDER) and registry.missing() == []


def test_a_rule_can_be_switched_off_for_a_run():
    text = "# 报告\n\n根据条例,现将情况报告如下:"
    doc = normalize(Document("x", Path("x.md"), b"", "UTF-8", text))
    off = normalize(Document("x", Path("x.md"), b"", "UTF-8", text), disabled=frozenset({"punct/fullwidth"}))
    assert "根据条例，现将情况报告如下：" in doc.markdown and "根据条例,现将情况报告如下:" in off.markdown
    with pytest.raises(ValueError, match="no/such"):
        normalize(doc, disabled=frozenset({"no/such"}))


def test_a_text_that_never_settles_is_kept_with_a_warning(monkeypatch):
    flip = registry.Rule("test/flip", "alternates forever", registry.each_line(
        lambda line: line[:-1] if line.endswith("★") else line + "★"))  # fmt: skip
    monkeypatch.setattr("pipeline.normalize.RULES", [*registry.RULES, flip])
    doc = normalize(Document("x", Path("x.md"), b"", "UTF-8", "甲乙丙。"))
    assert any(w.rule == "engine/passes" for w in doc.warnings)


def test_a_web_page_printed_by_a_browser_loses_its_print_heads_and_feet():
    """Saved as PDF from a browser, each page carries ``2024/3/5 10:23 <title>`` on top and
    ``<address> 1/3`` at the foot; they were joined into the sentences the page breaks had cut
    and the first became the title. Dropped and logged; the address kept as the source's link."""
    path = FIXTURES / "elements" / "notice-browser-print.md"
    doc = normalize(read_document(path, path.stem))
    assert doc.markdown.startswith("# 某某市人民政府关于加强安全生产工作的通知\n")
    assert "各区要落实属地责任，加强隐患排查治理。各部门要落实监管责任。" in doc.markdown
    assert "2024/3/5" not in doc.markdown and "art_123" not in doc.markdown
    assert doc.meta.source_info["原文链接"] == "https://www.example.gov.cn/art/2024/3/5/art_123.html"
    assert all(c.removed for c in doc.changes if c.rule == "debris/browser-print")


@pytest.mark.parametrize(
    ("line", "alone"),
    [("一、", True), ("（二）", True), ("（1）", True), ("第一章", True),
     ("一、总体要求", False), ("1.", False), ("第一条", False)],
)
def test_a_numbering_marker_alone_on_its_line(line, alone):
    from pipeline.core import numbering

    assert numbering.marker_only(line) is alone
