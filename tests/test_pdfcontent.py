"""The checker's content-stream reader: the same operators as pdfminer's parser, read faster,
and pdfminer's parser for whatever it does not read itself."""

from __future__ import annotations

import pytest
from pdfminer.psparser import LIT

from pipeline.conformance.pdfcontent import _Unsupported, operations
from pipeline.conformance.reader import read_pdf


def test_operators_and_operands():
    ops = operations(
        b"q 0.75 0 0 .75 -1.5 +2 cm\nBT /F1#2D0 21.3 Tf [<25c5>6<>-6.70<0 57 5>] TJ\r\n"
        b"(a\\(b\\)\\101\\\nc) Tj ET % comment\nQ"
    )
    assert ops == [
        ("q", []),
        ("cm", [0.75, 0, 0, 0.75, -1.5, 2]),
        ("BT", []),
        ("Tf", [LIT("F1-0"), 21.3]),
        ("TJ", [[b"\x25\xc5", 6, b"", -6.7, b"\x05\x75"]]),
        ("Tj", [b"a(b)Ac"]),
        ("ET", []),
        ("Q", []),
    ]


def test_dictionaries_odd_hex_and_constants():
    ops = operations(b"/P <</MCID 3 /Alt (x) /On true>> BDC <abc> Tj EMC")
    assert ops == [("BDC", [LIT("P"), {"MCID": 3, "Alt": b"x", "On": True}]), ("Tj", [b"\xab\xc0"]), ("EMC", [])]


@pytest.mark.parametrize(
    "stream",
    [
        b"BT (a (nested) string) Tj ET",  # balanced parentheses inside a string
        b"q BI /W 1 /H 1 /BPC 8 /CS /G ID \x00 EI Q",  # an inline image
        b"[1 2 Tj] TJ",  # an operator inside an array
        b"] TJ",  # a stray closing bracket
    ],
)
def test_what_it_does_not_read_goes_to_pdfminer(stream):
    with pytest.raises(_Unsupported):
        operations(stream)


def test_same_glyphs_as_pdfminer(seed_doc, monkeypatch):
    """Every glyph of the seed's PDF, with its font, size and position, as pdfminer reads it."""
    from pdfminer.pdfinterp import PDFPageInterpreter

    from pipeline.conformance import reader

    fast = read_pdf(seed_doc.pdf)
    used = []

    class Counted(PDFPageInterpreter):  # pdfminer's own interpreter, seen to be the one used
        def process_page(self, page) -> None:
            used.append(page)
            super().process_page(page)

    monkeypatch.setattr(reader, "ContentInterpreter", Counted)
    slow = read_pdf(seed_doc.pdf)
    assert len(used) == len(slow.pages) > 0
    assert [p.stream_text for p in fast.pages] == [p.stream_text for p in slow.pages]
    glyphs = [
        [(g.text, g.font, g.size, g.x0, g.x1, g.baseline) for ln in p.lines for g in ln.glyphs] for p in fast.pages
    ]
    assert glyphs == [[(g.text, g.font, g.size, g.x0, g.x1, g.baseline) for ln in p.lines for g in ln.glyphs]
                      for p in slow.pages]  # fmt: skip
    assert sum(len(p) for p in glyphs) > 2000
