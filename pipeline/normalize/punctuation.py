"""Half-width punctuation in Chinese text becomes full-width (GB/T 15834; research §4.1 N1–N4).

A mark is "in Chinese context" when its nearest non-space neighbour on either side is a Han
character or full-width punctuation. Marks between ASCII letters and digits (``1,234``,
``http://``, ``a.b``) are never touched.
"""

from __future__ import annotations

import re

from pipeline.core.chars import CJK, CJK_RE, HAN_RE, is_cjk, is_han
from pipeline.normalize.registry import rule

_FULL = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！"}


def _mostly_chinese(line: str) -> bool:
    """More Han characters than Latin letters (digits count for neither)."""
    han = len(HAN_RE.findall(line))
    return han > 0 and han >= sum(ch.isascii() and ch.isalpha() for ch in line)


@rule(
    "punct/fullwidth",
    "ASCII , : ; ? ! in Chinese context become ，：；？！ (spaces after them dropped); a "
    "sentence-final . after Han becomes 。",
    examples=(
        ("根据条例,现将情况报告如下:", "根据条例，现将情况报告如下："),
        ("共1,234件 http://a.cn/?x=1", "共1,234件 http://a.cn/?x=1"),
    ),
    per_line=True,
)
def fullwidth_punctuation(line: str) -> str:
    if not any(ch in _FULL or ch == "." for ch in line):
        return line
    mostly_chinese = _mostly_chinese(line)
    out: list[str] = []
    left = ""  # the nearest non-space character already written (converted), so `政,,,!` needs one pass
    skip_spaces = False
    for i, ch in enumerate(line):
        if skip_spaces and ch == " ":
            continue
        skip_spaces = False
        new = ch
        if ch in _FULL:
            # the right neighbour past a run of marks: `,,,,政` converts as a whole
            right = line[i + 1 : i + 80].lstrip(" ,:;?!")[:1]
            url = ch == ":" and line[i + 1 : i + 3] == "//"
            # `58.5%, 8000多万`: a comma after a number, followed by a space, in a Chinese line.
            spaced_list = ch in ",;" and line[i + 1 : i + 2] == " " and mostly_chinese
            if not url and (is_cjk(left) or is_cjk(right) or spaced_list):
                new = _FULL[ch]
        elif ch == "." and is_han(line[i - 1 : i]) and line[i + 1 : i + 2] != ".":
            right = line[i + 1 : i + 80].lstrip(" ")[:1]
            if not right or is_cjk(right):
                new = "。"
        out.append(new)
        if new != ch:
            skip_spaces = True
        if new != " ":
            left = new
    return "".join(out)


_PAREN_RE = re.compile(r"[()（）]")


@rule(
    "punct/parens",
    "Parenthesis pairs around or beside Chinese text become （）, mixed pairs `（一)` repaired.",
    examples=(("(以下简称申请人)", "（以下简称申请人）"), ("f(x)", "f(x)")),
    per_line=True,
)
def fullwidth_parentheses(line: str) -> str:
    chars = list(line)
    stack: list[int] = []
    for m in _PAREN_RE.finditer(line):
        i = m.start()
        if line[i] in "(（":
            stack.append(i)
        elif stack:
            j = stack.pop()
            inner = line[j + 1 : i]
            outside = line[j - 1 : j] + line[i + 1 : i + 2]
            if CJK_RE.search(inner) or any(is_han(c) for c in outside):
                chars[j], chars[i] = "（", "）"
    return "".join(chars)


_DOC_NUMBER_RE = re.compile(r"(?<=[\u4e00-\u9fff])[\[［【(（〔]\s*(\d{4})\s*[\]］】)）〕]\s*第?0*([1-9]\d*)\s*号")


