"""Chinese typesetting that CSS cannot express in WeasyPrint, applied while rendering the PDF.

The XHTML stays as published; these adjustments exist only in the official PDF:

* Justification. WeasyPrint justifies by widening spaces only, and Chinese text has none, so
  full lines end ragged up to two characters short of the 版心 (a line-start ban pushes a 。
  down, a number cannot break). GB/T 9704 §5.2.3 wants lines that 撑满版心. We replace
  WeasyPrint's ``justify_line`` for lines holding Chinese with one that spreads the slack
  evenly as letter-spacing over every character, as Word and WPS do. Lines without Chinese
  keep WeasyPrint's own behaviour. The text layer is untouched (no inserted spaces).
* Line adjustment. A line that breaks early because what follows may not be split takes that
  unit in when a closing mark can hang past the edge or when enough punctuation marks in it
  can be set half-width (标点挤压, the font's ``halt`` feature), so it keeps 28 positions;
  see ``split_first_line``. Web and e-mail addresses break after ``.``, ``/`` or ``@``.
* The line grid. Body lines sit on a 22-row grid; table rows take whole grid rows, and a page
  that ends with a table gives the grid rows left below it to the table's tallest rows.
* The title (§7.3.1) is broken into balanced lines at natural boundaries (after the issuing
  organ, before the year, at the space between joint organs), never leaving an orphan such
  as ``度报告`` on the last line.
* 署名 and 成文日期 without a seal (§7.3.5.2) are placed after layout, from the measured
  widths: the 署名 ends two characters from the right edge and the date starts two
  characters right of the 署名's start; when the date is the wider line, the date ends two
  characters from the right instead and the 署名 starts two characters left of it.

The hooks rely on WeasyPrint internals (``layout.inline`` line splitting and justification,
``layout.block.block_level_layout`` and ``block_container_layout``,
``text.line_break.Layout.set_text``, box attributes); weasyprint is pinned, and the conformance
check measures the result on every document, so a change in WeasyPrint shows up as a failed
check rather than silently.
"""

from __future__ import annotations

import itertools
import math
import re
from collections.abc import Iterator
from copy import deepcopy
from functools import lru_cache

from lxml import etree
from weasyprint.document import gather_anchors
from weasyprint.formatting_structure import boxes
from weasyprint.layout import block, inline, preferred
from weasyprint.text import line_break
from weasyprint.text.ffi import ffi, pango
from weasyprint.text.line_break import Layout, create_layout, first_line_metrics, line_size, strut

from pipeline.core.chars import CJK, CJK_RE, CLOSING, HAN, HANGING, OPENING
from pipeline.core.gbt9704 import CHAR, LANDSCAPE_COLUMNS, MAX_TABLE_COLUMNS, WIDE_TABLE_COLUMNS, table_columns

PT = 4 / 3  # WeasyPrint lays out in CSS px
TITLE_MAX_EM = 20  # 442.2 pt / 22 pt

# How much a line may run over the measure and still count as fitting (CSS px, 0.3 pt), as TeX's
# \hfuzz: a line of 28 positions sums rounding and letter-spacing shares (a 2-em dash ligature
# takes one share for two characters; a bold run-in is a box of its own) to a hair over the
# measure, and Pango would push its last character down. ``justify_line`` takes the hair back.
FUZZ = 0.4
# How far above a grid line (in grid rows, 0.29 pt) a table's edge may end and count as on it: the
# collapsed border's half width.
GRID_FUZZ = 0.01

_wp_justify_line = inline.justify_line
_wp_set_text = line_break.Layout.set_text
_wp_block_level_layout = block.block_level_layout
_wp_block_container_layout = block.block_container_layout
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
    characters = len(encoded[: wider[1]].decode())
    if (
        wider[2] is not None  # the squeezed line must not be its text's last: only full lines are justified
        and 0 < squeeze <= stretch and squeeze <= 0.04 * em * (characters - 1) and re.search(r"[0-9A-Za-z]", added)
    ):  # fmt: skip
        return _report(wider, wider[3], max_width)
    return None


def _report(wider, width: float, max_width: float):
    """``wider`` with the width given to WeasyPrint: under the measure, the excess kept for
    ``justify_line`` to take back."""
    reported = min(width, max_width - 0.01)
    wider[0].squeeze = width - reported
    return (wider[0], wider[1], wider[2], reported, wider[4], wider[5])


