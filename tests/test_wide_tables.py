"""Nothing wider than the 版心 fails a document: wide tables are set small, the widest on landscape
pages (GB/T 9704 §8), and the checker holds those pages to their turned 版心."""

from __future__ import annotations

from pathlib import Path

from pipeline.conformance.check import check_pdf
from pipeline.conformance.reader import read_pdf
from pipeline.ingest.read import read_document
from pipeline.normalize import normalize
from pipeline.pdf.render import render_pdf
from pipeline.xhtml.build import to_xhtml
from tests.conftest import FIXTURES

MM = 72 / 25.4


def rendered(path: Path):
    return render_pdf(to_xhtml(normalize(read_document(path, path.stem))))


def test_a_table_of_25_columns_goes_on_a_landscape_page():
    doc = rendered(FIXTURES / "elements" / "report-wide-table.md")
    report = check_pdf(doc.pdf, doc.xhtml)
    assert report.findings == []
    pages = read_pdf(doc.pdf).pages
    assert [p.landscape for p in pages] == [False, True, False]
    assert report.metrics["landscape_pages"] == [2]
    wide = pages[1]
    assert round(wide.width / MM) == 297 and round(wide.height / MM) == 210
    assert "".join(g.text for ln in wide.folio for g in ln.glyphs).replace(" ", "") == "—2—"
    assert min(ln.x0 for ln in wide.block) >= 36 * MM and max(ln.end for ln in wide.block) <= 263 * MM
    # the text after the table carries on in the portrait pages
    assert pages[2].block[0].ink.startswith("全年各项工作")


def test_a_cms_review_table_with_non_breaking_spaces_stays_inside(tmp_path: Path):
    header = "".join(f"<td>结&nbsp;果&nbsp;维&nbsp;持{k}</td>" for k in range(15))
    row = "".join(f"<td>{k}&nbsp;&nbsp;</td>" for k in range(15))
    path = tmp_path / "cms.md"
    path.write_text(f"# 某局2023年工作报告\n\n全年办理情况如下。\n\n<table><tr>{header}</tr><tr>{row}</tr></table>\n",
                    encoding="utf-8")  # fmt: skip
    doc = rendered(path)
    report = check_pdf(doc.pdf, doc.xhtml)
    assert not [f for f in report.findings if f.severity == "fail"]
    assert report.metrics["right_mm"] <= 184.5


def test_a_landscape_page_without_a_wide_table_fails(tmp_path: Path):
    """The checker accepts a landscape page only for a table that needs one."""
    doc = rendered(FIXTURES / "elements" / "report-wide-table.md")
    report = check_pdf(doc.pdf)  # without the source, no table is known to need the landscape page
    assert [f.page for f in report.findings if f.rule == "page-size"] == [2]
