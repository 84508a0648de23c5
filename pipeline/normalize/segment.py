"""Documents flattened onto one line by a web scraper (ARTIFACTS C3, B1).

A crawler's text dump often holds the whole body on one line: the title, every heading and
every paragraph run together (``…电子邮箱：x。一、概述2018年以来,我区…（一）…``). We cut it
again where the author's structure shows: before the hierarchy numbers, after the title, and
between a heading and the body text glued to it. Only long lines with several numbers are
touched, so ordinary paragraphs never are.
"""

from __future__ import annotations

import itertools
import re

from pipeline.core import templates
from pipeline.normalize.registry import Log, rule

FLAT_MIN_CHARS = 300
_HAN_NUM = "一二三四五六七八九十"
_MARK_RE = re.compile(
    rf"[{_HAN_NUM}]{{1,3}}[、]"
    rf"|[（(][{_HAN_NUM}]{{1,3}}[）)]"
    r"|[（(][1-9]\d?[）)]"
    r"|[1-9]\d?\.(?=[\u4e00-\u9fff])"
    rf"|第[{_HAN_NUM}百]+[章节]"
    rf"|第[{_HAN_NUM}百]+条(?=[ \u3000])"
)
_BREAK_BEFORE = "。；！？”）】 \u3000：:"
_NOT_AFTER = "第款项条"
_PARAGRAPH_SEP_RE = re.compile("\u3000{2,}")
_CN_DATE = r"[一二三四五六七八九〇○OＯ0０]{4}年[一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}日"
_GLUED_SIGNATURE_RE = re.compile(
    r"(?<=[。])([\u4e00-\u9fff]{2,24}?(?:办公室|人民政府|委员会|管委会|局|厅))(\d{4}年\d{1,2}月\d{1,2}日)(?!\s*印\s*发)"
)
_GLUED_RECIPIENTS_RE = re.compile(r"(?<=的(?:通知|意见|决定|批复))([^。：；\s]{2,60}：)")
_SPACED_PARTS_RE = re.compile(
    rf"[ \u3000]+(?={_CN_DATE}|[\u4e00-\u9fff]{{2,24}}(?:办公室|人民政府|委员会) \d{{4}}年)"
    r"|(?<=[。：；！？]) +"
    r"|(?<=日) *(?=附件\d*[:：])"
    r"|(?<=的(?:通知|意见|决定|报告|批复)) +(?=\S)"
    r"|(?<=〔\d{4}〕\d号)(?=[\u4e00-\u9fff])"
    r"|(?<=〔\d{4}〕\d\d号)(?=[\u4e00-\u9fff])"
    r"|(?<=〔\d{4}〕\d\d\d号)(?=[\u4e00-\u9fff])"
)


# `附件1：某某统计表 指标名称…`: an attachment's label and title, then its content.
_LABELLED_ATTACHMENT_RE = re.compile(r"^(附件\d{0,2}[：:][^ \u3000。；，]{2,60})[ \u3000]+(?=\S)", re.M)


def _is_flattened(line: str) -> bool:
    if len(line) < FLAT_MIN_CHARS:
        return False
    breaks = len(re.findall(r"[。：；！？] +(?=\S)", line)) + len(_PARAGRAPH_SEP_RE.findall(line))
    return len(_MARK_RE.findall(line)) >= 3 or breaks >= 3


def _cuts(line: str) -> list[int]:
    cuts = []
    for m in _MARK_RE.finditer(line):
        p = m.start()
        if p == 0:
            continue
        prev, after = line[p - 1], line[m.end() :]
        if templates.is_table_row_label(after) or prev in _NOT_AFTER:
            continue
        level1 = m[0].endswith("、") or m[0].startswith("第")
        if (
            prev in _BREAK_BEFORE
            or (level1 and templates.section_title_prefix(after))
            or m[0].startswith("第")
            or (not level1 and "\u4e00" <= prev <= "\u9fff")
        ):
            cuts.append(p)
    return cuts


def _split_heading(piece: str) -> list[str]:
    """``一、概述2018年以来…`` -> ``一、概述`` + ``2018年以来…``."""
    m = re.match(rf"^([{_HAN_NUM}]{{1,3}}、|[（(][{_HAN_NUM}]{{1,3}}[）)]|第[{_HAN_NUM}百]+[章节])[ \u3000]*", piece)
    if not m:
        return [piece]
    marker, rest = m[1], piece[m.end() :]
    known = templates.section_title_prefix(rest)
    if known:
        end = len(known)
    else:
        candidates = [i for i in (rest.find(" "), rest.find("\u3000")) if i > 0]
        digit = re.search(r"\d", rest)
        if digit and digit.start() >= 2:
            candidates.append(digit.start())
        if not candidates:
            return [piece]
        end = min(candidates)
    head, body = rest[:end].strip(), rest[end:].strip()
    if not body or len(head) > 40 or re.search(r"[。；！？，：]", head):
        return [piece]
    sep = "\u3000" if marker.startswith("第") else ""
    return [marker + sep + head if sep else marker + head, body]


def split_flattened(line: str) -> list[str]:
    pieces: list[str] = []
    for para in _PARAGRAPH_SEP_RE.split(line):
        bounds = [0, *_cuts(para), len(para)]
        for a, b in itertools.pairwise(bounds):
            chunk = para[a:b].strip()
            if chunk:
                pieces.extend(_split_heading(chunk))
    if pieces:
        first = pieces[0]
        title = re.match(r"^([^\s。，；：]{6,60}) +(?=\S)", first)
        if title:
            pieces[:1] = [title[1], first[title.end() :]]
    out: list[str] = []
    for piece in pieces:
        piece = _GLUED_SIGNATURE_RE.sub(lambda m: f"\n{m[1]}\n{m[2]}\n", piece)
        piece = _SPACED_PARTS_RE.sub("\n", piece)
        piece = _GLUED_RECIPIENTS_RE.sub(lambda m: f"\n{m[1]}\n", piece)
        piece = _LABELLED_ATTACHMENT_RE.sub("\\1\n", piece)
        out.extend(p.strip() for p in piece.split("\n") if p.strip())
    return out


@rule(
    "lines/segment-flattened",
    "Re-segment a body flattened onto one line: title, headings glued to text, paragraphs, signature.",
    examples=(
        (
            "本报告所列数据统计期限为2024年1月1日至2024年12月31日。"
            "一、总体情况 2024年，我区坚持以习近平新时代中国特色社会主义思想为指导，全面学习贯彻党的精神。"
            "二、主动公开政府信息情况 全年主动公开信息一千条。"
            "三、收到和处理政府信息公开申请情况 本年度收到申请二百一十八件。" + "其他说明。" * 40,
            None,
        ),
    ),
)
def segment_flattened(lines: list[str], log: Log) -> list[str]:
    out: list[str] = []
    for no, line in enumerate(lines, 1):
        if not _is_flattened(line) or line.lstrip().startswith(("|", "<")):
            out.append(line)
            continue
        pieces = split_flattened(line)
        if len(pieces) > 1:
            log(no, line, "\n".join(pieces))
            for piece in pieces:
                out.extend([piece, ""])
        else:
            out.append(line)
    return out
