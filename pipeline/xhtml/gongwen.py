"""The elements of a 公文 (GB/T 9704-2012 §7), recognised by patterns that hold across issuers.

- 版头 (§7.2): 发文机关标志 (``XX人民政府文件``), 发文字号 (``X政办发〔2020〕12号``, ``XX令第6号``),
  签发人 (``签发人：张三``).
- 主体 (§7.3): 标题; 主送机关 (organs, ending in ``：``, before the body); 正文; 附件说明
  (``附件：1.…``); 署名 (organs, or ``职务：姓名`` for an order); 成文日期; 附注 (``（此件公开发布）``).
- 版记 (§7.4): 抄送 (``抄送：…。``) and 印发机关和印发日期 (``…办公室2020年4月26日印发``).
- 附件 (§7.3.7): ``附件1`` and the attachment's own title, each attachment its own part; the
  document a 印发 notice issues (``…暂行办法`` after the signature) is such a part, unlabelled.

The normalizer writes every element as a paragraph of its own, in the canonical form described in
``docs/elements.md``. This module reads that form: ``classify`` gives each block of a document its
role. The metadata (normalize) and the XHTML stage classify the same blocks with the same function,
so the two always agree. Everything here is a pattern of the standard or of the national templates,
never a name of one issuer.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field

from pipeline.core import numbering

HAN = "\u3400-\u4dbf\u4e00-\u9fff"
_CN_DIGIT = "〇○OＯ0０零一二三四五六七八九"
_CN_MONTH_DAY = "[一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}日"
DATE = rf"\d{{4}}年\d{{1,2}}月\d{{1,2}}日|[{_CN_DIGIT}]{{4}}年{_CN_MONTH_DAY}"
# A date alone on a line: 成文日期 (Arabic or Chinese numerals), a dateline in brackets.
DATE_LINE_RE = re.compile(rf"^[（(]?({DATE})[）)]?$")
_DATE_RE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_CN_DATE_RE = re.compile(rf"([{_CN_DIGIT}]{{4}})年([一二三四五六七八九十]{{1,2}})月([一二三四五六七八九十]{{1,3}})日")
_CN_NUM = {c: i for i, c in enumerate("〇一二三四五六七八九")} | dict.fromkeys("○OＯ0０零", 0)

# The end of an organ's name (机关、单位), as 署名 and 主送 use them.
_ORGAN_WORDS = (
    "人民政府|政府|委员会|办公室|办公厅|管委会|改革委|中心|中央|国务院|集团|公司|机构|单位|部门|机关|法院|检察院"
)
_ORGAN_CHARS = "局委厅部署院会处室所组司办社馆站队团行校"
ORGAN_SUFFIX_RE = re.compile(rf"({_ORGAN_WORDS}|[{_ORGAN_CHARS}])$")
# Parts of a 主送 list: organs, or the places and bodies a notice is sent to (各省、自治区…).
_ADDRESSEE_END_RE = re.compile(
    rf"({_ORGAN_WORDS}|[{_ORGAN_CHARS}省市区县州盟旗镇乡]|街道|兵团|自治区|直辖市|企业|主体|院校|学校"
    r"|医院|银行|组织|协会|学会|股份|石化|大学)$"
)
_NAME_RE = re.compile(rf"^[{HAN}（）()·]{{2,40}}$")
# 文号 (§7.2.5) in the normalized form (〔〕, no 第, no leading zeros); an order's or an
# announcement's number (``国家医疗保障局令第6号``, ``XX公告2020年第5号``).
DOC_NUMBER = (
    rf"[{HAN}]{{1,20}}?〔\d{{4}}〕\d+\s?号"
    rf"|[{HAN}]{{2,24}}令\s?第\s?\d+\s?号"
    rf"|[{HAN}]{{0,24}}(?:公告|通告)\s?\d{{4}}年第\s?\d+\s?号"
)
DOC_NUMBER_RE = re.compile(DOC_NUMBER)
DOC_NUMBER_LINE_RE = re.compile(rf"^[（(]?({DOC_NUMBER})[）)]?$")
_MARK_RE = re.compile(rf"^[{HAN}（）]{{2,30}}(文件|令)$")  # 发文机关标志
# 令号 (§10.2.2): under an order's mark, ``第12号``; the order has no title of its own.
ORDER_NUMBER_RE = re.compile(r"^[（(]?第\s*[0-9一二三四五六七八九十百零〇]+\s*号[）)]?$")
_SIGNER_RE = re.compile(rf"^签\s*发\s*人[：:]\s*[{HAN}·]{{2,8}}([ \u3000]+[{HAN}·]{{2,8}})*$")
# 署名 of an order or a speech: ``局长：胡静林``, ``国务院总理 李克强``.
_SIGNATORY_RE = re.compile(
    rf"^[{HAN}]{{0,20}}(长|主任|书记|总理|主席|委员|专员|行长|署长|主任委员)[：: \u3000]\s*[{HAN}·]{{2,4}}$"
)
_CC_RE = re.compile(r"^抄\s*送[：:]\s*(?P<to>.+?)[。.]?$")
PRINTED_RE = re.compile(rf"^(?P<organ>[{HAN}（）\s]{{2,60}}?)\s*(?P<date>{DATE})\s*印\s*发$")
ATTACHMENT_NOTE_RE = re.compile(r"^附\s*件\s*(\d*)\s*[：:]\s*(?P<names>.*)$")
_ATTACHMENT_ITEM_RE = re.compile(r"^(\d{1,2})[.．、]\s*(?P<name>.+)$")
ATTACHMENT_LABEL_RE = re.compile(
    r"^附\s*件\s*(?P<no>\d{1,2}|[一二三四五六七八九十]{1,3})?(?:[ \u3000]+(?P<title>[^：:。]{2,40}))?$"
)
# After the signature, `附件1：某某统计表` is an attachment's label and title on one line (web pages
# write them so); before it, the same form is the 附件说明.
LABEL_WITH_TITLE_RE = re.compile(r"^附\s*件\s*(?P<no>\d{1,2})?\s*[：:]\s*(?P<title>[^。；]{2,60})$")
_ANNOTATION_RE = re.compile(r"^[（(][^（）()]*(?:[（(][^（）()]*[）)][^（）()]*)*[）)]$")
TOC_TITLE_RE = re.compile(r"^目[ \u3000]*录$")
# The genre words a title ends with (…的通知, …工作报告), and those of documents a notice issues.
GENRES = (
    "报告|通知|意见|办法|决定|规定|方案|纲要|公告|通告|通报|批复|函|请示|纪要|细则|规则|说明|讲话|规划|要点|条例"
    "|预算|决算|公报|命令|令|议案|决议"
)
_ISSUED_RE = re.compile(
    r"(办法|规定|细则|规则|方案|意见|纲要|规划|计划|制度|条例|准则|标准|指南|目录|清单|名单|要点|章程)$"
)
_SENTENCE_RE = re.compile(r"[。！？；]")


def parse_date(text: str) -> dt.date | None:
    """The first date in ``text``: Arabic (``2019年3月5日``) or Chinese numerals (``二〇一二年五月十七日``)."""
    m = _DATE_RE.search(text)
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
    m = _CN_DATE_RE.search(text)
    if not m:
        return None
    year = int("".join(str(_CN_NUM[c]) for c in m[1]))
    try:
        return dt.date(year, _cn_number(m[2]), _cn_number(m[3]))
    except ValueError:
        return None


def _cn_number(text: str) -> int:
    if "十" in text:
        tens, _, units = text.partition("十")
        return (_CN_NUM.get(tens, 1) if tens else 1) * 10 + (_CN_NUM.get(units, 0) if units else 0)
    return _CN_NUM.get(text, 0)


# --- one line ------------------------------------------------------------------------------------


def is_organ(text: str) -> bool:
    """One organ's name: Han characters only, ending like an organ (``国家能源局华东监管局``)."""
    return bool(_NAME_RE.match(text)) and bool(ORGAN_SUFFIX_RE.search(text)) and numbering.parse(text) is None


