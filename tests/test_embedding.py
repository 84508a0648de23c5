"""Compact font embedding: the seed's PDF with bare CFF subsets (Fandol and Noto, both CID-keyed
CFF) is a fraction of WeasyPrint's own, and every page renders to the same pixels; so do Fandol
glyphs whose CID differs from their glyph id."""

from __future__ import annotations

import contextlib
import io
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest
from pypdf import PdfReader
from weasyprint import pdf as wp_pdf
from weasyprint.pdf import fonts as wp_fonts

from pipeline.pdf import embedding
from pipeline.pdf.render import render_pdf


def font_files(pdf: bytes) -> dict[str, tuple[str, bytes]]:
    """Font name -> (font file key and subtype, program) for every embedded font."""
    found = {}
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            descriptor = font["/DescendantFonts"][0].get_object()["/FontDescriptor"]
            for key in ("/FontFile2", "/FontFile3"):
                if key in descriptor:
                    stream = descriptor[key].get_object()
                    found[str(font["/BaseFont"]).split("+", 1)[1]] = (
                        f"{key}{stream.get('/Subtype', '')}",
                        stream.get_data(),
                    )
    return found


@contextlib.contextmanager
def default_embedding() -> Iterator[None]:
    """WeasyPrint's own font embedding, for as long as the context lasts."""
    from pipeline.pdf import weasyprint_hooks

    font_hooks = [h for h in weasyprint_hooks.HOOKS if h.owner in (wp_fonts, wp_fonts.Font, wp_pdf)]
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(weasyprint_hooks, "HOOKS", tuple(h for h in weasyprint_hooks.HOOKS if h not in font_hooks))
        yield


@pytest.fixture(scope="module")
def weasyprint_default_pdf(seed_doc) -> bytes:
    """The seed rendered with WeasyPrint's own font embedding."""
    with default_embedding():
        return render_pdf(seed_doc).pdf


def test_cff_fonts_are_bare_subsets(seed_doc, weasyprint_default_pdf):
    ours, theirs = font_files(seed_doc.pdf), font_files(weasyprint_default_pdf)
    assert ours.keys() == theirs.keys()
    assert {"FandolFang", "FandolHei", "FandolKai"} <= ours.keys()
    for name, (kind, program) in ours.items():
        assert kind == "/FontFile3/CIDFontType0C" and program[:1] == b"\x01", name  # CFF header
        assert theirs[name][0] == "/FontFile3/OpenType"
        # WeasyPrint keeps every glyph id up to the highest used: Noto's hanzi sit far up (CIDs
        # past 40,000), Fandol's GB2312 hanzi below 8,896
        assert len(program) < len(theirs[name][1]) / (2 if name.startswith("Noto") else 1.2), name
    assert len(seed_doc.pdf) < 0.85 * len(weasyprint_default_pdf)


def same_pixels(pdfs: dict[str, bytes], tmp_path: Path) -> list[bytes]:
    """Each PDF's pages as 96 dpi grey images (the first PDF's), after asserting they are equal,
    and their text too."""
    images = {}
    for name, pdf in pdfs.items():
        (tmp_path / f"{name}.pdf").write_bytes(pdf)
        subprocess.run(["pdftoppm", "-gray", "-r", "96", tmp_path / f"{name}.pdf", tmp_path / name], check=True)
        images[name] = [p.read_bytes() for p in sorted(tmp_path.glob(f"{name}-*.pgm"))]
    first, *others = images.values()
    assert all(other == first for other in others)
    text = {subprocess.run(["pdftotext", tmp_path / f"{n}.pdf", "-"], capture_output=True, check=True).stdout
            for n in pdfs}  # fmt: skip
    assert len(text) == 1
    return first


def test_pages_render_to_the_same_pixels(seed_doc, weasyprint_default_pdf, tmp_path: Path):
    pages = same_pixels({"ours": seed_doc.pdf, "default": weasyprint_default_pdf}, tmp_path)
    assert len(pages) == seed_doc.pages == 5
    assert "政府信息公开" in subprocess.run(["pdftotext", tmp_path / "ours.pdf", "-"], capture_output=True,
                                        check=True).stdout.decode()  # fmt: skip


# FandolFang keeps CID = glyph id for its first 8,896 glyphs (the GB2312 hanzi among them);
# past them CIDs follow Adobe-GB1 (the en dash: glyph 9910, CID 29064 and up).
FAR_GLYPHS = "2024–2027年 ╔═╗ ↗↘ ˊˋ 政府信息公开"


def test_glyphs_whose_cid_is_not_their_id(tmp_path: Path):
    """Fandol glyphs past the first 8,896 are embedded bare too, re-keyed by glyph id (the
    registry becomes Adobe-Identity-0), and draw the same pixels as WeasyPrint's own subset."""
    from fontTools.cffLib import CFFFontSet
    from weasyprint import HTML

    html = f'<html lang="zh-CN"><body style="font: 16pt FandolFang"><p>{FAR_GLYPHS}</p></body></html>'
    from pipeline.pdf.weasyprint_hooks import rendering

    with rendering():
        ours = HTML(string=html).write_pdf()
    theirs = HTML(string=html).write_pdf()  # outside a render: WeasyPrint's own embedding
    kind, program = font_files(ours)["FandolFang"]
    assert kind == "/FontFile3/CIDFontType0C"
    cff = CFFFontSet()
    cff.decompile(io.BytesIO(program), None)
    top = cff[cff.fontNames[0]]
    cids = [0 if n == ".notdef" else int(n[3:]) for n in top.charset]
    assert top.ROS == ("Adobe", "Identity", 0) and max(cids) >= 8896
    assert len(program) < len(font_files(theirs)["FandolFang"][1]) / 4
    same_pixels({"ours": ours, "default": theirs}, tmp_path)


def test_subsets_are_verified(seed_doc):
    """A subset is used only if every glyph id asked for is a CID in it."""
    _, program = font_files(seed_doc.pdf)["FandolFang"]
    from fontTools.cffLib import CFFFontSet

    cff = CFFFontSet()
    cff.decompile(io.BytesIO(program), None)
    cids = sorted(0 if n == ".notdef" else int(n[3:]) for n in cff[cff.fontNames[0]].charset)
    assert len(cids) > 300
    assert embedding._keeps_cids(program, cids, "FandolFang")
    assert not embedding._keeps_cids(program, [*cids[:-1], cids[-1] + 1], "FandolFang")
    assert not embedding._keeps_cids(b"\x01\x00\x04\x03 not a font", cids, "x")


def test_whole_font_files_are_not_copied(seed_doc, monkeypatch):
    """WeasyPrint's copy of each font's whole file (18-26 MB for Noto, 4-8 MB for Fandol) is made only when read,
    and no render of ours reads it; copying eagerly gives the same PDF."""
    from weasyprint.text.fonts import get_hb_object_data

    read: list[int] = []
    lazy_read = embedding._FaceBytes.read
    monkeypatch.setattr(embedding._FaceBytes, "read", lambda self: read.append(len(data := lazy_read(self))) or data)
    lazy = render_pdf(seed_doc).pdf
    assert max(read, default=0) < 1_000_000  # at most a TrueType subset (AR PL UKai's: 250 KB) is read
    monkeypatch.setattr(wp_fonts, "get_hb_object_data", get_hb_object_data)
    assert render_pdf(seed_doc).pdf == lazy == seed_doc.pdf
