"""What scrapers and news sites add around a document (ARTIFACTS C5, C6, C7, C9).

None of this is the document's text, but some of it is worth keeping as metadata (the page's
URL, the publication time, the wire dateline), so rules note it before dropping it. Every
dropped character is logged as removed.
"""

from __future__ import annotations

import re
from collections import Counter

from pipeline.core.chars import lost_characters, significant
from pipeline.normalize.registry import Log, rule

_HEADER_KEY_RE = re.compile(r"^(标题|发布时间|文号|发布机构|栏目|原文链接|本地目录)\s*[:：]\s*(.*)$")
_BODY_MARK_RE = re.compile(r"^=+\s*正文\s*=+$")
_SITE_TITLE_RE = re.compile(r"^【(.+)】\s*[-—]\s*(.+)$")
_STAMP = r"\d{4}[-/.年]\d{1,2}[-/.月]\d{1,2}日?(?:\s+\d{1,2}:\d{2}(?::\d{2})?)?"
# Lines that are only page furniture.
_CHROME_LINE_RE = re.compile(
    r"^(\[\s*打印\s*\]|【\s*打印\s*】|打印本页|关闭窗口|\[\s*关闭\s*\]|>|首页|分享到[:：]?|微信\s*微博\s*QQ空间"
    r"|扫一扫在手机打开当前页|字体[:：]\s*[大中小|\s]+|网站地图|排行榜|相关政策与解读|附件下载)$"
)
_LABELLED_RE = re.compile(rf"^(发布时间|来源|信息来源|时间)\s*[:：]\s*({_STAMP}|[^\s。，；]{{0,20}})\s*$")
# Flattened pages: the chrome run at the start and at the end of the one long line.
_INLINE_HEAD_RE = re.compile(rf"^当前位置[:：].*?时间[:：]\s*({_STAMP})\s*(微信\s*微博\s*QQ空间)?\s*")
_INLINE_TAIL_RE = re.compile(r"\s*来源[:：]\s*(\S{1,20}?)\s*(附件下载)?\s*$")
_DATELINE_RE = re.compile(r"^(新华社|中新社|人民网|央视网|本报)\S{0,8}?\d{1,2}月\d{1,2}日电$")
# The tail of a web page after the document: related links and rankings.
_TAIL_START_RE = re.compile(r"^(相关政策与解读|相关链接|相关文件|排行榜|责任编辑[:：].*)$")


@rule(
    "web/crawler-header",
    "A crawler's `标题: … 原文链接: …` header up to `==== 正文 ====` becomes the title line; its fields are "
    "kept as metadata.",
    examples=(
        (
            "标题: 某报告\n发布时间: 2019-01-10 16:13\n==================== 正文 ====================\n正文第一段。",
            "# 某报告\n\n正文第一段。",
        ),
    ),
)
def crawler_header(lines: list[str], log: Log) -> list[str]:
    end = next((i for i, line in enumerate(lines[:20]) if _BODY_MARK_RE.match(line.strip())), None)
    if end is None:
        return lines
    head = lines[: end + 1]
    if not any(_HEADER_KEY_RE.match(h.strip()) for h in head):
        return lines
    title = ""
    for h in head:
        m = _HEADER_KEY_RE.match(h.strip())
        if m:
            log.note(m[1], m[2].strip())
            title = title or (m[2].strip() if m[1] == "标题" else "")
    return page_title_line(lines, 0, end + 1, title, log)


def page_title_line(lines: list[str], start: int, end: int, title: str, log: Log) -> list[str]:
    """Replace ``lines[start:end]`` (a page's or a crawler's header) by the title it names, as the
    document's title line: the title rule keeps it when the body does not carry its own title,
    and drops it (logged) when it does. Everything else in the header is logged as removed."""
    head = lines[start:end]
    new = [f"# {title}", ""] if title else []
    lost = "".join((Counter(significant("".join(head))) - Counter(significant(title))).elements())
    log(start + 1, "\n".join(head), "\n".join(new), removed=lost)
    return [*lines[:start], *new, *lines[end:]]


@rule(
    "web/site-title",
    "A page's `【title】-site name` line becomes the title line (the site name dropped), kept as metadata.",
    examples=(("【关于某事的通知】-国家发展和改革委员会\n正文。", "# 关于某事的通知\n\n正文。"),),
)
def site_title(lines: list[str], log: Log) -> list[str]:
    first = next((i for i, line in enumerate(lines) if line.strip()), None)
    m = _SITE_TITLE_RE.match(lines[first].strip()) if first is not None else None
    if not m:
        return lines
    log.note("网页标题", m[1])
    return page_title_line(lines, first, first + 1, m[1], log)


