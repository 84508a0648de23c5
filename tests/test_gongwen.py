"""The 公文 element model: each element recognised by the standard's pattern, in the forms converters
and crawlers produce (tests/fixtures/elements/, written from GB/T 9704's patterns, not copied from
any corpus), placed in the XHTML and the PDF where GB/T 9704 puts it."""

from __future__ import annotations

import datetime as dt

import pytest
from lxml import etree

from pipeline.conformance.check import check_pdf
from pipeline.core.model import Document
from pipeline.ingest.read import read_document
from pipeline.normalize import normalize
from pipeline.xhtml import gongwen, markup
from pipeline.xhtml.build import to_xhtml
from pipeline.xhtml.parts import Block, classify
from pipeline.xhtml.tree import XHTML_NS
from tests.conftest import FIXTURES

ELEMENTS = FIXTURES / "elements"
NS = {"h": XHTML_NS}


def normalized(name: str) -> Document:
    path = ELEMENTS / name
    return normalize(read_document(path, path.stem))


def roles(markdown: str) -> dict[str, list[str]]:
    fragment, _ = markup.markdown_fragment(markdown)
    blocks = markup.blocks(fragment)
    found: dict[str, list[str]] = {}
    for i, role in sorted(classify(blocks).roles.items()):
        found.setdefault(role, []).append(blocks[i].text)
    return found


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("各县（区）人民政府，市政府各部门，各直属机构：", True),
        ("各省、自治区、直辖市及新疆生产建设兵团医疗保障局：", True),
        ("市人民政府：", True),
        ("某某电力公司、某某交易中心、某某股份公司、某某石化：", True),
        ("各位代表：", False),  # a speech's salutation
        ("现将有关事项通知如下：", False),
        ("为进一步加强管理，现就有关事项通知如下：", False),
        ("主要职能包括：", False),
    ],
)
def test_recipients_are_organs_ending_in_a_colon(text, expected):
    assert gongwen.is_recipients(text) is expected


@pytest.mark.parametrize(
    ("text", "number"),
    [
        ("某政办发〔2021〕7号", "某政办发〔2021〕7号"),
        ("（某保办函〔2025〕85 号）", "某保办函〔2025〕85号"),
        ("（某某局令第 6 号）", "某某局令第6号"),
        ("某某局公告2020年第5号", "某某局公告2020年第5号"),
        ("根据某政发〔2020〕1号文件要求", ""),
    ],
)
def test_doc_numbers_of_notices_orders_and_announcements(text, number):
    assert gongwen.doc_number(text) == number


def test_signatures_are_organs_or_a_person_in_office():
    joint = "某市发展和改革委员会 某省能源局某某监管办公室"
    assert gongwen.organs(joint) == ["某市发展和改革委员会", "某省能源局某某监管办公室"]
    assert gongwen.organs("某县人民政府办公室") == ["某县人民政府办公室"]
    assert gongwen.organs("一、总体情况") == []
    assert gongwen.is_signatory("局长：某某某")
    assert not gongwen.is_signatory("组长：某某某 某局局长")


def test_dates_in_arabic_and_chinese_numerals():
    assert gongwen.parse_date("2021年4月26日") == dt.date(2021, 4, 26)
    assert gongwen.parse_date("二〇一二年五月十七日") == dt.date(2012, 5, 17)
    assert gongwen.parse_date("二○二○年十二月三十一日") == dt.date(2020, 12, 31)
    assert gongwen.parse_date("2021年2月30日") is None


def test_attachment_note_names():
    assert gongwen.attachment_names("附件：1.某某名单") == ["某某名单"]
    assert gongwen.attachment_names("2.某某一览表") == ["某某一览表"]
    assert gongwen.attachment_names("附件：某某实施办法（试行）.docx") == ["某某实施办法（试行）.docx"]


def test_the_last_signature_before_the_attachments_wins():
    blocks = [Block("h1", "关于某事的通知"), Block("p", "正文。"), Block("p", "某局"), Block("p", "2021年1月5日"),
              Block("p", "附件1"), Block("p", "某表"), Block("p", "表中内容。"), Block("p", "某处"),
              Block("p", "2021年1月4日")]  # fmt: skip
    parts = classify(blocks)
    assert parts.find("organ") == [2] and parts.find("date") == [3]
    assert parts.attachments == [4] and parts.find("attachment-title") == [5]


