"""The XHTML tree prepared for layout (the published XHTML is untouched): the title broken into
balanced lines (§7.3.1), break opportunities around quotation marks and in addresses, full-width
marks kept whole, and tables too wide for the 版心 marked, split or set landscape (§8)."""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable, Iterator
from copy import deepcopy
from functools import lru_cache

from lxml import etree

from pipeline.core.chars import CJK, HAN, HANGING, OPENING
from pipeline.core.gbt9704 import LANDSCAPE_COLUMNS, MAX_TABLE_COLUMNS, WIDE_TABLE_COLUMNS, table_columns
from pipeline.pdf.lines import ZWSP

TITLE_MAX_EM = 20  # 442.2 pt / 22 pt


# Boundaries where a title line may end: after an issuing organ, before the year, around 关于.
_ORGAN_END = re.compile(r"(人民政府|委员会|管委会|管理委员会|办公室|办公厅|国务院|中共中央|[局厅委])$")


# Terms a title line must not split.
_TERMS = ("政府信息公开", "年度报告", "工作报告", "人民政府", "委员会", "管委会", "办公室", "办公厅", "新时代")


# Words that often close a phrase in a title: a fair place for a line to end.
_PHRASE_END = re.compile(r"(社会|工作|建设|发展|改革|体系|机制|管理|领域|战略|规划)$")


def _width(text: str) -> float:
    """A title's width in ems, Latin measured on the wide side (the title faces' capitals average
    0.73 em, small letters 0.59, figures 0.6), so that a line never runs wider than estimated
    (``COVID-19`` at 0.55 an em pushed a title's last character onto a line of its own)."""
    return sum(_em(ch) for ch in text)


def _em(ch: str) -> float:
    if not ch.isascii():
        return 1.0
    if ch.isupper():
        return 0.8
    if ch.islower():
        return 0.62
    return 0.6 if ch.isdigit() else 0.33 if ch == " " else 0.4


def _break_cost(before: str, after: str) -> float:
    """How bad it is to end a title line between ``before`` and ``after`` (0 = natural)."""
    if not before or not after:
        return 1000
    a, b = before[-1], after[0]
    if a in OPENING or b in HANGING or (a.isascii() and b.isascii() and not a.isspace() and not b.isspace()):
        return 1000  # never split a number or a Latin word (COVID-19, 5G+IoT), never strand punctuation
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


# Any other run of 20 or more Latin letters, digits and the marks of paths and identifiers, without
# a space, holding a digit or such a mark (a word of letters only is left whole): a checksum, a
# file path, a long code. As unbreakable for Pango as an address, and wider than a table column or
# even a line (a SHA-256 digest is 32 字): it ran off the 版心 and failed the document. Anchored at
# a run's start like the address branches (the look-ahead then reads the run once).
TOKEN = re.compile(
    r"(?<![\w.~%/?#=&+:@\\-])(?=[A-Za-z]*[\d.~%/?#=&+:@\\_-])[\w.~%/?#=&+:@\\-]{19,}[\w/]", re.ASCII
)


_UNBREAKABLE = re.compile(f"{URL.pattern}|{TOKEN.pattern}", re.ASCII)


def url_breaks(root: etree._Element) -> None:
    """Mark web and e-mail addresses in body text and tables: ``<span class="url">`` (a link
    whose text is an address gets the class itself), and other long Latin runs (``TOKEN``):
    ``<span class="token">``. The style sheet sets both ``word-break: break-all``, and
    ``split_first_line`` then breaks them only after ``.``, ``/``, ``@`` and the like (a run
    without such marks, as a checksum, anywhere). No character is inserted, so a copied address
    stays whole."""
    for a in root.iter(f"{_XHTML}a"):
        if URL.search("".join(a.itertext())):
            a.set("class", " ".join(filter(None, [a.get("class"), "url"])))
    _mark_runs(root, _UNBREAKABLE, lambda run: "url" if URL.fullmatch(run) else "token")


# Marks that take whole character spaces in Chinese text (GB/T 15834) but have proportional
# Western forms in Noto CJK: the 破折号 ``——`` (two spaces; alone in a box, as in
# ``——<strong>我们…</strong>``, Noto draws 0.85-em Western dashes) and the 间隔号 ``·`` between
# Chinese words (a full space, as in the GB2312 fonts offices use; Noto's is a third of one).
# The style sheet asks for their full-width forms (``fwid``) on ``span.full-width``.
FULL_WIDTH = re.compile(f"—{{2,}}|(?<=[{HAN}])·(?=[{HAN}])")


def full_width_marks(root: etree._Element) -> None:
    _mark_runs(root, FULL_WIDTH, "full-width")


def _mark_runs(root: etree._Element, pattern: re.Pattern, cls: str | Callable[[str], str]) -> None:
    """Wrap what ``pattern`` matches in body text and tables (not inside links) in
    ``<span class=cls>`` (``cls`` may name the class for each match)."""
    link = f"{_XHTML}a"
    for el in list(root.iter(f"{_XHTML}p", f"{_XHTML}li", f"{_XHTML}td")):
        in_links = {node for a in el.iter(link) for node in a.iter()}
        for node in list(el.iter()):
            if node.text and isinstance(node.tag, str) and node not in in_links:
                _wrap(node, None, pattern, cls)
            if node is not el and node.tail and node.getparent() not in in_links:
                _wrap(node.getparent(), node, pattern, cls)


def _wrap(
    parent: etree._Element, before: etree._Element | None, pattern: re.Pattern, cls: str | Callable[[str], str]
) -> None:
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
        span = etree.Element(f"{_XHTML}span", {"class": cls if isinstance(cls, str) else cls(run)})
        span.text, span.tail = run, rest
        parent.insert(index + offset, span)


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
