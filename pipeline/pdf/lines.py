"""Lines of Chinese text as GB/T 9704 sets them, in WeasyPrint's line breaking: full lines of 28
characters (hanging punctuation, 标点挤压 with the font's ``halt``, addresses broken after ``.``
``/`` ``@``), a line box of the style's own font, and justification spread over every character.
Bound into WeasyPrint only inside a render (``pipeline.pdf.weasyprint_hooks``)."""

from __future__ import annotations

import math
import re
from collections.abc import Iterator

from weasyprint.formatting_structure import boxes
from weasyprint.layout import inline, preferred
from weasyprint.text import line_break
from weasyprint.text.ffi import ffi, pango
from weasyprint.text.line_break import Layout, create_layout, first_line_metrics, line_size

from pipeline.core.chars import CJK_RE, CLOSING, HANGING, OPENING

PT = 4 / 3  # WeasyPrint lays out in CSS px


# How much a line may run over the measure and still count as fitting (CSS px, 0.3 pt), as TeX's
# \hfuzz: a line of 28 positions sums rounding and letter-spacing shares (a 2-em dash ligature
# takes one share for two characters; a bold run-in is a box of its own) to a hair over the
# measure, and Pango would push its last character down. ``justify_line`` takes the hair back.
FUZZ = 0.4


_wp_justify_line = inline.justify_line


_wp_set_text = line_break.Layout.set_text


_wp_split_first_line = inline.split_first_line


_wp_measure_split = preferred.split_first_line


def split_on_strut(text, style, context, max_width, justification_spacing, is_line_start=True, minimum=False):
    """``split_first_line`` with the height and baseline of the style's own font.

    Pango measures a line over every font it draws with, so a character taken from a fallback
    font with taller metrics (a name's rare hanzi, as 勠, drawn in Noto Serif CJK in a FandolFang
    paragraph: 1.44 em against 1.0) made its line box about 0.8 pt taller than the grid pitch,
    and the page lost its 22nd row. A line keeps its font's box; the fallback glyph is drawn on
    the same baseline."""
    result = split_first_line(text, style, context, max_width, justification_spacing, is_line_start, minimum)
    return (*result[:4], *_font_box(style))


def _font_box(style) -> tuple[float, float]:
    """Height and baseline of a line of the style's first available font (a space, as WeasyPrint's
    strut), once per font configuration and style."""
    boxes_ = style.font_config.__dict__.setdefault("_pipeline_font_boxes", {})
    key = (tuple(style["font_family"]), style["font_size"], style["font_weight"], style["font_style"],
           style["font_stretch"], style["font_variant_east_asian"], style["lang"])  # fmt: skip
    if key not in boxes_:
        layout = Layout(style)
        layout.set_text(" ")
        line, _ = layout.get_first_line()
        *_, height, baseline = first_line_metrics(line, "", layout, None, False, style)
        boxes_[key] = (height, baseline)
    return boxes_[key]


def measure_split(text, style, context, max_width, justification_spacing, is_line_start=True, minimum=False):
    """WeasyPrint's line split as its table sizing uses it, remembered for the render.

    To size table columns WeasyPrint measures every cell's text, unit by unit (one Pango
    layout per unit); statutory tables repeat the same cells (``0``, ``1``, the same labels in
    one style), so 44% of these measurements were repeats, 8% of a render's time. The sizing
    reads only the break index and the width, so only those are kept. The memory is the
    render's own layout context (the key holds the style's identity, and the entry keeps the
    style alive so that identity is not reused).
    """
    memo = context.__dict__.setdefault("_pipeline_measures", {})
    key = (text, id(style), max_width, justification_spacing, is_line_start, minimum)
    entry = memo.get(key)
    if entry is None:
        result = _wp_measure_split(text, style, context, max_width, justification_spacing, is_line_start, minimum)
        entry = memo[key] = (style, (None, None, result[2], result[3], None, None))
    return entry[1]