def test_a_speaker_line_above_no_date_is_not_a_signature():
    blocks = [Block("h1", "政府工作报告"), Block("p", "——2025年1月15日在某省第十四届人民代表大会上"),
              Block("p", "某省省长 某某某"), Block("p", "各位代表："), Block("p", "现在报告工作。")]  # fmt: skip
    parts = classify(blocks)
    assert parts.find("speaker") == [2] and parts.find("salutation") == [3]
    assert not parts.find("organ") and not parts.find("date")


FULL = {
    "mark": ["某市人民政府办公室文件"],
    "doc-number": ["某政办发〔2021〕7号"],
    "title": ["关于做好2021年防汛抗旱工作的通知"],
    "recipients": ["各县（区）人民政府，市政府各部门，各直属机构："],
    "attachment-note": ["附件：1.某市2021年防汛抗旱责任人名单", "2.某市2021年防汛重点部位一览表"],
    "organ": ["某市人民政府办公室"],
    "date": ["2021年4月26日"],
    "annotation": ["（此件公开发布）"],
    "attachment-label": ["附件1", "附件2"],
    "attachment-title": ["某市2021年防汛抗旱责任人名单", "某市2021年防汛重点部位一览表"],
    "cc": ["抄送：市委办公室，市人大常委会办公室，市政协办公室。"],
    "printed": ["某市人民政府办公室2021年4月26日印发"],
}


def test_every_element_of_a_notice_on_lines_of_their_own():
    assert roles(normalized("notice-full.md").markdown) == FULL


@pytest.mark.parametrize(
    ("name", "expected"),
    [
        (  # a crawler's page: the whole notice on one line, 版记 glued to the date
            "notice-flattened.md",
            {"doc_number": "某政办〔2022〕15号", "recipients": "各乡镇人民政府，县直各单位",
             "organ": "某县人民政府办公室", "date": dt.date(2022, 10, 8),
             "cc": "县委办公室，县人大常委会办公室，县政协办公室",
             "printed_by": "某县人民政府办公室2022年10月9日印发", "attachments": []},
        ),
        (  # PDF text: title and 抄送 wrapped, 附件说明 with an aligned second name, 印发 spaced out
            "notice-wrapped-imprint.md",
            {"title": "某市教育局关于开展2023年中小学校园安全大检查的通知",
             "recipients": "各区（县）教育局，市直属各学校", "organ": "某市教育局", "date": dt.date(2023, 4, 3),
             "cc": "市政府办公室，市应急管理局，市公安局，市消防救援支队",
             "printed_by": "某市教育局办公室2023年4月3日印发",
             "attachments": ["校园安全大检查内容清单", "校园安全大检查自查报告模板"]},
        ),
        (  # an upward report: 文号 and 签发人 on one line, 附注 after the date
            "report-with-signer.md",
            {"title": "某县人民政府关于2022年度法治政府建设情况的报告", "doc_number": "某政〔2023〕5号",
             "signer": "王某某", "recipients": "市人民政府", "organ": "某县人民政府", "cc": "市司法局",
             "printed_by": "某县人民政府办公室2023年2月21日印发"},
        ),
    ],
)
def test_metadata_of_each_element(name, expected):
    doc = normalized(name)
    assert {key: getattr(doc.meta, key) for key in expected} == expected


@pytest.mark.parametrize("name", ["notice-full.md", "notice-flattened.md", "notice-wrapped-imprint.md",
                                  "report-with-signer.md"])  # fmt: skip
def test_the_canonical_form_survives_normalizing_again(name):
    doc = normalized(name)
    again = normalize(Document("again", doc.source_path, doc.markdown.encode(), "UTF-8", doc.markdown))
    assert again.markdown == doc.markdown
    assert again.meta.cc == doc.meta.cc and again.meta.printed_by == doc.meta.printed_by


