"""Where a statutory table stands in the text: from the words that start it (its first header
cells) to the next section heading, over lines that hold no sentence.
"""

from __future__ import annotations

import re

from pipeline.core import numbering, templates

_START_WORDS = {
    "active-disclosure": ("第二十条第", "本年制发件数", "本年新制作数量"),
    "applications": ("本列数据", "勾稽关系", "申请人情况", "本年新收政府信息公开申请数量"),
    "review-litigation": ("行政复议",),
}


def _table_line(text: str) -> bool:
    """A line a table can be made of: no sentence in it (or markup of a table)."""
    stripped = text.strip()
    return not stripped or stripped.startswith(("|", "<")) or "。" not in stripped


def _section_heading(text: str) -> bool:
    """A level-1 section (``四、政府信息公开行政复议、行政诉讼情况``), with or without ``#``."""
    stripped = text.strip().lstrip("#").strip().strip("*")
    num = numbering.parse(stripped)
    return num is not None and num.kind == "heading" and num.level == 1 and not templates.is_table_row_label(num.text)


def regions(lines: list[str], kind: str) -> list[tuple[int, int]]:
    """Line ranges that may hold the table of ``kind``: from a line with its first words to the
    next section heading or line of prose."""
    found, i = [], 0
    while i < len(lines):
        compact = re.sub(r"\s", "", lines[i])
        starts = any(w in compact for w in _START_WORDS[kind]) and not _section_heading(lines[i])
        if 'class="statutory"' in lines[i] or not _table_line(lines[i]) or not starts:
            i += 1
            continue
        j = i + 1
        while j < len(lines) and _table_line(lines[j]) and not _section_heading(lines[j]):
            j += 1
        found.append((i, j))
        i = j
    return found
