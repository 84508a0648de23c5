"""Chinese line adjustment in the rendered PDF: punctuation set half-width to keep 28 positions,
and addresses broken only where print breaks them. Real renders, measured with the checker's
own PDF reader."""

from __future__ import annotations

import itertools
import re
import shutil
import subprocess
from collections import Counter
from pathlib import Path

import pytest
from lxml import etree
from weasyprint.layout import block

from pipeline.conformance.check import check_pdf
from pipeline.conformance.page_rules import _positions
from pipeline.conformance.reader import read_pdf
from pipeline.core.gbt9704 import CHAR, MM, RIGHT
from pipeline.ingest.read import read_document
from pipeline.normalize import normalize
from pipeline.pdf import prepare
from pipeline.pdf.lines import ZWSP, _compressible
from pipeline.pdf.render import render_pdf
from pipeline.pdf.styles import STYLESHEET
from pipeline.xhtml.build import to_xhtml
from tests.conftest import CORPUS

pytestmark = pytest.mark.slow  # renders, subprocesses, servers or browsers: not in the quick run

DOC_09 = next(p for p in CORPUS if p.name.startswith("09-"))


def render(path: Path, stylesheet: Path = STYLESHEET) -> bytes:
    return render_pdf(to_xhtml(normalize(read_document(path, path.stem))), stylesheet).pdf


def line_with(pdf: bytes, start: str):
    lines = [ln for page in read_pdf(pdf).pages for ln in page.block if ln.ink.startswith(start)]
    assert len(lines) == 1, [ln.ink for ln in lines]
    return lines[0]


def test_compressible_marks_in_order():
    line = f"是{ZWSP}“目标”{ZWSP}“方向”，等问题《规定》）要"
    order = [line[i] for i in _compressible(line)]
    # adjacent marks first (from the line's end), then closing, then opening marks
    assert order == ["》", "”", "“", "”", "）", "，", "《", "“"]
    assert 0 not in _compressible("“目标”") and 3 not in _compressible("“目标”")  # never the edges


@pytest.fixture(scope="module")
def pdf_09() -> bytes:
    return render(DOC_09)


def test_marks_set_half_width_keep_28_positions(pdf_09: bytes):
    """``…是平潭县人民政府推进`` is followed by ``“服务``, which may not be split: without line
    adjustment the line holds 27 characters, stretched. With 》 and ， set half-width it takes
    ``“服`` in and holds 29 characters in 28 positions, ending flush."""
    line = line_with(pdf_09, "推进依法行政实施纲要》的重要举措，是")
    assert line.ink.endswith("推进“服") and len(line.ink) == 29
    assert _positions(line) == 28
    assert abs(line.end - RIGHT) <= 0.5 * MM
    pitches = {a.text: (b.x0 - a.x0) / CHAR for a, b in itertools.pairwise(line.glyphs)}
    assert pitches["》"] == pytest.approx(0.5, abs=0.05) and pitches["，"] == pytest.approx(0.5, abs=0.05)
    assert pitches["是"] == pytest.approx(1.0, abs=0.05)


def test_closing_marks_that_may_not_start_a_line(tmp_path: Path):
    """``（下称《规定》）``, broken after ``规``: ``定》）`` is one unit (closing marks may not
    start a line). It comes up whole with 》 (against ）) and 《 set half-width."""
    first, filler = ("按照" + "政府信息公开工作" * 3)[:26], ("政府信息公开工作" * 3)[:21]  # a line after the first
    source = tmp_path / "marks.md"
    text = f"{first}{filler}（下称《规定》）要求，持续稳步开展政府信息公开工作，不断深化公开内容。"
    source.write_text(f"# 测试文件\n\n{text}\n", encoding="utf-8")
    line = line_with(render(source), filler)
    assert line.ink == f"{filler}（下称《规定》）" and _positions(line) == 28
    assert abs(line.end - RIGHT) <= 0.5 * MM
    pitch = {a.text: (b.x0 - a.x0) / CHAR for a, b in itertools.pairwise(line.glyphs)}
    assert pitch["》"] == pytest.approx(0.5, abs=0.05)  # the closing mark keeps its ink, loses its blank
    assert pitch["称"] == pytest.approx(0.5, abs=0.05)  # the opening mark is drawn half a square early


