"""Stage 5, check: measure the rendered PDF against GB/T 9704-2012, glyph by glyph.

None of the tools offices use checks its own output; we measure every PDF we publish, on the
page, with the numbers of the standard: page size, the 版心's edges, 22 grid rows per page,
28 characters per full line ending flush with the 版心, sizes and role fonts, the `— N —` page
numbers, the §7.3.5.2 signature block, embedded fonts, missing or fallback glyphs and (given
the source) every Chinese character and digit in order.

Reading: pdfminer.six's interpreter with a small device that keeps only what the rules need
(no layout analysis). Two traps measured on WeasyPrint output are handled here: a font that
holds a missing glyph is written with its own encoding CMap, which pdfminer cannot read and
would silently drop with every glyph of that font, so that CMap is parsed here; and lines
are grouped by baseline, since fallback glyphs have different boxes.

Each rule is a small named function registered with ``@rule`` (an id, a one-line summary,
the severity of what it finds). ``fail`` findings make the document fail in the batch;
``warn`` findings are reported. A table row takes a whole number of grid rows (as in Word's
document grid), so pages that hold a table are held to the 22 rows too.
"""

from __future__ import annotations

import io
import itertools
import re
import statistics
import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, dataclass, field, replace
from functools import cached_property
from pathlib import Path
from typing import NamedTuple

from lxml import etree
from pdfminer.cmapdb import CMapBase, FileUnicodeMap
from pdfminer.pdfdevice import PDFTextDevice
from pdfminer.pdffont import PDFCIDFont, PDFUnicodeNotDefined
from pdfminer.pdfinterp import PDFResourceManager
from pdfminer.pdfpage import PDFPage
from pdfminer.pdftypes import PDFStream, resolve1
from pdfminer.psparser import LIT

from pipeline.conformance import fontroles
from pipeline.conformance.pdfcontent import ContentInterpreter
from pipeline.core.chars import CJK_RE, HANGING, OPENING, significant
from pipeline.core.errors import DocumentError
from pipeline.core.gbt9704 import (
    BODY_PT,
    BOTTOM,
    CHAR,
    CHARS,
    FOLIO_PT,
    LANDSCAPE,
    LANDSCAPE_COLUMNS,
    LEFT,
    MM,
    PAGE_H,
    PAGE_W,
    PITCH,
    RIGHT,
    ROWS,
    TITLE_PT,
    TOP,
    table_columns,
)
from pipeline.core.model import Document
from pipeline.pdf import fonts
from pipeline.pdf.styles import STYLESHEET
from pipeline.xhtml.build import XHTML_NS

MARK_PT = 30.0  # 发文机关标志 (styles/official.css)
_LEVEL_1 = re.compile(r"^[一二三四五六七八九十]+、")
_LEVEL_2 = re.compile(r"^（[一二三四五六七八九十]+）")
_DATE = re.compile(r"^\d{4}年([1-9]|1[0-2])月([1-9]|[12]\d|3[01])日$")
_NO_LINE_START = set("。，、；：？！）》”’〕】…—")


# --- Reading the PDF --------------------------------------------------------------------------


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
        return max(g.x1 for g in self.glyphs if g.text.strip() or g is self.glyphs[-1])

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
        page = Page(number, x1 - x0, y1 - y0, _lines(number, device.glyphs), stream_text, flow_text, device.paths,
                    device.rules)
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


# --- Rules ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str  # "fail" or "warn"
    message: str
    page: int = 0


@dataclass(frozen=True)
class CheckRule:
    id: str
    summary: str
    fn: Callable[[Measured, dict], Iterable[Finding]]


RULES: dict[str, CheckRule] = {}


def rule(rule_id: str, summary: str) -> Callable:
    def register(fn: Callable[[Measured, dict], Iterable[tuple[str, str, int]]]) -> Callable:
        def run(measured: Measured, metrics: dict) -> Iterator[Finding]:
            for severity, message, page in fn(measured, metrics):
                yield Finding(rule_id, severity, message, page)

        RULES[rule_id] = CheckRule(rule_id, summary, run)
        return fn

    return register


@rule("page-size", "每页均为 A4（210 × 297 mm）")
def _page_size(m: Measured, metrics: dict) -> Iterator[tuple[str, str, int]]:
    for page in m.pages:
        size = sorted((page.width, page.height))
        if abs(size[0] - PAGE_W) > 0.5 or abs(size[1] - PAGE_H) > 0.5:
            yield "fail", f"页面尺寸为 {page.width / MM:.1f} × {page.height / MM:.1f} mm，应为 A4", page.number
        elif page.landscape and not m.landscape:
            yield "fail", "横向页面只用于过宽的表格（GB/T 9704 §8），本页没有这样的表格", page.number
    metrics["landscape_pages"] = [p.number for p in m.pages if p.landscape]


