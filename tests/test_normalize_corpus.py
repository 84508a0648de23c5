"""The normalizer against the 20 real documents, with expectations written by reading them
(tests/fixtures/corpus/expected.json), plus property-based tests on generated input."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from pipeline.core.chars import significant
from pipeline.core.model import Document
from pipeline.ingest.read import read_document
from pipeline.normalize import accounting, normalize
from tests.conftest import CORPUS, FIXTURES, corpus_file

LABELS = json.loads((FIXTURES / "corpus" / "expected.json").read_text(encoding="utf-8"))["documents"]
EXPECTED = {Path(label["file"]).name: label for label in LABELS}
_CACHE: dict[str, Document] = {}


def normalized(path: Path) -> Document:
    if path.name not in _CACHE:
        _CACHE[path.name] = normalize(read_document(path, path.stem))
    return _CACHE[path.name]


def renormalize(doc: Document) -> Document:
    return normalize(Document("again", doc.source_path, doc.markdown.encode(), "UTF-8", doc.markdown))


def is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name[:2])
def test_idempotent(path):
    doc = normalized(path)
    assert renormalize(doc).markdown == doc.markdown


@pytest.mark.parametrize("path", CORPUS, ids=lambda p: p.name[:2])
def test_lossless_accounting_in_order(path):
    doc = normalized(path)
    # every Han character and digit is kept (in the source's order outside rebuilt statutory
    # tables), or logged as removed debris, or logged as restored from a template
    assert accounting.problems(doc) == []
    assert all(significant(c.before) for c in doc.changes if c.removed)
    assert all(c.rule == "tables/statutory" for c in doc.changes if c.added)


@pytest.mark.parametrize("name", sorted(EXPECTED), ids=lambda n: n[:2])
def test_structure_matches_a_human_reading(name):
    """The labels of tests/fixtures/corpus/expected.json, made by reading each document (the
    format of the structure bench, tests/bench/structure_score.py)."""
    expected = EXPECTED[name]
    doc = normalized(FIXTURES / "corpus" / name)
    compact = lambda text: "".join((text or "").split())  # noqa: E731
    level1 = [compact(ln[3:]) for ln in doc.markdown.splitlines() if ln.startswith("## ")]
    assert level1 == [compact(s) for s in expected["sections"]]
    assert doc.meta.title == (expected["title"] or "")
    for field in ("organ", "doc_number", "recipients", "printed_by"):
        if expected.get(field):
            assert compact(getattr(doc.meta, field)) == compact(expected[field]), field
    assert (doc.meta.date.isoformat() if doc.meta.date else None) == expected["date"]
    assert bool(doc.meta.signature) == expected["signed"] or not expected["signed"]


def test_annual_report_sequence_anomalies_are_warned_not_renumbered():
    doc = normalized(corpus_file("02-"))
    messages = [w.message for w in doc.warnings]
    assert any("重新开始" in m for m in messages)
    assert any("不连续" in m for m in messages)
    assert "## 五、其他需要报告的事项" in doc.markdown  # kept as the document has it


def test_table_row_labels_are_not_sections():
    doc = normalized(corpus_file("01-"))
    assert "## 一、本年新收政府信息公开申请数量" not in doc.markdown
    assert "本年新收政府信息公开申请数量" in doc.markdown


def test_the_two_copies_of_the_opinion_normalize_alike():
    crlf, xinhua = normalized(corpus_file("13-")), normalized(corpus_file("14-"))
    assert crlf.markdown == xinhua.markdown
    assert xinhua.meta.source_info["电头"] == "新华社北京2月4日电"


@pytest.mark.parametrize(("prefix", "phrase"), [("20-", "经济特区管理必须维护我国主权"), ("21-", "新时代")])
def test_gbk_files(prefix, phrase):
    doc = normalized(corpus_file(prefix))
    assert doc.encoding == "GB18030"
    assert phrase in doc.markdown


def test_web_page_chrome_becomes_metadata():
    doc = normalized(corpus_file("10-"))
    for chrome in ("首页", "[ 打印 ]", "排行榜", "相关政策与解读", "发布时间"):
        assert chrome not in doc.markdown
    assert doc.meta.source_info["发布时间"] == "2020/06/08"
    assert "国家发展改革委 国家能源局" in doc.markdown  # the re-joined two-issuer signature


def test_crawler_header_and_flattened_body():
    doc = normalized(corpus_file("06-"))
    assert doc.meta.source_info["原文链接"].startswith("https://www.pingtan.gov.cn/")
    assert "原文链接" not in doc.markdown
    assert "## 一、概述\n\n2018年以来，我区" in doc.markdown
    assert "pzxxgkb@163.com" in doc.markdown  # full-width ＠ repaired inside the e-mail


def test_a_flattened_member_list_gets_a_line_for_each_member():
    """11's 领导小组 list, flattened onto one line with single spaces: each member a paragraph of
    its own, name and post apart (before: 组长：赵晓波区党工委委员…副组长：金昌明区交通…)."""
    doc = normalized(corpus_file("11-"))
    for member in ("组长：赵晓波\u3000区党工委委员、管委会副主任", "副组长：金昌明\u3000区交通与建设局局长",
                   "陈昌明\u3000区公安局局长、平潭县公安局局长", "李华\u3000平潭县政协副主席、区规划局局长",
                   "林强\u3000平潭县农机管理站站长"):  # fmt: skip
        assert f"\n\n{member}\n\n" in doc.markdown
    assert "\n\n领导小组下设办公室，依托在区预防办" in doc.markdown


def test_ocr_suspects_are_warned():
    messages = " ".join(w.message for w in normalized(corpus_file("20-")).warnings)
    assert "假名" in messages and "一九八年" in messages


def test_broken_tables_are_warned_and_kept():
    doc = normalize(Document("x", Path("t.md"), b"", "UTF-8", "|项目|Col2|Col3|\n|---|---|---|\n|甲|1|2|\n|乙|3|"))
    assert any("占位" in w.message for w in doc.warnings)
    assert doc.markdown.count("|") >= 10


def test_statutory_tables_of_every_converter_become_the_template_tables():
    """04 (pymupdf4llm: placeholder headers, merged cells repeated across their span) and 08
    (RapidTable HTML): each report's three tables, the copies of merged cells logged as removed."""
    for prefix in ("04-", "08-"):
        doc = normalized(corpus_file(prefix))
        kinds = [k for k in ("active-disclosure", "applications", "review-litigation")
                 if f'data-statutory="{k}"' in doc.markdown]  # fmt: skip
        assert len(kinds) == 3, prefix
        tables_part = doc.markdown.split("## 二、")[1].split("## 五")[0]
        assert "<html>" not in tables_part and "|" not in tables_part