def split_first_line(text, style, context, max_width, justification_spacing, is_line_start=True, minimum=False):
    """WeasyPrint's line split, plus hanging punctuation, punctuation compression and push-in.

    When a line breaks early because what follows may not be split (a character with the
    closing mark after it, ``…的内|容。``; a number, ``…现公布|2011年``; an opening quote with
    its first character, ``…推进|“服务``; ``定》）``), Pango pushes that unit down and the line
    would be stretched. We retry one, then two em wider and, in this order:

    * hang (标点溢出边界): if exactly the character and its closing mark were added, the mark
      hangs past the edge and the line keeps its 28 characters;
    * compress (标点挤压, clreq/JIS X 4051 line adjustment by shrinking): set as many
      punctuation marks of the line half-width as the overflow needs, adjacent marks (``》）``)
      first, so the line holds 28 grid positions;
    * push in (推入): when the unit pushed down holds a number or a Latin word (which may not
      be split, GB/T 15835), and the wider line overflows by no more than the first one falls
      short and by at most 0.04 em per character, squeeze it into the measure rather than
      stretch the short line.

    The width reported back is at most the measure less a hair, so that WeasyPrint calls
    ``justify_line``, which then spreads what is left (or takes back what runs over: a push-in,
    or a line within ``FUZZ`` of the measure).
    """
    fuzzed = None if max_width is None else max_width + FUZZ
    result = _wp_split_first_line(text, style, context, fuzzed, justification_spacing, is_line_start, minimum)
    if max_width is not None and max_width < result[3] <= fuzzed:
        result = _report(result, result[3], max_width)
    if style["word_break"] == "break-all" and result[2] is not None:
        result = _url_break(result, text, style, context, max_width, justification_spacing, is_line_start, minimum)
    if max_width is None or result[2] is None or minimum or style["text_align_all"] != "justify":
        return result
    em = style["font_size"]
    if max_width - result[3] < 0.15 * em:
        return result  # the line is full: nothing could hang or be pulled in (saves a second split)
    for extra in (1, 2):
        # (a little over the ems, so that a unit of exactly that width is not lost to rounding)
        wider = _wp_split_first_line(text, style, context, max_width + (extra + 0.05) * em, justification_spacing,
                                     is_line_start)  # fmt: skip
        if wider[1] <= result[1]:
            continue  # nothing more fits
        line = (
            (extra == 1 and _hang(text, result, wider, style))
            or _compress(wider, style, max_width)
            or (extra == 1 and _push_in(text, result, wider, max_width, em))
        )
        if line:
            return line
    return result


def _hang(text, result, wider, style):
    """The line with the next character and its closing mark, the mark hanging; or None."""
    encoded = text.encode()
    rest = encoded[result[2] :].decode()
    taken = result[2] + len(rest[:2].encode())
    resumed = len(encoded) if wider[2] is None else wider[2]
    if (
        len(rest) >= 2 and rest[1] in HANGING and CJK_RE.match(rest[0]) and (rest[2:3] or "x") not in HANGING
        and wider[1] == taken and resumed in (taken, taken + len(ZWSP.encode()) * (rest[2:3] == ZWSP))
    ):  # fmt: skip
        spacing = style["letter_spacing"] if style["letter_spacing"] != "normal" else 0
        wider[0].hanging = True
        return (wider[0], wider[1], wider[2], wider[3] - (style["font_size"] + spacing), wider[4], wider[5])
    return None


def _push_in(text, result, wider, max_width, em):
    """The wider line squeezed into the measure when what it adds holds a number or a Latin
    word; or None."""
    squeeze, stretch = wider[3] - max_width, max_width - result[3]
    encoded = text.encode()
    added = encoded[result[2] : wider[1]].decode()
    line = encoded[: wider[1]].decode()
    if (
        wider[2] is not None  # the squeezed line must not be its text's last: only full lines are justified
        and 0 < squeeze <= stretch and squeeze <= 0.04 * em * (len(line) - 1) and re.search(r"[0-9A-Za-z]", added)
        and CJK_RE.search(line)  # squeezed between characters; a Latin line is justified between its words
    ):  # fmt: skip
        return _report(wider, wider[3], max_width)
    return None


def _report(wider, width: float, max_width: float):
    """``wider`` with the width given to WeasyPrint: under the measure, the excess kept for
    ``justify_line`` to take back."""
    reported = min(width, max_width - 0.01)
    wider[0].squeeze = width - reported
    return (wider[0], wider[1], wider[2], reported, wider[4], wider[5])


def _compress(wider, style, max_width: float):
    """The wider line with punctuation set half-width until it fits the measure; or None.

    Half-width is the font's own ``halt`` feature (Noto CJK, Source Han and most OpenType CJK
    fonts have it), so each mark keeps its ink and loses its blank half. A font without it
    changes nothing, which the measurement after shaping catches: the line is then left as it
    was. The line's first and last characters are never compressed: they set its edges."""
    layout = wider[0]
    line = layout.text
    em = style["font_size"]
    need = math.ceil((wider[3] - max_width) / (0.5 * em) - 0.02)  # half-ems, rounded up (less a hair)
    chosen = _compressible(line)[:need]
    if wider[2] is None or need <= 0 or len(chosen) < need:
        return None  # (a text's last piece may end before another inline box: Pango did not break it)
    layout.halved = sorted((len(line[:i].encode()), len(line[: i + 1].encode())) for i in chosen)
    layout.reactivate(style)
    width, _ = line_size(layout.get_first_line()[0], style)
    layout.deactivate()
    if width > max_width + 0.01:  # the font has no halt feature
        layout.halved = ()
        return None
    return _report(wider, width, max_width)


def _compressible(line: str) -> list[int]:
    """Indexes of the marks that may be set half-width, in the order to take them: a mark
    against another mark (``》）``, ``。”``, ``，“``) first, then closing marks, then opening
    marks, each from the line's end."""
    visible = [(i, ch) for i, ch in enumerate(line) if ch != ZWSP]
    pairs, closing, opening = [], [], []
    for k in range(1, len(visible) - 1):
        i, ch = visible[k]
        before, after = visible[k - 1][1], visible[k + 1][1]
        if ch in CLOSING:
            (pairs if after in CLOSING or after in OPENING else closing).append(i)
        elif ch in OPENING:
            (pairs if before in CLOSING or before in OPENING else opening).append(i)
    return [*reversed(pairs), *reversed(closing), *reversed(opening)]


