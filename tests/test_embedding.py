"""Compact font embedding: the seed's PDF with bare CFF subsets is a third of WeasyPrint's own,
and every page renders to the same pixels."""

from __future__ import annotations

import io
import subprocess
from pathlib import Path

import pytest
from pypdf import PdfReader
from weasyprint import pdf as wp_pdf
from weasyprint.pdf import fonts as wp_fonts

from pipeline import embedding
from pipeline.render import render_pdf


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


@pytest.fixture(scope="module")
def weasyprint_default_pdf(seed_doc) -> bytes:
    """The seed rendered with WeasyPrint's own font embedding."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(wp_fonts.Font, "_harfbuzz_subset", embedding._wp_subset)
        patch.setattr(wp_fonts.Font, "type", embedding._wp_type)
        patch.setattr(wp_pdf, "build_fonts_dictionary", embedding._wp_build_fonts)
        return render_pdf(seed_doc).pdf


def test_cff_fonts_are_bare_subsets(seed_doc, weasyprint_default_pdf):
    ours, theirs = font_files(seed_doc.pdf), font_files(weasyprint_default_pdf)
    assert ours.keys() == theirs.keys()
    for name, (kind, program) in ours.items():
        if name.startswith("Noto"):
            assert kind == "/FontFile3/CIDFontType0C" and program[:1] == b"\x01", name  # CFF header
            assert theirs[name][0] == "/FontFile3/OpenType"
            assert len(program) < len(theirs[name][1]) / 2, name
        else:  # TrueType (AR PL UKai): WeasyPrint's own subset
            assert kind == theirs[name][0] == "/FontFile2" and program == theirs[name][1]
    assert len(seed_doc.pdf) < 0.4 * len(weasyprint_default_pdf)


def test_pages_render_to_the_same_pixels(seed_doc, weasyprint_default_pdf, tmp_path: Path):
    images = {}
    for name, pdf in (("ours", seed_doc.pdf), ("default", weasyprint_default_pdf)):
        (tmp_path / f"{name}.pdf").write_bytes(pdf)
        subprocess.run(["pdftoppm", "-gray", "-r", "96", tmp_path / f"{name}.pdf", tmp_path / name], check=True)
        images[name] = [p.read_bytes() for p in sorted(tmp_path.glob(f"{name}-*.pgm"))]
    assert len(images["ours"]) == seed_doc.pages == 5
    assert images["ours"] == images["default"]
    text = [subprocess.run(["pdftotext", tmp_path / f"{n}.pdf", "-"], capture_output=True, check=True).stdout
            for n in ("ours", "default")]  # fmt: skip
    assert text[0] == text[1] and "政府信息公开" in text[0].decode()


def test_subsets_are_verified(seed_doc):
    """A subset is used only if every glyph id asked for is a CID in it."""
    _, program = next(
        v for k, v in font_files(seed_doc.pdf).items() if k.startswith("Noto-Serif-CJK-SC") and "Bold" not in k
    )
    from fontTools.cffLib import CFFFontSet

    cff = CFFFontSet()
    cff.decompile(io.BytesIO(program), None)
    cids = sorted(0 if n == ".notdef" else int(n[3:]) for n in cff[cff.fontNames[0]].charset)
    assert len(cids) > 300
    assert embedding._keeps_cids(program, cids, "Noto Serif CJK SC")
    assert not embedding._keeps_cids(program, [*cids[:-1], cids[-1] + 1], "Noto Serif CJK SC")
    assert not embedding._keeps_cids(b"\x01\x00\x04\x03 not a font", cids, "x")


def test_whole_font_files_are_not_copied(seed_doc, monkeypatch):
    """WeasyPrint's copy of each font's whole file (18-26 MB for Noto) is made only when read,
    and no render of ours reads it; copying eagerly gives the same PDF."""
    from weasyprint.text.fonts import get_hb_object_data

    read: list[int] = []
    lazy_read = embedding._FaceBytes.read
    monkeypatch.setattr(embedding._FaceBytes, "read", lambda self: read.append(len(data := lazy_read(self))) or data)
    lazy = render_pdf(seed_doc).pdf
    assert read and max(read) < 1_000_000  # only the TrueType 楷体 subset (about 250 KB) is read
    monkeypatch.setattr(wp_fonts, "get_hb_object_data", get_hb_object_data)
    assert render_pdf(seed_doc).pdf == lazy == seed_doc.pdf