def test_chapters_and_articles():
    doc = normalized(corpus_file("12-"))
    assert "## 第一章\u3000总则" in doc.markdown
    assert "第一条\u3000为了提升我区知识产权创造" in doc.markdown
    assert "## 第六章\u3000附则" in doc.markdown


# --- properties on generated input ---------------------------------------------------------------

_PIECES = st.sampled_from(
    list("政府信息公开工作年度报告我镇未收到申请本年度")
    + list("，。、；：（）《》“”")
    + list(",.;:()!?\"' -*#|>_`~[]")
    + [
        "\n",
        "\n\n",
        "　",
        "一、",
        "（一）",
        "1.",
        "（1）",
        "## ",
        "**",
        "2018",
        "年",
        "— 1 —",
        "| a | b |",
        "|---|---|",
        "第一章 ",
        "第二条 ",
        "二○一二年五月十七日",
        "<td>1</td>",
        "http://x.cn/a?b=1",
        "留格庄镇人民政府\n\n2019年3月5日",
    ]
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(_PIECES, max_size=60).map("".join))
def test_property_no_crash_idempotent_lossless(text):
    doc = normalize(Document("p", Path("p.md"), text.encode(), "UTF-8", text))
    assert renormalize(doc).markdown == doc.markdown
    removed = "".join(c.removed for c in doc.changes)
    assert is_subsequence(significant(doc.markdown), significant(text))
    assert len(significant(text)) - len(significant(doc.markdown)) == len(removed)
