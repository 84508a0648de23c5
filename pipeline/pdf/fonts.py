"""Font roles of the official style: which real font each role resolves to on this machine.

GB/T 9704 names type styles, not files: 仿宋 body, 小标宋 title, 黑体 level 1, 楷体 level 2,
宋体 page numbers. The style sheet lists, per role, the licensed fonts offices install first
and then free fonts from Debian packages; this module reads those stacks from the style sheet
(one source of truth), resolves them through fontconfig as WeasyPrint does, and measures
how much of GB2312 each resolved font covers. The checker uses the stacks to tell a
fallback glyph from a role font, and the record names each file with its SHA-256, because a
re-render is byte-identical only with the very same font files.
"""

from __future__ import annotations

import functools
import re
import subprocess
from dataclasses import dataclass
from pathlib import Path

import tinycss2

from pipeline.archive.fixity import sha256_file

# Role -> (selector in official.css, the type style GB/T 9704 names for it).
ROLES = {
    "body": ("html", "仿宋"),
    "title": ("header h1", "小标宋"),
    "heading-1": ("h2", "黑体"),
    "heading-2": ("h3", "楷体"),
    "page-number": ("@page :right", "宋体"),
}

# The design of the families the style sheet names and of other common Chinese fonts, by the
# name fontconfig knows (the first names are what offices install). A family not listed has
# no known design.
DESIGNS: dict[str, tuple[str, ...]] = {
    "仿宋": ("FangSong_GB2312", "仿宋_GB2312", "FangSong", "仿宋", "STFangsong", "FandolFang", "Zhuque Fangsong",
             "朱雀仿宋"),
    "楷": ("KaiTi_GB2312", "楷体_GB2312", "KaiTi", "楷体", "STKaiti", "FandolKai", "AR PL UKai CN",
           "AR PL KaitiM GB", "LXGW WenKai"),
    "黑": ("SimHei", "黑体", "STHeiti", "FandolHei", "Noto Sans CJK SC", "WenQuanYi Zen Hei", "WenQuanYi Micro Hei"),
    "宋": ("SimSun", "宋体", "STSong", "FandolSong", "Noto Serif CJK SC", "AR PL UMing CN", "AR PL SungtiL GB"),
    "小标宋": ("FZXiaoBiaoSong-B05S", "方正小标宋简体", "方正小标宋_GBK", "FZXiaoBiaoSong-B05"),
}
# The design each role asks for; a role set in a design that merely stands in for it (no free
# 小标宋 exists: a heavy Song sets the title) is a substitute.
WANTED = {"body": "仿宋", "title": "小标宋", "heading-1": "黑", "heading-2": "楷", "page-number": "宋"}
SUBSTITUTES = {"小标宋": "宋"}
SUBSTITUTE = "substitute"
# What to install when no family of a design is here (the free fonts `make run` installs).
FREE = {"仿宋": "FandolFang", "楷": "FandolKai", "黑": "FandolHei", "宋": "FandolSong"}


@dataclass(frozen=True)
class RoleFont:
    role: str
    style: str  # the type style the standard names
    stack: tuple[str, ...]
    family: str  # the first family of the stack installed here ("" if none)
    file: Path | None
    gb2312_missing: int | None  # GB2312 hanzi the font lacks (None when not measured)
    design: str = ""  # the family's design (仿宋, 楷, 黑, 宋, 小标宋), "substitute", or "" if unknown


def design(family: str) -> str:
    """The design of a family, by its name or its PDF font name (``FandolFang-Bold``)."""
    key = pdf_name(family)
    return next((d for d, names in DESIGNS.items() for n in names if key.startswith(pdf_name(n))), "")


def role_design(role: str, family: str) -> str:
    """What the role is set in: its own design, ``substitute`` for a stand-in, else the other design."""
    found = design(family)
    wanted = WANTED[role]
    return SUBSTITUTE if found and found != wanted and SUBSTITUTES.get(wanted) == found else found


def installed_of(design_name: str) -> list[str]:
    """The families of a design installed here."""
    families = installed_families()
    return [name for name in DESIGNS.get(design_name, ()) if name in families]


def stacks(stylesheet: Path) -> dict[str, tuple[str, ...]]:
    """The font-family stack of each role, as written in the style sheet (parsed once per version
    of the file, like the style sheet the renderer keeps: a long-lived ``pipeline serve`` sees an
    edited style sheet in both)."""
    return _stacks(stylesheet, stylesheet.stat().st_mtime_ns)