@rule(
    "punct/doc-number",
    "文号 brackets and number: `镇政发[2024]3号`, `(2024)第03号` → `〔2024〕3号` (GB/T 9704 §7.2.5).",
    examples=(("镇政发[2024]3号", "镇政发〔2024〕3号"), ("某发(2024)第03号", "某发〔2024〕3号")),
    per_line=True,
)
def doc_number_brackets(line: str) -> str:
    return _DOC_NUMBER_RE.sub(lambda m: f"〔{m[1]}〕{m[2]}号", line)


_QUOTE_RE = re.compile(r'"')


@rule(
    "punct/quotes",
    "Straight double quotes in Chinese text become paired “” (never inside HTML or URLs).",
    examples=(('深化"放管服"改革', "深化“放管服”改革"), ('<td colspan="3">甲</td>', '<td colspan="3">甲</td>')),
    per_line=True,
)
def curly_quotes(line: str) -> str:
    if '"' not in line or "<" in line or "=" in line or line.count('"') % 2 or not _mostly_chinese(line):
        return line
    out, opening = [], True
    for ch in line:
        if ch == '"':
            out.append("“" if opening else "”")
            opening = not opening
        else:
            out.append(ch)
    return "".join(out)


_ELLIPSIS_RE = re.compile(rf"(?<=[{CJK}])(\.{{3,6}}|。{{3,6}}|…(?!…)|…{{3,}})")
_DASH_RE = re.compile(r"(?<=[\u4e00-\u9fff，。”])(--|－－)(?=[\u4e00-\u9fff“])")
# `～` (浪纹线) is as correct as `—` between years (GB/T 15834 §4.13): it is kept as written.
_YEAR_RANGE_RE = re.compile(r"(?<!\d)(\d{4})\s*[-－–]\s*(\d{4})(?=\s*年)")


@rule(
    "punct/ellipsis-dash",
    "Ellipsis as ……, `--` as ——, year ranges with a one-em dash (`2024－2027年` → `2024—2027年`).",
    examples=(("等等...", "等等……"), ("方案（2024－2027年）", "方案（2024—2027年）")),
    per_line=True,
)
def ellipsis_and_dashes(line: str) -> str:
    if line.lstrip().startswith(("<", "|")):
        return line
    line = _ELLIPSIS_RE.sub("……", line)
    line = _DASH_RE.sub("——", line)
    return _YEAR_RANGE_RE.sub(r"\1—\2", line)


_FULLWIDTH_ASCII = str.maketrans(
    "０１２３４５６７８９ＡＢＣＤＥＦＧＨＩＪＫＬＭＮＯＰＱＲＳＴＵＶＷＸＹＺａｂｃｄｅｆｇｈｉｊｋｌｍｎｏｐｑｒｓｔｕｖｗｘｙｚ％",
    "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz%",
)
_FULLWIDTH_AT_DOT_RE = re.compile(r"(?<=[0-9A-Za-z])[＠．](?=[0-9A-Za-z])")


@rule(
    "punct/halfwidth-alnum",
    "Full-width digits, Latin letters and % become ASCII; ＠ and ． inside e-mails and numbers too.",
    examples=(("pzxxgkb＠163．com，受理１５件，占１００％", "pzxxgkb@163.com，受理15件，占100%"),),
    per_line=True,
)
def halfwidth_alnum(line: str) -> str:
    line = line.translate(_FULLWIDTH_ASCII)
    return _FULLWIDTH_AT_DOT_RE.sub(lambda m: "@" if m[0] == "＠" else ".", line)


_CN_ZERO_DATE_RE = re.compile(r"[一二三四五六七八九〇○OＯ0０零]{4}年(?=[一二三四五六七八九十]{1,2}月)")


@rule(
    "punct/chinese-zero",
    "The zero in Chinese-numeral years is 〇 (U+3007), not ○, O or 0: `二○一二年` → `二〇一二年`.",
    examples=(("二○一二年五月十七日", "二〇一二年五月十七日"), ("二O二三年一月", "二〇二三年一月")),
    per_line=True,
)
def chinese_zero(line: str) -> str:
    return _CN_ZERO_DATE_RE.sub(lambda m: re.sub("[○OＯ0０零]", "〇", m[0]), line)
