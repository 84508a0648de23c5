"""Headings from what the text says: the title block, headings by their numbering (一、 （一） 1. （1）)
in sequence, and unnumbered section headings between paragraphs.
"""

from __future__ import annotations

import re

from pipeline.core import numbering
from pipeline.core.chars import significant
from pipeline.normalize import contents
from pipeline.normalize.registry import Log, rule
from pipeline.normalize.structure import _DOC_NUMBER_LINE_RE, _table_label, _wrap_width, strip_markup
from pipeline.xhtml import gongwen
from pipeline.xhtml.gongwen import DATE_LINE_RE

_GENRE_END_RE = re.compile(f"({gongwen.GENRES})$")


_TRAILING_DOC_NUMBER_RE = re.compile(r"[(（][^()（）]*〔\d{4}〕\d+号[)）]$")


def _title_like(text: str) -> bool:
    return (
        0 < len(text) <= (80 if _genre_end(text) else 40)
        and not re.search(r"[。，；：？！]", text)
        and numbering.parse(text) is None
        and not text.startswith(("——", "（", "(", "|", "<", "!"))
        and not DATE_LINE_RE.match(text)
        and not _DOC_NUMBER_LINE_RE.match(text)
    )


def _genre_end(text: str) -> bool:
    return bool(_GENRE_END_RE.search(_TRAILING_DOC_NUMBER_RE.sub("", text)))


def _title_block(lines: list[str]) -> list[int]:
    """Indexes of the lines that make the title: up to four title-like lines at the top that
    end with a genre word (…报告, …通知), or that stop before a subtitle (——…), a dateline
    (（2018年1月2日）) or a 文号. Otherwise the first line alone."""
    block: list[int] = []
    order = False
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        level, text = strip_markup(line)
        if not block and not level and (_DOC_NUMBER_LINE_RE.match(text) or gongwen.is_head_line(text)):
            order = text.endswith("令")
            continue  # the 版头 (文号, 发文机关标志, 签发人) stands above the title
        if order and gongwen.ORDER_NUMBER_RE.match(text):
            return []  # an order's mark and 令号 (§10.2): it has no title
        if not _title_like(text):
            if block and (text.startswith(("——", "（", "(")) or _DOC_NUMBER_LINE_RE.match(text)):
                return block
            break
        block.append(i)
        if _genre_end(text) or level:
            return block
        if len(block) == 4:
            break
    return block[:1]


@rule(
    "structure/title",
    "Mark the title (`# `): a title split over several lines is joined, a page-title duplicate dropped.",
    examples=(
        ("2024 年上海市科委政府信息公开工作\n年度报告\n正文。", "# 2024 年上海市科委政府信息公开工作年度报告\n正文。"),
    ),
)
def mark_title(lines: list[str], log: Log) -> list[str]:
    block = _title_block(lines)
    if not block:
        return lines
    texts = [strip_markup(lines[i])[1] for i in block]
    later = [block[-1] + 1 + i for i in _title_block(lines[block[-1] + 1 :])]
    if later:
        # A web page repeats its title (with the 文号) above the real, often two-line title.
        later_text = "".join(strip_markup(lines[i])[1] for i in later).replace(" ", "")
        if _TRAILING_DOC_NUMBER_RE.sub("", "".join(texts)) in later_text and _genre_end(later_text):
            if len(texts) == 1 and gongwen.organs(texts[0]):
                block = later  # an organ's name above the 版头 and the title: its 发文机关标志, kept
            else:
                for i in block:
                    log(i + 1, lines[i], "", removed=significant(lines[i]))
                log.note("标题来源", "正文")
                lines = [ln for i, ln in enumerate(lines) if i not in block]
                block = [i - len(block) for i in later]
            texts = [strip_markup(lines[i])[1] for i in block]
    first = _TRAILING_DOC_NUMBER_RE.sub("", texts[0])
    if len(texts) > 1 and first and first in "".join(texts[1:]).replace(" ", ""):
        if gongwen.organs(first):
            block, texts = block[1:], texts[1:]  # the 发文机关标志 (a 信函's) above a title that names it
        else:
            log(block[0] + 1, lines[block[0]], "", removed=significant(lines[block[0]]))
            lines = [ln for i, ln in enumerate(lines) if i != block[0]]
            block, texts = [i - 1 for i in block[1:]], texts[1:]
    title = texts[0]
    for text in texts[1:]:
        title = title.rstrip() + text.strip()
    new = f"# {title.rstrip(' #')}"  # trailing `#` would read as a closing sequence next time
    if [lines[i] for i in block] != [new]:
        log(block[0] + 1, "\n".join(lines[i] for i in block), new)
    rest = [ln for i, ln in enumerate(lines) if i > block[0] and i not in block]
    return [*lines[: block[0]], new, *rest]


