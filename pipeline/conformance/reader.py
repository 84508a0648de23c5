"""Reading a PDF back for the checker: every glyph with its font, size and position, lines by
baseline, horizontal rules, fonts and attachments (pdfminer.six with a small device; see
``pipeline.conformance.check`` for the traps handled)."""

from __future__ import annotations

import io
import re
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from functools import cached_property
from typing import NamedTuple

from pdfminer.cmapdb import CMapBase, FileUnicodeMap
from pdfminer.pdfdevice import PDFTextDevice
from pdfminer.pdffont import PDFCIDFont, PDFUnicodeNotDefined
from pdfminer.pdfinterp import PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdftypes import PDFStream, resolve1
from pdfminer.psparser import LIT

from pipeline.conformance.pdfcontent import ContentInterpreter
from pipeline.core.chars import HANGING, OPENING
from pipeline.core.gbt9704 import (
    BODY_PT,
    BOTTOM,
    CHAR,
    FOLIO_PT,
    LANDSCAPE,
    LEFT,
    MM,
    PAGE_H,
    RIGHT,
    TITLE_PT,
    TOP,
)
from pipeline.pdf import fonts

MARK_PT = 30.0  # 发文机关标志 (styles/official.css)


class Glyph(NamedTuple):  # a tuple: a page holds thousands, made in the checker's hottest loop
    text: str
    font: str  # PDF font name without the subset prefix
    size: float
    x0: float
    x1: float
    baseline: float  # from the page top
    notdef: bool  # drawn with glyph 0: the font has no glyph for the character


@dataclass
class Line:
    page: int
    baseline: float
    glyphs: list[Glyph]

    @property
    def text(self) -> str:
        return "".join(g.text for g in self.glyphs)

    @property
    def x0(self) -> float:
        return self.glyphs[0].x0

    @cached_property  # lines are complete once grouped (``_lines``)
    def x1(self) -> float:
        """Where the line's last mark ends: a Western space drawn at its end (a break between two
        inline boxes leaves one) has no ink; an ideographic space takes its position."""
        return max((g.x1 for g in self.glyphs if g.text.strip() or g.text == "\u3000"), default=self.glyphs[-1].x1)

    @property
    def hangs(self) -> bool:
        """The line ends with a closing mark hanging past the 版心 (标点溢出边界)."""
        last, before = self.glyphs[-1], self.glyphs[-2] if len(self.glyphs) > 1 else None
        return before is not None and last.text in HANGING and last.x1 > RIGHT + 0.5 * MM >= before.x1

    @property
    def end(self) -> float:
        """Where the line's text ends, not counting a hanging mark."""
        return self.glyphs[-2].x1 if self.hangs else self.x1

    @cached_property
    def size(self) -> float:
        return Counter(round(g.size, 1) for g in self.glyphs).most_common(1)[0][0]

    @cached_property
    def font(self) -> str:
        return Counter(g.font for g in self.glyphs).most_common(1)[0][0]

    @cached_property
    def ink(self) -> str:
        return "".join(g.text for g in self.glyphs if not g.text.isspace())


class Rule(NamedTuple):
    """A horizontal rule: its left and right ends, its top and bottom (pt, from the page top)."""

    x0: float
    x1: float
    top: float
    bottom: float


@dataclass
class Page:
    number: int
    width: float
    height: float
    lines: list[Line] = field(default_factory=list)
    stream_text: str = ""  # all glyphs in drawing order
    flow_text: str = ""  # body and title glyphs (not tables, not page numbers) in drawing order
    paths: list[tuple[float, float]] = field(default_factory=list)  # painted paths' top and bottom (pt)
    hrules: list[Rule] = field(default_factory=list)  # horizontal rules at least 50 pt long

    @property
    def landscape(self) -> bool:
        return self.width > self.height

    @property
    def frame(self) -> tuple[float, float, float, float]:
        """The 版心's left, right, top and bottom on this page."""
        return LANDSCAPE if self.landscape else (LEFT, RIGHT, TOP, BOTTOM)

    @cached_property
    def folio(self) -> list[Line]:  # the page-number line(s), below the 版心
        return [ln for ln in self.lines if ln.baseline > self.frame[3] + 5]

    @cached_property
    def block(self) -> list[Line]:  # everything inside the 版心
        return [ln for ln in self.lines if ln.baseline <= self.frame[3] + 5]

    @cached_property
    def has_table(self) -> bool:  # table text is set smaller than 4号 (the 版记's size)
        return any(ln.size < FOLIO_PT - 0.3 for ln in self.block)

    @cached_property
    def table_paths(self) -> list[tuple[float, float]]:
        """The table rules inside the 版心, top and bottom (a link's underline on a page without
        a table is not a rule). A cell split over pages has only its vertical rules."""
        return [(top, bottom) for top, bottom in self.paths if bottom <= BOTTOM + 5] if self.has_table else []

    @cached_property
    def rules(self) -> list[float]:  # the middles of the horizontal table rules
        return [(top + bottom) / 2 for top, bottom in self.table_paths if bottom - top < 1.5]


