"""Semantic XHTML: structure of the seed, safety of raw HTML, determinism."""

from __future__ import annotations

from pathlib import Path

import pytest
from lxml import etree

from pipeline.core.chars import significant
from pipeline.core.model import Document
from pipeline.normalize import normalize
from pipeline.xhtml.build import to_xhtml
from pipeline.xhtml.tree import XHTML_NS

NS = {"h": XHTML_NS}


def xhtml_of(markdown: str) -> etree._Element:
    doc = normalize(Document("t", Path("t.md"), markdown.encode(), "UTF-8", markdown))
    return etree.fromstring(to_xhtml(doc).xhtml)


@pytest.fixture(scope="module")
def tree(seed_doc) -> etree._Element:
    return etree.fromstring(seed_doc.xhtml)


def test_root_language_and_metadata(tree):
    assert tree.tag == f"{{{XHTML_NS}}}html"
    assert tree.get("lang") == "zh-CN"
    assert tree.get("{http://www.w3.org/XML/1998/namespace}lang") == "zh-CN"
    meta = {m.get("name"): m.get("content") for m in tree.iterfind(".//h:head/h:meta[@name]", NS)}
    assert meta["DC.title"] == "海阳市留格庄镇人民政府2018年度政府信息公开年度报告"
    assert meta["DC.creator"] == "留格庄镇人民政府"
    assert meta["DC.date"] == "2019-03-05"
    assert meta["DC.language"] == "zh-CN"
    assert tree.findtext(".//h:title", namespaces=NS) == meta["DC.title"]


def test_title_in_header_h1(tree):
    h1 = tree.findall(".//h:h1", NS)
    assert len(h1) == 1
    assert h1[0].getparent().tag == f"{{{XHTML_NS}}}header"


def test_sections_nest_by_numbering(tree):
    article = tree.find(".//h:article", NS)
    top = article.findall("h:section", NS)
    assert len(top) == 12
    assert [s.findtext("h:h2", namespaces=NS).split("、")[0] for s in top][:3] == ["一", "二", "三"]
    sixth = top[5]
    assert sixth.get("id") == "sec-6"
    nested = sixth.findall("h:section", NS)
    assert [s.findtext("h:h3", namespaces=NS) for s in nested] == [
        "（一）依申请公开政府信息办理情况",
        "（二）不予公开政府信息办理情况",
    ]
    assert [s.get("id") for s in nested] == ["sec-6-1", "sec-6-2"]
    ids = [s.get("id") for s in tree.iter(f"{{{XHTML_NS}}}section")]
    assert len(ids) == len(set(ids))


def test_run_in_headings_marked(tree):
    spans = tree.findall(".//h:p/h:span[@class='run-in']", NS)
    assert spans[0].text == "（一）健全工作机制，强化责任担当。"
    assert spans[0].tail.startswith("为确保信息公开工作落到实处")
    assert {s.get("data-level") for s in spans} == {"2"}
    assert len(spans) == 8


def test_signature_and_date_in_footer(tree):
    footer = tree.find(".//h:article/h:footer", NS)
    assert footer.findtext("h:p[@class='organ']", namespaces=NS) == "留格庄镇人民政府"
    time = footer.find("h:p[@class='date']/h:time", NS)
    assert time.get("datetime") == "2019-03-05"
    assert time.text == "2019年3月5日"


def test_xhtml_keeps_every_character(seed_doc, tree):
    body_text = "".join(tree.find(".//h:body", NS).itertext())
    assert significant(body_text) == significant(seed_doc.markdown)


HOSTILE = (
    "# 标题\n\n正文<script>alert('脚本')</script>结束。\n\n"
    '<img src="x.png" onerror="alert(1)" alt="印章">\n\n'
    '<iframe src="http://127.0.0.1/">框架</iframe>\n\n'
    "[链接](javascript:alert(1)) [官网](https://www.gov.cn/)\n\n"
    '<img src="file:///etc/passwd"> <img src="http://127.0.0.1/track.png">\n\n'
    '<link rel="attachment" href="file:///etc/hostname">\n\n'
    '<p style="color:red" onclick="x()">红字</p>\n\n<form action="/x"><input name="q"></form>\n'
)


def test_hostile_markdown_never_reaches_the_xhtml_and_is_logged():
    doc = normalize(Document("t", Path("t.md"), HOSTILE.encode(), "UTF-8", HOSTILE))
    out = to_xhtml(doc)
    xhtml = out.xhtml.decode()
    for needle in (
        "<script",
        "alert",
        "onerror",
        "<iframe",
        "javascript:",
        "file:",
        "127.0.0.1",
        '<link rel="attachment',
        "style=",
        "onclick",
        "<form",
        "<input",
        "<img",
    ):
        assert needle not in xhtml, needle
    assert "https://www.gov.cn/" in xhtml
    assert "印章" in xhtml and "红字" in xhtml  # alt text and plain text kept
    removals = [c for c in out.changes if c.rule == "xhtml/sanitize"]
    logged = " ".join(c.after + c.before for c in removals)
    for what in (
        "<script>",
        "<iframe>",
        "onerror",
        "onclick",
        "style",
        "<form>",
        "file:///etc/passwd",
        "127.0.0.1",
        "javascript:",
        "<link>",
    ):
        assert what.strip("<>") in logged, what
    script = next(c for c in removals if "<script>" in c.after)
    assert script.removed == "脚本"  # text dropped with the script is accounted for
    assert to_xhtml(doc).xhtml == out.xhtml


def test_tables_get_header_scope_and_numeric_cells():
    root = xhtml_of("# 表\n\n| 项目 | 数量 |\n|---|---|\n| 主动公开 | 1,234 |\n")
    assert root.find(".//h:th", NS).get("scope") == "col"
    assert [td.get("class") for td in root.iterfind(".//h:td", NS)] == [None, "num"]


def test_no_self_closed_non_void_elements(seed_doc):
    assert b"<p/>" not in seed_doc.xhtml and b"<span/>" not in seed_doc.xhtml


def test_deterministic(seed_doc):
    assert to_xhtml(seed_doc).xhtml == seed_doc.xhtml
