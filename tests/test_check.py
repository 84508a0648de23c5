"""The GB/T 9704 checker, and the official layout measured with it on every corpus document.

The acceptance figures of the PDF issue are asserted on the reports the pipeline itself stored
in each package (``data/check.json``), and the checker is shown to catch real defects in real
renders: a wrong style sheet, a missing glyph, hyphen page numbers, a lost character.
"""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest
from pypdf import PdfReader

from pipeline.conformance.check import check_pdf
from pipeline.conformance.fontroles import in_gb2312
from pipeline.conformance.rules import RULES
from pipeline.ingest.read import read_document
from pipeline.normalize import normalize
from pipeline.pdf.render import render_pdf
from pipeline.pdf.styles import STYLESHEET
from pipeline.xhtml.build import to_xhtml
from tests.conftest import CORPUS, SEED, SEED_ID, corpus_file

pytestmark = pytest.mark.slow  # renders, subprocesses, servers or browsers: not in the quick run

MM = 72 / 25.4
DOCS = [SEED, *CORPUS]


def doc_id(path: Path) -> str:
    return SEED_ID if path == SEED else path.stem


_MEASURED: dict[Path, dict] = {}


def stored_report(outputs: Path, path: Path) -> dict:
    """The published PDF measured here, from its bytes (not the check.json the pipeline wrote,
    which must agree with it)."""
    if path not in _MEASURED:
        data = outputs / doc_id(path) / "data"
        report = check_pdf((data / "document.pdf").read_bytes(), (data / "document.xhtml").read_bytes(),
                           name=f"{doc_id(path)}.pdf").as_dict()  # fmt: skip
        written = json.loads((data / "check.json").read_text(encoding="utf-8"))
        assert {k: v for k, v in written.items() if k != "audit"} == report
        _MEASURED[path] = report
    return _MEASURED[path]


@pytest.mark.parametrize("path", DOCS, ids=lambda p: p.stem[:3])
def test_every_document_meets_the_layout(corpus_outputs: Path, path: Path):
    report = stored_report(corpus_outputs, path)
    m = report["metrics"]
    assert report["ok"], [f for f in report["findings"] if f["severity"] == "fail"]
    assert not [f for f in report["findings"] if f["rule"] == "page-size"]
    assert abs(m["left_mm"] - 28) <= 1 and abs(m["top_mm"] - 37) <= 1 and m["right_mm"] <= 184.5
    # every page but the last holds 22 grid rows; on pages with tables the body lines are on the grid
    assert m["full_pages"] == m["full_pages_22_rows"]
    assert m["table_pages_on_grid"] == len(m["table_pages"])
    # every full line ends within 0.5 mm of the 版心's right edge
    assert m["full_lines_flush"] == m["full_lines"]
    assert m["body_16pt_share"] > 0.5
    assert not [f for f in report["findings"] if f["rule"] == "page-numbers"]
    # only characters outside GB2312 (a rare name: 勠 in 16) fall back to Noto, and are listed
    assert m["missing_glyphs"] == [] and all(f"U+{ord(ch[0]):04X}" in ch and not in_gb2312(ch[0])
                                             for ch in m["fallback_glyphs"])
    assert report["findings"] == []
    assert {r["design"] for r in m["font_roles"].values()} <= {"仿宋", "黑", "楷", "宋", "substitute"}
    assert m["lost"] == 0 and m["reordered"] == 0
    assert m["attachments"] == ["document.md", "metadata.xml"]


def test_full_lines_hold_28_characters(corpus_outputs: Path):
    """The share of full pure-Chinese lines holding exactly 28 characters (28 grid positions,
    marks set half-width counting half), over the corpus and per document: at least 95% in
    every document. The misses are lines before what may not be split and cannot be pulled in
    (a web address, a number after too few punctuation marks to compress): they hold 25-27
    characters, justified flush."""
    shares = {doc_id(p)[:3]: stored_report(corpus_outputs, p)["metrics"] for p in DOCS}
    good = sum(m["pure_chinese_28_flush"] for m in shares.values())
    total = sum(m["pure_chinese_full_lines"] for m in shares.values())
    assert good / total >= 0.99
    per_document = {k: m["line_fill_share"] for k, m in shares.items()}
    assert all(share >= 0.95 for share in per_document.values()), per_document


def test_seed_geometry(seed_doc):
    m = seed_doc.check["metrics"]
    assert m["rows_per_page"][:-1] == [22, 22, 22, 22]
    assert m["title_lines"] == ["海阳市留格庄镇人民政府", "2018年度政府信息公开年度报告"]
    # §7.3.5.2: the 署名 ends two characters (11.14 mm) in from 184 mm; the date starts two
    # characters right of the 署名's start
    assert abs(m["signature_x1_mm"] - (184 - 2 * 156 / 28)) < 0.5
    sig_x0 = m["signature_x1_mm"] - 8 * 156 / 28
    assert abs(m["date_x0_mm"] - (sig_x0 + 2 * 156 / 28)) < 0.5


