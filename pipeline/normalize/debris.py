"""Page and converter debris that is not part of the document (ARTIFACTS C4, C5)."""

from __future__ import annotations

import re

from pipeline.core.chars import significant
from pipeline.normalize.registry import Log, rule

_PAGE_NUMBER_RE = re.compile(
    r"^\s*(?:[—–\-－]+\s*\d{1,3}\s*[—–\-－]*"  # — 1 —, the 公文's own (GB/T 9704 §7.5)
    r"|第\s*\d{1,3}\s*页\s*[,，/／]?\s*(?:共\s*\d{1,3}\s*页)?"  # 第 2 页 共 5 页, Word's and WPS's footer
    r"|共\s*\d{1,3}\s*页\s*[,，/／]?\s*第\s*\d{1,3}\s*页)\s*$"
)
_PAGE_OF_RE = re.compile(r"^\s*(?:Page\s*)?(\d{1,3})\s*(?:/|／|of)\s*(\d{1,3})\s*$")  # 2 / 5, Page 2 of 5


def is_page_number(line: str) -> bool:
    """A page number on its line: ``— 1 —``, ``第 2 页 共 5 页``, ``2 / 5`` (a page within the count)."""
    if _PAGE_NUMBER_RE.match(line):
        return True
    m = _PAGE_OF_RE.match(line)
    return bool(m) and 0 < int(m[1]) <= int(m[2])


@rule(
    "debris/page-number",
    "Drop page-number lines such as `— 1 —`, `- 1 `, `-2-`, `—2-`, `第 2 页 共 5 页`, `2 / 5`.",
    examples=(
        ("着力发挥\n— 1 —\n政务公开", "着力发挥\n政务公开"),
        ("甲\n-2-\n乙\n- 3 \n丙", "甲\n乙\n丙"),
        ("甲\n第 1 页 共 3 页\n乙\n第2页/共3页\n丙\n共3页 第3页\n丁\n2 / 3\n戊", "甲\n乙\n丙\n丁\n戊"),
        ("比例\n5 / 3\n第三页", "比例\n5 / 3\n第三页"),
    ),
)
def drop_page_numbers(lines: list[str], log: Log) -> list[str]:
    kept = []
    for no, line in enumerate(lines, 1):
        if is_page_number(line):
            log(no, line, "", removed=significant(line))
        else:
            kept.append(line)
    return kept


# What a browser prints at the head and foot of each page of a web page saved as PDF: the date and
# time with the page's title, and the address with the page count (``2024/3/5 10:23 某某…通知``,
# ``https://www.….gov.cn/art/….html 1/3``); Chrome's and Firefox's layouts in Chinese and English.
_PRINT_HEAD_RE = re.compile(
    r"^\s*(?:\d{4}/\d{1,2}/\d{1,2}|\d{1,2}/\d{1,2}/\d{2,4},?)\s*(?:上午|下午)?\s*\d{1,2}:\d{2}(?::\d{2})?"
    r"\s*(?:AM|PM|上午|下午)?\s*(?P<title>.*?)\s*$"
)
_PRINT_FOOT_RE = re.compile(r"^\s*(?P<url>(?:https?|file)://\S+)\s+(?:第\s*)?\d{1,3}\s*(?:/|／|of)\s*\d{1,3}\s*页?\s*$")


@rule(
    "debris/browser-print",
    "Drop the head and foot a browser prints on each page of a saved web page (date, time and title; "
    "address and page count); the address is kept as the source's link.",
    examples=(
        (
            "2024/3/5 10:23 关于做好工作的通知\n关于做好工作的通知\n正文，\nhttps://a.gov.cn/art/1.html 1/2\n"
            "2024/3/5 10:23 关于做好工作的通知\n续完。\nhttps://a.gov.cn/art/1.html 2/2",
            "关于做好工作的通知\n正文，\n续完。",
        ),
        ("2024/3/5 10:23 会议在北京召开。", "2024/3/5 10:23 会议在北京召开。"),
    ),
)
def drop_browser_print(lines: list[str], log: Log) -> list[str]:
    feet = [i for i, ln in enumerate(lines) if _PRINT_FOOT_RE.match(ln)]
    heads = [i for i, ln in enumerate(lines) if _PRINT_HEAD_RE.match(ln)]
    titles = [_PRINT_HEAD_RE.match(lines[i])["title"] for i in heads]
    # a head counts when its title repeats on every page, or the document has printed feet
    heads = [i for i, t in zip(heads, titles, strict=True) if feet or (titles.count(t) >= 2 and len(t) <= 80)]
    if not feet and not heads:
        return lines
    if feet:
        log.note("原文链接", _PRINT_FOOT_RE.match(lines[feet[0]])["url"])
    drop = set(feet) | set(heads)
    for i in sorted(drop):
        log(i + 1, lines[i], "", removed=significant(lines[i]))
    return [ln for i, ln in enumerate(lines) if i not in drop]