def test_xhtml_places_each_element():
    root = etree.fromstring(to_xhtml(normalized("notice-full.md")).xhtml)
    header = root.find(".//h:article/h:header", NS)
    assert [el.get("class") for el in header] == ["issuer-mark", "doc-number", None, "recipients"]
    footer = root.find(".//h:footer[@class='signature']", NS)
    assert [p.get("class") for p in footer] == ["organ", "date"]
    assert footer.getnext().get("class") == "annotation"
    parts = root.findall(".//h:section[@class='attachment']", NS)
    assert [p.findtext("h:header/h:h2", namespaces=NS) for p in parts] == FULL["attachment-title"]
    imprint = root.find(".//h:footer[@class='imprint']", NS)
    assert imprint is root.find(".//h:article", NS)[-1]  # the 版记 closes the document, after the attachments
    assert imprint.findtext("h:p[@class='printed']/h:span[@class='printer']", namespaces=NS) == "某市人民政府办公室"
    assert imprint.find(".//h:time", NS).get("datetime") == "2021-04-26"


def test_signer_shares_the_line_of_the_doc_number():
    root = etree.fromstring(to_xhtml(normalized("report-with-signer.md")).xhtml)
    line = root.find(".//h:header/h:div[@class='issue']", NS)
    assert [p.get("class") for p in line] == ["doc-number", "signer"]
    assert line.findtext("h:p[@class='signer']/h:span[@class='name']", namespaces=NS) == "王某某"


def test_the_pdf_places_recipients_signature_attachments_and_imprint_as_gbt9704_does():
    doc = to_xhtml(normalized("notice-full.md"))
    from pipeline.pdf.render import render_pdf

    rendered = render_pdf(doc)
    report = check_pdf(rendered.pdf, rendered.xhtml)
    assert report.findings == []
    m = report.metrics
    assert m["recipients_x0_mm"] == pytest.approx(28.0, abs=0.3)
    assert m["signature_x1_mm"] == pytest.approx(172.86, abs=0.5)  # 右空二字
    assert m["imprint_bottom_mm"] == pytest.approx(262.0, abs=0.3)  # the last rule on the 版心's bottom
    assert m["imprint_rules"] == 3 and m["attachment_pages"] == 2


def test_member_lists_keep_a_line_and_a_separator_for_each_person():
    """A 领导小组 list as a converter gives it (labels and names padded with spaces, continuation
    lines indented): one paragraph a member, name and post apart; the paragraph after the list
    stays its own; 出席/请假 names stay apart. Normalizing again changes nothing."""
    doc = normalized("notice-name-list.md")
    members = [
        "组长：王建国\u3000县政府副县长", "副组长：李华\u3000县政府办公室主任", "张明亮\u3000县应急管理局局长",
        "成员：陈杰\u3000县财政局副局长", "刘晓红\u3000县公安局副局长", "赵强\u3000县交通运输局局长",
    ]  # fmt: skip
    paragraphs = doc.markdown.split("\n\n")
    start = paragraphs.index(members[0])
    after = "领导小组下设办公室，办公室设在县应急管理局，张明亮同志兼任办公室主任。"
    assert paragraphs[start : start + 7] == [*members, after]
    assert normalize(doc).markdown == doc.markdown
    root = etree.fromstring(to_xhtml(doc).xhtml)
    texts = ["".join(p.itertext()) for p in root.iter(f"{{{XHTML_NS}}}p")]
    assert all(member in texts for member in members)

    post_first = normalized("notice-name-list-post-first.md").markdown.strip().split("\n\n")  # 组长：职务 姓名
    assert post_first[1:7] == [
        "组长：市委常委、常务副市长\u3000张某某", "副组长：市政府副秘书长\u3000李某", "市应急管理局局长\u3000王某某",
        "成员：市发展改革委副主任\u3000赵某", "市财政局副局长\u3000钱某某", "领导小组办公室设在市应急管理局。",
    ]  # fmt: skip

    minutes = normalized("minutes-attendance.md").markdown
    assert "\n\n出席：张某某\u3000李某\u3000王某某\n\n请假：赵某\u3000钱某某\n\n" in minutes


def test_a_letter_whose_mark_is_the_organ_name_alone_keeps_its_head():
    """信函格式 (GB/T 9704 §10.1): the 发文机关标志 is the organ's name alone, above the 文号 and a title
    that starts with the same name. Before, the name was taken for a web page's title and dropped
    together with the 文号 (logged as removed, the record without its 文号)."""
    doc = normalized("letter-organ-mark.md")
    assert not [c for c in doc.changes if c.removed]
    title = "某某市财政局关于商请提供2024年度预算执行情况的函"
    assert doc.markdown.startswith(f"某某市财政局\n\n某财函〔2024〕12号\n\n# {title}\n")
    built = to_xhtml(doc)
    assert built.meta.doc_number == "某财函〔2024〕12号" and built.meta.organ == "某某市财政局"
    header = etree.fromstring(built.xhtml).find(f".//{{{XHTML_NS}}}header")
    assert [(el.get("class"), "".join(el.itertext())) for el in header] == [
        ("issuer-mark", "某某市财政局"),
        ("doc-number", "某财函〔2024〕12号"),
        (None, title),
        ("recipients", "市直各有关单位："),
    ]