# Marks whose glyph fills half its square, the other half blank (GB/T 15834 full-width marks as
# Chinese fonts draw them): closing marks ink on the left, opening marks on the right.


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


def _url_break(result, text, style, context, max_width, justification_spacing, is_line_start, minimum):
    """Move a break inside an address (``word-break: break-all``, which breaks between any two
    characters) back to the last place where an address is broken in print: after ``.``, ``/``,
    ``@``, ``-``, ``_``, ``?``, ``&`` or ``=``, never inside a word or a number. Without such a place
    on this line the address is one unit again (moved whole to the next line), unless it starts
    the line, where breaking it anywhere is better than running past the edge."""
    head = text.encode()[: result[2]].decode()
    cut = max((i + 1 for i, ch in enumerate(head) if ch in "./@-_?&=" and text[i : i + 2] != "//"), default=0)
    if cut == len(head):
        return result  # already after a mark
    if cut:
        fitted = _wp_split_first_line(head[:cut], style, context, None, justification_spacing, is_line_start, minimum)
        return (*fitted[:2], len(head[:cut].encode()), *fitted[3:])
    if is_line_start:
        return result
    whole = style.copy()
    whole["word_break"] = "normal"
    return _wp_split_first_line(text, whole, context, max_width, justification_spacing, is_line_start, minimum)


def block_level_layout(context, box, bottom_space, skip_stack, containing_block, *args, **kwargs):
    """WeasyPrint's block layout, plus the line grid kept through tables.

    Body lines sit on a grid of 22 rows (the root's line height from the page's content top),
    so that lines of the two sides of a sheet print back to back (GB/T 9704 §5.2.3). Table rows
    take whole grid rows (``block_container_layout``), so a table ends on a grid line and the
    text after it is on the grid; its bottom margin is still taken to the next grid line in
    case a row is not (a cell split over pages)."""
    if containing_block.is_for_root_element:
        context.__dict__["_pipeline_grid"] = (containing_block.content_box_y(), strut(containing_block.style)[0])
    result = _wp_block_level_layout(context, box, bottom_space, skip_stack, containing_block, *args, **kwargs)
    table, resume_at = result[0], result[1]
    top, pitch = context.__dict__.get("_pipeline_grid", (0, 0))
    if table is not None and table.is_table_wrapper and resume_at is None and pitch > 0:
        bottom = table.border_box_y() + table.border_height()
        table.margin_bottom = _grid_line(bottom + table.margin_bottom, top, pitch) - bottom
    return result


def block_container_layout(context, box, bottom_space, *args, **kwargs):
    """WeasyPrint's block container layout; a table cell is made tall enough to end on a grid
    line, its content centred, so that each table row takes a whole number of grid rows (as
    in Word's document grid). A cell split at the page's end, or one the next grid line would
    take past the page's bottom, is left as it is."""
    result = _wp_block_container_layout(context, box, bottom_space, *args, **kwargs)
    if not isinstance(box, boxes.TableCellBox):  # every block goes through here: leave at once
        return result
    cell, resume_at = result[0], result[1]
    top, pitch = context.__dict__.get("_pipeline_grid", (0, 0))
    if cell is None or resume_at is not None or pitch <= 0:
        return result
    bottom = cell.position_y + cell.border_height()
    line = _grid_line(bottom, top, pitch)
    if not context.overflows_page(bottom_space, line):
        cell.computed_height = cell.height + line - bottom
    return result


def _grid_line(y: float, top: float, pitch: float) -> float:
    """The first grid line at or below ``y`` (a hair above a line counts as on it)."""
    return top + math.ceil((y - top) / pitch - GRID_FUZZ) * pitch


def fill_table_pages(pages: list) -> int:
    """Fill the pages that end with a table: the grid rows left below its last row (the next row
    did not fit, rows are not split; or what follows the table may not be split or kept apart
    from its last rows, as the 署名) go to the table's tallest body rows, so every page but the
    last holds 22 rows. Run after layout, when the pages are final. Returns the pages filled."""
    filled = 0
    for page in pages[:-1]:
        page_box = page._page_box
        if page.width > page.height:
            continue  # a landscape page (a wide table, §8) has no line grid to fill
        root = next(child for child in page_box.children if not isinstance(child, boxes.MarginBox))
        table, table_end, text_end = _last_table(root)
        if table is None or text_end > table_end + 1:
            continue  # no table, or text below it: the page does not end with a table
        if _stretch_rows(table, page_box.content_box_y() + page_box.height, strut(root.style)[0]):
            page.anchors, page.links, page.bookmarks, page.forms = {}, [], [], {None: []}
            gather_anchors(page_box, page.anchors, page.links, page.bookmarks, page.forms)  # where links now are
            filled += 1
    return filled


