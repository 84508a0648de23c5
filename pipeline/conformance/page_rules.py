"""Rules on the page and its text: A4, the 版心, the 22-row grid, full lines of 28 characters,
sizes, heading fonts and page numbers (GB/T 9704 §5, §7.5)."""

from __future__ import annotations

import itertools
import re
import statistics
from collections import Counter
from collections.abc import Iterator

from pipeline.conformance.reader import MARK_PT, Line, Measured, Page, _ink_x0
from pipeline.conformance.rules import rule
from pipeline.core.chars import CJK_RE, OPENING
from pipeline.core.gbt9704 import (
    BODY_PT,
    BOTTOM,
    CHAR,
    CHARS,
    FOLIO_PT,
    LEFT,
    MM,
    PAGE_H,
    PAGE_W,
    PITCH,
    RIGHT,
    ROWS,
    TITLE_PT,
    TOP,
)

_LEVEL_1 = re.compile(r"^[一二三四五六七八九十]+、")


_LEVEL_2 = re.compile(r"^（[一二三四五六七八九十]+）")


_DATE = re.compile(r"^\d{4}年([1-9]|1[0-2])月([1-9]|[12]\d|3[01])日$")


_NO_LINE_START = set("。，、；：？！）》”’〕】…—")


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
    # (a page under a 版头, the 发文机关标志 in its own size, starts lower: not measured)
    firsts = ([ln for ln in page.block if abs(ln.size - BODY_PT) < 0.3 or abs(ln.size - TITLE_PT) < 0.3][:1]
              for page in portrait if not any(abs(ln.size - MARK_PT) < 0.3 for ln in page.block))  # fmt: skip
    tops = [first[0] for first in firsts if first]
    top = min((_row_top(ln) for ln in tops), default=None)  # None: every page is under a 版头
    bottom = max(ln.baseline for ln in lines)
    metrics.update(left_mm=round(left / MM, 2), right_mm=round(right / MM, 2), top_mm=top and round(top / MM, 2))
    # Text left of or above the 版心 is a broken layout; a block that merely starts further in
    # (a document of quotations or lists, no line flush left) is only reported.
    if left < LEFT - MM:
        yield "fail", f"文字超出版心左边缘：{left / MM:.2f} mm（应为 28 ± 1 mm）", 0
    elif left > LEFT + MM:
        yield "warn", f"没有顶格的正文行：最左在 {left / MM:.2f} mm（版心左边缘 28 mm）", 0
    if top is not None and top < TOP - MM:
        yield "fail", f"文字超出版心上边缘：{top / MM:.2f} mm（应为 37 ± 1 mm）", 0
    elif top is not None and top > TOP + MM:
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
    """Does the next page start a part that begins on a new page (an attachment), or hold nothing
    but the 版记 (set on the last, even page: the body ended on this one)?"""
    following = m.pages[page.number] if page.number < len(m.pages) else None
    if following is not None and following.landscape:
        return True  # a wide table starts its landscape page
    if m.imprint and following is m.pages[-1] and all(abs(ln.size - FOLIO_PT) < 0.3 for ln in following.block):
        return True
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
    # (None when every page holds a table: nothing to measure, rather than "0 %")
    body_share = sum(abs(g.size - BODY_PT) < 0.3 for g in glyphs) / len(glyphs) if glyphs else None
    metrics.update(body_16pt_share=body_share and round(body_share, 4), title_lines=[ln.ink for ln in title])
    if body_share is not None and body_share < 0.9:
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


HEADING_KEY = 6  # characters that identify a heading's first line: its number and a few more


def _heading_level(headings: dict[str, list[tuple[str, int]]], ink: str) -> int | None:
    """The level of the source heading this line is the first line of (or starts with, for a
    run-in heading), else None: the whole text decides, not only its first characters."""
    for text, level in headings.get(ink[:HEADING_KEY], ()):
        # the whole heading; the first line of a wrapped one (a full line); or a run-in's line
        if ink == text or (len(ink) >= CHARS - 4 and text.startswith(ink)) or ink.startswith(text):
            return level
    return None
