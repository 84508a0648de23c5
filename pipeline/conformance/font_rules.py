"""Rules on fonts and glyphs: embedded fonts, each role's design, missing and fallback glyphs,
line-break prohibitions (GB/T 15834) and the PDF/A-3 attachments."""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Iterator

from pipeline.conformance import fontroles
from pipeline.conformance.page_rules import _NO_LINE_START
from pipeline.conformance.reader import Measured
from pipeline.conformance.rules import rule
from pipeline.core.chars import OPENING


@rule("fonts-embedded", "所有字体均已嵌入")
def _fonts_embedded(m: Measured, metrics: dict) -> Iterator[tuple[str, str, int]]:
    metrics["fonts"] = sorted(m.fonts)
    for name, info in sorted(m.fonts.items()):
        if not info["embedded"]:
            yield "fail", f"字体 {name} 未嵌入", 0


@rule("font-roles", "各角色字体的设计：正文仿宋、一级标题黑体、二级标题楷体、页码宋体，标题小标宋（无则以粗宋体替代）")
def _font_roles(m: Measured, metrics: dict) -> Iterator[tuple[str, str, int]]:
    return fontroles.role_designs(m, metrics)


@rule("glyphs", "没有缺字（.notdef）或 U+FFFD；列出不在角色字体中、由后备字体显示的字符（GB2312 以内的提示）")
def _glyphs(m: Measured, metrics: dict) -> Iterator[tuple[str, str, int]]:
    missing: Counter[str] = Counter()
    fallback: Counter[str] = Counter()
    for ln in m.lines:
        for g in ln.glyphs:
            if g.notdef or g.text == "\ufffd":
                missing[g.text] += 1
            elif m.chosen and g.text.strip() and fontroles.is_fallback(m, g.font):
                fallback[g.text] += 1
    metrics.update(missing_glyphs=[_name(ch) for ch in missing], fallback_glyphs=[_name(ch) for ch in fallback])
    for ch, count in missing.items():
        yield "fail", f"缺字：{_name(ch)} 在所有字体中都没有字形（{count} 处），请安装含该字的字体或改用通用字", 0
    if common := [ch for ch in fallback if fontroles.in_gb2312(ch)]:
        yield "warn", "以下字符不在角色字体中，由后备字体显示：" + "、".join(_name(ch) for ch in common), 0


def _name(ch: str) -> str:
    return f"{ch} U+{ord(ch):04X} {unicodedata.name(ch, '?')}" if len(ch) == 1 else repr(ch)


@rule("line-breaks", "行首无点号和后引号、行末无前引号（GB/T 15834 禁则）")
def _line_breaks(m: Measured, metrics: dict) -> Iterator[tuple[str, str, int]]:
    for ln in m.lines:
        ink = ln.ink
        if ink and (ink[0] in _NO_LINE_START and ink[:2] not in ("——", "……")):
            yield "warn", f"行首出现标点：“{ink[:10]}”", ln.page
        if ink and ink[-1] in OPENING:
            yield "warn", f"行末出现前引号：“{ink[-10:]}”", ln.page


@rule("attachments", "PDF/A-3 附有规范化源文本 document.md 和元数据 metadata.xml")
def _attachments(m: Measured, metrics: dict) -> Iterator[tuple[str, str, int]]:
    metrics["attachments"] = m.attachments
    for name in ("document.md", "metadata.xml"):
        if name not in m.attachments:
            yield "fail", f"PDF 中缺少附件 {name}", 0