@dataclass
class Measured:
    pages: list[Page]
    fonts: dict[str, dict[str, object]]  # font name -> {"embedded": bool, "custom_cmap": bool}
    attachments: list[str]
    chosen: dict[str, str]  # role -> the PDF-name form of the family it resolves to here
    families: dict[str, str] = field(default_factory=dict)  # role -> the family it resolves to here
    heading_fonts: dict[str, Counter[str]] = field(default_factory=dict)  # role -> fonts of its lines
    # The first characters of each heading of the first two levels (standalone or run-in) in the
    # source XHTML, with its level; None without a source, when headings are recognised by their
    # numbers alone (一、 first level, （一） second).
    headings: dict[str, list[tuple[str, int]]] | None = None
    # The starts of the source's blocks set flush left without being a paragraph's next line
    # (目录 entries, 主送, attachment labels): a line before one of them is not a full line.
    flush_starts: set[str] = field(default_factory=set)
    # The starts of the source's parts that begin a new page (attachments, §7.3.7): the page
    # before one ends where its text ends, like a document's last page.
    page_starts: set[str] = field(default_factory=set)
    # 公文 elements the source has, for their rules: 主送's first characters, a 版记.
    recipients: str = ""
    imprint: bool = False
    landscape: bool = False  # the source has a table set on landscape pages
    _fallback_fonts: dict[str, bool] = field(default_factory=dict, repr=False)

    @property
    def lines(self) -> Iterator[Line]:
        for page in self.pages:
            yield from page.block

    def is_role_font(self, font: str, role: str) -> bool:
        chosen = self.chosen.get(role)
        return bool(chosen) and fonts.pdf_name(font).startswith(chosen)


class _Device(PDFTextDevice):
    """Collects glyphs and the vertical extent of painted paths (table rules); nothing else (no
    layout analysis, no images). Text is horizontal in every PDF the pipeline writes; vertical
    text would reach pdfminer's ``render_char``, which this device does not collect."""

    def __init__(self, rsrcmgr: PDFResourceManager) -> None:
        super().__init__(rsrcmgr)
        self.glyphs: list[Glyph] = []
        self.paths: list[tuple[float, float]] = []
        self.rules: list[Rule] = []
        self.height = PAGE_H
        self._known: dict[int, dict[tuple[int, int | None], tuple[str, float]]] = {}

    def begin_page(self, page, ctm) -> None:
        self.glyphs = []
        self.paths = []
        self.rules = []
        self.height = page.mediabox[3] - page.mediabox[1]

    def paint_path(self, graphicstate, stroke, fill, evenodd, path) -> None:
        if _coloured(graphicstate.scolor if stroke else graphicstate.ncolor):
            return  # the 版头's red separator is not a table rule
        a, b, c, d, e, f = self.ctm
        boxes: list[list[tuple[float, float]]] = []
        for op in path:
            if op[0] == "m" or not boxes:
                boxes.append([])
            boxes[-1] += [(a * x + c * y + e, self.height - (b * x + d * y + f))
                          for x, y in zip(op[1::2], op[2::2], strict=False)]  # fmt: skip
        extents = [(min(p[0] for p in box), max(p[0] for p in box), min(p[1] for p in box), max(p[1] for p in box))
                   for box in boxes if box]  # fmt: skip
        if extents:
            self.paths.append((min(e[2] for e in extents), max(e[3] for e in extents)))
            self.rules += _horizontal_rules(extents)

    def render_string_horizontal(self, seq, matrix, pos, font, fontsize, scaling, charspace, wordspace, rise,
                                 dxscale, ncs, graphicstate):  # fmt: skip
        """pdfminer's loop over a ``TJ`` array with its ``render_char`` inlined and each
        character's text and width looked up once per font: a justified line is one array of
        a hundred glyphs, and this loop ran for every glyph of every page."""
        a, b, c, d, e, f = matrix
        x, y = pos
        size = round(fontsize * abs(a) if a else fontsize, 2)
        name = font.fontname.split("+", 1)[-1] if isinstance(font.fontname, str) else str(font.fontname)
        known = self._known.setdefault(id(font), {})
        append = self.glyphs.append
        needcharspace = False
        for obj in seq:
            if isinstance(obj, (int, float)):
                x -= obj * dxscale
                needcharspace = True
                continue
            for cid in font.decode(obj):
                if needcharspace:
                    x += charspace
                key = (cid, getattr(cid, "code", None))
                if key not in known:
                    known[key] = (_char_text(font, cid), font.char_width(cid))
                text, width = known[key]
                left = a * x + c * y + e  # the glyph's origin: the text matrix moved to (x, y)
                bottom = b * x + d * y + f
                append(Glyph(text, name, size, c * rise + left, a * (width * fontsize) + c * rise + left,
                             self.height - (d * rise + bottom), cid == 0))  # fmt: skip
                x += width * fontsize * scaling
                if cid == 32 and wordspace:
                    x += wordspace
                needcharspace = True
        return (x, y)