@rule("type-area", "正文在版心内：订口 28 ± 1 mm，天头 37 ± 1 mm，版心 156 × 225 mm")
def _type_area(m: Measured, metrics: dict) -> Iterator[tuple[str, str, int]]:
    yield from _landscape_area(m)
    portrait = [page for page in m.pages if not page.landscape]
    lines = [ln for page in portrait for ln in page.block]
    body = [ln for ln in lines if abs(ln.size - BODY_PT) < 0.3]
    if not body:
        yield "warn", "没有找到 3 号正文文字", 0
        return
    left = min(ln.x0 for ln in body)
    right = max(ln.end for ln in lines)  # tables included
    firsts = ([ln for ln in page.block if abs(ln.size - BODY_PT) < 0.3 or abs(ln.size - TITLE_PT) < 0.3][:1]
              for page in portrait)  # fmt: skip
    tops = [first[0] for first in firsts if first]
    top = min(_row_top(ln) for ln in tops)
    bottom = max(ln.baseline for ln in lines)
    metrics.update(left_mm=round(left / MM, 2), right_mm=round(right / MM, 2), top_mm=round(top / MM, 2))
    # Text left of or above the 版心 is a broken layout; a block that merely starts further in
    # (a document of quotations or lists, no line flush left) is only reported.
    if left < LEFT - MM:
        yield "fail", f"文字超出版心左边缘：{left / MM:.2f} mm（应为 28 ± 1 mm）", 0
    elif left > LEFT + MM:
        yield "warn", f"没有顶格的正文行：最左在 {left / MM:.2f} mm（版心左边缘 28 mm）", 0
    if top < TOP - MM:
        yield "fail", f"文字超出版心上边缘：{top / MM:.2f} mm（应为 37 ± 1 mm）", 0
    elif top > TOP + MM:
        yield "warn", f"首行上边缘在 {top / MM:.2f} mm（版心上边缘 37 mm）", 0
    if right > RIGHT + MM:
        yield "fail", f"文字超出版心右边缘：{right / MM:.2f} mm（应 ≤ 184 mm）", 0
    if bottom > BOTTOM + 1:
        yield "fail", f"文字超出版心下边缘：{bottom / MM:.2f} mm（应 ≤ 262 mm）", 0


def _landscape_area(m: Measured) -> Iterator[tuple[str, str, int]]:
    """On a landscape page (a wide table, §8) everything stays inside the turned 版心."""
    for page in m.pages:
        if not page.landscape or not page.block:
            continue
        left, right, top, bottom = page.frame
        x0, x1 = min(ln.x0 for ln in page.block), max(ln.end for ln in page.block)
        y0, y1 = min(ln.baseline - ln.size for ln in page.block), max(ln.baseline for ln in page.block)
        if x0 < left - MM or x1 > right + MM or y0 < top - MM or y1 > bottom + 1:
            yield "fail", f"横向页面的文字超出版心（{x0 / MM:.1f}–{x1 / MM:.1f} mm）", page.number


def _row_top(line: Line) -> float:
    """The top of the grid row a line sits in (its glyphs' em-box top less the half-leading)."""
    return line.baseline - _ascent(line) - (PITCH - line.size) / 2


def _ascent(line: Line) -> float:
    return 0.88 * line.size  # CJK fonts: ideographic em-box top at 0.88 em above the baseline


