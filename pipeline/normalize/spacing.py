"""Spaces inside Chinese text (ARTIFACTS B2, B4; research §4.1 N11).

公文 practice puts no space between Han characters, or between Han and digits: the spacing a
reader sees belongs to the renderer. Spaces between Latin words stay. Joint issuers
(``中共中央 国务院``) keep their separating space.
"""

from __future__ import annotations

import re

from pipeline.core import templates
from pipeline.core.chars import CJK, HAN
from pipeline.normalize.registry import rule

_SPACES = "[ \u00a0\u3000]+"
_HAN_HAN = re.compile(f"(?<=[{CJK}]){_SPACES}(?=[{CJK}])")
_HAN_LATIN = re.compile(f"(?<=[{CJK}]){_SPACES}(?=[0-9A-Za-z%])|(?<=[0-9A-Za-z%]){_SPACES}(?=[{CJK}])")
# The end of one organ name and the start of another: a joint-issuer boundary.
_ORGAN_END = re.compile(f"(中央|国务院|委员会|[{HAN}](部|委|局|厅|署|办|院|政府|人大|政协))$")
_ORGAN_START = re.compile(f"^(中共|中央|国务院|国家|全国|[{HAN}]{{1,8}}?(部|委|局|厅|署|办公室|办公厅|政府))")


_TITLE_END = re.compile(f"({templates.SPEAKER_TITLES})$")
# Two Han characters or more on each side of a space (a single character beside it is padding: 李　华).
_WORD_END = re.compile(f"[{HAN}]{{2,}}$")
_WORD_START = re.compile(f"[{HAN}]{{2,}}")
_NAME_ONLY = re.compile(r"^[\u4e00-\u9fff]{2,4}(同志)?\s*$")
_ARTICLE_END = re.compile(r"(^|[#>\s])第[一二三四五六七八九十百零]{1,5}[章节条]$")


@rule(
    "space/cjk",
    "Remove spaces between Han characters, and between Han and digits or Latin letters, "
    "except between two joint issuers and one ideographic space between two words.",
    examples=(
        ("为 2024 年 1 月 1 日", "为2024年1月1日"),
        ("中共中央 国务院关于", "中共中央 国务院关于"),
        ("出席：张某\u3000李某\u3000王某", "出席：张某\u3000李某\u3000王某"),
        ("李\u3000华同志", "李华同志"),
        ("填报单位：\u3000\u3000\u3000\u3000填报日期：", "填报单位：\u3000\u3000\u3000\u3000填报日期："),
    ),
    per_line=True,
)
def remove_cjk_spaces(line: str) -> str:
    if line.lstrip().startswith("|"):
        # Table rows: only the cell contents, never the spaces around the pipes.
        return "|".join(remove_cjk_spaces(cell) if cell.strip() else cell for cell in line.split("|"))

    def han_han(m: re.Match[str]) -> str:
        left, right = line[: m.start()], line[m.end() :]
        if m[0] == "\u3000" and _WORD_END.search(left) and _WORD_START.match(right):
            return m[0]  # one ideographic space between words: a separator (张某　李某, 王建国　县政府副县长)
        if left.endswith("：") and len(m[0]) >= 2 and "\u3000" in m[0]:
            return m[0]  # a blank to fill in on a form (填报单位：　　　　填报日期：)
        if _TITLE_END.search(left) and _NAME_ONLY.match(right):
            return " "  # `国务院总理 李克强`: the speaker line keeps its space
        if _ARTICLE_END.search(left):
            return "\u3000"  # 第一章　总则, 第一条　为了…: the space after the number is kept
        if _ORGAN_END.search(left) and _ORGAN_START.search(right):
            return " "
        return ""

    line = _HAN_HAN.sub(han_han, line)
    return _HAN_LATIN.sub("", line)


_LABEL_WORDS = ("组长", "副组长", "成员", "邮编", "电话", "传真", "地址", "附则", "总则", "主任", "副主任")
_LABEL_RE = re.compile("|".join(r"[ \u3000]?".join(w) for w in sorted(_LABEL_WORDS, key=len, reverse=True)))


@rule(
    "space/label-words",
    "Collapse alignment spaces inside label words such as `组 长`, `附 则`, `邮 编`.",
    examples=(("组 长：赵晓波", "组长：赵晓波"), ("第六章 附 则", "第六章 附则")),
    per_line=True,
)
def collapse_label_words(line: str) -> str:
    return _LABEL_RE.sub(lambda m: m[0].replace(" ", "").replace("\u3000", ""), line)