def test_title_is_22pt_and_centred(seed_doc):
    report = check_pdf(seed_doc.pdf, seed_doc.xhtml)
    assert not [f for f in report.findings if f.rule == "sizes"]
    assert report.metrics["title_lines"]


def test_qpdf_finds_no_damage(corpus_outputs: Path):
    for path in DOCS:
        pdf = corpus_outputs / doc_id(path) / "data" / "document.pdf"
        result = subprocess.run(["qpdf", "--check", str(pdf)], capture_output=True, text=True)
        assert result.returncode == 0 and "No syntax or stream encoding errors" in result.stdout, result.stdout


def test_unicode_maps_read_as_pdfminer_reads_them(corpus_outputs: Path):
    """The checker's own reader of WeasyPrint's ToUnicode CMaps builds, for every font of every
    corpus PDF, exactly the map pdfminer's CMap parser builds; another kind of CMap is left to
    pdfminer."""
    from pdfminer.cmapdb import CMapParser, FileUnicodeMap
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser
    from pdfminer.pdftypes import PDFStream

    from pipeline.conformance.reader import _bfchar_map

    fonts = 0
    for path in DOCS:
        with open(corpus_outputs / doc_id(path) / "data" / "document.pdf", "rb") as pdf:
            document = PDFDocument(PDFParser(pdf))
            for xref in document.xrefs:
                for objid in xref.get_objids():
                    obj = document.getobj(objid)
                    if not (isinstance(obj, dict) and "ToUnicode" in obj):
                        continue
                    expected = FileUnicodeMap()
                    stream = document.getobj(obj["ToUnicode"].objid)
                    CMapParser(expected, io.BytesIO(stream.get_data())).run()
                    assert _bfchar_map(obj).cid2unichr == expected.cid2unichr
                    fonts += 1
    assert fonts >= 3 * len(DOCS)  # 75 fonts in 21 PDFs
    ranged = PDFStream({}, b"1 beginbfrange <0001> <0005> <0041> endbfrange")
    ranged.data = ranged.rawdata
    assert _bfchar_map({"ToUnicode": ranged}) is None


def test_pdf_carries_source_metadata_and_info(seed_doc):
    from io import BytesIO

    reader = PdfReader(BytesIO(seed_doc.pdf))
    attachments = reader.attachments
    assert attachments["document.md"][0] == seed_doc.markdown.encode()
    metadata = attachments["metadata.xml"][0].decode()
    assert "<dc:title>海阳市留格庄镇人民政府2018年度政府信息公开年度报告</dc:title>" in metadata
    assert "<dc:creator>留格庄镇人民政府</dc:creator>" in metadata and "2019-03-05" in metadata
    assert reader.metadata.author == "留格庄镇人民政府"


# --- The checker catches what it claims to -----------------------------------------------------


def test_a_wrong_style_sheet_fails(seed_doc, tmp_path: Path):
    css = tmp_path / "wrong.css"
    css.write_text(
        STYLESHEET.read_text(encoding="utf-8")
        .replace("margin: 37mm 26mm 35mm 28mm", "margin: 20mm 20mm 20mm 15mm")
        .replace('content: "— " counter(page) " —"', 'content: "- " counter(page) " -"'),
        encoding="utf-8",
    )
    pdf = render_pdf(seed_doc, stylesheet=css).pdf
    report = check_pdf(pdf, seed_doc.xhtml)
    failed = {f.rule for f in report.findings if f.severity == "fail"}
    assert not report.ok
    assert {"type-area", "page-numbers"} <= failed
    assert any("15.00 mm" in f.message for f in report.findings if f.rule == "type-area")


def test_heading_fonts_are_those_of_the_headings_in_the_source(tmp_path: Path):
    """In 12 the （一） lines number items inside articles: body text, not headings. Checked
    against its source nothing is reported; from the PDF alone they look like headings. With
    the 楷体 role taken from the headings, the source's real headings are reported."""
    doc = render_pdf(to_xhtml(normalize(read_document(corpus_file("12-"), "12"))))
    warned = [f for f in check_pdf(doc.pdf).findings if f.rule == "heading-fonts"]
    assert len(warned) >= 20 and all("应为楷体" in f.message for f in warned)
    assert not [f for f in check_pdf(doc.pdf, doc.xhtml).findings if f.rule == "heading-fonts"]

    seed = to_xhtml(normalize(read_document(SEED, SEED_ID)))
    css = tmp_path / "wrong.css"
    css.write_text(STYLESHEET.read_text(encoding="utf-8").replace('"FandolKai", "AR PL UKai CN",', ""),
                   encoding="utf-8")
    pdf = render_pdf(seed, stylesheet=css).pdf
    warned = [f for f in check_pdf(pdf, seed.xhtml).findings if f.rule == "heading-fonts"]
    assert warned and all("应为楷体" in f.message and f.message.startswith("“（") for f in warned)
    # set in a Song while 楷 fonts are installed: the role's design fails
    roles = [f for f in check_pdf(pdf, seed.xhtml).findings if f.rule == "font-roles"]
    assert [f.severity for f in roles] == ["fail"] and roles[0].message.startswith("二级标题应为楷体")


