"""The checker's font-role rules: each role set in a font of its design, and the glyphs that
fell back to a font outside the roles.

GB/T 9704 names designs, not fonts: a 仿宋 body, 黑体 and 楷体 headings, a 小标宋 title, a 宋体
page number. A role that falls through its stack to a font of another design (Noto Serif CJK,
a 宋 design, for the 仿宋 body) is wrong while a font of the right design is installed (the
style sheet lists it too late, or not at all): a failure. With none installed it is the best
this machine can do: a warning naming what to install. The title has no free 小标宋; a heavy
宋 standing in for it is reported as a substitute, not as a finding.

A character missing from its role's font is drawn by fontconfig's next font (per glyph). Those
characters are listed; outside GB2312 (rare names, as 勠) that is expected, since the licensed
仿宋_GB2312 offices use lacks them too; a GB2312 character falling back is a warning.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import Any, Protocol

from pipeline.core.chars import HAN_RE
from pipeline.pdf import fonts


class Measured(Protocol):
    """What the checker measured of a PDF (``pipeline.conformance.check.Measured``), as far as the font roles
    need it (the checker imports this module, not the other way round)."""

    pages: list[Any]
    heading_fonts: dict[str, Counter[str]]
    families: dict[str, str]
    _fallback_fonts: dict[str, bool]

    @property
    def lines(self) -> Iterable[Any]: ...

    def is_role_font(self, font: str, role: str) -> bool: ...


ROLE_NAMES = {"body": "正文", "title": "标题", "heading-1": "一级标题", "heading-2": "二级标题", "page-number": "页码"}
# Roles whose font sets text inside the 版心: a glyph there in another font is a fallback.
FLOW_ROLES = ("body", "title", "heading-1", "heading-2")


def resolved(stylesheet: Path) -> dict[str, str]:
    """The family each role resolves to here (roles with no installed font left out)."""
    return {role: family for role, stack in fonts.stacks(stylesheet).items() if (family := fonts.resolve(stack))}


def chosen(families: dict[str, str]) -> dict[str, str]:
    """Each role's font as the PDF names it (prefix): the title's face is the bold one."""
    return {role: fonts.pdf_name(f"{family} Bold" if role == "title" else family) for role, family in families.items()}


def used(m: Measured) -> dict[str, str]:
    """The font the PDF sets the body (its 3号 Han characters), the title (2号), the page numbers
    and the headings (as the heading-fonts rule found them) in, where it has them."""
    found: dict[str, str] = {}
    body = Counter(g.font for ln in m.lines for g in ln.glyphs if abs(g.size - 16) < 0.3 and HAN_RE.match(g.text))
    title = Counter(g.font for ln in (m.pages[0].block if m.pages else []) for g in ln.glyphs
                    if abs(g.size - 22) < 0.3 and HAN_RE.match(g.text))  # fmt: skip
    folio = Counter(g.font for page in m.pages for ln in page.folio for g in ln.glyphs if g.text.isdigit())
    for role, counts in (("body", body), ("title", title), ("page-number", folio), *m.heading_fonts.items()):
        if counts:
            found[role] = counts.most_common(1)[0][0]
    return found


def role_designs(m: Measured, metrics: dict) -> Iterator[tuple[str, str, int]]:
    """Each role's font and its design in ``metrics["font_roles"]``; a wrong design is a failure
    when a right one is installed here, else a warning naming what to install. Runs after the
    heading-fonts rule, which finds the headings."""
    pdf_fonts = used(m)
    report = {}
    for role, wanted in fonts.WANTED.items():
        font = pdf_fonts.get(role) or m.families.get(role, "")
        if not font:
            continue
        got = fonts.role_design(role, font)
        report[role] = {"font": font, "design": got, "wanted": wanted}
        if not got or got in (wanted, fonts.SUBSTITUTE):
            continue  # a font of unknown design (a licensed one not listed) is not judged
        name, right = ROLE_NAMES[role], fonts.installed_of(wanted)
        if right:
            yield "fail", (f"{name}应为{wanted}体，实为 {font}（{got}体），而本机已安装{wanted}字体 {right[0]}。"
                           f"处理建议：在样式表中把 {right[0]} 排在该角色字体顺序的前面"), 0  # fmt: skip
        else:
            free = fonts.FREE.get(wanted, "")
            how = "（make run 会自动安装；或运行 python -m pipeline.pdf.freefonts）" if free else ""
            advice = f"安装{wanted}字体 {free}".rstrip() + how
            yield "warn", f"{name}应为{wanted}体，本机没有{wanted}字体，暂用 {font}（{got}体）。处理建议：{advice}", 0
    metrics["font_roles"] = report


def is_fallback(m: Measured, font: str) -> bool:
    """Whether a glyph inside the 版心 is set in none of the roles' fonts there."""
    known = m._fallback_fonts.get(font)
    if known is None:  # asked once per glyph: remembered per font
        known = m._fallback_fonts[font] = not any(m.is_role_font(font, role) for role in FLOW_ROLES)
    return known


def in_gb2312(ch: str) -> bool:
    try:
        ch.encode("gb2312")
    except UnicodeEncodeError:
        return False
    return True