def organs(text: str) -> list[str]:
    """The organs of a 署名 line (joint issuers separated by spaces), or [] if it is not one."""
    names = text.split()
    return names if names and all(is_organ(n) for n in names) else []


def is_signatory(text: str) -> bool:
    """A person signing in office: ``局长：胡静林`` (orders), ``国务院总理 李克强``."""
    return bool(_SIGNATORY_RE.match(text))


def is_recipients(text: str) -> bool:
    """主送机关 (§7.3.2): organs separated by ``、`` or ``，``, ending with ``：``; not a salutation."""
    if not text.endswith(("：", ":")) or len(text) > 600 or _SENTENCE_RE.search(text):
        return False
    body = text[:-1]
    if body.startswith(("各位", "同志", "女士", "尊敬的")) or numbering.parse(body) is not None:
        return False
    parts = [p for p in re.split(r"[、，,]", re.sub(r"（[^）]*）|\([^)]*\)", "", body)) if p]
    if not parts or any(len(p) > 40 for p in parts):
        return False
    fitting = sum(bool(_ADDRESSEE_END_RE.search(p)) or (p.startswith("各") and len(p) >= 3) for p in parts)
    return fitting * 2 >= len(parts) and bool(_ADDRESSEE_END_RE.search(parts[-1]) or parts[-1].startswith("各"))