def test_a_missing_glyph_is_named(tmp_path: Path):
    source = tmp_path / "rare.md"
    source.write_text("# 测试文件\n\n本段有一个所有字体都没有的字：𠀀，其余文字正常。\n", encoding="utf-8")
    doc = render_pdf(to_xhtml(normalize(read_document(source, "rare"))))
    report = check_pdf(doc.pdf, doc.xhtml)
    assert report.metrics["missing_glyphs"] == ["𠀀 U+20000 CJK UNIFIED IDEOGRAPH-20000"]
    assert any(f.rule == "glyphs" and f.severity == "fail" and "U+20000" in f.message for f in report.findings)
    # pdfminer alone would drop every glyph of the font that holds the missing one (the font
    # gets its own encoding CMap); the checker still reads all of the text
    assert report.metrics["lost"] == 0 and report.metrics["reordered"] == 0


def test_a_lost_or_reordered_character_is_reported(seed_doc):
    xhtml = seed_doc.xhtml.replace("全文由概述".encode(), "全文由概述镇".encode(), 1)
    report = check_pdf(seed_doc.pdf, xhtml)
    assert report.metrics["lost"] == 1 and report.metrics["reordered"] == 1 and not report.ok
    assert any(f.rule == "text-round-trip" and "镇" in f.message for f in report.findings)


def test_rules_are_registered_with_ids_and_summaries():
    assert {"page-size", "type-area", "grid-rows", "line-fill", "sizes", "heading-fonts", "page-numbers", "signature",
            "fonts-embedded", "font-roles", "glyphs", "line-breaks", "attachments"} <= set(RULES)  # fmt: skip
    assert all(r.summary for r in RULES.values())


def test_document_with_a_failed_check_is_not_published(tmp_path: Path):
    from pipeline.orchestrate.convert import convert_file

    source = tmp_path / "rare.md"
    source.write_text("# 测试文件\n\n本段有一个所有字体都没有的字：𠀀。\n", encoding="utf-8")
    outcome = convert_file(source, "rare", tmp_path / "out")
    assert not outcome.ok and outcome.code == "pdf-check"
    assert "U+20000" in outcome.error and str(source) in outcome.error
    assert not (tmp_path / "out" / "rare").exists()


# --- The command ---------------------------------------------------------------------------------


def run_cli(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], capture_output=True, text=True, timeout=300)


def test_check_command_on_a_package_and_on_a_pdf(corpus_outputs: Path, tmp_path: Path, seed_doc):
    result = run_cli("check", "--json", str(corpus_outputs / SEED_ID))
    assert result.returncode == 0, result.stdout + result.stderr
    [report] = json.loads(result.stdout)
    assert report["ok"] and report["metrics"]["lost"] == 0
    pdf = tmp_path / "seed.pdf"
    pdf.write_bytes(seed_doc.pdf)
    result = run_cli("check", str(pdf), "--source", str(SEED))
    assert result.returncode == 0 and "合格" in result.stdout, result.stdout + result.stderr
    broken = tmp_path / "broken.pdf"
    broken.write_bytes(b"not a pdf")
    result = run_cli("check", str(broken))
    assert result.returncode == 2 and "不是可读取的 PDF" in result.stderr


def test_fonts_command_names_the_font_of_every_role():
    result = run_cli("fonts", "--json")
    assert result.returncode == 0, result.stderr
    roles = {r["role"]: r for r in json.loads(result.stdout)}
    assert set(roles) == {"body", "title", "heading-1", "heading-2", "page-number"}
    assert roles["heading-2"]["family"] == "FandolKai" and roles["heading-2"]["style"] == "楷体"
    assert roles["heading-1"]["family"] == "FandolHei" and roles["body"]["family"] == "FandolFang"
    assert [r["design"] for r in roles.values()] == ["仿宋", "substitute", "黑", "楷", "宋"]
    assert all(r["gb2312_missing"] == 0 and Path(r["file"]).is_file() for r in roles.values())


def test_render_uses_the_fonts_the_command_reports(seed_doc):
    from pipeline.pdf.fonts import resolve, stacks

    used = {family for family, _ in seed_doc.fonts}
    assert {resolve(stack) for stack in stacks(STYLESHEET).values()} <= used


def test_check_is_deterministic(seed_doc):
    again = check_pdf(seed_doc.pdf, seed_doc.xhtml, name=f"{SEED_ID}.pdf").as_dict()
    assert again == seed_doc.check


def test_rules_run_in_a_fixed_order():
    """Every registered rule runs, in the order of its module and its place there (the report's
    findings come in this order; font-roles needs heading-fonts to have found the headings)."""
    from pipeline.conformance.check import ordered_rules

    ids = [r.id for r in ordered_rules()]
    assert set(ids) == set(RULES) and len(ids) == len(RULES)
    assert ids == ["page-size", "type-area", "grid-rows", "line-fill", "sizes", "heading-fonts", "page-numbers",
                   "signature", "recipients", "imprint", "attachment-pages", "fonts-embedded", "font-roles", "glyphs",
                   "line-breaks", "attachments"]  # fmt: skip
