"""Tables of contents (目录): their entries, and the body headings they name.

A 目录 line is an entry's words, then dot leaders and a page number (``一、部门主要职能……3``),
or the words alone. Its page numbers belong to the source's layout, not to ours; its entries
name the parts of the document. A body's part headings are often worded longer than their
entries (``上海市普陀区某某委员会主要职能`` for ``一、部门主要职能``) and unnumbered: an entry names a
heading when the heading is the entry's words, ends with them, or shares a long ending with them.
The normalizer and the XHTML stage both match through ``names``.
"""

from __future__ import annotations

import re

from pipeline.core import numbering

# Dot leaders (``……``, ``....``, ``···``, ``---``) and the page number after them.
_LEADER_RE = re.compile(r"[\s.…·．。_\-—]*?(?P<dots>[.…·．。_\-—][\s.…·．。_\-—]*)(?P<page>\d{1,4})?\s*$")
_TRAILING_PAGE_RE = re.compile(r"(?<=[\u4e00-\u9fff）》”])\s+(?P<page>\d{1,4})$")
_SENTENCE_RE = re.compile(r"[。；！？]")
MIN_SHARED = 4  # characters an entry and a differently worded heading must end with


def split_entry(line: str) -> tuple[str, str, bool]:
    """A TOC line's entry text, its page number (``""`` if none) and whether it had leaders."""
    m = _LEADER_RE.search(line)
    if m and sum(3 if c == "…" else 1 for c in m["dots"] if not c.isspace()) >= 3:
        return line[: m.start("dots")].strip(), m["page"] or "", True
    m = _TRAILING_PAGE_RE.search(line)
    if m:
        return line[: m.start()].strip(), m["page"], True
    return line.strip(), "", False


def is_entry(text: str) -> bool:
    """Could this be a TOC entry (after leaders and page number are split off)?"""
    return 2 <= len(text) <= 60 and not _SENTENCE_RE.search(text) and not text.endswith(("：", ":", "，"))


def words(entry: str) -> str:
    """The entry without its number: ``一、部门主要职能`` -> ``部门主要职能``."""
    compact = re.sub(r"\s+", "", entry.replace("\\", ""))
    num = numbering.parse(compact)
    return num.text if num is not None else re.sub(r"^\d{1,2}[.．、]", "", compact)


def top_level(entries: list[str]) -> list[str]:
    """The entries of the first level (the numbering kind of the first numbered entry)."""
    levels = [num.level if (num := numbering.parse(re.sub(r"\s+", "", e))) else 0 for e in entries]
    first = next((lvl for lvl in levels if lvl), 0)
    return [e for e, lvl in zip(entries, levels, strict=True) if lvl == first]


def names(entry: str, heading: str) -> bool:
    """Does the entry name this heading (both compared without spaces)?"""
    heading = re.sub(r"\s+", "", heading)
    entry_words, entry_full = words(entry), re.sub(r"\s+", "", entry.replace("\\", ""))
    if heading in (entry_full, entry_words) or (len(entry_words) >= MIN_SHARED and heading.endswith(entry_words)):
        return True
    shared = 0
    while shared < min(len(heading), len(entry_words)) and heading[-1 - shared] == entry_words[-1 - shared]:
        shared += 1
    return shared >= MIN_SHARED and shared * 5 >= len(entry_words) * 3