def test_a_font_without_half_width_forms_is_left_as_it_was(tmp_path: Path, pdf_09: bytes):
    """AR PL UKai has no ``halt`` feature: nothing is compressed, nothing overflows, the short
    line is stretched flush as before."""
    styles = tmp_path / "styles"
    shutil.copytree(STYLESHEET.parent, styles)
    sheet = styles / STYLESHEET.name
    sheet.write_text(sheet.read_text(encoding="utf-8") + '\nhtml, p { font-family: "AR PL UKai CN"; }\n',
                     encoding="utf-8")  # fmt: skip
    pdf = render(DOC_09, sheet)
    lines = [ln for page in read_pdf(pdf).pages for ln in page.block]
    assert lines and all(ln.end <= RIGHT + 0.5 * MM for ln in lines)
    line = line_with(pdf, "推进依法行政实施纲要》的重要举措，是")
    assert line.ink.endswith("推进") and _positions(line) == 27 and abs(line.end - RIGHT) <= 0.5 * MM


@pytest.fixture(scope="module")
def url_text(tmp_path_factory) -> str:
    folder = tmp_path_factory.mktemp("url")
    source = folder / "url.md"
    source.write_text(
        "# 测试文件\n\n一、网址\n\n"
        "本报告的电子版可在政府门户网站下载，网址为http://www.gov.cn/zhengce/content/2019-04/15/"
        "content_5382991.htm，电子邮箱24336240@163.com，如对本报告有任何疑问，请与办公室联系。\n\n"
        "http://www.example.gov.cn/very/long/path/that/is/longer/than/a/whole/line/of/the/page/index.html\n",
        encoding="utf-8",
    )
    pdf = tmp_path_factory.mktemp("url-pdf") / "url.pdf"
    pdf.write_bytes(render(source))
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(pdf), "-"], check=True, capture_output=True,
                          text=True).stdout  # fmt: skip


URLS = (
    "http://www.gov.cn/zhengce/content/2019-04/15/content_5382991.htm",
    "24336240@163.com",
    "http://www.example.gov.cn/very/long/path/that/is/longer/than/a/whole/line/of/the/page/index.html",
)


def test_addresses_break_where_print_breaks_them(url_text: str):
    lines = [ln for ln in url_text.splitlines() if ln.strip()]
    joined = "".join(lines)
    assert all(url in joined for url in URLS)  # nothing inserted: no hyphen, no zero-width space
    assert ZWSP not in joined
    breaks = []
    for a, b in itertools.pairwise(lines):
        tail, head = re.search(r"[!-~]*$", a)[0][-6:], re.match(r"[!-~]*", b)[0][:6]
        if tail and head and any(tail + head in url for url in URLS):
            breaks.append((a, b))
            assert a[-1] in "./@-_?&=", (a, b)  # after a dot, slash, @ ...: never inside a word or number
            assert not (a[-1] == "/" and b[0] == "/"), (a, b)  # never inside "//"
    assert len(breaks) >= 2  # the line-long address and the one at a line end did break


DOC_02 = next(p for p in CORPUS if p.name.startswith("02-"))
DOC_04 = next(p for p in CORPUS if p.name.startswith("04-"))


def test_table_rows_take_whole_grid_rows(monkeypatch: pytest.MonkeyPatch):
    """Measured both ways: with cells rounded up to the grid, every table rule lies on a grid
    line, the body lines around the tables are on the grid and every page but the last holds
    22 rows; with WeasyPrint's own layout, the checker finds rules and lines off the grid and
    table pages short of 22 rows."""
    report = check_pdf(render(DOC_02))
    m = report.metrics
    assert m["table_pages"] and m["table_pages_on_grid"] == len(m["table_pages"])
    assert m["full_pages_22_rows"] == m["full_pages"]
    from pipeline.pdf import weasyprint_hooks

    monkeypatch.setattr(weasyprint_hooks, "HOOKS", tuple(h for h in weasyprint_hooks.HOOKS if h.owner is not block))
    report = check_pdf(render(DOC_02))
    m = report.metrics
    assert m["table_pages_on_grid"] < len(m["table_pages"])
    assert m["full_pages_22_rows"] < m["full_pages"]
    messages = [f.message for f in report.findings if f.rule == "grid-rows"]
    assert any("表格线不在行距网格上" in message for message in messages)
    assert any("行正文不在行距网格上" in message for message in messages)
    # published, but with a status that says so (the batch summary, record.xml's pdf-layout check)
    from dataclasses import asdict

    from pipeline.conformance.status import status

    result, detail = status([asdict(f) for f in report.findings])
    assert result == "偏离版式" and "grid-rows" in detail


