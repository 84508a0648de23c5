"""The 公文 numbering hierarchy (GB/T 9704 §7.3.3): 一、 → （一） → 1. → （1）.

The level of a heading comes from its number, never from the Markdown ``#`` level a converter
guessed. Both the normalizer (which writes the canonical marker) and the XHTML stage (which
nests sections and marks run-in headings) read numbers through this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

from pipeline.core import templates

_HAN_NUM = "一二三四五六七八九十"
_PATTERNS: list[tuple[int, re.Pattern[str]]] = [
    (1, re.compile(rf"^(?P<num>[{_HAN_NUM}]{{1,3}})[ \u3000]*[、.．][ \u3000]*")),
    (2, re.compile(rf"^[（(][ \u3000]*(?P<num>[{_HAN_NUM}]{{1,3}})[ \u3000]*[）)][、.．]?[ \u3000]*")),
    (3, re.compile(r"^(?P<num>[1-9]\d?)[ \u3000]*[.．、](?![0-9])[ \u3000]*")),
    (4, re.compile(r"^[（(][ \u3000]*(?P<num>[1-9]\d?)[ \u3000]*[）)][、.．]?[ \u3000]*")),
]
_CANONICAL = {1: "{}、", 2: "（{}）", 3: "{}.", 4: "（{}）"}
# Regulations (办法, 条例, 规定) are built from chapters, sections and articles instead.
_CHAPTER_RE = re.compile(rf"^第(?P<num>[{_HAN_NUM}百]{{1,4}})(?P<unit>[章节])[ \u3000]*")
# `第二十条第（一）项` cites an article; it does not start one.
_ARTICLE_RE = re.compile(rf"^第(?P<num>[{_HAN_NUM}百零]{{1,5}})条(?![ \u3000]*(第|[（(]|款|规定|之))[ \u3000]*")
# A heading is short and has no sentence inside it (gongwen practice: at most ~40 characters).
MAX_HEADING_CHARS = 40
_SENTENCE_END = re.compile(r"[。！？；]")


@dataclass(frozen=True)
class Numbered:
    """A line that starts with a hierarchy number."""

    kind: Literal["heading", "run-in", "item"]
    level: int  # 1 for 一、 … 4 for （1）
    marker: str  # canonical form, e.g. "（一）"
    text: str  # what follows the marker
    lead: str = ""  # for run-in headings: the first sentence, marker excluded

    @property
    def canonical(self) -> str:
        return self.marker + self.text


def parse(line: str, hinted: bool = False) -> Numbered | None:
    """Classify a line (without Markdown ``#`` or ``**``) by its leading number.

    A heading is short, has no sentence inside, and does not end like a list item (``；``,
    ``，``) or a sentence (``。``) — unless the converter marked the line as a heading
    (``hinted``), which VLM converters do for ``（一）系统化推进主动公开。``. Template table rows
    (``一、本年新收政府信息公开申请数量``) and fused table digits are never headings.
    """
    m = _CHAPTER_RE.match(line)
    if m and 0 < len(line) - m.end() <= 20 and not _SENTENCE_END.search(line):
        level = 1 if m["unit"] == "章" else 2
        return Numbered("heading", level, f"第{m['num']}{m['unit']}\u3000", line[m.end() :])
    m = _ARTICLE_RE.match(line)
    if m and line[m.end() :].strip():
        return Numbered("item", 3, f"第{m['num']}条\u3000", line[m.end() :])
    for level, pattern in _PATTERNS:
        m = pattern.match(line)
        if not m:
            continue
        marker = _CANONICAL[level].format(m["num"])
        rest = line[m.end() :]
        if not rest.strip():
            return None
        end = _SENTENCE_END.search(rest)
        if end is None or end.end() == len(rest.rstrip()):
            stripped = rest.rstrip()
            # A short level-1 line may close with 。 (``一、设置经济特区的依据。``), unless it is a
            # sentence of clauses (``一、同意设立某某开发区，规划面积10.5平方公里。``: a 批复's
            # item); lower levels ending in 。 or ； are list items unless the converter marked
            # them as headings.
            item_end = stripped.endswith(("；", "，", "：", "、", ";", ",")) or (
                stripped.endswith("。") and not hinted and (level > 1 or bool(re.search("[，；：,;:]", stripped)))
            )
            table_like = templates.is_table_row_label(rest) or re.search(r"\d{5,}", rest)
            if len(rest) <= MAX_HEADING_CHARS and not item_end and not table_like:
                return Numbered("heading", level, marker, rest)
            return Numbered("item", level, marker, rest)
        lead = rest[: end.end()]
        if len(lead) <= MAX_HEADING_CHARS:
            return Numbered("run-in", level, marker, rest, lead)
        return Numbered("item", level, marker, rest)
    return None


def marker_only(line: str) -> bool:
    """A line that is a number and nothing else (``一、``, ``（二）``, ``（1）``, ``第一章``): a converter
    put the heading's text on the next line. (``1.`` alone is left out: in a table broken into
    lines it is a cell.)"""
    text = line.strip()
    m = _CHAPTER_RE.match(text)
    if m and m.end() == len(text):
        return True
    return any((m := pattern.match(text)) is not None and m.end() == len(text) for level, pattern in _PATTERNS
               if level != 3)  # fmt: skip