def _last_table(root) -> tuple[boxes.TableBox | None, float, float]:
    """The table on the page whose last row ends lowest, where that row ends, and where the
    lowest line outside tables ends. Walks block boxes only: not into lines or tables."""
    last, last_end, text_end = None, 0.0, 0.0
    stack = [root]
    while stack:
        box = stack.pop()
        if box.is_table_wrapper:
            table = box.get_wrapped_table()  # None on a page that holds only the table's caption
            rows = _placed(table) if table is not None else []
            if rows and rows[-1][1].position_y + rows[-1][1].height > last_end:
                last, last_end = table, rows[-1][1].position_y + rows[-1][1].height
        elif isinstance(box, boxes.LineBox):
            text_end = max(text_end, box.position_y + box.height)
        else:
            stack.extend(getattr(box, "children", ()))
    return last, last_end, text_end


def _placed(table) -> list[tuple]:
    """The table's rows on this page, each with its row group."""
    return [(group, row) for group in table.children for row in group.children]


def _is_subhead(row) -> bool:
    """A row of names inside a table's body (an item of 表二 and its column names)."""
    element = getattr(row, "element", None)
    return element is not None and element.get("class") == "subhead"


def _stretch_rows(table, page_bottom: float, pitch: float) -> bool:
    """Give the grid rows left between the table's last row and the page's bottom to its
    tallest body rows, spread evenly over them; rows below move down, and each cell that spans
    a grown row grows with it, its content kept centred."""
    placed = _placed(table)
    last = placed[-1][1]
    lines = math.floor((page_bottom - last.position_y - last.height) / pitch + GRID_FUZZ)
    body = [i for i, (group, row) in enumerate(placed)
            if not (group.is_header or group.is_footer or _is_subhead(row))]  # fmt: skip
    if lines <= 0 or not body:
        return False
    tallest = max(placed[i][1].height for i in body)
    tier = [i for i in body if placed[i][1].height > tallest - 1]
    whole, rest = divmod(lines, len(tier))
    extra = [0] * len(placed)
    for i in tier:
        extra[i] = whole
    for turn in range(rest):  # spread evenly over the tallest rows
        extra[tier[int((turn + 0.5) * len(tier) / rest)]] += 1
    shift = 0.0
    for index, (group, row) in enumerate(placed):
        if row is group.children[0]:
            group.position_y += shift
        row.translate(dy=shift)
        grow = extra[index] * pitch
        if grow:
            row.height += grow
            group.height += grow
            for above, (_, upper) in enumerate(placed[: index + 1]):
                for cell in upper.children:
                    if above + cell.rowspan > index:
                        for child in cell.children:
                            child.translate(dy=grow / 2)
                        cell.padding_top += grow / 2
                        cell.padding_bottom += grow / 2
            shift += grow
    table.height += shift
    return True


def justify_line(context, line, extra_width: float) -> None:
    texts = list(_text_boxes(line))
    joined = "".join(box.text for box in texts)  # a ZWSP takes letter-spacing like any character
    if not CJK_RE.search(joined):
        _wp_justify_line(context, line, extra_width)
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


# --- Title ---------------------------------------------------------------------------------------

# Boundaries where a title line may end: after an issuing organ, before the year, around 关于.
_ORGAN_END = re.compile(r"(人民政府|委员会|管委会|管理委员会|办公室|办公厅|实验区|国务院|中共中央|科委|[局厅])$")
# Terms a title line must not split.
_TERMS = ("政府信息公开", "年度报告", "工作报告", "人民政府", "委员会", "管委会", "办公室", "办公厅", "新时代")
# Words that often close a phrase in a title: a fair place for a line to end.
_PHRASE_END = re.compile(r"(社会|工作|建设|发展|改革|体系|机制|管理|领域|战略|规划)$")


def _width(text: str) -> float:
    return sum(1.0 if CJK_RE.match(ch) else 0.55 for ch in text)