def doc_number(text: str) -> str:
    """The 文号 of a line that is one (in brackets or not), else ``""``."""
    m = DOC_NUMBER_LINE_RE.match(text)
    return re.sub(r"\s", "", m[1]) if m else ""


def is_annotation(text: str) -> bool:
    """附注 (§7.3.6): one bracketed line, such as ``（此件公开发布）`` or ``（联系人：…）``."""
    return len(text) <= 200 and bool(_ANNOTATION_RE.match(text)) and not DATE_LINE_RE.match(text)


def attachment_names(text: str) -> list[str]:
    """The names an 附件说明 line lists: ``附件：1.甲`` -> [甲]; a continuation ``2.乙`` -> [乙]."""
    m = ATTACHMENT_NOTE_RE.match(text)
    rest = m["names"] if m else text
    item = _ATTACHMENT_ITEM_RE.match(rest)
    name = item["name"] if item else rest
    return [name.rstrip("。.；;，, ")] if name.strip() else []


def attachment_title(text: str, role: str) -> str:
    """An attachment part's title: the block itself, or the part of a label that names it."""
    if role == "attachment-title":
        return text
    label = ATTACHMENT_LABEL_RE.match(text) or LABEL_WITH_TITLE_RE.match(text)
    return (label["title"] or "") if label else ""


def is_head_line(text: str) -> bool:
    """A line of the 版头 that stands above the title: 发文机关标志 or 签发人."""
    return bool(_MARK_RE.match(text) or _SIGNER_RE.match(text))


def is_toc_title(text: str) -> bool:
    return bool(TOC_TITLE_RE.match(text))


# --- a whole document -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Block:
    """One block of a document: its kind (``h1``…``h6``, ``p``, ``table``, ``list``, ``other``) and plain text."""

    kind: str
    text: str


@dataclass
class Parts:
    """The role of each block (``roles[i]``), and where each attachment part starts."""

    roles: dict[int, str] = field(default_factory=dict)
    attachments: list[int] = field(default_factory=list)  # first block of each 附件 part
    imprint: int | None = None  # first block of the 版记

    def find(self, role: str) -> list[int]:
        return sorted(i for i, r in self.roles.items() if r == role)

    def first(self, role: str) -> int | None:
        found = self.find(role)
        return found[0] if found else None


_HEAD_ROLES = ("mark", "doc-number", "signer")


def _head_role(block: Block, before_title: bool) -> str:
    text = block.text
    if block.kind != "p":
        return ""
    if doc_number(text):
        return "doc-number"
    if _SIGNER_RE.match(text):
        return "signer"
    if before_title:  # …文件, …令, or an organ's name alone (信函, 纪要: GB/T 9704 §10.1)
        return "mark" if _MARK_RE.match(text) or organs(text) else ""
    if text.startswith("——"):
        return "subtitle"
    if DATE_LINE_RE.match(text) and text.startswith(("（", "(")):
        return "dateline"
    if _SIGNATORY_RE.match(text) or (_SPEAKER_RE.search(text) and len(text) <= 30):
        return "speaker"
    return ""


