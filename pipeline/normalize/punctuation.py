"""Half-width punctuation in Chinese text becomes full-width (GB/T 15834; research §4.1 N1–N4).

A mark is "in Chinese context" when its nearest non-space neighbour on either side is a Han
character or full-width punctuation. Marks between ASCII letters and digits (``1,234``,
``http://``, ``a.b``) are never touched.
"""

from __future__ import annotations

import re

from pipeline.normalize.chars import CJK_RE, HAN_RE, is_cjk, is_han
from pipeline.normalize.registry import rule

_FULL = {",": "，", ":": "：", ";": "；", "?": "？", "!": "！"}


def _neighbours(line: str, i: int) -> tuple[str, str]:
    left = line[:i].rstrip(" ")[-1:]
    right = line[i + 1 :].lstrip(" ")[:1]
    return left, right


def _mostly_chinese(line: str) -> bool:
    """More Han characters than Latin letters (digits count for neither)."""
    han = len(HAN_RE.findall(line))
    return han > 0 and han >= sum(ch.isascii() and ch.isalpha() for ch in line)


@rule(
    "punct/fullwidth",
    "ASCII , : ; ? ! in Chinese context become ，：；？！ (spaces after them dropped); a "
    "sentence-final . after Han becomes 。",
    kind="line",
    order=250,
)
def fullwidth_punctuation(line: str) -> str:
    out: list[str] = []
    skip_spaces = False
    for i, ch in enumerate(line):
        if skip_spaces and ch == " ":
            continue
        skip_spaces = False
        left, right = _neighbours(line, i)
        if ch in _FULL:
            url = ch == ":" and line[i + 1 : i + 3] == "//"
            chinese = is_cjk(left) or is_cjk(right)
            # `58.5%, 8000多万`: a comma after a number, followed by a space, in a Chinese line.
            spaced_list = ch in ",;" and line[i + 1 : i + 2] == " " and _mostly_chinese(line)
            if not url and (chinese or spaced_list):
                out.append(_FULL[ch])
                skip_spaces = True
                continue
        elif ch == "." and is_han(line[i - 1 : i]) and (not right or is_cjk(right)) and line[i + 1 : i + 2] != ".":
            out.append("。")
            skip_spaces = True
            continue
        out.append(ch)
    return "".join(out)


_PAREN_RE = re.compile(r"[()（）]")


@rule(
    "punct/parens",
    "Parenthesis pairs around or beside Chinese text become （）, mixed pairs `（一)` repaired.",
    kind="line",
    order=260,
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
