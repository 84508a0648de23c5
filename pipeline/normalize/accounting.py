"""Every Han character and digit accounted for: the check behind "losing nothing".

What the source had equals what the normalized text has, less what rules logged as removed
(page numbers, site chrome, a converter's copies of a merged cell) and plus what they logged as
restored (a statutory table's labels put back from the template). Outside the rebuilt statutory
tables, whose cells are written in the template's order, the characters keep the source's order.
"""

from __future__ import annotations

import re
from collections import Counter

from pipeline.core.chars import significant
from pipeline.core.model import Document

_STATUTORY_RE = re.compile(r'<table class="statutory".*?</table>', re.S)


def is_subsequence(short: str, long: str) -> bool:
    it = iter(long)
    return all(ch in it for ch in short)


def problems(doc: Document) -> list[str]:
    """What does not add up in a normalized document ([] when everything is accounted for)."""
    source, kept = significant(doc.text), significant(doc.markdown)
    removed = "".join(c.removed for c in doc.changes)
    added = "".join(c.added for c in doc.changes)
    found = []
    if Counter(source) + Counter(added) != Counter(kept) + Counter(removed):
        lost = Counter(source) + Counter(added) - Counter(kept) - Counter(removed)
        extra = Counter(kept) + Counter(removed) - Counter(source) - Counter(added)
        found.append(f"未记录的缺失：{''.join(lost.elements())[:40]}；未记录的增加：{''.join(extra.elements())[:40]}")
    if not is_subsequence(significant(_STATUTORY_RE.sub("", doc.markdown)), source):
        found.append("法定表格以外的文字顺序与原文不一致")
    return found