def _break_cost(before: str, after: str) -> float:
    """How bad it is to end a title line between ``before`` and ``after`` (0 = natural)."""
    if not before or not after:
        return 1000
    a, b = before[-1], after[0]
    if a in OPENING or b in HANGING or (a.isascii() and a.isalnum() and b.isascii() and b.isalnum()):
        return 1000  # never split a number or a word, never strand punctuation
    if a == " " or b == " ":
        return 0
    if any(_splits(before, after, term) for term in _TERMS):
        return 20
    if re.match(r"\d{4}年", after) or after.startswith("关于"):
        return 0
    if _ORGAN_END.search(before) and not after.startswith(("办公", "会", "委员会")):
        return 0
    if b == "《" or a == "》" or _PHRASE_END.search(before):
        return 3
    if before.endswith("关于"):
        return 6
    if before.count("《") > before.count("》"):
        return 12  # inside a quoted document name
    return 10


def _splits(before: str, after: str, term: str) -> bool:
    """Whether breaking between ``before`` and ``after`` cuts ``term`` in two."""
    return any(before.endswith(term[:k]) and after.startswith(term[k:]) for k in range(1, len(term)))


@lru_cache(maxsize=256)
def balance_title(title: str, max_em: float = TITLE_MAX_EM) -> tuple[str, ...]:
    """Split a title into centred lines that each fit, break at natural boundaries and form a
    正梯形 (each line no longer than the next) or near-equal lines; one line if it fits."""
    title = title.strip()
    if _width(title) <= max_em or len(title) > 120:
        return (title,)
    lines_needed = int(-(-_width(title) // max_em))
    best: tuple[float, tuple[str, ...]] = (float("inf"), (title,))
    for count in range(lines_needed, lines_needed + 2):
        for cuts in _cut_points(len(title), count - 1):
            parts = [title[i:j] for i, j in zip((0, *cuts), (*cuts, len(title)), strict=True)]
            widths = [_width(p.strip()) for p in parts]
            if max(widths) > max_em or min(widths) < 4:
                continue
            cost = sum(_break_cost(title[:c], title[c:]) for c in cuts)
            cost += sum(max(0.0, a - b) * 1.5 for a, b in itertools.pairwise(widths))  # 倒梯形
            cost += (max(widths) - min(widths)) * 0.5 + (count - lines_needed) * 6
            if cost < best[0]:
                best = (cost, tuple(p.strip() for p in parts))
    return best[1]


def _cut_points(length: int, cuts: int) -> Iterator[tuple[int, ...]]:
    if cuts == 0:
        yield ()
    elif cuts == 1:
        yield from ((i,) for i in range(1, length))
    elif cuts == 2:
        yield from ((i, j) for i in range(1, length) for j in range(i + 1, length))


# Quotation marks are class QU in UAX #14, which forbids a break on either side, so Pango keeps
# ``加强“中`` together and pushes the whole group down. In Chinese text an opening quote may
# start a line and a closing quote may end one (GB/T 15834 only bans the reverse), so a zero-
# width space marks those break opportunities.
_BEFOREOPENING_QUOTE = re.compile(f"(?<=[{CJK}])(?=[“‘])")
_AFTERCLOSING_QUOTE = re.compile(f"(?<=[”’])(?=[{HAN}（《〔【])")
ZWSP = "\u200b"
# A single dash (the 连接号 of ``2024—2027年``) is class B2, which may start a line; GB/T 15834
# does not let it, so a word joiner (invisible, no width) binds it to what stands before it.
_BEFORE_DASH = re.compile("(?<=[^—\\s])(?=—(?!—))")
WJ = "\u2060"


_XHTML = "{http://www.w3.org/1999/xhtml}"


def quote_breaks(root: etree._Element) -> None:
    """Allow line breaks before opening and after closing quotation marks in body text, and
    forbid one before a lone dash.

    (Compressing every pair of adjacent marks, 标点挤压, was tried and left out: it makes
    lines of 28½ positions, which then stretch. Marks are set half-width only where a line
    needs it to keep 28 positions, in ``split_first_line``.)"""
    for el in root.iter(f"{_XHTML}p", f"{_XHTML}li"):
        for node in el.iter():
            if node.text:
                node.text = _mark_quotes(node.text)
            if node is not el and node.tail:
                node.tail = _mark_quotes(node.tail)


def _mark_quotes(text: str) -> str:
    return _BEFORE_DASH.sub(WJ, _AFTERCLOSING_QUOTE.sub(ZWSP, _BEFOREOPENING_QUOTE.sub(ZWSP, text)))


# A web or e-mail address: one unbreakable unit for Pango, often wider than what is left of the
# line, so the line before it ended up to ten characters short and was stretched.
# The e-mail and domain branches start only where a run of their characters starts (the
# look-behinds), so a long run without an address is scanned once, not once from every position
# in it (that was quadratic: 20,000 characters took 4.5 s). A web address starts at its prefix.
URL = re.compile(
    r"(?:https?://|www\.)[\w.~%/?#=&+:@-]*[\w/]"
    r"|(?<![\w.%+-])[\w.%+-]+@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)+"
    r"|(?<![\w.-])[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.(?:gov|com|org|net|edu)(?:\.cn)?(?:/[\w.~%/?#=&+-]*)?",
    re.ASCII,
)


def url_breaks(root: etree._Element) -> None:
    """Mark web and e-mail addresses in body text and tables: ``<span class="url">`` (a link
    whose text is an address gets the class itself), which the style sheet sets
    ``word-break: break-all`` and ``split_first_line`` then breaks only after ``.``, ``/``, ``@``
    and the like. No character is inserted, so a copied address stays whole."""
    for a in root.iter(f"{_XHTML}a"):
        if URL.search("".join(a.itertext())):
            a.set("class", " ".join(filter(None, [a.get("class"), "url"])))
    _mark_runs(root, URL, "url")


# Marks that take whole character spaces in Chinese text (GB/T 15834) but have proportional
# Western forms in Noto CJK: the 破折号 ``——`` (two spaces; alone in a box, as in
# ``——<strong>我们…</strong>``, Noto draws 0.85-em Western dashes) and the 间隔号 ``·`` between
# Chinese words (a full space, as in the GB2312 fonts offices use; Noto's is a third of one).
# The style sheet asks for their full-width forms (``fwid``) on ``span.full-width``.
FULL_WIDTH = re.compile(f"—{{2,}}|(?<=[{HAN}])·(?=[{HAN}])")


def full_width_marks(root: etree._Element) -> None:
    _mark_runs(root, FULL_WIDTH, "full-width")


def _mark_runs(root: etree._Element, pattern: re.Pattern, cls: str) -> None:
    """Wrap what ``pattern`` matches in body text and tables (not inside links) in
    ``<span class=cls>``."""
    link = f"{_XHTML}a"
    for el in list(root.iter(f"{_XHTML}p", f"{_XHTML}li", f"{_XHTML}td")):
        in_links = {node for a in el.iter(link) for node in a.iter()}
        for node in list(el.iter()):
            if node.text and isinstance(node.tag, str) and node not in in_links:
                _wrap(node, None, pattern, cls)
            if node is not el and node.tail and node.getparent() not in in_links:
                _wrap(node.getparent(), node, pattern, cls)


def _wrap(parent: etree._Element, before: etree._Element | None, pattern: re.Pattern, cls: str) -> None:
    """Wrap the matches in ``parent.text`` (``before`` None) or in ``before.tail``."""
    text = parent.text if before is None else before.tail
    matches = pattern.findall(text)
    if not matches:
        return
    pieces = pattern.split(text)
    if before is None:
        parent.text, index = pieces[0], 0
    else:
        before.tail, index = pieces[0], parent.index(before) + 1
    for offset, (run, rest) in enumerate(zip(matches, pieces[1:], strict=True)):
        span = etree.Element(f"{_XHTML}span", {"class": cls})
        span.text, span.tail = run, rest
        parent.insert(index + offset, span)


# --- Wide tables ----------------------------------------------------------------------------------



def split_widest_tables(root: etree._Element) -> None:
    """A table of more than MAX_TABLE_COLUMNS columns, without spans, is set as several tables of
    that width, each repeating the first column (its row labels): no page is wide enough for it."""
    for table in list(root.iter(f"{_XHTML}table")):
        columns = table_columns(table)
        rows = list(table.iter(f"{_XHTML}tr"))
        spans = any(c.get("colspan", "1") != "1" or c.get("rowspan", "1") != "1" for r in rows for c in r)
        if columns <= MAX_TABLE_COLUMNS or spans or any(len(r) != columns for r in rows):
            continue
        step = MAX_TABLE_COLUMNS - 1
        parts = []
        for first in range(1, columns, step):
            part = deepcopy(table)
            for row in part.iter(f"{_XHTML}tr"):
                for k, cell in reversed(list(enumerate(row))):
                    if k and not first <= k < first + step:
                        row.remove(cell)
            if parts:
                part.attrib.pop("id", None)
                for caption in part.iter(f"{_XHTML}caption"):
                    caption.getparent().remove(caption)
            parts.append(part)
        parent, index = table.getparent(), table.getparent().index(table)
        parts[-1].tail = table.tail
        parent.remove(table)
        for offset, part in enumerate(parts):
            parent.insert(index + offset, part)


def mark_wide_tables(root: etree._Element) -> None:
    """Tag tables of 10 or more columns (the statutory 行政复议/行政诉讼 table has 15) so the style
    sheet sets them small enough to stay inside the 156 mm 版心 (§5.2.2 "特定情况可以作适当调整");
    from LANDSCAPE_COLUMNS on, cells would be narrower than two characters even so, and the table
    goes on landscape pages (§8, 横排表格)."""
    for table in root.iter(f"{_XHTML}table"):
        columns = table_columns(table)
        if columns >= WIDE_TABLE_COLUMNS:
            wide = ["wide", "landscape"] if columns >= LANDSCAPE_COLUMNS else ["wide"]
            table.set("class", " ".join(filter(None, [table.get("class"), *wide])))


def break_title(root: etree._Element) -> None:
    """Insert the balanced line breaks into the document title (a plain-text ``<h1>``)."""
    for h1 in root.iter("{http://www.w3.org/1999/xhtml}h1"):
        if len(h1) or not h1.text:
            return
        lines = balance_title(h1.text)
        h1.text = lines[0]
        for line in lines[1:]:
            br = etree.SubElement(h1, "{http://www.w3.org/1999/xhtml}br")
            br.tail = line
        return


# --- 署名 and 成文日期 ---------------------------------------------------------------------------


def place_signature(pages: list, letter_spacing_pt: float = -0.21) -> bool:
    """Move the signature and date lines to their §7.3.5.2 positions; False if not found.

    The 署名 ends two characters from the right and the date starts two characters right of the
    署名's start; when the date is the wider, it ends two characters from the right and the
    署名 starts two characters left of it. Joint issuers stand one per line, each ending where
    the widest ends."""
    organs, dates, right = [], [], 0.0
    for page in pages:
        page_box = page._page_box
        for footer in _descendants(page_box):
            element = getattr(footer, "element", None)
            if footer.element_tag != "footer" or "signature" not in (element.get("class") or ""):
                continue
            right = page_box.content_box_x() + page_box.width
            for p in _descendants(footer):
                role = p.element.get("class") if p.element_tag == "p" else None
                lines = [c for c in getattr(p, "children", ()) if isinstance(c, boxes.LineBox)]
                if role in ("organ", "date") and len(lines) == 1:
                    (organs if role == "organ" else dates).append(lines[0])
    if not organs or len(dates) != 1:
        return False
    two = 2 * CHAR * PT
    # The last glyph's ink ends one (negative) letter-spacing after its advance.
    end = right - two + letter_spacing_pt * PT
    w_organ, w_date = max(_extent(line) for line in organs), _extent(dates[0])
    organ_end = end if w_date <= w_organ else end - w_date - two + w_organ
    for line in organs:
        _move_line(line, organ_end - _extent(line))
    _move_line(dates[0], organ_end - w_organ + two if w_date <= w_organ else end - w_date)
    return True


def place_imprint(pages: list) -> bool:
    """Move the 版记 (``footer.imprint``) down to the foot of its page, its last rule on the
    版心's bottom edge (§7.4); it closes the document, so its page is the last. False if none."""
    for page in pages[::-1]:
        page_box = page._page_box
        for box in _descendants(page_box):
            element = getattr(box, "element", None)
            if getattr(box, "element_tag", None) == "footer" and "imprint" in (element.get("class") or ""):
                bottom = page_box.content_box_y() + page_box.height
                box.translate(0, bottom - (box.position_y + box.margin_height()))
                return True
    return False


def _descendants(box) -> Iterator:
    yield box
    for child in getattr(box, "children", ()):
        yield from _descendants(child)


def _inline_children(line) -> list:
    return [c for c in line.children if c.is_in_normal_flow()]


def _extent(line) -> float:
    children = _inline_children(line)
    return max(c.position_x + c.width for c in children) - min(c.position_x for c in children)


def _move_line(line, x0: float) -> None:
    line.translate(x0 - min(c.position_x for c in _inline_children(line)), 0)


__all__ = ["CJK", "balance_title", "break_title", "justify_line", "place_imprint", "place_signature"]