def _horizontal_rules(extents: list[tuple[float, float, float, float]]) -> list[Rule]:
    """The horizontal rules a painted path draws: a thin box, or the top and bottom sides of a
    border drawn as an outer box with an inner one cut out (as WeasyPrint draws borders)."""
    ordered = sorted(extents, key=lambda e: e[3] - e[2], reverse=True)
    x0, x1, top, bottom = ordered[0]
    if x1 - x0 < 50:
        return []
    if len(ordered) == 1:
        return [Rule(x0, x1, top, bottom)] if bottom - top < 2 else []
    inner = ordered[1]
    sides = [(top, inner[2]), (inner[3], bottom)]
    return [Rule(x0, x1, t, b) for t, b in sides if 0.05 < b - t < 2]


def _coloured(color: object) -> bool:
    """Is a PDF colour other than black or grey (a gray level, or RGB/CMYK of equal parts)?"""
    values = color if isinstance(color, (list, tuple)) else [color]
    numbers = [v for v in values if isinstance(v, (int, float))]
    if len(numbers) == 3:
        return max(numbers) - min(numbers) > 0.1
    if len(numbers) == 4:
        return max(numbers[:3]) - min(numbers[:3]) > 0.1
    return False


def _char_text(font, cid: int) -> str:
    try:
        if isinstance(cid, _Cid) and font.unicode_map is not None:
            return font.unicode_map.get_unichr(cid.code)
        return font.to_unichr(cid)
    except (PDFUnicodeNotDefined, KeyError):
        return "\ufffd"


class _Resources(PDFResourceManager):
    def get_font(self, objid, spec):
        unicode_map = _bfchar_map(spec) if spec.get("Subtype") in _CID_FONTS else None
        if unicode_map is not None:  # read here; pdfminer's CMap parser is 10x slower
            spec = {key: value for key, value in spec.items() if key != "ToUnicode"}
        font = super().get_font(objid, spec)
        if unicode_map is not None:
            font.unicode_map = unicode_map
        encoding = resolve1(spec.get("Encoding")) if isinstance(font, PDFCIDFont) else None
        if isinstance(encoding, PDFStream) and not isinstance(font.cmap, _EncodingCMap):
            font.cmap = _EncodingCMap(encoding.get_data())
        return font


_CID_FONTS = {LIT("CIDFontType0"), LIT("CIDFontType2")}


_BFCHAR_BLOCK = re.compile(rb"beginbfchar(.*?)endbfchar", re.S)


_BFCHAR = re.compile(rb"<([0-9a-fA-F]{2,8})>\s*<([0-9a-fA-F]*)>")


def _bfchar_map(spec: dict) -> FileUnicodeMap | None:
    """A ToUnicode CMap made only of ``bfchar`` lists (as WeasyPrint writes them), read with two
    regular expressions into the same map pdfminer's parser builds; None for any other CMap."""
    stream = resolve1(spec.get("ToUnicode"))
    if not isinstance(stream, PDFStream):
        return None
    data = stream.get_data()
    if b"bfrange" in data or b"usecmap" in data:
        return None
    unicode_map = FileUnicodeMap()
    for block in _BFCHAR_BLOCK.findall(data):
        for cid, code in _BFCHAR.findall(block):
            if len(code) % 2:
                return None
            unicode_map.add_cid2unichr(int(cid, 16), bytes.fromhex(code.decode()))
    return unicode_map


class _EncodingCMap(CMapBase):
    """A two-byte encoding CMap given as ``cidchar``/``cidrange`` lists, as WeasyPrint writes it
    for a font with a missing glyph (pdfminer only reads named CMaps)."""

    _CHAR = re.compile(rb"<([0-9a-fA-F]{4})>\s+(\d+)")
    _RANGE = re.compile(rb"<([0-9a-fA-F]{4})>\s*<([0-9a-fA-F]{4})>\s+(\d+)")

    def __init__(self, data: bytes) -> None:
        super().__init__()
        self.map: dict[int, int] = {}
        for block in re.findall(rb"begincidrange(.*?)endcidrange", data, re.S):
            for lo, hi, cid in self._RANGE.findall(block):
                for offset, code in enumerate(range(int(lo, 16), int(hi, 16) + 1)):
                    self.map[code] = int(cid) + offset
        for block in re.findall(rb"begincidchar(.*?)endcidchar", data, re.S):
            for code, cid in self._CHAR.findall(block):
                self.map[int(code, 16)] = int(cid)

    def decode(self, code: bytes) -> Iterator[int]:
        for i in range(0, len(code) - 1, 2):
            value = code[i] << 8 | code[i + 1]
            yield _Cid(self.map.get(value, 0), value)


