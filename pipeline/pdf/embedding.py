"""Compact font embedding: the glyphs a PDF uses, nothing else, with the same outlines.

WeasyPrint subsets fonts keeping every glyph id up to the highest one used (empty glyphs in
between), so that the ids Pango chose can be written to the page unchanged. For the CJK
fonts our roles use (Noto Serif/Sans CJK: CID-keyed CFF, 65,535 glyphs, Chinese characters
far up the id range) that keeps tens of thousands of empty glyphs and their metrics: the
seed's PDF carried 404 KB of font programs for 530 glyphs.

A CID-keyed CFF font does not need the ids kept. Its charset maps each glyph to a CID, and a
PDF viewer finds the glyph for a code through that charset when the font is embedded as a
bare CFF program (``FontFile3``, ``/CIDFontType0C``, as Typst and Acrobat do). Noto's CIDs
equal its glyph ids, so the codes WeasyPrint writes stay valid while the font program holds
only the glyphs used. The outlines are the same bytes WeasyPrint would embed (desubroutinized,
hinting as WeasyPrint's ``hinting`` option says); pages render pixel-identical.

The subset is verified before it is used: the font must be CID-keyed and every glyph id
asked for must come back as a CID of the subset, which a font whose CIDs differ from its
glyph ids fails. Any other font (TrueType, name-keyed CFF, a font
whose CIDs differ from its ids) goes through WeasyPrint's own subsetting unchanged.

WeasyPrint also copies each font's whole file out of HarfBuzz when it meets the font in a
render (the Noto CJK collections are 18 to 26 MB each: about 15 ms and that much memory per
font per document), though only its subset is ever embedded. The copy is made lazily here: a
font whose program nobody reads (the compact CFF path reads the face, not the bytes) is never
copied.

Like ``lines`` and ``grid``, this hooks WeasyPrint internals (``pdf.fonts``); weasyprint is pinned.
"""

from __future__ import annotations

import io
import logging

from fontTools.cffLib import CFFFontSet
from fontTools.ttLib import TTFont
from weasyprint import pdf as wp_pdf
from weasyprint.pdf import fonts as wp_fonts
from weasyprint.text.ffi import ffi, harfbuzz, harfbuzz_subset
from weasyprint.text.fonts import get_hb_object_data

log = logging.getLogger(__name__)

# The tables WeasyPrint drops when subsetting; dropping GSUB also keeps the subset to the
# glyphs drawn (no closure over vertical or localized forms). HarfBuzz still adds the few
# glyphs that cmap variation sequences give for the characters used (、。，：； in Noto).
_DROP_TABLES = (b"BASE", b"DSIG", b"EBDT", b"EBLC", b"EBSC", b"GPOS", b"GSUB", b"JSTF", b"LTSH", b"PCLT", b"SVG ")

_wp_subset = wp_fonts.Font._harfbuzz_subset
_wp_build_fonts = wp_pdf.build_fonts_dictionary


class _FaceBytes:
    """A HarfBuzz face's file, to be copied out only when read (see the module's docstring)."""

    def __init__(self, face) -> None:
        self.face = face  # keeps the (garbage-collected) face alive until then

    def __bool__(self) -> bool:
        blob = harfbuzz.hb_face_reference_blob(self.face)
        try:
            return harfbuzz.hb_blob_get_length(blob) > 0
        finally:
            harfbuzz.hb_blob_destroy(blob)

    def read(self) -> bytes:
        return get_hb_object_data(self.face)


def face_data(hb_object, ot_color=None, glyph=None):
    """WeasyPrint's ``get_hb_object_data`` in ``pdf.fonts``, lazy for a whole face."""
    return _FaceBytes(hb_object) if ot_color is None else get_hb_object_data(hb_object, ot_color, glyph)


def _file_content(font: wp_fonts.Font) -> bytes:
    content = font.__dict__["_file_content"]
    if isinstance(content, _FaceBytes):
        content = font.__dict__["_file_content"] = content.read()
    return content


def _set_file_content(font: wp_fonts.Font, content: bytes | _FaceBytes) -> None:
    font.__dict__["_file_content"] = content


FILE_CONTENT = property(_file_content, _set_file_content)  # a face's bytes copied out only when read


def font_type(font: wp_fonts.Font) -> str:
    # "otf" selects FontFile3 and CIDFontType0 in WeasyPrint's font dictionaries.
    return "otf" if getattr(font, "bare_cff", False) or font.file_content[:4] == b"OTTO" else "ttf"


def subset(font: wp_fonts.Font, to_unicode: dict[int, str], hinting: bool) -> None:
    if "CFF " in font.tables:
        cff = _cff_subset(font, sorted({0, *(g for g in to_unicode if g < font.glyph_count)}), hinting)
        if cff is not None:
            font.file_content, font.bare_cff = cff, True
            return
    _wp_subset(font, to_unicode, hinting)


