"""Byte-level leftovers of the source: BOM and line ends (ARTIFACTS A2, A3)."""

from __future__ import annotations

import re

from pipeline.normalize.registry import Log, rule


@rule(
    "bytes/bom",
    "Drop the UTF-8 byte-order mark, at the start or stranded mid-text.",
    examples=(("\ufeff政府工作报告", "政府工作报告"),),
    per_line=True,
)
def strip_bom(line: str) -> str:
    return line.replace("\ufeff", "")


@rule(
    "bytes/newlines",
    "Turn CRLF and lone CR line ends into LF before any line logic.",
    examples=(("（2017年10月18日）\r\n\r\n习近平\r", "（2017年10月18日）\n\n习近平\n"),),
)
def unify_newlines(lines: list[str], log: Log) -> list[str]:
    if not any("\r" in line for line in lines):
        return lines
    out: list[str] = []
    for no, line in enumerate(lines, 1):
        crlf = no < len(lines)  # the \r before a line's \n is a CRLF; any other \r, a line end of its own
        pieces = (line.removesuffix("\r") if crlf else line).split("\r")
        if len(pieces) > 1 or pieces[0] != line:
            log(no, line, "\n".join(pieces))
        out.extend(pieces)
    return out


# Controls, zero-width characters, and the bidi embeddings, overrides and isolates (U+202A–U+202E,
# U+2066–U+2069), which can make a title or a line display in an order other than the text's.
_CONTROL_RE = re.compile(r"[\x00-\x08\x0b\x0e-\x1f\x7f\u200b\u200c\u200d\u2060\u202a-\u202e\u2066-\u2069]")


@rule(
    "bytes/controls",
    "Form feeds (page breaks from pdftotext) become line breaks; other control, zero-width and bidi-override "
    "characters are dropped.",
    examples=(("第一页\f第二页", "第一页\n第二页"), ("政\u200b府\x07", "政府"), ("关于\u202e通知\u2069", "关于通知")),
)
def control_characters(lines: list[str], log: Log) -> list[str]:
    out: list[str] = []
    for no, line in enumerate(lines, 1):
        new = _CONTROL_RE.sub("", line.replace("\f", "\n"))
        if new != line:
            log(no, line, new)
        out.extend(new.split("\n"))
    return out
