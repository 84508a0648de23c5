"""Document structure: indentation, title, headings from numbering, re-joined paragraphs.

Markdown structure in converter output is not trustworthy (ARTIFACTS C1, C2, D): heading
levels, bold and paragraph breaks come from the converter, not the author. These rules rebuild
them from what the author did write: the numbering and the punctuation.
"""

from __future__ import annotations

import re
from collections import Counter

from pipeline.core import numbering, templates
from pipeline.core.chars import CJK, HAN, significant
from pipeline.normalize import contents
from pipeline.normalize.registry import Log, rule
from pipeline.xhtml import gongwen
from pipeline.xhtml.gongwen import DATE_LINE_RE, ORGAN_SUFFIX_RE

_INDENT_RE = re.compile(rf"^[\u3000 \t]+(?=[{CJK}0-9A-Za-z*#])")
_MD_HEADING_RE = re.compile(r"^\s{0,3}(#{1,6})\s*(.*?)\s*#*\s*$")
_BOLD_WRAP_RE = re.compile(r"^\*\*(.+)\*\*$")
# A line whose end leaves a sentence open: a wrap or a page break cut it.
_OPEN_END_RE = re.compile(rf"[{HAN}0-9A-Za-z，、“‘《（—]$|(?<![。！？；：])[”’）》]$")
_CONTINUATION_START_RE = re.compile(rf"^[{HAN}0-9A-Za-z《“‘（—、，。；：）》”]")
_BLOCK_START_RE = re.compile(r"^(#|\||>|<|[-*+] |\d+\. |```)")
MIN_WRAPPED_LINE = 10


def strip_markup(line: str) -> tuple[int, str]:
    """Split a line into its Markdown heading level (0 if none) and its text without ``**``."""
    level, text = 0, line.strip()
    m = _MD_HEADING_RE.match(text)
    if m:
        level, text = len(m[1]), m[2]
    b = _BOLD_WRAP_RE.match(text)
    if b and "**" not in b[1]:
        text = b[1].strip()
    return level, text


@rule(
    "space/indent",
    "Drop leading ideographic spaces and blanks used as manual indentation.",
    examples=(("\u3000\u3000实施乡村振兴战略", "实施乡村振兴战略"),),
    per_line=True,
)
def strip_indent(line: str) -> str:
    return _INDENT_RE.sub("", line)


_GENRE_END_RE = re.compile(f"({gongwen.GENRES})$")
_DOC_NUMBER_LINE_RE = re.compile(r"^\S{1,12}[〔\[［(（]\d{4}[〕\]］)）]\d+号$")
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
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        level, text = strip_markup(line)
        if not block and not level and (_DOC_NUMBER_LINE_RE.match(text) or gongwen.is_head_line(text)):
            continue  # the 版头 (文号, 发文机关标志, 签发人) stands above the title
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
            for i in block:
                log(i + 1, lines[i], "", removed=significant(lines[i]))
            log.note("标题来源", "正文")
            lines = [ln for i, ln in enumerate(lines) if i not in block]
            block = [i - len(block) for i in later]
            texts = [strip_markup(lines[i])[1] for i in block]
    first = _TRAILING_DOC_NUMBER_RE.sub("", texts[0])
    if len(texts) > 1 and first and first in "".join(texts[1:]).replace(" ", ""):
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


def _is_open(parts: list[str], width: int | None) -> bool:
    """Does the paragraph built so far (from ``parts``) leave its sentence open? Only its ends are
    examined, so a long paragraph growing by repeated joins costs nothing extra. A short line with
    no punctuation inside (``2025年工作安排建议``) is a heading or a label, not a cut sentence,
    unless the document is hard-wrapped and the line fills the wrapping width."""
    first, last = parts[0].strip(), parts[-1].strip()
    if len(parts) == 1:
        if first in ("（", "("):
            return True  # `（` / `三）保障…`: a heading cut after its opening bracket
        if len(first) < MIN_WRAPPED_LINE or _BLOCK_START_RE.match(first[:8]):
            return False
        if len(first) <= 80:
            if DATE_LINE_RE.match(first) or _DOC_NUMBER_LINE_RE.match(first) or templates.SPEAKER_RE.search(first):
                return False
            num = numbering.parse(first)
            if num is not None and num.kind == "heading":
                return False
            if _element_line(first) or (_heading_like(first) and (width is None or len(first) < width - 4)):
                return False
        if first.startswith("——"):
            return False
    if last.endswith("印发"):
        return False
    return bool(_OPEN_END_RE.search(last[-3:]))