_SALUTATION_RE = re.compile(r"^(各位|同志们|尊敬的|女士们)[^。；！？]{0,30}[：:]$")
_SPEAKER_RE = re.compile(rf"(总理|主席|省长|市长|县长|区长|镇长|书记|主任|部长)[ \u3000]?[{HAN}]{{2,4}}(同志)?$")


def classify(blocks: list[Block]) -> Parts:
    parts = Parts()
    roles = parts.roles
    body = _head(blocks, roles)
    end = len(blocks)
    end = _imprint(blocks, roles, body, end)
    parts.imprint = end if end < len(blocks) else None
    signed = _signature(blocks, roles, body, end)
    after = body
    if signed is not None:
        after = signed + 1
        while after < end and blocks[after].kind == "p" and is_annotation(blocks[after].text):
            roles[after] = "annotation"
            after += 1
        _attachment_note(blocks, roles, min(i for i, r in roles.items() if r in ("organ", "signatory", "date")))
    else:
        note = next((i for i in range(end - 1, body - 1, -1) if blocks[i].kind == "p"
                     and ATTACHMENT_NOTE_RE.match(blocks[i].text)), None)  # fmt: skip
        if note is not None:
            _attachment_note(blocks, roles, _note_end(blocks, note))
    parts.attachments = _attachments(blocks, roles, after, end, issued=signed is not None)
    _toc(blocks, roles, body, end)
    return parts


def _head(blocks: list[Block], roles: dict[int, str]) -> int:
    """Mark the 版头 and the elements around the title; returns the first block of the body."""
    title = next((i for i, b in enumerate(blocks[:8]) if b.kind == "h1"), None)
    i = 0
    if title is None and blocks and blocks[0].kind == "p" and _MARK_RE.match(blocks[0].text):
        roles[0] = "mark"  # an order (§10.2): its mark and 令号, no title
        if len(blocks) > 1 and blocks[1].kind == "p" and ORDER_NUMBER_RE.match(blocks[1].text):
            roles[1] = "doc-number"
        return len(roles)
    if title is not None:
        for j in range(title):
            role = _head_role(blocks[j], before_title=True)
            if role:
                roles[j] = role
        roles[title] = "title"
        i = title + 1
    while i < len(blocks) and i < 12:
        role = _head_role(blocks[i], before_title=False)
        if not role:
            break
        roles[i] = role
        i += 1
    if i < len(blocks) and blocks[i].kind == "p" and is_recipients(blocks[i].text):
        roles[i] = "recipients"
        i += 1
    elif i < len(blocks) and blocks[i].kind == "p" and _SALUTATION_RE.match(blocks[i].text):
        roles[i] = "salutation"  # a speech's 称谓 (各位代表：), where a notice has its 主送
        i += 1
    return i


def _imprint(blocks: list[Block], roles: dict[int, str], body: int, end: int) -> int:
    """版记 (§7.4): 抄送 and 印发 lines at the very end; returns where the 版记 starts."""
    start = end
    for i in range(end - 1, max(body, end - 4) - 1, -1):
        text = blocks[i].text
        if blocks[i].kind != "p":
            break
        if PRINTED_RE.match(text) and "printed" not in roles.values():
            roles[i] = "printed"
        elif _CC_RE.match(text) and "cc" not in roles.values():
            roles[i] = "cc"
        else:
            break
        start = i
    return start


def _signature(blocks: list[Block], roles: dict[int, str], body: int, end: int) -> int | None:
    """署名 and 成文日期 (§7.3.5): organ lines (or ``职务：姓名``) directly above a date line. The
    last such pair before the first 附件 label wins; without one, a date closing the body.
    Returns the index of the date, or None."""
    labels = [i for i in range(body, end) if blocks[i].kind == "p" and ATTACHMENT_LABEL_RE.match(blocks[i].text)]
    limit = labels[0] if labels else end
    best: tuple[int, list[int]] | None = None
    for d in range(body, limit):
        if blocks[d].kind != "p" or not DATE_LINE_RE.match(blocks[d].text) or blocks[d].text.startswith(("（", "(")):
            continue
        signers = []
        k = d - 1
        while k >= body and len(signers) < 4 and blocks[k].kind == "p" and (
            organs(blocks[k].text) or is_signatory(blocks[k].text)
        ):
            signers.insert(0, k)
            k -= 1
        if signers and not _above_the_body(blocks, body, signers[0]):
            best = (d, signers)
    if best is None:
        # A date closing the body alone: followed by nothing but 附注, then the end or an attachment.
        for d in range(limit - 1, body, -1):
            text = blocks[d].text
            if blocks[d].kind != "p" or not DATE_LINE_RE.match(text) or text.startswith(("（", "(")):
                continue
            k = d + 1
            while k < limit and blocks[k].kind == "p" and is_annotation(blocks[k].text):
                k += 1
            if k == limit or _starts_attachment(blocks, k, limit):
                roles[d] = "date"
                return d
            return None
        return None
    d, signers = best
    for k in signers:
        roles[k] = "organ" if organs(blocks[k].text) else "signatory"
    roles[d] = "date"
    return d


