"""Byte-level leftovers of the source: BOM and line ends (ARTIFACTS A2, A3)."""

from __future__ import annotations

from pipeline.normalize.registry import rule


@rule(
    "bytes/bom",
    "Drop the UTF-8 byte-order mark, at the start or stranded mid-text.",
    examples=(("\ufeff政府工作报告", "政府工作报告"),),
    kind="text",
    order=10,
)
def strip_bom(text: str) -> tuple[str, str]:
    return text.replace("\ufeff", ""), ""


@rule(
    "bytes/newlines",
    "Turn CRLF and lone CR line ends into LF before any line logic.",
    examples=(("（2017年10月18日）\r\n\r\n习近平\r", "（2017年10月18日）\n\n习近平\n"),),
    kind="text",
    order=20,
)
def unify_newlines(text: str) -> tuple[str, str]:
    return text.replace("\r\n", "\n").replace("\r", "\n"), ""
