"""The frame a government web page puts around a document, as crawlers save it (ARTIFACTS C5–C7).

Content-management systems used across issuers lay a page out the same way: the page's
``<title>`` (often ``标题_栏目`` or ``【标题】-网站``), the site menu and a breadcrumb, the
article's headline, a line of article data (time, source, font-size switcher, the 信息公开目录's
索引号/发布日期/文号 fields), the document, then the site footer (网站地图, 主办单位, ICP备案,
版权所有). These rules find that frame by its shape, keep what it says about the document as
metadata (``source_info``), and drop the rest with every character logged.
"""

from __future__ import annotations

import re

from pipeline.core.chars import significant
from pipeline.normalize.registry import Log, rule
from pipeline.normalize.webpage import page_title_line
from pipeline.xhtml import gongwen
from pipeline.xhtml.gongwen import GENRES

# ``标题_栏目``, ``标题 - 网站``, ``标题｜网站``, ``<title>标题</title>``: a page's title line.
_PAGE_TITLE_RE = re.compile(
    rf"^(?:<title>\s*(?P<html>[^<]{{4,120}}?)\s*</title>"
    rf"|(?P<title>[^\s|｜_]{{4,100}}?(?:{GENRES})(?:[(（][^()（）]{{2,30}}[)）])?)"
    r"\s*(?:[_｜|]| [-—] )\s*[^\s。，]{1,24})$"
)
_CRUMB_RE = re.compile(r"^(?:[/>»＞›]\s*)?[^\s。，；！？]{1,16}$|^当前位置[:：].{0,80}$|^[/>»＞›]$")
_STAMP_LINE_RE = re.compile(r"^\d{4}[-/.]\d{1,2}[-/.]\d{1,2}(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?$")
# The article's data under its headline.
_FONT_SWITCH_RE = re.compile(r"^(?:Aa|[【\[]?\s*字[体号][:：]?\s*(?:[大中小|｜\s]|默认)*[】\]]?|[大中小|｜]|默认)$")
_INDEX_FIELD_RE = re.compile(
    r"^[(（]?\s*(索引号|主题分类|发文机关|发布机构|成文日期|发布日期|文号|有效性|公开方式|信息来源|浏览次数|作者|"
    r"来源|发布时间|时间)\s*[:：]\s*(?P<value>[^。]{0,60}?)\s*[)）]?$"
)
# Site footer: lines that only a web page's frame carries.
_FOOTER_MARK_RE = re.compile(
    r"ICP备|公网安备|网站标识码|版权所有|主办单位|承办单位|技术支持|网站地图|联系我们|扫一扫在手机打开|关于本网|网站声明"
)
_FOOTER_FIELD_RE = re.compile(r"^(通信地址|地址|邮政编码|邮编|电话|传真|联系电话|E-?mail|邮箱)\s*[:：]")


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


@rule(
    "web/page-title",
    "A page's `<title>` line (`标题_栏目`, `标题 - 网站`) becomes the title line (the site part dropped).",
    examples=(("关于做好某项工作的通知_能源\n正文。", "# 关于做好某项工作的通知\n\n正文。"),),
)
def page_title(lines: list[str], log: Log) -> list[str]:
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    if first is None or first > 3:
        return lines
    m = _PAGE_TITLE_RE.match(lines[first].strip())
    if not m:
        return lines
    title = (m["html"] or m["title"]).strip()
    log.note("网页标题", title)
    return page_title_line(lines, first, first + 1, title, log)