def _cff_subset(font: wp_fonts.Font, glyphs: list[int], hinting: bool) -> bytes | None:
    """The font's CFF table holding ``glyphs`` under their own CIDs, or None if it cannot."""
    subset_input = ffi.gc(harfbuzz_subset.hb_subset_input_create_or_fail(), harfbuzz_subset.hb_subset_input_destroy)
    glyph_set = harfbuzz_subset.hb_subset_input_glyph_set(subset_input)
    harfbuzz.hb_set_add_sorted_array(glyph_set, ffi.new("hb_codepoint_t[]", glyphs), len(glyphs))
    drop_set = harfbuzz_subset.hb_subset_input_set(subset_input, harfbuzz_subset.HB_SUBSET_SETS_DROP_TABLE_TAG)
    tags = [harfbuzz.hb_tag_from_string(tag, -1) for tag in _DROP_TABLES]
    harfbuzz.hb_set_add_sorted_array(drop_set, ffi.new("hb_codepoint_t[]", sorted(tags)), len(tags))
    flags = harfbuzz_subset.HB_SUBSET_FLAGS_DESUBROUTINIZE
    if not hinting:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NO_HINTING
    if font.missing:
        flags |= harfbuzz_subset.HB_SUBSET_FLAGS_NOTDEF_OUTLINE
    harfbuzz_subset.hb_subset_input_set_flags(subset_input, flags)
    face = harfbuzz_subset.hb_subset_or_fail(font.hb_face, subset_input)
    if face == ffi.NULL:
        return None
    face = ffi.gc(face, harfbuzz.hb_face_destroy)
    blob = harfbuzz.hb_face_reference_table(face, harfbuzz.hb_tag_from_string(b"CFF ", -1))
    try:
        length = ffi.new("unsigned int *")
        data = bytes(ffi.buffer(harfbuzz.hb_blob_get_data(blob, length), length[0]))
    finally:
        harfbuzz.hb_blob_destroy(blob)
    if not data:
        return None
    if not _keeps_cids(data, glyphs, font.family, quiet=True):
        data = _rekeyed(data, font)
    return data if data and _keeps_cids(data, glyphs, font.family) else None


def _rekeyed(data: bytes, font: wp_fonts.Font) -> bytes | None:
    """The subset with each glyph's CID replaced by its glyph id in the whole font, so that the
    codes WeasyPrint writes (glyph ids) find it; the registry becomes Adobe-Identity-0, as the
    CIDs no longer mean the font's own. For fonts whose CIDs follow a character collection (the
    Fandol fonts: Adobe-GB1, a glyph's CID differs from its id past the first 8,896); None when
    the font or the subset cannot be read."""
    try:
        gid_of = {cid: gid for gid, cid in enumerate(_cids(_table(font, b"CFF ")))}
        cff = CFFFontSet()
        cff.decompile(io.BytesIO(data), None)
        top = cff[cff.fontNames[0]]
        gids = [gid_of[cid] for cid in _cids(top)]
        names = [".notdef" if gid == 0 else f"cid{gid:05d}" for gid in gids]
        top.CharStrings.charStrings = {name: index for index, name in enumerate(names)}
        top.charset = names
        top.ROS = ("Adobe", "Identity", 0)
        top.CIDCount = max(gids) + 1
        out = io.BytesIO()
        cff.compile(out, TTFont(recalcBBoxes=False))  # the font's bounding box is kept
    except Exception as exc:  # any parse problem: fall back to WeasyPrint's subset
        log.info("compact embedding not used for %s: %s", font.family, exc)
        return None
    return out.getvalue()


def _table(font: wp_fonts.Font, tag: bytes) -> CFFFontSet:
    blob = harfbuzz.hb_face_reference_table(font.hb_face, harfbuzz.hb_tag_from_string(tag, -1))
    try:
        length = ffi.new("unsigned int *")
        data = bytes(ffi.buffer(harfbuzz.hb_blob_get_data(blob, length), length[0]))
    finally:
        harfbuzz.hb_blob_destroy(blob)
    cff = CFFFontSet()
    cff.decompile(io.BytesIO(data), None)
    return cff[cff.fontNames[0]]


def _cids(top) -> list[int]:
    """The CID of each glyph of a CID-keyed CFF font (its charset), by glyph id."""
    if not hasattr(top, "ROS"):
        raise ValueError("not CID-keyed")
    return [0 if name == ".notdef" else int(name.removeprefix("cid")) for name in top.charset]


def _keeps_cids(data: bytes, glyphs: list[int], family: str, quiet: bool = False) -> bool:
    """Whether the subset is CID-keyed and holds every glyph asked for under its own id as CID."""
    try:
        cff = CFFFontSet()
        cff.decompile(io.BytesIO(data), None)
        cids = set(_cids(cff[cff.fontNames[0]]))
    except Exception as exc:  # any parse problem: fall back to WeasyPrint's subset
        if not quiet:
            log.info("compact embedding not used for %s: %s", family, exc)
        return False
    return cids.issuperset(glyphs)


def build_fonts(pdf, fonts, *args, **kwargs):
    """WeasyPrint's font dictionaries, with bare CFF programs marked as such."""
    dictionary = _wp_build_fonts(pdf, fonts, *args, **kwargs)
    for obj in pdf.objects:
        extra = getattr(obj, "extra", None)
        if isinstance(extra, dict) and extra.get("Subtype") == "/OpenType" and obj.stream[0][:4] != b"OTTO":
            extra["Subtype"] = "/CIDFontType0C"
    return dictionary