@rule("grid-rows", "除末页外每页 22 行（含空行，表格行按所占网格行计），正文行和表格线都落在 28.95 pt 行距网格上")
def _grid_rows(m: Measured, metrics: dict) -> Iterator[tuple[str, str, int]]:
    full = exact = 0
    rows_by_page = []
    for page in m.pages:
        text = [ln for ln in page.block if abs(ln.size - BODY_PT) < 0.3 or abs(ln.size - TITLE_PT) < 0.3]
        rows = sorted({int((ln.baseline - TOP) // PITCH) for ln in text})
        table_rows = [int((bottom - TOP) / PITCH + 0.05) for _, bottom in page.table_paths]  # whole grid rows
        reached = max([rows[-1] + 1 if rows else 0, *table_rows])
        rows_by_page.append(reached)
        if page is m.pages[-1] or not reached or page.landscape or _before_new_page(m, page):
            continue
        full += 1
        baselines = len({round(ln.baseline) for ln in text})  # lines side by side share one (文号 and 签发人)
        if reached == ROWS and len(rows) == baselines:
            exact += 1
        elif reached != ROWS:
            why = _MOVED_TABLE if _starts_with_table(m, page) else ""
            yield "warn", f"本页 {reached} 行（{len(text)} 行文字），应为 22 行{why}", page.number
        else:
            yield "warn", "有两行文字落在同一网格行内", page.number
    metrics.update(rows_per_page=rows_by_page, full_pages=full, full_pages_22_rows=exact,
                   table_pages=[p.number for p in m.pages if p.has_table])  # fmt: skip
    yield from _table_pages_on_grid(m, metrics)


_MOVED_TABLE = "（下页开头的表格，表头和首行在本页放不下，整表移到下页：表格行不跨页拆分）"


def _before_new_page(m: Measured, page: Page) -> bool:
    """Does the next page start a part that begins on a new page (an attachment)?"""
    following = m.pages[page.number] if page.number < len(m.pages) else None
    if following is not None and following.landscape:
        return True  # a wide table starts its landscape page
    first = following.block[0].ink if following and following.block else ""
    return any(first.startswith(start) for start in m.page_starts)


def _starts_with_table(m: Measured, page: Page) -> bool:
    """Whether the page after this one begins with a table (its first line is not body text)."""
    following = m.pages[page.number] if page.number < len(m.pages) else None
    return bool(following and following.has_table and following.block and abs(following.block[0].size - BODY_PT) > 0.3)


def _table_pages_on_grid(m: Measured, metrics: dict) -> Iterator[tuple[str, str, int]]:
    """Table rows take whole grid rows, so a table's rules lie on grid lines and the body lines
    around it fall at the same place in a grid row as on the pages without tables."""

    def phase(line: Line) -> float:
        return (line.baseline - TOP) % PITCH

    def body(page: Page) -> list[Line]:
        return [ln for ln in page.block if abs(ln.size - BODY_PT) < 0.3]

    def off(distance: float, tolerance: float) -> bool:
        return min(distance % PITCH, PITCH - distance % PITCH) > tolerance

    phases = [phase(ln) for page in m.pages if not page.has_table for ln in body(page)]
    phases = phases or [phase(ln) for page in m.pages for ln in body(page)]  # (every page has a table)
    ref = statistics.median(phases) if phases else 0.0  # (no body line anywhere: nothing to be off)
    on_grid = 0
    for page in m.pages:
        if not page.has_table or page.landscape:  # a turned page has no line grid (§8)
            on_grid += page.landscape
            continue
        lines = [ln for ln in body(page) if off(phase(ln) - ref, 1.5)]
        rules = [y for y in page.rules if off(y - TOP, 1.0)]
        on_grid += not lines and not rules
        if lines:
            yield "warn", f"表格所在页有 {len(lines)} 行正文不在行距网格上：“{lines[0].ink[:12]}…”", page.number
        if rules:
            yield "warn", f"表格所在页有 {len(rules)} 条表格线不在行距网格上（表格行应占整数个网格行）", page.number
    metrics["table_pages_on_grid"] = on_grid


@rule("line-fill", "整行（段落中非末行）排满版心：28 字（含首行缩进），行末距版心右边缘 ≤ 0.5 mm；目标 ≥ 95%")
def _line_fill(m: Measured, metrics: dict) -> Iterator[tuple[str, str, int]]:
    lines = [ln for ln in m.lines if abs(ln.size - BODY_PT) < 0.3]
    full = [a for a, b in itertools.pairwise(lines)
            if _continues(a, b) and not any(b.ink.startswith(key) for key in m.flush_starts)]  # fmt: skip
    pure = [ln for ln in full if all(CJK_RE.match(ch) for ch in ln.ink)]
    good = [ln for ln in pure if _positions(ln) == CHARS and abs(ln.end - RIGHT) <= 0.5 * MM]
    flush = [ln for ln in full if abs(ln.end - RIGHT) <= 0.5 * MM]
    share = len(good) / len(pure) if pure else 1.0
    metrics.update(full_lines=len(full), full_lines_flush=len(flush), pure_chinese_full_lines=len(pure),
                   pure_chinese_28_flush=len(good), line_fill_share=round(share, 4))  # fmt: skip
    for ln in full:
        if abs(ln.end - RIGHT) > 0.5 * MM:
            yield "warn", f"行末距版心右边缘 {(RIGHT - ln.end) / MM:.1f} mm：“{ln.ink[:12]}…”", ln.page
    if share < 0.95:
        yield "warn", f"只有 {share:.0%} 的纯中文整行为 28 字且排满（目标 ≥ 95%）", 0


def _positions(line: Line) -> float:
    """Grid positions a line fills: one per character (half for a mark set half-width, as in
    ``》）`` or by line adjustment), blank positions inside it (the space after 第一条), and the
    indent (两字 on a paragraph's first line); not a hanging mark. Counted from where each
    glyph's ink starts, in half positions, so that a line stretched by a fraction of a
    character per gap still counts its characters."""
    ink = [g for g in line.glyphs if not g.text.isspace()]
    if line.hangs:
        ink = ink[:-1]
    taken = 1.0 + 0.5 * (ink[0].text in OPENING)  # (an opening mark's blank half precedes its ink)
    for a, b in itertools.pairwise(ink):
        taken += max(0.5, round(2 * (_ink_x0(b) - _ink_x0(a)) / CHAR) / 2)
    return taken + round((line.x0 - LEFT) / CHAR)


def _ink_x0(glyph: Glyph) -> float:
    """About where a glyph's ink starts: an opening mark's ink is the right half of its square
    (and a half-width one is drawn half a square early), every other glyph's the left part."""
    return glyph.x0 + 0.5 * glyph.size * (glyph.text in OPENING)


def _continues(line: Line, following: Line) -> bool:
    """``following`` carries on the paragraph of ``line``: the next grid row (or the first row of
    the next page), starting flush left, in the same size."""
    same_page = following.page == line.page and abs(following.baseline - line.baseline - PITCH) < 1.5
    next_page = following.page == line.page + 1 and following.baseline - TOP < PITCH
    return (same_page or next_page) and abs(following.x0 - LEFT) < 0.6 and abs(following.size - line.size) < 0.3


@rule("sizes", "正文 3 号（16 pt）；标题 2 号（22 pt）且居中")
def _sizes(m: Measured, metrics: dict) -> Iterator[tuple[str, str, int]]:
    other = (TITLE_PT, MARK_PT, FOLIO_PT)  # the title, the 发文机关标志, the 版记
    glyphs = [g for page in m.pages if not page.has_table for ln in page.block for g in ln.glyphs
              if g.text.strip() and all(abs(g.size - size) > 0.3 for size in other)]  # fmt: skip
    title = [ln for ln in m.pages[0].block if abs(ln.size - TITLE_PT) < 0.3] if m.pages else []
    body_share = sum(abs(g.size - BODY_PT) < 0.3 for g in glyphs) / len(glyphs) if glyphs else 0.0
    metrics.update(body_16pt_share=round(body_share, 4), title_lines=[ln.ink for ln in title])
    if body_share < 0.9:
        yield "warn", f"3 号正文文字只占 {body_share:.0%}", 0
    for ln in title:
        offset = (ln.x0 + ln.x1) / 2 - (LEFT + RIGHT) / 2
        if abs(offset) > 1 * MM:
            yield "warn", f"标题行“{ln.ink}”偏离中线 {offset / MM:.1f} mm", ln.page
        if len(ln.ink) < 4 and len(title) > 1:
            yield "warn", f"标题行“{ln.ink}”过短（孤字）", ln.page


@rule("heading-fonts", "一级标题黑体、二级标题楷体、正文仿宋（按样式表所列字体）")
def _heading_fonts(m: Measured, metrics: dict) -> Iterator[tuple[str, str, int]]:
    """With the source, only its headings are held to the heading fonts: a ``（一）`` that
    numbers an item inside an article (第四条 …：（一）…；) is body text in 仿宋."""
    for ln in m.lines:
        if abs(ln.x0 - (LEFT + 2 * CHAR)) > 0.6 or abs(ln.size - BODY_PT) > 0.3:
            continue
        if m.headings is not None:
            level = _heading_level(m.headings, ln.ink)
        else:
            level = 1 if _LEVEL_1.match(ln.ink) else 2 if _LEVEL_2.match(ln.ink) else None
        if level not in (1, 2):
            continue
        role, name = ("heading-1", "黑体") if level == 1 else ("heading-2", "楷体")
        m.heading_fonts.setdefault(role, Counter())[ln.glyphs[0].font] += 1
        if role in m.chosen and not m.is_role_font(ln.glyphs[0].font, role):
            yield "warn", f"“{ln.ink[:10]}”应为{name}，实为 {ln.glyphs[0].font}", ln.page


@rule("page-numbers", "页码“— N —”4 号，连续；单页居右、双页居左空一字，一字线距版心下边缘 7 mm")
def _page_numbers(m: Measured, metrics: dict) -> Iterator[tuple[str, str, int]]:
    for page in m.pages:
        glyphs = [g for ln in page.folio for g in ln.glyphs]
        label = re.sub(r"\s", "", "".join(g.text for g in glyphs))  # (a space may map to U+00A0)
        if label != f"—{page.number}—":
            yield "fail", f"页码应为“— {page.number} —”，实为“{label}”", page.number
            continue
        if any(abs(g.size - FOLIO_PT) > 0.2 for g in glyphs):
            yield "fail", "页码字号不是 4 号（14 pt）", page.number
        left, right, _, bottom = page.frame
        dash = glyphs[0]
        centre = dash.baseline - 0.38 * dash.size  # the dash's vertical centre
        if abs(centre - (bottom + 7 * MM)) > 1 * MM:
            yield "warn", f"页码一字线距版心下边缘 {(centre - bottom) / MM:.1f} mm（应为 7 mm）", page.number
        x0, x1 = min(g.x0 for g in glyphs), max(g.x1 for g in glyphs)
        # one 4号 character in from the 版心's edge (14 pt; 3号 units accepted)
        if page.number % 2 and not right - 16.97 <= x1 <= right - 13.97:
            yield "fail", f"单页页码应居右空一字，右端在 {x1 / MM:.1f} mm", page.number
        if not page.number % 2 and not left + 13.63 <= x0 <= left + 17.13:
            yield "fail", f"双页页码应居左空一字，左端在 {x0 / MM:.1f} mm", page.number


@rule("signature", "署名右空二字，成文日期在下一行、首字比署名首字右移二字（GB/T 9704 §7.3.5.2）")
def _signature(m: Measured, metrics: dict) -> Iterator[tuple[str, str, int]]:
    lines = list(m.lines)
    dated = [i for i, ln in enumerate(lines) if _DATE.match(ln.ink) and i > 0 and ln.x0 > LEFT + 4 * CHAR]
    if not dated:
        return
    i = dated[-1]
    date, sig = lines[i], lines[i - 1]
    # Joint signing (§7.3.5.2): the organs stand one under another, each ending at the same
    # place; the date is placed against the widest of them.
    organs = [sig]
    for above in reversed(lines[: i - 1]):
        step = organs[-1].baseline - above.baseline
        if above.page != sig.page or abs(above.x1 - sig.x1) > 1 or abs(step - PITCH) > 0.5:
            break
        organs.append(above)
    sig = min(organs, key=lambda ln: ln.x0)
    ws, wd = sig.x1 - sig.x0, date.x1 - date.x0
    metrics.update(signature_x1_mm=round(sig.x1 / MM, 2), date_x0_mm=round(date.x0 / MM, 2))
    edge = RIGHT - 2 * CHAR
    tol = 1.5
    as_shorter = abs(sig.x1 - edge) < tol and abs(date.x0 - (sig.x0 + 2 * CHAR)) < tol
    as_longer = abs(date.x1 - edge) < tol and abs(sig.x0 - (date.x0 - 2 * CHAR)) < tol
    if not (as_shorter if wd <= ws else as_longer) and not (abs(wd - ws) < 3 and (as_shorter or as_longer)):
        yield ("warn", f"署名（右端 {sig.x1 / MM:.1f} mm）与日期（左端 {date.x0 / MM:.1f} mm）位置不符合 §7.3.5.2",
               date.page)  # fmt: skip
    if date.page == organs[0].page and abs(date.baseline - organs[0].baseline - PITCH) > 0.5:
        yield "warn", "成文日期不在署名的下一行", date.page


@rule("recipients", "主送机关顶格，回行仍顶格，以全角冒号结束（GB/T 9704 §7.3.2）")
def _recipients(m: Measured, metrics: dict) -> Iterator[tuple[str, str, int]]:
    if not m.recipients:
        return
    lines = list(m.lines)
    start = next((k for k, ln in enumerate(lines) if ln.ink.startswith(m.recipients)), None)
    if start is None:
        yield "fail", "PDF 中找不到主送机关", 0
        return
    end = next((k for k in range(start, len(lines)) if lines[k].ink.endswith(("：", ":"))), start)
    metrics["recipients_x0_mm"] = round(lines[start].x0 / MM, 2)
    for ln in lines[start : end + 1]:
        if abs(ln.x0 - LEFT) > 0.6:
            yield "fail", f"主送机关应顶格，“{ln.ink[:10]}”起于 {ln.x0 / MM:.1f} mm", ln.page
    if not lines[end].ink.endswith(("：", ":")):
        yield "warn", "主送机关应以全角冒号结束", lines[end].page


THICK, THIN = 0.35 * MM, 0.25 * MM  # 版记 rules (§7.4.1)


@rule("imprint", "版记位于末页下端、与版心等宽：末条线与版心下边缘重合，首末条粗线 0.35 mm、中间细线 0.25 mm，"
      "文字 4 号（GB/T 9704 §7.4）")
def _imprint(m: Measured, metrics: dict) -> Iterator[tuple[str, str, int]]:
    if not m.imprint:
        return
    page = m.pages[-1]
    lines = [ln for ln in page.block if abs(ln.size - FOLIO_PT) < 0.3]
    if not lines:
        yield "fail", "版记（抄送、印发）不在末页", page.number
        return
    top = min(ln.baseline for ln in lines) - PITCH
    rules = sorted({r for r in page.hrules if r.top >= top - 2}, key=lambda r: r.top)  # each side is drawn once
    if len(rules) < 2:
        yield "fail", "版记缺少首末两条分隔线", page.number
        return
    last = rules[-1]
    metrics.update(imprint_bottom_mm=round(last.bottom / MM, 2), imprint_rules=len(rules))
    if abs(last.bottom - BOTTOM) > 1 * MM:
        yield "fail", f"版记末条线应与版心下边缘重合，实在 {last.bottom / MM:.1f} mm（应为 262 mm）", page.number
    for k, r in enumerate(rules):
        width = THICK if k in (0, len(rules) - 1) else THIN
        if abs((r.bottom - r.top) - width) > 0.06 * MM:
            drawn = f"{(r.bottom - r.top) / MM:.2f}"
            yield "warn", f"版记第 {k + 1} 条线粗 {drawn} mm（应为 {width / MM:.2f} mm）", page.number
        if abs(r.x0 - LEFT) > MM or abs(r.x1 - RIGHT) > MM:
            yield "fail", f"版记第 {k + 1} 条线应与版心等宽", page.number


@rule("attachment-pages", "附件另面编排：“附件N”顶格、黑体，在版心第一行；附件标题居中，在第三行（GB/T 9704 §7.3.7）")
def _attachment_pages(m: Measured, metrics: dict) -> Iterator[tuple[str, str, int]]:
    found = 0
    for page in m.pages:
        first = page.block[0] if page.block else None
        if first is None or not any(first.ink.startswith(start) for start in m.page_starts):
            continue
        found += 1
        if first.baseline - TOP > PITCH:
            yield "fail", f"附件“{first.ink[:8]}”不在版心第一行", page.number
        if first.ink.startswith("附件") and abs(first.x0 - LEFT) > 0.6:
            yield "fail", f"“{first.ink[:8]}”应顶格", page.number
        labelled = first.ink.startswith("附件")
        if labelled and "heading-1" in m.chosen and not m.is_role_font(first.glyphs[0].font, "heading-1"):
            yield "warn", f"“{first.ink[:8]}”应为黑体", page.number
        title = next((ln for ln in page.block if abs(ln.size - TITLE_PT) < 0.3), None)
        if labelled and title is not None:
            rows = (_row_top(title) - _row_top(first)) / PITCH
            if abs(rows - 2) > 0.05:
                yield "warn", f"附件标题应在第三行，与“{first.ink[:4]}”相距 {rows:.1f} 行", page.number
            if abs((title.x0 + title.x1) / 2 - (LEFT + RIGHT) / 2) > MM:
                yield "warn", "附件标题应居中", page.number
    metrics["attachment_pages"] = found


@rule("fonts-embedded", "所有字体均已嵌入")
def _fonts_embedded(m: Measured, metrics: dict) -> Iterator[tuple[str, str, int]]:
    metrics["fonts"] = sorted(m.fonts)
    for name, info in sorted(m.fonts.items()):
        if not info["embedded"]:
            yield "fail", f"字体 {name} 未嵌入", 0


@rule("font-roles", "各角色字体的设计：正文仿宋、一级标题黑体、二级标题楷体、页码宋体，标题小标宋（无则以粗宋体替代）")
def _font_roles(m: Measured, metrics: dict) -> Iterator[tuple[str, str, int]]:
    return fontroles.role_designs(m, metrics)


@rule("glyphs", "没有缺字（.notdef）或 U+FFFD；列出不在角色字体中、由后备字体显示的字符（GB2312 以内的提示）")
def _glyphs(m: Measured, metrics: dict) -> Iterator[tuple[str, str, int]]:
    missing: Counter[str] = Counter()
    fallback: Counter[str] = Counter()
    for ln in m.lines:
        for g in ln.glyphs:
            if g.notdef or g.text == "\ufffd":
                missing[g.text] += 1
            elif m.chosen and g.text.strip() and fontroles.is_fallback(m, g.font):
                fallback[g.text] += 1
    metrics.update(missing_glyphs=[_name(ch) for ch in missing], fallback_glyphs=[_name(ch) for ch in fallback])
    for ch, count in missing.items():
        yield "fail", f"缺字：{_name(ch)} 在所有字体中都没有字形（{count} 处），请安装含该字的字体或改用通用字", 0
    if common := [ch for ch in fallback if fontroles.in_gb2312(ch)]:
        yield "warn", "以下字符不在角色字体中，由后备字体显示：" + "、".join(_name(ch) for ch in common), 0


def _name(ch: str) -> str:
    return f"{ch} U+{ord(ch):04X} {unicodedata.name(ch, '?')}" if len(ch) == 1 else repr(ch)


@rule("line-breaks", "行首无点号和后引号、行末无前引号（GB/T 15834 禁则）")
def _line_breaks(m: Measured, metrics: dict) -> Iterator[tuple[str, str, int]]:
    for ln in m.lines:
        ink = ln.ink
        if ink and (ink[0] in _NO_LINE_START and ink[:2] not in ("——", "……")):
            yield "warn", f"行首出现标点：“{ink[:10]}”", ln.page
        if ink and ink[-1] in OPENING:
            yield "warn", f"行末出现前引号：“{ink[-10:]}”", ln.page


@rule("attachments", "PDF/A-3 附有规范化源文本 document.md 和元数据 metadata.xml")
def _attachments(m: Measured, metrics: dict) -> Iterator[tuple[str, str, int]]:
    metrics["attachments"] = m.attachments
    for name in ("document.md", "metadata.xml"):
        if name not in m.attachments:
            yield "fail", f"PDF 中缺少附件 {name}", 0


# --- Running the rules ----------------------------------------------------------------------------


@dataclass
class Report:
    file: str
    pages: int
    findings: list[Finding]
    metrics: dict

    @property
    def ok(self) -> bool:
        return not any(f.severity == "fail" for f in self.findings)

    def as_dict(self) -> dict:
        return {"file": self.file, "ok": self.ok, "pages": self.pages, "metrics": self.metrics,
                "findings": [asdict(f) for f in self.findings]}  # fmt: skip


def check_pdf(pdf: bytes, source: bytes | None = None, stylesheet: Path | None = None, name: str = "") -> Report:
    """Measure one PDF. ``source``, the XHTML it was rendered from, adds the text round trip."""
    families = fontroles.resolved(stylesheet or STYLESHEET)
    measured = read_pdf(pdf, fontroles.chosen(families))
    measured.families = families
    body = None if source is None else _source_body(source)
    if body is not None:
        measured.headings = _source_headings(body)
        measured.flush_starts = _flush_starts(body)
        measured.page_starts = _page_starts(body)
        measured.recipients = next((re.sub(r"\s", "", "".join(p.itertext()))[:HEADING_KEY]
                                    for p in body.iter(f"{{{XHTML_NS}}}p") if p.get("class") == "recipients"), "")
        measured.imprint = any(f.get("class") == "imprint" for f in body.iter(f"{{{XHTML_NS}}}footer"))
        measured.landscape = any(table_columns(t) >= LANDSCAPE_COLUMNS for t in body.iter(f"{{{XHTML_NS}}}table"))
    metrics: dict = {}
    findings = [finding for r in RULES.values() for finding in r.fn(measured, metrics)]
    if body is not None:
        findings += round_trip(body, measured, metrics)
    return Report(name, len(measured.pages), findings, metrics)


def round_trip(body: etree._Element, measured: Measured, metrics: dict) -> list[Finding]:
    """Every Han character and digit of the XHTML body is in the PDF (as many times), and the
    text outside tables comes in the same order. Table cells are drawn in geometric order, which
    differs from the source's where cells span rows or a row crosses a page, so tables are held
    to the count only. Added digits (page numbers) are allowed. The body's tables are taken out."""
    everything, outside_tables = _source_text(body)
    wanted = Counter(significant(everything))
    present = Counter(significant("".join(page.stream_text for page in measured.pages)))
    lost = wanted - present
    flow = significant("".join(page.flow_text for page in measured.pages))
    expected = significant(outside_tables)
    pos = reordered = 0
    first = ""
    for i, ch in enumerate(expected):
        if flow.startswith(ch, pos):
            pos += 1
            continue
        # Not next: either this character is missing here (what follows it is next), or the PDF
        # has something extra first (a list number), or it is lost or moved.
        found = -1 if flow.startswith(expected[i + 1 : i + 6] or "\0", pos) else flow.find(ch, pos, pos + 200)
        if found < 0:
            reordered += 1
            first = first or expected[max(0, i - 8) : i + 8]
            continue
        pos = found + 1
    metrics.update(source_significant=sum(wanted.values()), lost=sum(lost.values()), reordered=reordered)
    findings = []
    if lost:
        chars = "、".join(_name(ch) for ch in sorted(lost)[:10])
        findings.append(Finding("text-round-trip", "fail", f"PDF 中缺少 {sum(lost.values())} 个汉字或数字：{chars}"))
    if reordered:
        message = f"PDF 中 {reordered} 个汉字或数字顺序与原文不符，首处在“{first}”附近"
        findings.append(Finding("text-round-trip", "fail", message))
    return findings


def _source_body(xhtml: bytes) -> etree._Element:
    """The XHTML's body, parsed once for the heading fonts and the round trip (empty if none)."""
    body = etree.fromstring(xhtml).find(f"{{{XHTML_NS}}}body")
    return etree.Element(f"{{{XHTML_NS}}}body") if body is None else body


def _source_text(body: etree._Element) -> tuple[str, str]:
    """The body text, and the same without tables (whose captions are set small)."""
    everything = "".join(body.itertext())
    etree.strip_elements(body, f"{{{XHTML_NS}}}table", with_tail=False)
    return everything, "".join(body.itertext())


HEADING_KEY = 6  # characters that identify a heading's first line: its number and a few more


def _heading_level(headings: dict[str, list[tuple[str, int]]], ink: str) -> int | None:
    """The level of the source heading this line is the first line of (or starts with, for a
    run-in heading), else None: the whole text decides, not only its first characters."""
    for text, level in headings.get(ink[:HEADING_KEY], ()):
        # the whole heading; the first line of a wrapped one (a full line); or a run-in's line
        if ink == text or (len(ink) >= CHARS - 4 and text.startswith(ink)) or ink.startswith(text):
            return level
    return None


def _source_headings(body: etree._Element) -> dict[str, list[tuple[str, int]]]:
    """Headings by their first characters, with their level: the level of their section (an
    unnumbered part heading is the first level, the 一、 sections inside it the second), or of a
    run-in heading's number. An attachment's title is a title, not a heading."""
    found = {}
    for el in body.iter(f"{{{XHTML_NS}}}h2", f"{{{XHTML_NS}}}h3", f"{{{XHTML_NS}}}span"):
        if el.tag.endswith("span"):
            if el.get("class") != "run-in":
                continue
            level = int(el.get("data-level", "0"))
        elif el.get("class") == "attachment-title":
            continue
        else:
            level = int(el.tag[-1]) - 1
        text = re.sub(r"\s", "", "".join(el.itertext()))
        found.setdefault(text[:HEADING_KEY], []).append((text, level))
    return found


def _page_starts(body: etree._Element) -> set[str]:
    """The first line of each attachment part: its label (``附件1``) or, unlabelled, its title."""
    parts = [s for s in body.iter(f"{{{XHTML_NS}}}section") if s.get("class") == "attachment"]
    return {re.sub(r"\s", "", "".join(part[0][0].itertext()))[:HEADING_KEY] for part in parts if len(part[0])}


_FLUSH_CLASSES = ("recipients", "salutation", "attachment-label", "toc-title")


def _flush_starts(body: etree._Element) -> set[str]:
    found = [*body.iter(f"{{{XHTML_NS}}}li"),
             *(p for p in body.iter(f"{{{XHTML_NS}}}p") if p.get("class") in _FLUSH_CLASSES)]  # fmt: skip
    keys = {re.sub(r"\s", "", "".join(el.itertext()))[:HEADING_KEY] for el in found}
    return keys - {""}


def _is_flow(glyph: Glyph) -> bool:
    """Text set in the flow: body and title sizes, and the 版记's 4号 inside the 版心 (the page
    numbers, also 4号, stand below it)."""
    sizes = (BODY_PT, TITLE_PT, FOLIO_PT, MARK_PT)
    return any(abs(glyph.size - size) < 0.3 for size in sizes) and glyph.baseline <= BOTTOM + 5


def check_document(doc: Document) -> Document:
    """The stage: measure the document's PDF; a hard failure fails the document."""
    report = check_pdf(doc.pdf, doc.xhtml, name=f"{doc.doc_id}.pdf")
    if not report.ok:
        fails = "；".join(f.message for f in report.findings if f.severity == "fail")
        raise DocumentError(doc.source_path, f"生成的 PDF 未通过版式检查：{fails[:300]}",
                            "查看 pipeline check 的报告；缺字时请安装含该字的字体", code="pdf-check")  # fmt: skip
    return replace(doc, check=report.as_dict())


def summary(report: Report) -> str:
    fails = [f for f in report.findings if f.severity == "fail"]
    warns = [f for f in report.findings if f.severity == "warn"]
    state = "合格" if report.ok else "不合格"
    return f"{report.file}：{state}（{report.pages} 页，{len(fails)} 项不合格，{len(warns)} 项提示）"
