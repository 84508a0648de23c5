"""What the normalized text says about the document: title, issuing organ, date.

The signature block of a 公文 (§7.3.5) is the organ's name on one line and the 成文日期 on the
next, at the end of the body; when it is missing, the organ is read from the title
(``某某镇人民政府2018年度…报告``).
"""

from __future__ import annotations

import datetime as dt
import re

from pipeline.model import Metadata
from pipeline.normalize.chars import HAN
from pipeline.normalize.structure import DATE_LINE_RE, strip_markup

_DATE_RE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_ORGAN_IN_TITLE_RE = re.compile(
    f"^([{HAN}（）]+?(人民政府|政府办公室|办公厅|办公室|委员会|管委会|[{HAN}](局|委|厅|部|署|院)))"
)
_DOC_NUMBER_RE = re.compile(r"[\u4e00-\u9fff]{1,12}〔\d{4}〕\d+号")


def parse_date(text: str) -> dt.date | None:
    m = _DATE_RE.search(text)
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


def extract(markdown: str) -> Metadata:
    lines = [ln.strip() for ln in markdown.split("\n") if ln.strip()]
    meta = Metadata()
    if lines and lines[0].startswith("# "):
        meta.title = lines[0][2:].strip()
    tail = lines[-4:]
    for k in range(len(tail) - 1, -1, -1):
        if DATE_LINE_RE.match(tail[k]) and k + 1 == len(tail):
            meta.date_text = tail[k]
            meta.date = parse_date(tail[k])
            prev = tail[k - 1] if k > 0 else ""
            level, prev_text = strip_markup(prev)
            if prev and not level and len(prev_text) <= 30 and not re.search(r"[。，；：]", prev_text):
                meta.signature = prev
                meta.organ = prev_text
            break
    if not meta.organ and meta.title:
        m = _ORGAN_IN_TITLE_RE.match(meta.title)
        if m:
            meta.organ = m[1]
    head = "\n".join(lines[:5])
    m = _DOC_NUMBER_RE.search(head)
    if m:
        meta.doc_number = m[0]
    return meta