_INNER_PUNCT_RE = re.compile(r"[，。；：！？、,;:!?]")


def _heading_like(text: str) -> bool:
    return len(text) <= 30 and not _INNER_PUNCT_RE.search(text) and not text.endswith(("（", "《", "“", "—"))


def _element_line(text: str) -> bool:
    """A 公文 element that stands on its own line (文号, 附注, 附件 label, 印发, 目录): never part of a
    wrapped sentence, neither its start nor its rest."""
    return bool(
        gongwen.doc_number(text)
        or (len(text) <= 60 and gongwen.is_annotation(text))
        or gongwen.PRINTED_RE.match(text)
        or gongwen.ATTACHMENT_LABEL_RE.match(text)
        or (len(text) <= 60 and gongwen.ATTACHMENT_NOTE_RE.match(text))
        or gongwen.is_toc_title(text)
    )


def _wrap_width(lines: list[str]) -> int | None:
    """The width a hard-wrapped document is wrapped at (the most common length of its longer lines,
    within 3 characters), or None when the lines are paragraphs of every length."""
    lengths = Counter(n for line in lines if (n := len(line.strip())) >= 15)
    total = sum(lengths.values())
    if total < 8:
        return None
    width = max(lengths, key=lambda n: (sum(lengths[n - k] for k in range(4)), n))
    return width if sum(lengths[width - k] for k in range(4)) * 10 >= total * 3 else None


def _is_continuation(lines: list[str], j: int) -> bool:
    text = lines[j].strip()
    if not text or _BLOCK_START_RE.match(text) or DATE_LINE_RE.match(text) or _element_line(text):
        return False
    if numbering.parse(text) is not None:
        return False
    if not _CONTINUATION_START_RE.match(text) or (text.endswith("：") and len(text) <= 12):
        return False  # `各位代表：` is a salutation, never the end of a sentence
    k = _next_nonblank(lines, j + 1)
    if gongwen.organs(text) and k is not None and (DATE_LINE_RE.match(lines[k].strip()) or gongwen.organs(lines[k])):
        return False  # a signature's organ lines above the date
    if len(text) > 30:
        return True
    # A short line followed by a date is a signature, not the rest of a sentence.
    return not (k is not None and DATE_LINE_RE.match(lines[k].strip()))


@rule(
    "lines/rejoin",
    "Re-join a sentence cut by a hard wrap or a page break (also across blank lines).",
    examples=(
        (
            "坚持不公开为特例的总原则，严格按照\n\n《暂行规定》要求。",
            "坚持不公开为特例的总原则，严格按照《暂行规定》要求。",
        ),
    ),
)
def rejoin_broken_lines(lines: list[str], log: Log) -> list[str]:
    out: list[str] = []
    width = _wrap_width(lines)
    i = 0
    while i < len(lines):
        parts, start = [lines[i].rstrip()], i + 1
        i += 1
        # the paragraph is built from parts; only its last part decides whether it is open
        while _is_open(parts, width):
            j = _next_nonblank(lines, i)
            if j is None or not _is_continuation(lines, j) or not _may_join(parts, lines[j].strip(), width):
                break
            head, tail = parts[-1], lines[j].strip()
            latin_pair = head[-1:].isascii() and head[-1:].isalpha() and tail[:1].isascii()
            parts.append((" " if latin_pair else "") + tail)
            log(start, f"{head[-40:]}⏎{tail[:40]}", f"{head[-40:]}{tail[:40]}")
            i = j + 1
        out.append("".join(parts))
    return out


_AMOUNT_RE = re.compile(r"^(\d{1,3}(,\d{3})+(\.\d+)?|\d+\.\d{2})")


def _table_label(lines: list[str], i: int) -> bool:
    """Is the line a table's row label, its figure on the next line (``91,016,775.35``)?"""
    k = _next_nonblank(lines, i + 1)
    return k is not None and bool(_AMOUNT_RE.match(lines[k].strip()))


_NUMBER_LINE_RE = re.compile(r"^[\d,.，．%\-+]+$")


