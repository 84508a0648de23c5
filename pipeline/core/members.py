"""Lists of people in official documents, in the canonical form the normalizer writes them.

A 领导小组 (指挥部, 委员会) lists its members one a line: a role label, the name and the post, or
the post and the name (``副组长：李华　县政府办公室主任``, ``组长：市委常委、常务副市长　张某某``);
members under the same role follow without a label (``张明亮　县应急管理局局长``). A 纪要 lists who
attended (``出席：张某　李某　王某``). One ideographic space parts name and post. The normalizer
(``pipeline.normalize.namelists``) writes the lines; the XHTML marks them so that the PDF aligns
the names under each other.
"""

from __future__ import annotations

import re

from pipeline.core.chars import HAN

ROLE_LABELS = (
    "常务副组长", "副组长", "组长", "组员", "成员", "常务副主任", "副主任", "主任", "委员", "顾问",
    "副秘书长", "秘书长", "副召集人", "召集人", "副总指挥", "总指挥", "副指挥长", "指挥长", "联络员",
    "出席", "列席", "请假", "缺席", "参加",
)  # fmt: skip
_ROLE = "|".join(ROLE_LABELS)
_ENTRY_RE = re.compile(
    f"^(?P<role>(?:{_ROLE})：)?(?:[{HAN}]{{2,4}}\u3000[^\u3000]+|[^\u3000]+\u3000[{HAN}]{{2,4}})$"
)
_NAMES_RE = re.compile(f"^(?P<role>(?:{_ROLE})：)[{HAN}]{{2,4}}(?:\u3000[{HAN}]{{2,4}})+$")


def entry(text: str) -> tuple[str, str] | None:
    """A member line's role label (with its colon; ``""`` for a member under the role above) and
    the rest, or None when the line is not one."""
    text = text.strip()
    m = _ENTRY_RE.match(text) or _NAMES_RE.match(text)
    if m is None:
        return None
    role = m["role"] or ""
    return role, text[len(role) :]


def is_name(text: str) -> bool:
    """A person's name as these lists write it: two to four Han characters."""
    return bool(re.fullmatch(f"[{HAN}]{{2,4}}", text))