@rule(
    "debris/body-marker",
    "Drop a lone `正文` marker that converters put on the first line.",
    examples=(("正文\n2024年上海市科委", "2024年上海市科委"),),
)
def drop_body_marker(lines: list[str], log: Log) -> list[str]:
    for no, line in enumerate(lines, 1):
        if not line.strip():
            continue
        if line.strip() == "正文":
            log(no, line, "", removed="正文")
            return lines[: no - 1] + lines[no:]
        break
    return lines


_CRAWLER_PUNCT_RE = re.compile(r"[;；]{2,}|[;；]\*")


@rule(
    "debris/crawler-punctuation",
    "Runs such as `;;;;` and `;*` left by a crawler become paragraph breaks (with a warning).",
    examples=(("请予审议决定。　　;*这是说明。", "请予审议决定。　　\n\n这是说明。"),),
)
def crawler_punctuation(lines: list[str], log: Log) -> list[str]:
    out: list[str] = []
    for no, line in enumerate(lines, 1):
        if _CRAWLER_PUNCT_RE.search(line):
            new = _CRAWLER_PUNCT_RE.sub("\n\n", line)
            log(no, line, new)
            log.warn(no, "爬虫残留的标点（;;;; 或 ;*）已改为分段，请核对", line)
            out.extend(new.split("\n"))
        else:
            out.append(line)
    return out


_HEADER_CANDIDATE_RE = re.compile(r"^[^。，；：！？|#<>]{2,30}$")


@rule(
    "debris/running-header",
    "Drop a running header or footer: the same short line repeated at three or more page breaks.",
    examples=(
        (
            "淮安市人民政府文件\n正文第一页。\n- 1 -\n淮安市人民政府文件\n正文第二页。\n- 2 -\n"
            "淮安市人民政府文件\n正文第三页。",
            "正文第一页。\n- 1 -\n正文第二页。\n- 2 -\n正文第三页。",
        ),
        ("同一句话\n同一句话\n同一句话\n同一句话", "同一句话\n同一句话\n同一句话\n同一句话"),
        (
            "某市人民政府文件\n某政发〔2023〕1号\n正文第一页，同标准办\n— 1 —\n"
            "某市人民政府文件\n理。正文第二页。\n— 2 —",
            "某市人民政府文件\n某政发〔2023〕1号\n正文第一页，同标准办\n— 1 —\n理。正文第二页。\n— 2 —",
        ),
    ),
)
def drop_running_headers(lines: list[str], log: Log) -> list[str]:
    """Only lines that sit next to page numbers count: repeated text elsewhere is content."""
    from collections import Counter

    from pipeline.core import numbering

    breaks = [i for i, ln in enumerate(lines) if is_page_number(ln) or "\f" in ln]
    if len(breaks) < 2:
        return lines

    def near_break(i: int) -> bool:
        return any(abs(i - b) <= 2 for b in breaks)

    anchored = Counter(
        ln.strip() for i, ln in enumerate(lines) if _HEADER_CANDIDATE_RE.match(ln.strip()) and near_break(i)
    )
    repeated = {t for t, n in anchored.items() if n >= 2 and numbering.parse(t) is None and not t.isdigit()}
    repeated = {t for t in repeated if sum(ln.strip() == t for ln in lines) >= 3}
    # The document's first line (its 发文机关标志 or title) again at a page break is a running
    # header even in a two-page document; the first line itself stays.
    top = next((i for i, ln in enumerate(lines) if ln.strip()), None)
    first = lines[top].strip() if top is not None else ""
    keep = None
    if first and first not in repeated and anchored[first] >= 1 + near_break(top) and not first.isdigit():
        repeated.add(first)
        keep = top
    if not repeated:
        return lines
    kept = []
    for no, line in enumerate(lines, 1):
        if line.strip() in repeated and near_break(no - 1) and no - 1 != keep:
            log(no, line, "", removed=significant(line))
        else:
            kept.append(line)
    return kept