TALL_ROWS = "".join(
    f"| 第{i}项：{'按照年度工作要点推进政务公开标准化规范化建设' * (1 + i % 3)} | {i} | {i * 2} |\n" for i in range(40)
)


def test_rows_a_table_leaves_at_a_page_end_go_to_its_rows(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    """Rows up to four grid rows tall are not split: the next row often does not fit in what is
    left of a page. The rows left over are given to the tallest rows above, so every page holds
    22 rows and no text is lost; without that, the checker finds short pages."""
    text = f"| 事项 | 计划 | 完成 |\n|---|---|---|\n{TALL_ROWS}"
    report = check_markdown(tmp_path, text)
    m = report.metrics
    assert m["full_pages_22_rows"] == m["full_pages"] and len(m["table_pages"]) >= 4
    assert m["lost"] == 0 and m["reordered"] == 0
    from pipeline.pdf import grid

    monkeypatch.setattr(grid, "_stretch_rows", lambda *args: None)
    report = check_markdown(tmp_path, text)
    short = [f for f in report.findings if f.rule == "grid-rows" and "应为 22 行" in f.message]
    assert short and all(f.page in report.metrics["table_pages"] for f in short)


TITLE = "# 某县人民政府2024年政府信息公开工作年度报告\n\n"
ROWS_12 = "".join(f"| 规章{i} | {i} | {i * 2} | {i * 3} |\n" for i in range(12))
TABLE_12 = f"| 信息内容 | 本年新制作数量 | 本年新公开数量 | 对外公开总数量 |\n|---|---|---|---|\n{ROWS_12}"
ONE_LINE = "现将本机关政府信息公开工作情况报告如下。"


def check_markdown(tmp_path: Path, text: str):
    """Render a Markdown document through every stage and check it against its source."""
    source = tmp_path / "document.md"
    source.write_text(TITLE + text, encoding="utf-8")
    doc = render_pdf(to_xhtml(normalize(read_document(source, source.stem))))
    return check_pdf(doc.pdf, doc.xhtml)


def test_a_page_that_ends_in_a_table_kept_with_the_signature_is_filled(tmp_path: Path):
    """The 署名 is kept with the last body lines; when they are a table's last rows, those rows
    go over with it and the page before would end short. After layout, the rows left go to the
    table's rows on that page: both pages' rows counted, the signature still placed."""
    intro = "\n\n".join([ONE_LINE] * 4)
    report = check_markdown(tmp_path, f"{intro}\n\n{TABLE_12}\n某县人民政府办公室\n\n2025年1月20日\n")
    m = report.metrics
    assert m["table_pages"] == [1, 2] and m["rows_per_page"][0] == 22  # 19 without filling
    assert abs(m["signature_x1_mm"] - 172.86) < 0.5 and m["lost"] == 0
    assert not [f for f in report.findings if f.rule in ("grid-rows", "signature")]


def test_a_row_taller_than_a_page_splits_inside_the_type_area(tmp_path: Path):
    """A cell whose text is longer than a page is split at the page's end (WeasyPrint has no
    other choice) and not rounded up to the next grid line, which would take its text below
    the 版心; the pages it fills count as 22 rows from their rules alone."""
    cell = "这是一个很长的单元格，用来检查跨页的表格行。" * 120
    table = f"| 项目 | 说明 |\n|---|---|\n| 长内容 | {cell} |\n| 短 | 1 |\n"
    report = check_markdown(tmp_path, f"{ONE_LINE}\n\n{table}")
    assert report.ok, [f.message for f in report.findings if f.severity == "fail"]
    assert not [f for f in report.findings if "下边缘" in f.message]
    assert report.metrics["lost"] == 0
    filled = [n for n in report.metrics["table_pages"][:-1] if n > 1]  # the pages the cell fills
    assert filled and all(report.metrics["rows_per_page"][n - 1] == 22 for n in filled)


def test_a_table_that_moves_whole_leaves_a_short_page_and_the_checker_says_why(tmp_path: Path):
    """Text up to row 21, then a table: its header and first row need two rows, so WeasyPrint
    moves it whole (no header alone at a page's end) and the page holds 21 rows. Text cannot be
    stretched on the grid; the checker reports the page and why."""
    report = check_markdown(tmp_path, "\n\n".join([ONE_LINE] * 18) + f"\n\n{TABLE_12}\n{ONE_LINE}\n")
    assert report.metrics["rows_per_page"][0] == 21 and report.metrics["table_pages"] == [2]
    short = [f for f in report.findings if f.rule == "grid-rows"]
    assert [(f.page, "表头和首行在本页放不下" in f.message) for f in short] == [(1, True)]


def test_addresses_are_marked_in_text_tails_and_links():
    xhtml = (
        '<html xmlns="http://www.w3.org/1999/xhtml"><body><p>见<a href="http://a.gov.cn/x">http://a.gov.cn/x</a>'
        "，邮箱ab@163.com，网站www.pingtan.gov.cn<strong>加粗</strong>另见 sub.example.org/path 。"
        "占71.3%，第1.2条<!-- www.x.com --></p></body></html>"
    )
    root = etree.fromstring(xhtml)
    prepare.url_breaks(root)
    marked = [el.text for el in root.iter() if "url" in (el.get("class") or "")]
    assert marked == ["http://a.gov.cn/x", "ab@163.com", "www.pingtan.gov.cn", "sub.example.org/path"]
    assert "".join(root.itertext()) == "".join(etree.fromstring(xhtml).itertext())  # no text changed


def test_long_latin_runs_are_marked_as_tokens():
    """Checksums, file paths and long codes (20 or more Latin characters without a space) are
    marked like addresses, so that they may break; words, figures and short codes are not."""
    digest = "82ba40ade55a93100236c9d5c9d89416a5a4d3fd3affc4c5d80994917179b83a"
    xhtml = (
        f'<html xmlns="http://www.w3.org/1999/xhtml"><body><p>校验码：{digest}。文件 samples/v1/report_2024.pdf，'
        "网址 https://www.example.gov.cn/a/b.htm，信用代码91350128MA2XY12345，金额1,234,567.89元，"
        "internationalization 一词。</p>"
        "<table><tr><td>data/annual-2024-district-report.md</td></tr></table></body></html>"
    )
    root = etree.fromstring(xhtml)
    prepare.url_breaks(root)
    marked = [(el.get("class"), el.text) for el in root.iter() if el.get("class") in ("url", "token")]
    assert marked == [
        ("token", digest),
        ("token", "samples/v1/report_2024.pdf"),
        ("url", "https://www.example.gov.cn/a/b.htm"),
        ("token", "data/annual-2024-district-report.md"),
    ]
    assert "".join(root.itertext()) == "".join(etree.fromstring(xhtml).itertext())  # no text changed


@pytest.fixture(scope="module")
def latin_pdf(tmp_path_factory) -> bytes:
    """A notice with a checksum after its label, an English sentence, an address and a table of
    checksums and file paths (none of the corpus has them; before, the sentence ran 1.8 mm past
    the 版心 and the table 56 mm: the document failed)."""
    source = tmp_path_factory.mktemp("latin") / "latin.md"
    digest = "82ba40ade55a93100236c9d5c9d89416a5a4d3fd3affc4c5d80994917179b83a"
    source.write_text(
        "# 某某市人民政府办公室关于公布数据文件的通知\n\n各区人民政府：\n\n"
        "现将有关事项通知如下。The quick brown fox jumps over the lazy dog and keeps running through the whole "
        "field while nobody watches it, again and again until the end of the line, and then once more.\n\n"
        f"文件校验码：{digest}。\n\n"
        "| 文件 | 路径 | 校验码 |\n|---|---|---|\n"
        f"| 甲 | sample_pdfs_v1/annual_report_2024_working_copy.pdf | {digest} |\n"
        f"| 乙 | data/03-annual-2024-district-rapidocr-output.md | {digest[::-1]} |\n\n"
        "某某市人民政府办公室\n\n2024年3月1日\n",
        encoding="utf-8",
    )
    doc = render_pdf(to_xhtml(normalize(read_document(source, source.stem))))
    return doc.pdf, doc.xhtml


def test_latin_runs_and_checksums_stay_inside_the_type_area(latin_pdf: tuple[bytes, bytes]):
    latin_pdf, xhtml = latin_pdf
    doc = read_pdf(latin_pdf)
    report = check_pdf(latin_pdf, xhtml)
    assert report.ok, [f.message for f in report.findings if f.severity == "fail"]
    assert report.metrics["lost"] == 0 and report.metrics["reordered"] == 0  # every character and digit drawn
    # its one page holds a table: no share of 3号 text to measure, rather than a warning of "0 %"
    assert len(doc.pages) == 1 and report.metrics["body_16pt_share"] is None
    assert not [f for f in report.findings if f.rule == "sizes"]
    ink = [g for page in doc.pages for ln in page.block for g in ln.glyphs if g.text.strip()]
    assert max(g.x1 for g in ink) <= RIGHT + 0.3 * MM  # nothing past the 版心 (a hanging mark may: none here)
    # the checksum starts on its label's line (not moved whole, leaving ``文 件 校 验 码 ：`` stretched)
    label = line_with(latin_pdf, "文件校验码：82ba")
    assert (label.glyphs[1].x0 - label.glyphs[0].x0) / CHAR == pytest.approx(1.0, abs=0.05)
    text = "".join(ln.ink for page in doc.pages for ln in page.block)
    digest = "82ba40ade55a93100236c9d5c9d89416a5a4d3fd3affc4c5d80994917179b83a"
    assert f"文件校验码：{digest}。" in text  # broken across two lines, nothing inserted
    [table] = [page for page in doc.pages if page.has_table]
    drawn = Counter("".join(ln.ink for ln in table.block))
    cells = ("sample_pdfs_v1/annual_report_2024_working_copy.pdf", "data/03-annual-2024-district-rapidocr-output.md")
    assert Counter("".join(cells)) + Counter(digest + digest) <= drawn  # every character of the cells drawn


def test_a_space_drawn_at_a_line_end_is_not_ink():
    from pipeline.conformance.reader import Glyph, Line

    glyphs = [Glyph(ch, "FandolFang", 16.0, 100.0 + 8 * i, 108.0 + 8 * i, 200.0, False) for i, ch in enumerate("ab, ")]
    assert Line(1, 200.0, glyphs).x1 == 124.0  # the comma's end, not the space's
    assert Line(1, 200.0, [*glyphs[:3], glyphs[3]._replace(text="\u3000")]).x1 == 132.0  # an ideographic space counts
    assert Line(1, 200.0, [glyphs[3]]).x1 == 132.0


@pytest.mark.parametrize(
    "title",
    [
        "某某县人民政府关于表彰2024年度COVID-19疫情防控先进个人的决定",
        "某某市数据局关于开展2025年5G+IoT智慧城市WIFI全覆盖MOOC平台建设的通知",
        "关于印发《某某市推进数字政府建设实施方案（2024—2026年）》的通知",
        "某某县人民政府关于表彰2024年度COVID-19疫情防控先进个人的决定暨有关工作安排的补充说明以及其他相关事项的通知",
    ],
)
def test_titles_with_latin_keep_the_lines_planned(tmp_path: Path, title: str):
    """A title's lines are planned on estimated widths; Latin capitals estimated at 0.55 em let a
    line run wider than the measure, and its last character went onto a line of its own."""
    source = tmp_path / "title.md"
    source.write_text(f"# {title}\n\n各有关单位：\n\n现将有关事项通知如下。\n\n某某市人民政府\n\n2025年1月2日\n",
                      encoding="utf-8")  # fmt: skip
    doc = render_pdf(to_xhtml(normalize(read_document(source, "title"))))
    report = check_pdf(doc.pdf, doc.xhtml)
    assert report.metrics["title_lines"] == list(prepare.balance_title(title))
    for before, after in itertools.pairwise(report.metrics["title_lines"]):  # no Latin run cut (COVID | -19)
        assert not (before[-1].isascii() and after[0].isascii()), (before, after)
    assert len(report.metrics["title_lines"]) >= 2 and not [f for f in report.findings if f.rule == "sizes"]


def test_dashes_take_two_characters_and_bold_run_ins_fill_the_line():
    """17's ``——<strong>我们精细施策、补短扬长，人民生活品质进一步提升</strong>。``: the 破折号
    alone in its box takes two full characters (not Noto's 0.85-em Western dash), and the line
    of three boxes, a hair over 28 positions by rounding, keeps its 。 instead of pushing
    ``升。`` down."""
    pdf = render(next(p for p in CORPUS if p.name.startswith("17-")))
    lines = [ln for page in read_pdf(pdf).pages for ln in page.block if "——" in ln.text]
    assert len(lines) >= 4
    for ln in lines:
        dash = next(i for i, g in enumerate(ln.glyphs) if g.text.startswith("—"))
        after = ln.glyphs[dash + 1] if ln.glyphs[dash].text == "——" else ln.glyphs[dash + 2]
        assert (after.x0 - ln.glyphs[dash].x0) / CHAR == pytest.approx(2.0, abs=0.06), ln.ink
    line = line_with(pdf, "——我们精细施策")
    assert line.ink.endswith("进一步提升。") and _positions(line) == 28


def test_full_width_marks_are_marked_wherever_they_stand():
    root = etree.fromstring(
        '<html xmlns="http://www.w3.org/1999/xhtml"><body><p>——<strong>我们牢记嘱托，</strong>首都功能——持续优化'
        "</p><li>——坚持“幸福西藏·惠享生活”，Tim·Cook</li></body></html>"
    )
    prepare.full_width_marks(root)
    assert [el.text for el in root.iter() if el.get("class") == "full-width"] == ["——", "——", "——", "·"]
    assert "".join(root.itertext()) == "——我们牢记嘱托，首都功能——持续优化——坚持“幸福西藏·惠享生活”，Tim·Cook"


@pytest.mark.parametrize("run", ["a", "a-", "a.", "a+", "政"])
def test_address_pattern_is_linear(run: str):
    """Long runs without an address (the e-mail branch used to backtrack from every position:
    20,000 characters took 4.5 s, a 5 MB line never ended)."""
    import time

    from pipeline.pdf.prepare import _UNBREAKABLE, URL

    text = run * (400_000 // len(run))
    started = time.perf_counter()
    assert list(URL.finditer(text)) == [] or run == "a."
    assert time.perf_counter() - started < 1.0
    assert [m[0] for m in URL.finditer(f"见{text[:5000]} x@a.gov.cn，www.a.cn 和 a-b.gov.cn/p")] == [
        "x@a.gov.cn", "www.a.cn", "a-b.gov.cn/p"]  # fmt: skip
    started = time.perf_counter()
    assert len(list(_UNBREAKABLE.finditer(text))) <= 1  # the whole run, as one token, or nothing
    assert time.perf_counter() - started < 1.0


def test_the_style_sheet_states_the_grid_of_gbt9704():
    """styles/official.css and pipeline.core.gbt9704 (read by the typesetter and the checker) give the
    same page, 版心 and grid: a change to one without the other fails here."""
    from pipeline.core import gbt9704
    from pipeline.pdf.styles import STYLESHEET

    css = STYLESHEET.read_text(encoding="utf-8")
    page = re.search(r"@page \{\s*size: A4;\s*margin: ([\d.]+)mm ([\d.]+)mm ([\d.]+)mm ([\d.]+)mm;", css)
    assert page, "the first @page rule: A4 and its margins"
    top, right, bottom, left = (float(v) * gbt9704.MM for v in page.groups())
    assert (gbt9704.PAGE_W, gbt9704.PAGE_H) == (595.28, 841.89)
    assert abs(top - gbt9704.TOP) < 0.01 and abs(left - gbt9704.LEFT) < 0.01
    assert abs(gbt9704.PAGE_W - right - gbt9704.RIGHT) < 0.01 and abs(gbt9704.PAGE_H - bottom - gbt9704.BOTTOM) < 0.01
    body = re.search(r"html \{[^}]*font-size: ([\d.]+)pt;[^}]*line-height: ([\d.]+)pt", css)
    assert body and (float(body[1]), float(body[2])) == (gbt9704.BODY_PT, gbt9704.PITCH)
    assert 0 <= (gbt9704.BOTTOM - gbt9704.TOP) - gbt9704.ROWS * gbt9704.PITCH < 1.0  # 22 lines fill 225 mm
    assert abs(gbt9704.CHARS * gbt9704.CHAR - (gbt9704.RIGHT - gbt9704.LEFT)) < 0.01  # 28 characters fill 156 mm
