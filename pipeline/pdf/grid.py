"""The 22-row line grid: blocks and table rows take whole grid rows (bound into WeasyPrint's block
layout inside a render), a page ending with a table gives the rows left to its tallest rows, and
the 署名/成文日期 and 版记 are placed after layout from measured widths (§7.3.5.2, §7.4)."""

from __future__ import annotations

import math
from collections.abc import Iterator

from weasyprint.document import gather_anchors
from weasyprint.formatting_structure import boxes
from weasyprint.layout import block
from weasyprint.text.line_break import strut

from pipeline.core.gbt9704 import CHAR
from pipeline.pdf.lines import PT

# How far above a grid line (in grid rows, 0.29 pt) a table's edge may end and count as on it: the
# collapsed border's half width.
GRID_FUZZ = 0.01


_wp_block_level_layout = block.block_level_layout


_wp_block_container_layout = block.block_container_layout


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