@rule(
    "web/page-navigation",
    "Drop the site menu and breadcrumb between a page's title and the article's headline, and the "
    "article data under the headline (time, source, font-size switcher, 索引号/发布日期/文号 fields).",
    examples=(
        (
            "关于征求意见的函\n设为首页\n首页\n信息公开\n关于征求意见的函\n2019-04-28 00:00\n来源：\nAa"
            "\n字体：\n小\n|\n大\n各单位：\n正文。",
            "关于征求意见的函\n各单位：\n正文。",
        ),
    ),
)
def page_navigation(lines: list[str], log: Log) -> list[str]:
    body = [i for i, line in enumerate(lines[:60]) if line.strip()]
    if not body:
        return lines
    top = lines[body[0]].strip().removeprefix("# ")
    if gongwen.organs(top) and not (log.known.get("网页标题") or log.known.get("标题")):
        return lines  # an organ's name above the headline: the 发文机关标志 of a 信函 or 纪要, not a page title
    anchor = log.known.get("网页标题") or log.known.get("标题") or top
    key = _compact(re.sub(r"[(（][^()（）]*〔\d{4}〕[^()（）]*[)）]$", "", anchor))
    start = 1 if key == _compact(top) else 0
    headline = next((i for i in body[start:] if _compact(lines[i]).startswith(key)), None) if len(key) >= 6 else None
    if headline is None:
        return lines
    drop = [i for i in body if i < headline]
    if not all((_CRUMB_RE.match(lines[i].strip()) and not gongwen.doc_number(lines[i].strip())) or i == body[0]
               for i in drop):  # fmt: skip
        return lines  # something between is not navigation (a 文号 never is): leave it to a person
    if start:
        log.note("网页标题", anchor)
    log.note("标题来源", "正文")
    end = headline + 1
    while end < len(lines) and end < headline + 16 and _article_data(lines[end].strip(), log):
        end += 1
        label = _INDEX_FIELD_RE.match(lines[end - 1].strip())
        value = lines[end].strip() if end < len(lines) else ""
        if label and not label["value"] and 0 < len(value) <= 10 and not _article_data(value, Log("", {})):
            log.note(label[1], value)  # `来源：` with the value on the next line
            end += 1
    after = [i for i in range(headline + 1, end) if lines[i].strip()]
    for i in [*drop, *after]:
        log(i + 1, lines[i], "", removed=significant(lines[i]))
    return [*lines[: drop[0] if drop else headline], lines[headline], *lines[end:]] if drop or after else lines


def _article_data(text: str, log: Log) -> bool:
    """A line of the data a page shows under an article's headline (noting what it says)."""
    if not text or _FONT_SWITCH_RE.match(text) or text in ("[ 打印 ]", "【打印】", "打印", "分享"):
        return True
    if _STAMP_LINE_RE.match(text):
        log.note("发布时间", text)
        return True
    m = _INDEX_FIELD_RE.match(text)
    if m:
        log.note(m[1], m["value"])
        return True
    return False


@rule(
    "web/index-fields",
    "Drop the 信息公开目录 fields a page shows above a document (`(发布日期：…`, `文号：…)`, `索引号：…`), "
    "keeping them as metadata.",
    examples=(
        (
            "关于某事的通知\n(发布日期：2019年05月31日\n文号：沪发改规范〔2019〕7号)\n沪发改规范〔2019〕7号\n正文。",
            "关于某事的通知\n沪发改规范〔2019〕7号\n正文。",
        ),
    ),
)
def index_fields(lines: list[str], log: Log) -> list[str]:
    dropped = set()
    for i, line in enumerate(lines[:40]):
        if len(line.strip()) > 60 and not _INDEX_FIELD_RE.match(line.strip()):
            break  # the body has started
        m = _INDEX_FIELD_RE.match(line.strip())
        if m and m[1] not in ("来源", "时间", "作者") and line.strip()[:1] in "(（索主发成文有公信浏":
            log.note(m[1], m["value"])
            log(i + 1, line, "", removed=significant(line))
            dropped.add(i)
    return [line for i, line in enumerate(lines) if i not in dropped] if dropped else lines


@rule(
    "web/site-footer",
    "Drop a web page's site footer at the end (网站地图, 联系我们, 主办单位, ICP备, 版权所有 and the "
    "address lines among them).",
    examples=(
        (
            "2019年4月26日\n网站地图\n联系我们\n通信地址：某市某路1号\n主办单位：某局\n京ICP备11044902号\n某局版权所有",
            "2019年4月26日",
        ),
    ),
)
def site_footer(lines: list[str], log: Log) -> list[str]:
    start, marks = len(lines), 0
    for i in range(len(lines) - 1, max(len(lines) - 40, 1) - 1, -1):  # a footer is at most a few dozen lines
        text = lines[i].strip()
        if not text:
            continue
        if _FOOTER_MARK_RE.search(text) and len(text) <= 80:
            marks += 1
        elif not (_FOOTER_FIELD_RE.match(text) and len(text) <= 80) and not _short_link(text):
            break
        start = i
    if marks < 2:
        return lines
    log(start + 1, "\n".join(lines[start:]), "", removed=significant("".join(lines[start:])))
    return lines[:start]


def _short_link(text: str) -> bool:
    return len(text) <= 8 and not re.search(r"[。，；：！？\d]", text)