def set_text(self, text: str, justify: bool = False) -> None:
    """WeasyPrint's ``Layout.set_text``, plus the half-width marks ``_compress`` chose; set again
    each time the layout is rebuilt (justification, drawing)."""
    _wp_set_text(self, text, justify)
    halved = getattr(self, "halved", ())
    if halved and text == self.text:
        attrs = pango.pango_layout_get_attributes(self.layout)
        if attrs == ffi.NULL:
            attrs = ffi.gc(pango.pango_attr_list_new(), pango.pango_attr_list_unref)
        for start, end in halved:
            attr = pango.pango_attr_font_features_new(b"halt")
            attr.start_index, attr.end_index = start, end
            pango.pango_attr_list_insert(attrs, attr)
        pango.pango_layout_set_attributes(self.layout, attrs)


_ADDRESS_MARKS = "./@-_?&="


def _url_break(result, text, style, context, max_width, justification_spacing, is_line_start, minimum):
    """Move a break inside an address (``word-break: break-all``, which breaks between any two
    characters) back to the last place where an address is broken in print: after ``.``, ``/``,
    ``@``, ``-``, ``_``, ``?``, ``&`` or ``=``, never inside a word or a number. Without such a place
    on this line the address is one unit again (moved whole to the next line), unless it starts
    the line, where breaking it anywhere is better than running past the edge, or has no such
    mark at all (a checksum: no word to keep whole, and moving it would leave a stretched line)."""
    head = text.encode()[: result[2]].decode()
    cut = max((i + 1 for i, ch in enumerate(head) if ch in _ADDRESS_MARKS and text[i : i + 2] != "//"), default=0)
    if cut == len(head):
        return result  # already after a mark
    if cut:
        fitted = _wp_split_first_line(head[:cut], style, context, None, justification_spacing, is_line_start, minimum)
        return (*fitted[:2], len(head[:cut].encode()), *fitted[3:])
    if is_line_start or not any(ch in _ADDRESS_MARKS for ch in text):
        return result
    whole = style.copy()
    whole["word_break"] = "normal"
    return _wp_split_first_line(text, whole, context, max_width, justification_spacing, is_line_start, minimum)


def justify_line(context, line, extra_width: float) -> None:
    texts = list(_text_boxes(line))
    joined = "".join(box.text for box in texts)  # a ZWSP takes letter-spacing like any character
    if not CJK_RE.search(joined):
        # between words, as WeasyPrint does, less what the line runs over the measure (``FUZZ``)
        squeeze = sum(getattr(box.pango_layout, "squeeze", 0.0) for box in texts)
        _wp_justify_line(context, line, extra_width - squeeze)
        return
    # Pango adds letter-spacing after every character; the last one's trailing share falls
    # beyond the line end, so n - 1 gaps take the slack and the last glyph ends flush. With a
    # hanging mark, the character before it is the one that must end flush: n - 2 gaps.
    last = texts[-1].pango_layout
    # A break opportunity after a closing quote leaves its zero-width space at the line end:
    # the quote, not the space, must end flush.
    trailing = len(joined) - len(joined.rstrip(ZWSP))
    gaps = len(joined) - trailing - (2 if getattr(last, "hanging", False) else 1)
    if gaps > 0:
        _spread(context, line, (extra_width - getattr(last, "squeeze", 0.0)) / gaps, 0)


def _text_boxes(box) -> Iterator[boxes.TextBox]:
    if isinstance(box, boxes.TextBox):
        yield box
    elif isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        for child in box.children:
            if child.is_in_normal_flow():
                yield from _text_boxes(child)


def _spread(context, box, spacing: float, x_advance: float) -> float:
    """Add ``spacing`` after every character, shifting what follows (after ``add_word_spacing``)."""
    if isinstance(box, boxes.TextBox):
        box.position_x += x_advance
        style = box.style.copy()
        current = style["letter_spacing"]
        style["letter_spacing"] = (0 if current == "normal" else current) + spacing
        box.style = style
        layout = create_layout(box.text, style, context, max_width=None,
                               justification_spacing=box.justification_spacing)  # fmt: skip
        layout.halved = getattr(box.pango_layout, "halved", ())  # applied when drawing rebuilds it
        layout.deactivate()
        box.pango_layout = layout
        added = len(box.text) * spacing
        box.width += added
        return x_advance + added
    if isinstance(box, (boxes.LineBox, boxes.InlineBox)):
        box.position_x += x_advance
        before = x_advance
        for child in box.children:
            if child.is_in_normal_flow():
                x_advance = _spread(context, child, spacing, x_advance)
        box.width += x_advance - before
        return x_advance
    box.translate(x_advance, 0)  # an atomic inline (image, inline-block)
    return x_advance


ZWSP = "\u200b"