def _may_join(parts: list[str], tail: str, width: int | None) -> bool:
    """A number alone on a line is a table cell, not part of a sentence; two short lines with no
    punctuation, the first not filling the wrapping width, are labels (table cells, headings)."""
    head = parts[-1].strip()
    if _NUMBER_LINE_RE.match(head) or _NUMBER_LINE_RE.match(tail):
        return False
    labels = len(parts) == 1 and _heading_like(head) and _heading_like(tail)
    return not (labels and (width is None or len(head) < width - 4))


def _next_nonblank(lines: list[str], i: int) -> int | None:
    """Blank lines never end a sentence: converters put them after every line and at page breaks."""
    return next((j for j in range(i, len(lines)) if lines[j].strip()), None)


@rule(
    "lines/blocks",
    "One blank line between blocks (paragraphs, headings, tables), none at the ends; lines right-stripped.",
    examples=(("甲。\n乙。\n\n\n\n丙。  ", "甲。\n\n乙。\n\n丙。"),),
)
def separate_blocks(lines: list[str], log: Log) -> list[str]:
    out: list[str] = []
    for no, raw in enumerate(lines, 1):
        line = raw.rstrip()
        if line != raw:
            log(no, raw, line)
        if not line:
            if out and out[-1]:
                out.append("")
            continue
        is_row = line.lstrip().startswith("|")
        prev_row = bool(out) and out[-1].lstrip().startswith("|")
        item = line.startswith("- ") and bool(out) and out[-1].startswith("- ")  # a list's items stay together
        if out and out[-1] and not (is_row and prev_row) and not item:
            out.append("")
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return out


_FRAGMENT_RE = re.compile(rf"^[{HAN}]{{1,12}}$|^[{HAN}]( [{HAN}])+$")


@rule(
    "structure/signature",
    "Re-join a signature broken over lines (`国家发` / `展改革委` / `国 家 能 源 局`) above its date.",
    examples=(
        (
            "本通知自印发之日起施行。\n国家发\n展改革委\n国 家 能 源 局\n2020年5月28日",
            "本通知自印发之日起施行。\n国家发展改革委 国家能源局\n\n2020年5月28日",
        ),
    ),
)
def join_signature(lines: list[str], log: Log) -> list[str]:
    for k in range(len(lines) - 1, max(len(lines) - 12, 0), -1):
        if DATE_LINE_RE.match(lines[k].strip()):
            break
    else:
        return lines
    start = k
    while start > 0 and (_FRAGMENT_RE.match(lines[start - 1].strip()) or not lines[start - 1].strip()):
        start -= 1
    fragments = [ln.strip().replace(" ", "") for ln in lines[start:k] if ln.strip()]
    if len(fragments) < 2 and not any(" " in ln.strip() for ln in lines[start:k]):
        return lines
    organs, current = [], ""
    for fragment in fragments:
        current += fragment
        if ORGAN_SUFFIX_RE.search(current):
            organs.append(current)
            current = ""
    if current or not organs:
        return lines  # not a clean organ name: leave it for a person to look at
    joined = " ".join(organs)
    log(start + 1, "\n".join(lines[start:k]), joined)
    return [*lines[:start], joined, "", *lines[k:]]


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


MAX_QUOTE_DEPTH = 3
MAX_LIST_INDENT = 12
_QUOTES_RE = re.compile(rf"^(\s*>){{{MAX_QUOTE_DEPTH + 1},}}")
_DEEP_LIST_RE = re.compile(rf"^( {{{MAX_LIST_INDENT + 1},}})([-*+]|\d+\.) ")


@rule(
    "structure/nesting-depth",
    f"Blockquotes nested deeper than {MAX_QUOTE_DEPTH} and list items indented past {MAX_LIST_INDENT} spaces are "
    "flattened to that depth, so no renderer recurses without bound.",
    examples=(("> > > > > 深层引用", "> > > 深层引用"), (" " * 40 + "- 第十层", " " * 12 + "- 第十层")),
    per_line=True,
)
def limit_nesting(line: str) -> str:
    m = _QUOTES_RE.match(line)
    if m:
        line = "> " * MAX_QUOTE_DEPTH + line[m.end() :].lstrip(" >")
    m = _DEEP_LIST_RE.match(line)
    if m:
        line = " " * MAX_LIST_INDENT + line[len(m[1]) :]
    return line.rstrip() if m else line
