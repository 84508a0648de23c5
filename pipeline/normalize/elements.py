"""公文 elements written in their canonical form (see ``pipeline.xhtml.gongwen`` and docs/elements.md).

Converters and crawlers cut or glue the elements that close a document: ``附件：`` on one line and
the attachment's name on the next, a 抄送 line wrapped over two, the 版记 glued to the date in a
flattened page. These rules give each element a paragraph of its own, in the form the element
model reads, without changing a character of it.
"""

from __future__ import annotations

import re

from pipeline.normalize.registry import Log, rule
from pipeline.xhtml import gongwen

_ATTACHMENT_RE = re.compile(r"^附\s*件\s*(\d*)\s*[:：]\s*(.+?)[。.．]?$")
_BARE_NOTE_RE = re.compile(r"^附\s*件\s*\d*\s*[:：]$")
_NAME_RE = re.compile(r"^[^。；！？]{2,60}$")


@rule(
    "elements/attachment-note",
    "附件说明 (§7.3.4): `附件:1.统计表。` → `附件：1.统计表` (full-width colon, no closing punctuation).",
    examples=(("附件:1.统计表。", "附件：1.统计表"), ("附件1：平潭县统计表", "附件1：平潭县统计表")),
    per_line=True,
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


_DATE = gongwen.DATE
_CC = r"抄\s*送[：:]"
_PRINTED = rf"[{gongwen.HAN}（）]{{2,60}}?\s*(?:{_DATE})\s*印\s*发"
# Elements glued together where a crawler or converter lost the line break between them.
_GLUED = (
    re.compile(rf"^(?P<a>{_DATE})(?P<b>(?:[（(]|{_CC}|附件\d*[：:]).+)$"),  # 成文日期 + 附注 / 抄送 / 附件
    re.compile(rf"^(?P<a>{_DATE})(?P<b>{_PRINTED})$"),  # 成文日期 + 印发
    re.compile(rf"^(?P<a>.+[。！？）)日])(?P<b>{_CC}.+)$"),  # the last sentence, 附注 or date + 抄送
    # (署名 +) 成文日期 + 附注
    re.compile(rf"^(?P<a>(?:[{gongwen.HAN}（） ]{{2,80}}?)?(?:{_DATE}))(?P<b>[（(][^（）()]{{2,80}}[）)])$"),
    re.compile(rf"^(?P<a>[（(]?(?:{gongwen.DOC_NUMBER})[）)]?)\s*(?P<b>签\s*发\s*人[：:].+)$"),  # 文号 + 签发人
    re.compile(rf"^(?P<a>{_CC}[^。]+。)(?P<b>{_PRINTED})$"),  # 抄送 + 印发
    re.compile(rf"^(?P<a>.+[。！？）)])(?P<b>{_PRINTED})$"),  # the last sentence (or 附注) + 印发
    re.compile(rf"^(?P<a>[{gongwen.HAN}（） ]{{2,80}}?)\s*(?P<b>{_DATE})$"),  # 署名 + 成文日期
)


@rule(
    "elements/unglue",
    "Elements that close a document glued on one line get a line each: 署名 and 成文日期, the date and "
    "附注 or 抄送, 抄送 and the 印发 line (`2021年4月26日抄送：…。某办公室2021年4月26日印发`).",
    examples=(
        (
            "某县人民政府办公室2022年10月8日\n（此件公开发布）抄送：县委办公室，县人大常委会办公室。某县人民政府办公室"
            "2022年10月9日印发",
            "某县人民政府办公室\n2022年10月8日\n（此件公开发布）\n抄送：县委办公室，县人大常委会办公室。\n"
            "某县人民政府办公室2022年10月9日印发",
        ),
    ),
)
def unglue(lines: list[str], log: Log) -> list[str]:
    out: list[str] = []
    for no, line in enumerate(lines, 1):
        pieces = _unglue(line.strip()) if line.strip() else [line]
        if len(pieces) > 1:
            log(no, line, "\n".join(pieces))
        out.extend(pieces)
    return out


def _unglue(text: str) -> list[str]:
    for pattern in _GLUED:
        m = pattern.match(text)
        if not m or (pattern is _GLUED[-1] and not gongwen.organs(m["a"].strip())):
            continue
        return [*_unglue(m["a"].strip()), *_unglue(m["b"].strip())]
    return [text]
