"""The 公文 numbering hierarchy (GB/T 9704 §7.3.3): 一、 → （一） → 1. → （1）.

The level of a heading comes from its number, never from the Markdown ``#`` level a converter
guessed. Both the normalizer (which writes the canonical marker) and the XHTML stage (which
nests sections and marks run-in headings) read numbers through this module.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Literal

_HAN_NUM = "一二三四五六七八九十"
_PATTERNS: list[tuple[int, re.Pattern[str]]] = [
    (1, re.compile(rf"^(?P<num>[{_HAN_NUM}]{{1,3}})[ \u3000]*[、.．][ \u3000]*")),
    (2, re.compile(rf"^[（(][ \u3000]*(?P<num>[{_HAN_NUM}]{{1,3}})[ \u3000]*[）)][、.．]?[ \u3000]*")),
    (3, re.compile(r"^(?P<num>[1-9]\d?)[ \u3000]*[.．、](?![0-9])[ \u3000]*")),
    (4, re.compile(r"^[（(][ \u3000]*(?P<num>[1-9]\d?)[ \u3000]*[）)][、.．]?[ \u3000]*")),
]
_CANONICAL = {1: "{}、", 2: "（{}）", 3: "{}.", 4: "（{}）"}
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


def parse(line: str) -> Numbered | None:
    """Classify a line (without Markdown ``#`` or ``**``) by its leading number."""
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
            if len(rest) <= MAX_HEADING_CHARS:
                return Numbered("heading", level, marker, rest)
            return Numbered("item", level, marker, rest)
        lead = rest[: end.end()]
        if len(lead) <= MAX_HEADING_CHARS:
            return Numbered("run-in", level, marker, rest, lead)
        return Numbered("item", level, marker, rest)
    return None
