"""The PDF, measured on the rendered file: page size, page numbers, every character present."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pdfplumber
import pytest
from pypdf import PdfReader

from pipeline.core.chars import significant
from pipeline.pdf.render import LocalOnlyFetcher, render_pdf
from pipeline.pdf.styles import STYLES_DIR

MM = 72 / 25.4


@pytest.fixture(scope="module")
def pdf_path(seed_doc, tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("pdf") / "seed.pdf"
    path.write_bytes(seed_doc.pdf)
    return path


def pdftotext(path: Path) -> str:
    return subprocess.run(
        ["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True, text=True
    ).stdout


def test_a4_pages(pdf_path, seed_doc):
    reader = PdfReader(pdf_path)
    assert len(reader.pages) == seed_doc.pages >= 4
    for page in reader.pages:
        assert abs(float(page.mediabox.width) - 595.28) < 0.5
        assert abs(float(page.mediabox.height) - 841.89) < 0.5


def test_every_character_of_the_source_in_order(pdf_path, seed_doc):
    text = pdftotext(pdf_path)
    assert "\ufffd" not in text
    source, rendered = significant(seed_doc.text), iter(significant(text))
    # every Han character and digit of the source appears, in order (page numbers add digits)
    missing = [ch for ch in source if ch not in rendered]
    assert missing == []


def test_page_numbers_on_alternating_sides(pdf_path, seed_doc):
    with pdfplumber.open(pdf_path) as pdf:
        for number, page in enumerate(pdf.pages, 1):
            bottom = [c for c in page.chars if c["top"] > 262 * MM]
            label = "".join(c["text"] for c in bottom).replace(" ", "")
            assert label == f"—{number}—"
            x0, x1 = min(c["x0"] for c in bottom), max(c["x1"] for c in bottom)
            if number % 2:  # odd pages: right, one character in from the 版心 edge
                assert 177 * MM < x1 < 180 * MM
            else:
                assert 32 * MM < x0 < 35 * MM


def test_body_geometry_inside_the_type_area(pdf_path):
    with pdfplumber.open(pdf_path) as pdf:
        page = pdf.pages[1]
        body = [c for c in page.chars if abs(c["size"] - 16) < 0.3]
        assert min(c["x0"] for c in body) >= 28 * MM - 1
        assert max(c["x1"] for c in body) <= 184 * MM + 1
        assert min(c["top"] for c in body) >= 37 * MM - 1


def test_pdfa_metadata_and_source_attached(pdf_path, seed_doc):
    reader = PdfReader(pdf_path)
    assert reader.metadata.title == seed_doc.meta.title
    assert reader.metadata.author == "留格庄镇人民政府"
    xmp = reader.xmp_metadata
    assert xmp is not None and 'pdfaid:part="3"' in reader.trailer["/Root"]["/Metadata"].get_data().decode()
    assert reader.attachments["document.md"][0] == seed_doc.markdown.encode()


def test_render_is_deterministic(seed_doc):
    assert render_pdf(seed_doc).pdf == seed_doc.pdf


def test_fetcher_refuses_files_outside_styles_and_the_network(tmp_path):
    fetcher = LocalOnlyFetcher([STYLES_DIR])
    for url in (
        "file:///etc/hostname",
        "http://127.0.0.1:9/x.png",
        "data:text/plain,abc",
        (STYLES_DIR / ".." / "pyproject.toml").as_uri(),
    ):
        with pytest.raises(ValueError, match=r"blocked|disallowed"):
            fetcher.fetch(url)
    link = tmp_path / "link.css"
    link.symlink_to("/etc/hostname")
    with pytest.raises(ValueError, match="blocked"):
        LocalOnlyFetcher([tmp_path]).fetch(link.as_uri())
    response = fetcher.fetch((STYLES_DIR / "official.css").as_uri())
    assert b"@page" in response.read()


def test_a_document_cannot_attach_or_embed_local_files(seed_doc):
    from dataclasses import replace

    hostile = seed_doc.xhtml.replace(
        b"<title>",
        b'<link rel="attachment" href="file:///etc/hostname"/>'
        b'<link rel="stylesheet" href="file:///etc/hostname"/><title>',
    ).replace(b"</article>", b'<img src="file:///etc/hostname"/></article>')
    pdf = render_pdf(replace(seed_doc, xhtml=hostile)).pdf
    assert b"hostname" not in pdf
    from io import BytesIO

    assert list(PdfReader(BytesIO(pdf)).attachments) == ["document.md", "metadata.xml"]


def test_remembered_table_measurements_change_nothing(tmp_path: Path):
    """Table sizing with the render's memory of measured cells gives the same PDF as measuring
    every cell again (08: five HTML tables of repeated cells)."""
    from weasyprint.layout import preferred

    from pipeline.ingest.read import read_document
    from pipeline.normalize import normalize
    from pipeline.pdf import lines
    from pipeline.xhtml.build import to_xhtml
    from tests.conftest import CORPUS

    source = next(p for p in CORPUS if p.name.startswith("08-"))
    doc = to_xhtml(normalize(read_document(source, "08")))
    from pipeline.pdf import hooks, weasyprint_hooks

    assert any(h.replacement is lines.measure_split for h in weasyprint_hooks.HOOKS)
    remembered = render_pdf(doc).pdf
    measuring = tuple(hooks.Hook(preferred, "split_first_line", lines._wp_measure_split) if h.owner is preferred
                      else h for h in weasyprint_hooks.HOOKS)  # fmt: skip
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(weasyprint_hooks, "HOOKS", measuring)
        assert render_pdf(doc).pdf == remembered


def _same_tree(a, b) -> bool:
    return (a.tag, a.attrib, a.text or None, a.tail or None, len(a)) == (b.tag, b.attrib, b.text or None,
                                                                        b.tail or None, len(b)) and all(
        _same_tree(x, y) for x, y in zip(a, b, strict=True))  # fmt: skip


def test_weasyprint_gets_the_tree_its_html_parser_would_build(corpus_outputs: Path):
    """The renderer hands WeasyPrint the XHTML tree it holds instead of a string to parse again;
    for every corpus document that tree is the one WeasyPrint's HTML parser builds from the
    published XHTML (which writes empty cells as ``<td></td>``)."""
    import tinyhtml5
    from lxml import etree

    from pipeline.pdf.render import _html_tree
    from tests.conftest import CORPUS, SEED, SEED_ID

    for path in [SEED, *CORPUS]:
        published = (corpus_outputs / (SEED_ID if path == SEED else path.stem) / "data" / "document.xhtml").read_bytes()
        parsed = tinyhtml5.parse(published, namespace_html_elements=False)
        assert _same_tree(_html_tree(etree.fromstring(published)), parsed), path.name
