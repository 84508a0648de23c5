"""Lists of people (名单): 组长/副组长/成员 with each person's post, 出席/列席/请假 lines of a 纪要.

A notice that sets up a 领导小组 (or a 指挥部, a 委员会) lists its members one a line, a role
label, a name and a post, names padded to three characters and aligned with spaces::

    组  长：王建国  县政府副县长
    副组长：李  华  县政府办公室主任
            张明亮  县应急管理局局长

Nothing in the line ends a sentence, so a cut-sentence rule joined the lines into one run, and the
space rule then removed the spaces: ``组长：王建国县政府副县长副组长：李华县政府办公室主任张明亮…``
(names and posts no longer told apart). A web page flattens the same list onto one line with
single spaces. This rule writes each member on a line of its own, the padding inside a label or a
name taken out and one ideographic space between the name and the post::

    组长：王建国　县政府副县长
    副组长：李华　县政府办公室主任
    张明亮　县应急管理局局长

which the space rule keeps (an ideographic space between two words of two or more characters is
a separator, ``spacing.remove_cjk_spaces``) and the rejoin rule leaves alone (``members.entry``).
A list of names only (``出席：张某 李某 王某``) keeps its names apart the same way. The words are
the national practice of such lists, not any one issuer's.
"""

from __future__ import annotations

import re

from pipeline.core import members
from pipeline.core.chars import HAN
from pipeline.core.members import ROLE_LABELS
from pipeline.normalize.registry import Log, rule

_SP = "[ \u3000\u00a0]"
_LABEL_RE = re.compile(
    f"(?:^|(?<={_SP}))(?P<label>" + "|".join(f"{_SP}*".join(label) for label in ROLE_LABELS) + f"){_SP}*[：:]{_SP}*"
)
# How a post ends (局长, 主任, 委员, 副调研员, 局长助理, 政协副主席, 书记, 负责同志 …); a post of five or
# more characters is taken whatever its ending (区党工委委员、管委会副主任).
_POST_END_RE = re.compile("(长|主任|委员|员|助理|主席|书记|秘书|负责人|同志|代表)$")
_SENTENCE_END = ("。", "！", "？", "；")


def _is_label(token: str) -> bool:
    return token.endswith("：") and token[:-1] in ROLE_LABELS


def _is_post(token: str) -> bool:
    return (
        len(token) >= 2 and bool(re.match(f"[{HAN}（]", token)) and not token.endswith(_SENTENCE_END)
        and (len(token) >= 5 or bool(_POST_END_RE.search(token)))
    )  # fmt: skip


def _name(tokens: list[str], i: int) -> tuple[str, int] | None:
    """The name at ``tokens[i]`` (a two-character name padded to three, ``李 华``, is two tokens)
    and the index after it."""
    if i < len(tokens) and members.is_name(tokens[i]):
        return tokens[i], i + 1
    if i + 1 < len(tokens) and all(re.fullmatch(f"[{HAN}]", t) for t in tokens[i : i + 2]):
        return tokens[i] + tokens[i + 1], i + 2
    return None


def _tokens(text: str) -> list[str]:
    """Words split on spaces, a role label (its padding and colon taken in) a word of its own, where
    it starts the text or follows a space (``小组成员：`` is no label)."""
    text = _LABEL_RE.sub(lambda m: " " + re.sub(_SP, "", m["label"]) + "： ", text)
    return [word for word in re.split(f"{_SP}+", text) if word]


def parse(text: str, continuing: bool = False) -> tuple[list[str], str] | None:
    """The member lines a line holds and what follows them (a sentence after the list), or None
    when it does not start a list (``continuing``: a line right after a list may start with a name)."""
    text = re.sub(f"^{_SP}+", "", text)
    if not continuing and not _LABEL_RE.match(text):
        return None  # (most lines: decided without splitting them)
    tokens = _tokens(text)
    if not tokens or not (_is_label(tokens[0]) or continuing):
        return None
    entries, i = [], 0
    while i < len(tokens):
        label = tokens[i] if _is_label(tokens[i]) else ""
        start = i + bool(label)
        found = _name(tokens, start)
        if found is None:
            # the post first (组长：市委常委、常务副市长 张某某), the post ending as posts do
            post_first = start < len(tokens) and _is_post(tokens[start]) and _POST_END_RE.search(tokens[start])
            named = _name(tokens, start + 1) if post_first else None
            if named is None or (named[1] < len(tokens) and not _is_label(tokens[named[1]])):
                break
            entries.append(f"{label}{tokens[start]}\u3000{named[0]}")
            i = named[1]
            continue
        name, after = found
        if after < len(tokens) and _is_post(tokens[after]):
            entries.append(f"{label}{name}\u3000{tokens[after]}")
            i = after + 1
            continue
        names, j = [name], after  # names only: 出席：张某 李某 王某
        while (more := _name(tokens, j)) is not None and not _is_label(tokens[j]):
            names.append(more[0])
            j = more[1]
        if not label or len(names) < 2 or (j < len(tokens) and not _is_label(tokens[j])):
            break
        entries.append(label + "\u3000".join(names))
        i = j
    if not entries:
        return None
    return entries, " ".join(tokens[i:])


@rule(
    "lines/name-list",
    "Members of a 领导小组 (组长/副组长/成员, name and post) and 出席/列席 names: one a line, name and post apart.",
    examples=(
        (
            "名单如下：\n组  长：王建国  县政府副县长\n副组长：李  华  县政府办公室主任\n"
            "\u3000\u3000\u3000\u3000张明亮  县应急管理局局长\n领导小组下设办公室。",
            "名单如下：\n\n组长：王建国\u3000县政府副县长\n\n副组长：李华\u3000县政府办公室主任\n\n张明亮\u3000县应急管理局局长\n\n"
            "领导小组下设办公室。",
        ),
        (
            "组 长：赵某某 区党工委委员、管委会副主任 成 员：沈某英 区经济发展局副局长 李 华 区规划局局长 "
            "领导小组下设办公室，依托在区预防办。",
            "组长：赵某某\u3000区党工委委员、管委会副主任\n\n成员：沈某英\u3000区经济发展局副局长\n\n李华\u3000区规划局局长\n\n"
            "领导小组下设办公室，依托在区预防办。",
        ),
        ("出席：张某 李某 王某", "出席：张某\u3000李某\u3000王某"),
        (
            "组 长：市委常委、常务副市长 张某某\n\n副组长：市政府副秘书长 李某",
            "组长：市委常委、常务副市长\u3000张某某\n\n副组长：市政府副秘书长\u3000李某",
        ),
        ("成员：由各有关部门分管负责同志组成。", "成员：由各有关部门分管负责同志组成。"),
        ("主任：张某某", "主任：张某某"),
    ),
)
def name_lists(lines: list[str], log: Log) -> list[str]:
    out: list[str] = []
    in_list = False
    for no, line in enumerate(lines, 1):
        if not line.strip():
            out.append(line)
            continue
        parsed = None if line.lstrip().startswith(("#", "|", "<", ">")) else parse(line, continuing=in_list)
        if parsed is None:
            in_list = False
            out.append(line)
            continue
        entries, rest = parsed
        in_list = not rest
        new = "\n\n".join([*entries, rest] if rest else entries)
        if new != line:
            log(no, line, new)
        if out and out[-1].strip():
            out.append("")  # each member a paragraph of its own
        out.extend(new.split("\n"))
        if no < len(lines) and lines[no].strip():
            out.append("")
    return out