@pytest.mark.slow
def test_member_lists_line_up_in_the_pdf():
    """In the PDF every name starts six characters in and every post at one place after it, the
    role labels two in (as printed lists are set), with no finding from the checker."""
    from pipeline.conformance.reader import read_pdf
    from pipeline.core.gbt9704 import CHAR, LEFT
    from pipeline.pdf.render import render_pdf

    doc = render_pdf(to_xhtml(normalized("notice-name-list.md")))
    report = check_pdf(doc.pdf, doc.xhtml)
    assert report.ok and not report.findings, [f.message for f in report.findings]
    lines = {ln.ink: ln for page in read_pdf(doc.pdf).pages for ln in page.block}
    members = [
        ("组长：", "王建国", "县政府副县长"), ("副组长：", "李华", "县政府办公室主任"),
        ("", "张明亮", "县应急管理局局长"), ("成员：", "陈杰", "县财政局副局长"),
        ("", "刘晓红", "县公安局副局长"), ("", "赵强", "县交通运输局局长"),
    ]  # fmt: skip
    posts = []
    for role, name, post in members:
        line = lines[role + name + post]
        assert (line.glyphs[0].x0 - LEFT) / CHAR == pytest.approx(2.0 if role else 6.0, abs=0.05)
        assert (line.glyphs[len(role)].x0 - LEFT) / CHAR == pytest.approx(6.0, abs=0.05)
        posts.append(line.glyphs[len(role) + len(name)].x0)
    assert max(posts) - min(posts) < 0.5  # pt: one column of posts


def test_a_minutes_issuing_line_under_its_title_is_no_signature():
    """A 纪要 (§10.3) is not signed: the organ and date under its title and number are its issuing
    line. Before, they were taken for the 署名 and marked as the signature at the top."""
    built = to_xhtml(normalized("minutes-issuing-line.md"))
    root = etree.fromstring(built.xhtml)
    assert not root.findall(f".//{{{XHTML_NS}}}footer")
    assert built.meta.date == dt.date(2024, 3, 8)
    texts = ["".join(p.itertext()) for p in root.iter(f"{{{XHTML_NS}}}p")]
    assert texts[:3] == ["〔2024〕第5号", "某某市人民政府办公室", "2024年3月8日"]  # in place, in order


def test_a_printed_order_has_its_mark_and_number_and_no_title():
    """命令格式 (§10.2): ``某某市人民政府令`` and ``第12号`` above the 公布语; an order has no title, so
    the record cites it by mark and number. Before, ``第12号`` became the title."""
    built = to_xhtml(normalized("order-printed.md"))
    meta = built.meta
    assert (meta.title, meta.title_source, meta.doc_number) == ("某某市人民政府令第12号", "版头", "第12号")
    assert meta.date == dt.date(2024, 3, 15) and meta.attachments == ["某某市城市绿化管理办法"]
    root = etree.fromstring(built.xhtml)
    header = root.find(f".//{{{XHTML_NS}}}header")
    head = [(el.get("class"), el.text) for el in header]
    assert head == [("issuer-mark", "某某市人民政府令"), ("doc-number", "第12号")]
    assert root.find(f".//{{{XHTML_NS}}}h1") is None


@pytest.mark.slow
def test_a_one_page_letter_with_its_imprint_on_the_even_page_has_no_finding():
    """The 版记 goes to the foot of the last, even page (§7.4); a one-page letter's body page is
    then not a short page, and a page under a 版头 starts lower on purpose. Before: two warnings
    (21 rows on page 1, first line at 98 mm)."""
    from pipeline.pdf.render import render_pdf

    doc = render_pdf(to_xhtml(normalized("letter-organ-mark.md")))
    report = check_pdf(doc.pdf, doc.xhtml)
    assert doc.pages == 2 and report.ok and not report.findings, [f.message for f in report.findings]
    assert report.metrics["top_mm"] is None and report.metrics["full_pages"] == 0