@rule(
    "web/chrome",
    "Drop website chrome: breadcrumbs, [ 打印 ], share bars, `发布时间：`/`来源：` lines, related-link tails.",
    examples=(("首页\n>\n政务公开\n>\n政策\n[ 打印 ]\n发布时间：2020/06/08\n正文。", "正文。"),),
)
def chrome(lines: list[str], log: Log) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(lines):
        line, text = lines[i], lines[i].strip()
        crumb = _breadcrumb_length(lines, i)
        if crumb:
            log(i + 1, "\n".join(lines[i : i + crumb]), "", removed=significant("".join(lines[i : i + crumb])))
            i += crumb
            continue
        if _TAIL_START_RE.match(text) and i > len(lines) * 0.7:
            rest = lines[i:]
            while out and out[-1].strip() in ("", "附件：", "附件:"):
                rest.insert(0, out.pop())
            downloads = _download_list(out)
            if downloads:
                rest = out[-downloads:] + rest
                del out[-downloads:]
            log(i + 1, "\n".join(rest), "", removed=significant("".join(rest)))
            break
        labelled = _LABELLED_RE.match(text)
        if _CHROME_LINE_RE.match(text) or labelled:
            dropped = [line]
            if labelled:
                log.note(labelled[1], labelled[2])
                nxt = lines[i + 1].strip() if i + 1 < len(lines) else ""
                if not labelled[2] and 0 < len(nxt) <= 10 and not re.search(r"[。，；：]", nxt):
                    log.note(labelled[1], nxt)  # `来源：` with the value on the next line
                    dropped.append(lines[i + 1])
            log(i + 1, "\n".join(dropped), "", removed=significant("".join(dropped)))
            i += len(dropped)
            continue
        new = _strip_inline_chrome(line, log)
        if new != line:
            log(i + 1, line, new, removed="".join(lost_characters(line, new).elements()))
        out.append(new)
        i += 1
    return out


def _download_list(out: list[str]) -> int:
    """How many lines at the end of ``out`` are a page's list of attachment downloads: `附件：`
    and the file names after it, above the related links."""
    nonblank = [k for k in range(len(out) - 1, max(len(out) - 12, -1), -1) if out[k].strip()]
    for n, k in enumerate(nonblank[:6]):
        if out[k].strip() in ("附件：", "附件:"):
            names = nonblank[:n]
            if all(len(out[j].strip()) <= 60 and not re.search(r"[。；！？]", out[j]) for j in names):
                return len(out) - k
            return 0
    return 0


def _breadcrumb_length(lines: list[str], i: int) -> int:
    """``首页 / > / 政务公开 / > / 政策``: short items alternating with ``>`` lines."""
    j = i
    while j + 2 < len(lines) and lines[j + 1].strip() in (">", "＞", "»") and 0 < len(lines[j].strip()) <= 12:
        j += 2
    return j - i + 1 if j > i + 2 else 0


def _strip_inline_chrome(line: str, log: Log) -> str:
    m = _INLINE_HEAD_RE.match(line.strip())
    if m and len(line) > 200:
        log.note("发布时间", m[1])
        line = line.strip()[m.end() :]
    t = _INLINE_TAIL_RE.search(line)
    if t and t[2] and len(line) > 200:
        log.note("来源", t[1])
        line = line[: t.start()]
    return line


@rule(
    "web/dateline",
    "Drop a news-wire dateline such as `新华社北京2月4日电` before the title, as metadata.",
    examples=(
        (
            "新华社北京2月4日电\n\n中共中央 国务院关于实施乡村振兴战略的意见",
            "\n中共中央 国务院关于实施乡村振兴战略的意见",
        ),
    ),
)
def dateline(lines: list[str], log: Log) -> list[str]:
    return _drop_first_line(lines, log, _DATELINE_RE, "电头", 0)


def _drop_first_line(lines: list[str], log: Log, pattern: re.Pattern[str], key: str, group: int) -> list[str]:
    """Drop the first non-blank line when it matches ``pattern``, noting ``group`` as ``key``."""
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        m = pattern.match(line.strip())
        if not m:
            return lines
        log.note(key, m[group])
        log(i + 1, line, "", removed=significant(line))
        return lines[:i] + lines[i + 1 :]
    return lines


@rule(
    "web/source-line",
    "Drop a `来源：北京日报` line near the top, as metadata.",
    examples=(
        (
            "**2025年北京市政府工作报告**\n\n来源：北京日报\n\n各位代表：",
            "**2025年北京市政府工作报告**\n\n\n各位代表：",
        ),
    ),
)
def source_line(lines: list[str], log: Log) -> list[str]:
    seen = 0
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        seen += 1
        if seen > 4:
            break
        m = re.match(r"^(来源|稿源)\s*[:：]\s*(\S{1,20})$", line.strip())
        if m:
            log.note("来源", m[2])
            log(i + 1, line, "", removed=significant(line))
            return lines[:i] + lines[i + 1 :]
    return lines