@rule(
    "structure/headings",
    "Heading level from the numbering (一、→##, （一）→###, 1.→####, （1）→#####), markers "
    "repaired, bold dropped; run-in headings stay paragraphs; unnumbered converter headings "
    "become paragraphs.",
    examples=(
        (
            "# 题\n#### **四、重点领域**\n八、复议情况\n(一)健全机制。为确保…",
            "# 题\n## 四、重点领域\n## 八、复议情况\n（一）健全机制。为确保…",
        ),
    ),
)
def headings_from_numbering(lines: list[str], log: Log) -> list[str]:
    out = list(lines)
    seen_title = False
    last_level1 = ""
    listed = None
    parts = contents.part_headings(lines)  # unnumbered part headings a 目录 names
    for i, line in enumerate(lines):
        if not line.strip() or line.lstrip().startswith("|"):
            continue
        level, text = strip_markup(line)
        if level == 1 and not seen_title:
            seen_title = True
            continue
        if i in parts:
            last_level1 = ""  # each part numbers its sections from 一、
            if line != f"## {text}":
                log(i + 1, line, f"## {text}")
                out[i] = f"## {text}"
            continue
        shift = 1 if parts and i > min(parts) else 0  # numbered sections inside a part sit one level lower
        listed = gongwen.ATTACHMENT_NOTE_RE.match(text) or (listed and re.match(r"^\d{1,2}[.．、]", text))
        if listed:
            continue  # 附件：1.… and the names numbered after it are the 附件说明, not headings
        num = numbering.parse(text, hinted=level > 0)
        if num is not None and num.kind == "heading" and _table_label(lines, i):
            num = None  # `一、财政拨款收入` above its figure: a row of a table broken into lines
        if num is not None and num.kind == "heading" and num.marker.endswith("、"):
            if num.marker == last_level1:
                # `三、` straight after `三、`: a table label shredded by the converter.
                log.warn(i + 1, "重复的一级序号，未作为标题处理，请核对", text)
                num = None
            else:
                _check_sequence(last_level1, num.marker, i + 1, text, log)
                last_level1 = num.marker
        if num is None:
            new = text if level else line
        elif num.kind == "heading":
            heading = num.canonical.rstrip("。") if num.level == 1 else num.canonical
            new = "#" * min(num.level + 1 + shift, 6) + " " + heading.rstrip(" #")
        else:
            # A run-in heading or a numbered paragraph: keep it a paragraph, repair the marker.
            body = line.strip() if not level else text
            bold = body.startswith("**")
            inner = numbering.parse(body[2:] if bold else body)
            new = ("**" if bold else "") + (inner.canonical if inner else body)
        if new != line:
            log(i + 1, line, new)
            out[i] = new
    return out


_HAN_DIGITS = {c: n for n, c in enumerate("一二三四五六七八九", 1)}


def _han_number(marker: str) -> int:
    """``十二、`` -> 12 (markers up to 九十九)."""
    text = marker.rstrip("、")
    tens, _, units = text.rpartition("十")
    if "十" not in text:
        return _HAN_DIGITS.get(text, 0)
    return (_HAN_DIGITS.get(tens, 1) if tens else 1) * 10 + _HAN_DIGITS.get(units, 0)


def _check_sequence(previous: str, current: str, line: int, text: str, log: Log) -> None:
    before, now = (_han_number(previous) if previous else 0), _han_number(current)
    if now == 1 and before > 1:
        log.warn(line, f"一级序号从“{previous}”重新开始，请核对是否缺少内容或序号有误", text)
    elif now != before + 1:
        log.warn(line, f"一级序号不连续（“{previous or '无'}”之后是“{current}”），请核对", text)


@rule(
    "structure/unnumbered-headings",
    "In a document with no numbered sections, short section-like lines (`2024年工作回顾`) become "
    "level-1 headings, with a warning; numbers are never invented.",
    examples=(
        (
            "# 报告\n各位代表：\n现在报告。\n2024年工作回顾\n一年来成绩显著。\n二段。\n三段。\n四段。",
            "# 报告\n各位代表：\n现在报告。\n## 2024年工作回顾\n一年来成绩显著。\n二段。\n三段。\n四段。",
        ),
    ),
    warns=(("# 报告\n各位代表：\n现在报告。\n2024年工作回顾\n一年来成绩显著。\n二段。\n三段。\n四段。", "缺少序号"),),
)
def unnumbered_headings(lines: list[str], log: Log) -> list[str]:
    """A section title such as ``2024年工作回顾`` ends like one; any other short line counts only
    when the document is written a paragraph a line, the line stands between a finished
    paragraph and a long one, and the document has at least two such lines."""
    if any(ln.startswith("## ") for ln in lines):
        return lines
    body = [i for i, ln in enumerate(lines) if ln.strip()]
    paragraphs = _wrap_width(lines) is None
    named, standing = [], []
    for pos in range(3, len(body) - 3):
        i = body[pos]
        text = lines[i].strip()
        if not _section_like(text):
            continue
        if _SECTION_END_RE.search(text):
            named.append(i)
        elif paragraphs and _between_paragraphs(lines[body[pos - 1]].strip(), lines[body[pos + 1]].strip()):
            standing.append(i)
    out = list(lines)
    for i in sorted(named + (standing if len(named) + len(standing) >= 2 else [])):
        out[i] = f"## {lines[i].strip()}"
        log(i + 1, lines[i], out[i])
        log.warn(i + 1, "一级标题缺少序号（未自动编号），请核对原文", lines[i].strip())
    return out


_SECTION_END_RE = re.compile(r"(回顾|安排|任务|要求|部署|目标)$")


def _section_like(text: str) -> bool:
    return (
        4 <= len(text) <= 20
        and not text.startswith(("#", "|", "<", "**", "——", "- "))
        and not re.search(r"[。，；：？！、 （）()]", text)
        and numbering.parse(text) is None
        and not DATE_LINE_RE.match(text)
        and not gongwen.organs(text)
        and not gongwen.ATTACHMENT_LABEL_RE.match(text)
    )


def _between_paragraphs(before: str, after: str) -> bool:
    return len(before) >= 30 and before.endswith(("。", "！", "？", "”")) and len(after) >= 40
