"""Where the bytes of the PDFs go, with the free faces and without them (not collected by pytest).

    .venv/bin/python tests/bench/pdf_size.py

Renders the seed and the corpus twice, each time in a child process: once as this machine is
set up (the Fandol faces first among the free fonts) and once with fontconfig told to reject the
Fandol folder (Noto Serif/Sans CJK and AR PL UKai, the faces before the Fandol ones came). For
each it prints KB per page, and per embedded font the KB per page, bytes per glyph and outline
segments per glyph (lines and curves, read from the embedded CFF program), then the ratio of
the two totals against the 1.2× budget of the faces issue. docs/pdf.md quotes the figures.
"""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BUDGET = 1.2


def measure() -> dict:
    """Render every document in this process and measure its PDF (run in the child)."""
    sys.path.insert(0, str(ROOT))
    from fontTools.cffLib import CFFFontSet
    from fontTools.pens.recordingPen import RecordingPen
    from pypdf import PdfReader

    from pipeline.ingest.read import read_document
    from pipeline.normalize import normalize
    from pipeline.pdf.render import render_pdf
    from pipeline.xhtml.build import to_xhtml

    fixtures = ROOT / "tests" / "fixtures"
    paths = [fixtures / "seed.md", *sorted((fixtures / "corpus").glob("[0-9][0-9]-*"))]
    pages = total = 0
    stream_bytes, glyphs, segments = Counter(), Counter(), Counter()
    for path in paths:
        doc = render_pdf(to_xhtml(normalize(read_document(path, path.stem))))
        pages, total = pages + doc.pages, total + len(doc.pdf)
        programs = {}
        for page in PdfReader(io.BytesIO(doc.pdf)).pages:
            for font in page["/Resources"]["/Font"].values():
                font = font.get_object()
                for descendant in font.get("/DescendantFonts", []):
                    descriptor = descendant.get_object()["/FontDescriptor"]
                    for key in ("/FontFile2", "/FontFile3"):
                        if key in descriptor:
                            name = str(font["/BaseFont"]).split("+", 1)[-1]
                            programs[name] = descriptor[key].get_object()
        for name, stream in programs.items():
            stream_bytes[name] += len(stream._data)  # as stored: compressed
            cff = CFFFontSet()
            try:
                cff.decompile(io.BytesIO(stream.get_data()), None)
            except Exception:  # a TrueType program: bytes only
                continue
            top = cff[cff.fontNames[0]]
            for glyph in top.CharStrings.values():
                pen = RecordingPen()
                glyph.draw(pen)
                segments[name] += sum(op in ("lineTo", "curveTo") for op, _ in pen.value)
            glyphs[name] += len(top.charset)
    fonts = {
        name: {"kb_per_page": round(size / 1024 / pages, 2), "glyphs": glyphs[name],
               "bytes_per_glyph": round(size / glyphs[name]) if glyphs[name] else None,
               "segments_per_glyph": round(segments[name] / glyphs[name], 1) if glyphs[name] else None}
        for name, size in stream_bytes.most_common()
    }  # fmt: skip
    return {"documents": len(paths), "pages": pages, "kb_per_page": round(total / 1024 / pages, 2),
            "font_kb_per_page": round(sum(stream_bytes.values()) / 1024 / pages, 2), "fonts": fonts}  # fmt: skip


def run(env: dict[str, str]) -> dict:
    child = subprocess.run([sys.executable, __file__, "--measure"], capture_output=True, text=True, env=env,
                           cwd=ROOT, check=True)  # fmt: skip
    return json.loads(child.stdout.splitlines()[-1])


def show(label: str, figures: dict) -> None:
    print(f"{label}: {figures['documents']} documents, {figures['pages']} pages, {figures['kb_per_page']} KB/page "
          f"(fonts {figures['font_kb_per_page']} KB/page)")  # fmt: skip
    for name, font in figures["fonts"].items():
        print(
            f"  {name:28s} {font['kb_per_page']:6.2f} KB/page  {font['glyphs']:6d} glyphs  "
            f"{font['bytes_per_glyph'] or '-':>5} B/glyph  {font['segments_per_glyph'] or '-':>5} segments/glyph"
        )


def main() -> None:
    sys.path.insert(0, str(ROOT))
    from pipeline.pdf.freefonts import DEST

    with tempfile.TemporaryDirectory() as tmp:
        conf = Path(tmp) / "fonts.conf"
        conf.write_text(
            '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>\n'
            '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
            f"  <selectfont><rejectfont><glob>{DEST}/*</glob></rejectfont></selectfont>\n</fontconfig>\n",
            encoding="utf-8",
        )
        without = run({**os.environ, "FONTCONFIG_FILE": str(conf)})
    with_faces = run(dict(os.environ))
    show("without the free faces", without)
    show("with the free faces", with_faces)
    ratio = with_faces["kb_per_page"] / without["kb_per_page"]
    print(f"ratio {ratio:.2f} (budget {BUDGET}): {'within' if ratio <= BUDGET else 'OVER'}")
    print(json.dumps({"without": without, "with": with_faces, "ratio": round(ratio, 3)}, ensure_ascii=False))


if __name__ == "__main__":
    print(json.dumps(measure())) if sys.argv[1:] == ["--measure"] else main()
