"""HTML character references left in the text by scrapers and converters (``&amp;`` ``&lt;``).

They are decoded once, before the punctuation family, whose rules would otherwise read their
``;`` as a Chinese semicolon (``各单位&amp；部门``). A reference is kept where its character
would change what the Markdown means: ``&lt;`` before a letter, ``/``, ``!`` or ``?`` (it would
open an HTML tag) and ``&amp;`` before what reads as another reference (``&amp;lt;`` is the text
``&lt;``, not ``<``). Decoding twice therefore changes nothing. Code spans are left alone.
"""

from __future__ import annotations

import html
import re

from pipeline.core.chars import CJK
from pipeline.normalize.registry import rule

_REFERENCE = re.compile(r"&(?:#[0-9]{1,7}|#[xX][0-9a-fA-F]{1,6}|[A-Za-z][A-Za-z0-9]{1,31});")
_TAG_START = re.compile(r"[A-Za-z/!?]")
_CODE_SPAN = re.compile(r"(`+[^`]*`+)")


def _decode(text: str) -> str:
    def one(m: re.Match[str]) -> str:
        char = html.unescape(m[0])
        after = text[m.end() : m.end() + 40]
        if (char == "<" and _TAG_START.match(after)) or (char == "&" and _REFERENCE.match("&" + after)):
            return m[0]
        return char

    return _REFERENCE.sub(one, text) if "&" in text else text


@rule(
    "text/entities",
    "HTML character references (&amp; &lt; &gt; &nbsp; &#12290;) are decoded once, before punctuation; "
    "&lt; that would open a tag and &amp; before another reference are kept.",
    examples=(
        ("各单位&amp;部门&lt;联系&gt;", "各单位&部门<联系>"),
        ("&lt;b&gt;不是标签&amp;lt;", "&lt;b>不是标签&amp;lt;"),
        ("代码 `&amp;` 照旧&#12290;", "代码 `&amp;` 照旧。"),
    ),
    per_line=True,
)
def decode_entities(line: str) -> str:
    if "&" not in line:
        return line
    return "".join(part if n % 2 else _decode(part) for n, part in enumerate(_CODE_SPAN.split(line)))


# A converter writing Markdown (markdownify, behind markitdown and mammoth) escapes a number and dot
# at a line's start so that it is not read as a list: ``1\\. 规章制度``. The numbering rules then
# saw no ``1.``, and the heading stayed a paragraph. Before Chinese text the escape goes; the
# numbering rules write the marker as ``1.`` with no space, which no Markdown reads as a list.
_ESCAPED_NUMBER = re.compile(rf"^(\s*\d{{1,2}})\\\.(?=\s*[{CJK}])")


@rule(
    "text/escaped-numbering",
    "A number escaped by a Markdown writer at a line's start (``1\\. 规章制度``) is a numbering marker again.",
    examples=(("1\\. 规章制度", "1. 规章制度"), ("1\\. Introduction", "1\\. Introduction")),
    per_line=True,
)
def unescape_numbering(line: str) -> str:
    return _ESCAPED_NUMBER.sub(r"\1.", line) if "\\" in line else line