@functools.lru_cache(maxsize=8)
def _stacks(stylesheet: Path, version: int) -> dict[str, tuple[str, ...]]:
    found: dict[str, tuple[str, ...]] = {}
    rules = tinycss2.parse_stylesheet(stylesheet.read_text(encoding="utf-8"), skip_comments=True,
                                      skip_whitespace=True)  # fmt: skip
    for rule in rules:
        prelude = tinycss2.serialize(rule.prelude).strip() if rule.prelude else ""
        if rule.type == "at-rule":
            prelude = f"@{rule.lower_at_keyword} {prelude}"
        for role, (selector, _) in ROLES.items():
            if role not in found and selector in [s.strip() for s in prelude.split(",")]:
                family = _font_family(rule.content or [])
                if family:
                    found[role] = family
    return found


def _font_family(content: list) -> tuple[str, ...]:
    for decl in tinycss2.parse_blocks_contents(content, skip_comments=True, skip_whitespace=True):
        if decl.type == "declaration" and decl.lower_name == "font-family":
            names = tinycss2.serialize(decl.value).split(",")
            return tuple(n.strip().strip('"').strip("'") for n in names if n.strip())
        if decl.type == "at-rule" and decl.content:  # margin boxes inside @page
            inner = _font_family(decl.content)
            if inner:
                return inner
    return ()


@functools.cache
def installed_families() -> frozenset[str]:
    try:
        out = subprocess.run(["fc-list", ":", "family"], capture_output=True, text=True, timeout=30).stdout
    except (OSError, subprocess.TimeoutExpired):
        return frozenset()
    return frozenset(name.strip() for line in out.splitlines() for name in line.split(","))


def resolve(stack: tuple[str, ...]) -> str:
    """The family fontconfig (and so WeasyPrint) uses for a stack: the first one installed."""
    families = installed_families()
    return next((name for name in stack if name in families), "")


@functools.cache
def font_file(family: str, weight: int = 400) -> Path | None:
    path, _ = _match(family, weight)
    return path


@functools.cache
def _match(family: str, weight: int = 400) -> tuple[Path | None, int]:
    style = "Bold" if weight >= 600 else "Regular"
    try:
        out = subprocess.run(["fc-match", "-f", "%{file}\t%{index}", f"{family}:style={style}"],
                             capture_output=True, text=True, timeout=10).stdout.strip()  # fmt: skip
    except (OSError, subprocess.TimeoutExpired):
        return None, 0
    path, _, index = out.partition("\t")
    return (Path(path) if path else None), int(index or 0)


@functools.cache
def font_digest(path: Path) -> str:
    return sha256_file(path)


@functools.cache
def gb2312_hanzi() -> str:
    """The 6,763 hanzi of GB2312 (rows 16–87)."""
    chars = []
    for row in range(16, 88):
        for cell in range(1, 95):
            try:
                chars.append(bytes([row + 0xA0, cell + 0xA0]).decode("gb2312"))
            except UnicodeDecodeError:
                continue
    return "".join(chars)


@functools.cache
def missing_gb2312(family: str, weight: int = 400) -> int | None:
    path, index = _match(family, weight)
    if path is None:
        return None
    from fontTools.ttLib import TTFont  # only `pipeline fonts` needs it

    font = TTFont(path, fontNumber=index, lazy=True)
    cmap = font.getBestCmap() or {}
    return sum(1 for ch in gb2312_hanzi() if ord(ch) not in cmap)


def role_fonts(stylesheet: Path, coverage: bool = True) -> list[RoleFont]:
    found = stacks(stylesheet)
    result = []
    for role, (_, style) in ROLES.items():
        stack = found.get(role, ())
        family = resolve(stack)
        weight = 700 if role == "title" else 400
        result.append(RoleFont(
            role, style, stack, family, font_file(family, weight) if family else None,
            missing_gb2312(family, weight) if family and coverage else None, role_design(role, family),
        ))  # fmt: skip
    return result


def pdf_name(family: str) -> str:
    """How a family appears in a PDF font name: ``Noto Serif CJK SC`` -> ``NotoSerifCJKSC``."""
    return re.sub(r"[\s_-]", "", family).lower()
