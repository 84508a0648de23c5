"""公文 elements written in their canonical form (see ``pipeline.gongwen`` and docs/elements.md).

Converters and crawlers cut or glue the elements that close a document: ``附件：`` on one line and
the attachment's name on the next, a 抄送 line wrapped over two, the 版记 glued to the date in a
flattened page. These rules give each element a paragraph of its own, in the form the element
model reads, without changing a character of it.
"""

from __future__ import annotations

import re

from pipeline import gongwen
from pipeline.normalize.registry import Log, rule

_ATTACHMENT_RE = re.compile(r"^附\s*件\s*(\d*)\s*[:：]\s*(.+?)[。.．]?$")
_BARE_NOTE_RE = re.compile(r"^附\s*件\s*\d*\s*[:：]$")
_NAME_RE = re.compile(r"^[^。；！？]{2,60}$")


@rule(
    "elements/attachment-note",
    "附件说明 (§7.3.4): `附件:1.统计表。` → `附件：1.统计表` (full-width colon, no closing punctuation).",
    examples=(("附件:1.统计表。", "附件：1.统计表"), ("附件1：平潭县统计表", "附件1：平潭县统计表")),
    kind="line",
    order=280,
)
def attachment_note(line: str) -> str:
    m = _ATTACHMENT_RE.match(line.strip())
    if not m or len(line) > 80:
        return line
    return f"附件{m[1]}：{m[2]}"


@rule(
    "elements/attachment-name",
    "`附件：` alone on a line takes the attachment's name from the next line (`附件：` ⏎ `某办法.docx` → "
    "`附件：某办法.docx`).",
    examples=(("附件：\n某某实施办法（试行）.docx\n某某委员会", "附件：某某实施办法（试行）.docx\n某某委员会"),),
    kind="lines",
    order=282,
)
def attachment_name(lines: list[str], log: Log) -> list[str]:
    out: list[str] = []
    i = 0
    while i < len(lines):
        line = lines[i]
        j = next((k for k in range(i + 1, min(i + 3, len(lines))) if lines[k].strip()), None)
        name = lines[j].strip() if j is not None else ""
        if _BARE_NOTE_RE.match(line.strip()) and _NAME_RE.match(name) and not gongwen.organs(name):
            joined = line.strip() + name
            log(i + 1, f"{line}⏎{name}", joined)
            out.append(joined)
            i = j + 1
            continue
        out.append(line)
        i += 1
    return out
