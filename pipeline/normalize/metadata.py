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
from pipeline.normalize.structure import DATE_LINE_RE, ORGAN_SUFFIX_RE, strip_markup

_DATE_RE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_ORGAN_IN_TITLE_RE = re.compile(
    f"^([{HAN}（）]+?(人民政府|政府办公室|办公厅|办公室|委员会|管委会|[{HAN}](局|委|厅|部|署|院)))"
)
DOC_NUMBER_RE = re.compile(r"[\u4e00-\u9fff]{1,12}〔\d{4}〕\d+号")  # normalized 文号


def parse_date(text: str) -> dt.date | None:
    m = _DATE_RE.search(text)
    if not m:
        return None
    try:
        return dt.date(int(m[1]), int(m[2]), int(m[3]))
    except ValueError:
        return None


_CN_NUM = {c: i for i, c in enumerate("〇一二三四五六七八九")} | {"○": 0, "O": 0, "Ｏ": 0, "0": 0, "０": 0, "零": 0}
_CN_DATE_RE = re.compile(
    r"([〇○OＯ0０零一二三四五六七八九]{4})年([一二三四五六七八九十]{1,2})月([一二三四五六七八九十]{1,3})日"
)
_OCCASION_RE = re.compile(r"^(?:——)?(\d{4}年\d{1,2}月\d{1,2}日)在.{2,40}会议上")


def _cn_number(text: str) -> int:
    if "十" in text:
        tens, _, units = text.partition("十")
        return (_CN_NUM.get(tens, 1) if tens else 1) * 10 + (_CN_NUM.get(units, 0) if units else 0)
    return _CN_NUM.get(text, 0)


def parse_any_date(text: str) -> dt.date | None:
    """Arabic (``2019年3月5日``) or Chinese-numeral (``二○一二年五月十七日``) dates."""
    found = parse_date(text)
    if found:
        return found
    m = _CN_DATE_RE.search(text)
    if not m:
        return None
    year = int("".join(str(_CN_NUM[c]) for c in m[1]))
    try:
        return dt.date(year, _cn_number(m[2]), _cn_number(m[3]))
    except ValueError:
        return None


def _signature(lines: list[str], meta: Metadata) -> None:
    """The last organ line directly followed by a date line (§7.3.5)."""
    for k in range(len(lines) - 1, 0, -1):
        if not DATE_LINE_RE.match(lines[k]):
            continue
        level, organ = strip_markup(lines[k - 1])
        plain = not re.search(r"[。，；：、]", organ) and not DATE_LINE_RE.match(organ)
        if not level and len(organ) <= 40 and plain and ORGAN_SUFFIX_RE.search(organ.split(" ")[-1]):
            meta.signature, meta.organ = lines[k - 1], organ
            meta.date_text, meta.date = lines[k], parse_any_date(lines[k])
            return


def _recipients(lines: list[str]) -> str:
    """主送机关 (§7.3.2): the first line after the title that ends with a full-width colon."""
    for line in lines[1:8]:
        if line.startswith("#"):
            continue
        if line.endswith("：") and len(line) <= 200 and not re.search(r"[。；]", line):
            return line[:-1]
    return ""


def _first_date(lines: list[str]) -> dt.date | None:
    """Without a signature: a date line (under the title, or alone at the end) or an occasion line."""
    for line in lines:
        if DATE_LINE_RE.match(line):
            return parse_any_date(line)
        m = _OCCASION_RE.match(line)
        if m:
            return parse_date(m[1])
    return None


def _organ_fallback(title: str, info: dict[str, str]) -> str:
    """Without a signature: the organ before 关于 in the title, the page's 发布机构, or the title's prefix."""
    before, found, _ = title.partition("关于")
    if found and before and (ORGAN_SUFFIX_RE.search(before.split(" ")[-1]) or " " in before):
        return before
    publisher = info.get("发布机构", "")
    if publisher and ORGAN_SUFFIX_RE.search(publisher):
        return publisher
    m = _ORGAN_IN_TITLE_RE.match(title)
    return m[1] if m else ""


def extract(markdown: str, source_info: dict[str, str] | None = None) -> Metadata:
    info = dict(source_info or {})
    lines = [ln.strip() for ln in markdown.split("\n") if ln.strip()]
    meta = Metadata(source_info=info)
    meta.title = next((ln[2:].strip() for ln in lines[:6] if ln.startswith("# ")), info.get("标题", ""))
    _signature(lines, meta)
    meta.recipients = _recipients(lines)
    if not meta.date:
        meta.date = _first_date(lines)
    if not meta.organ:
        meta.organ = _organ_fallback(meta.title, info)
    m = next((DOC_NUMBER_RE.fullmatch(ln) for ln in lines[:8] if DOC_NUMBER_RE.fullmatch(ln)), None)
    m = m or DOC_NUMBER_RE.search(info.get("文号", ""))
    if m:
        meta.doc_number = m[0]
    if not meta.date and info.get("成文日期"):
        meta.date = parse_date(info["成文日期"])
    return meta