def _above_the_body(blocks: list[Block], body: int, first: int) -> bool:
    """Whether an organ and date stand above every sentence of the body: a 纪要's issuing line under
    its title and number (``某某市人民政府办公室`` ``2024年3月8日``), not a 署名."""
    return all(blocks[k].kind == "p" and len(blocks[k].text) <= 20 and not _SENTENCE_RE.search(blocks[k].text)
               for k in range(body, first))  # fmt: skip


def _starts_attachment(blocks: list[Block], i: int, limit: int) -> bool:
    """Does an attachment (``附件1：某某统计表``) start at ``i``, running to ``limit``?"""
    return blocks[i].kind == "p" and bool(LABEL_WITH_TITLE_RE.match(blocks[i].text)) and all(
        not ATTACHMENT_NOTE_RE.match(b.text) for b in blocks[i + 1 : limit]
    )


def _note_end(blocks: list[Block], note: int) -> int:
    k = note + 1
    while k < len(blocks) and blocks[k].kind == "p" and _ATTACHMENT_ITEM_RE.match(blocks[k].text):
        k += 1
    return k


def _attachment_note(blocks: list[Block], roles: dict[int, str], stop: int) -> None:
    """附件说明 (§7.3.4): ``附件：…`` and the numbered names after it, directly above ``stop``."""
    k = stop - 1
    items = []
    while k >= 0 and blocks[k].kind == "p" and k not in roles:
        text = blocks[k].text
        if ATTACHMENT_NOTE_RE.match(text):
            for j in [k, *items]:
                roles[j] = "attachment-note"
            return
        if not _ATTACHMENT_ITEM_RE.match(text):
            return
        items.insert(0, k)
        k -= 1


def _attachments(blocks: list[Block], roles: dict[int, str], start: int, end: int, issued: bool) -> list[int]:
    """附件 parts (§7.3.7) between ``start`` and the 版记: each starts at an ``附件N`` label, its
    title on the next block; after a signature, a title-like block ending in a genre word
    (``…暂行办法``) starts the unlabelled document a 印发 notice issues."""
    starts = []
    i = start
    while i < end:
        block = blocks[i]
        label = None
        if block.kind in ("p", "h2", "h3"):
            label = ATTACHMENT_LABEL_RE.match(block.text) or (issued and LABEL_WITH_TITLE_RE.match(block.text))
        if label:
            roles[i] = "attachment-label"
            starts.append(i)
            if not label["title"] and i + 1 < end and _title_like(blocks[i + 1]):
                roles[i + 1] = "attachment-title"
                i += 1
        elif issued and not starts and i == start and _title_like(block) and _ISSUED_RE.search(block.text):
            roles[i] = "attachment-title"
            starts.append(i)
        i += 1
    return starts


def _title_like(block: Block) -> bool:
    text = block.text
    return (
        block.kind in ("p", "h2", "h3")
        and 0 < len(text) <= 60
        and not _SENTENCE_RE.search(text)
        and not text.endswith(("：", ":", "，"))
        and numbering.parse(text) is None
    )


def _toc(blocks: list[Block], roles: dict[int, str], start: int, end: int) -> None:
    """目录: a ``目录`` paragraph followed by the list of its entries (as the normalizer writes it)."""
    for i in range(start, min(end - 1, start + 40)):
        if blocks[i].kind == "p" and is_toc_title(blocks[i].text) and blocks[i + 1].kind == "list":
            roles[i], roles[i + 1] = "toc-title", "toc"
            return