class _Cid(int):
    """A CID that remembers its character code: ToUnicode maps codes, and with an encoding CMap
    the code is what tells which character a missing (CID 0) glyph stood for."""

    code: int

    def __new__(cls, cid: int, code: int) -> _Cid:
        obj = super().__new__(cls, cid)
        obj.code = code
        return obj


def read_pdf(pdf: bytes, chosen: dict[str, str] | None = None) -> Measured:
    from pdfminer.pdfdocument import PDFDocument
    from pdfminer.pdfparser import PDFParser

    stream = io.BytesIO(pdf)
    document = PDFDocument(PDFParser(stream))
    rsrc = _Resources(caching=True)
    device = _Device(rsrc)
    interpreter = ContentInterpreter(rsrc, device)
    pages: list[Page] = []
    font_info: dict[str, dict[str, object]] = {}
    for number, pdf_page in enumerate(PDFPage.create_pages(document), 1):
        interpreter.process_page(pdf_page)
        x0, y0, x1, y1 = pdf_page.mediabox
        stream_text = "".join(g.text for g in device.glyphs)
        flow_text = "".join(g.text for g in device.glyphs if _is_flow(g))
        page = Page(
            number, x1 - x0, y1 - y0, _lines(number, device.glyphs), stream_text, flow_text, device.paths, device.rules
        )
        pages.append(page)
        for spec in (resolve1(resolve1(pdf_page.resources).get("Font")) or {}).values():
            _describe_font(resolve1(spec), font_info)
    return Measured(pages, font_info, _attachment_names(document), chosen or {})


def _describe_font(spec: dict, info: dict[str, dict[str, object]]) -> None:
    name = str(resolve1(spec.get("BaseFont"))).lstrip("/'").split("+", 1)[-1].rstrip("'")
    descriptor = None
    for descendant in resolve1(spec.get("DescendantFonts")) or [spec]:
        descriptor = resolve1(resolve1(descendant).get("FontDescriptor"))
    embedded = bool(descriptor) and any(k in descriptor for k in ("FontFile", "FontFile2", "FontFile3"))
    info[name] = {"embedded": embedded, "custom_cmap": isinstance(resolve1(spec.get("Encoding")), PDFStream)}


def _attachment_names(document) -> list[str]:
    names = resolve1(resolve1(document.catalog.get("Names") or {}).get("EmbeddedFiles") or {})
    flat = resolve1(names.get("Names")) or []
    return sorted(v.decode("utf-8", "replace") if isinstance(v, bytes) else str(v) for v in flat[::2])


def _lines(number: int, glyphs: list[Glyph]) -> list[Line]:
    """Group glyphs into lines by baseline (±1 pt), left to right, top to bottom."""
    lines: list[Line] = []
    for glyph in sorted(glyphs, key=lambda g: (round(g.baseline), g.x0)):
        for line in lines[-3:]:
            if abs(line.baseline - glyph.baseline) < 1.0 and not _far(line, glyph):
                line.glyphs.append(glyph)
                break
        else:
            lines.append(Line(number, glyph.baseline, [glyph]))
    for line in lines:
        line.glyphs.sort(key=_ink_x0)
    return sorted(lines, key=lambda ln: (round(ln.baseline, 0), ln.x0))


def _far(line: Line, glyph: Glyph) -> bool:
    """Table cells on one baseline are separate lines when far apart."""
    if abs(glyph.x0 - line.glyphs[-1].x1) <= 3 * CHAR:  # the usual case: next to the last glyph
        return False
    return min(abs(glyph.x0 - g.x1) for g in line.glyphs[-4:]) > 3 * CHAR


def _ink_x0(glyph: Glyph) -> float:
    """About where a glyph's ink starts: an opening mark's ink is the right half of its square
    (and a half-width one is drawn half a square early), every other glyph's the left part."""
    return glyph.x0 + 0.5 * glyph.size * (glyph.text in OPENING)


def _is_flow(glyph: Glyph) -> bool:
    """Text set in the flow: body and title sizes, and the 版记's 4号 inside the 版心 (the page
    numbers, also 4号, stand below it)."""
    sizes = (BODY_PT, TITLE_PT, FOLIO_PT, MARK_PT)
    return any(abs(glyph.size - size) < 0.3 for size in sizes) and glyph.baseline <= BOTTOM + 5
