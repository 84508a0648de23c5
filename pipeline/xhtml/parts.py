"""A whole 公文 as blocks, each given its role (GB/T 9704 §7): the 版头 and the title, the 主送, the
署名 and 成文日期, the 附注, the 附件说明 and the 附件 parts, the 版记, a 目录. The lines are read by
``pipeline.xhtml.gongwen``; this module places them in the document.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from pipeline.core import numbering
from pipeline.xhtml import gongwen


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


def _head_role(block: Block, before_title: bool) -> str:
    text = block.text
    if block.kind != "p":
        return ""
    if gongwen.doc_number(text):
        return "doc-number"
    if gongwen.SIGNER_RE.match(text):
        return "signer"
    if before_title:  # …文件, …令, or an organ's name alone (信函, 纪要: GB/T 9704 §10.1)
        return "mark" if gongwen.MARK_RE.match(text) or gongwen.organs(text) else ""
    if text.startswith("——"):
        return "subtitle"
    if gongwen.DATE_LINE_RE.match(text) and text.startswith(("（", "(")):
        return "dateline"
    if gongwen.SIGNATORY_RE.match(text) or (_SPEAKER_RE.search(text) and len(text) <= 30):
        return "speaker"
    return ""


_SALUTATION_RE = re.compile(r"^(各位|同志们|尊敬的|女士们)[^。；！？]{0,30}[：:]$")
_SPEAKER_RE = re.compile(
    rf"(总理|主席|省长|市长|县长|区长|镇长|书记|主任|部长)[ \u3000]?[{gongwen.HAN}]{{2,4}}(同志)?$"
)


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
        while after < end and blocks[after].kind == "p" and gongwen.is_annotation(blocks[after].text):
            roles[after] = "annotation"
            after += 1
        _attachment_note(blocks, roles, min(i for i, r in roles.items() if r in ("organ", "signatory", "date")))
    else:
        note = next((i for i in range(end - 1, body - 1, -1) if blocks[i].kind == "p"
                     and gongwen.ATTACHMENT_NOTE_RE.match(blocks[i].text)), None)  # fmt: skip
        if note is not None:
            _attachment_note(blocks, roles, _note_end(blocks, note))
    parts.attachments = _attachments(blocks, roles, after, end, issued=signed is not None)
    _toc(blocks, roles, body, end)
    return parts


def _head(blocks: list[Block], roles: dict[int, str]) -> int:
    """Mark the 版头 and the elements around the title; returns the first block of the body."""
    title = next((i for i, b in enumerate(blocks[:8]) if b.kind == "h1"), None)
    i = 0
    if title is None and blocks and blocks[0].kind == "p" and gongwen.MARK_RE.match(blocks[0].text):
        roles[0] = "mark"  # an order (§10.2): its mark and 令号, no title
        if len(blocks) > 1 and blocks[1].kind == "p" and gongwen.ORDER_NUMBER_RE.match(blocks[1].text):
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
    if i < len(blocks) and blocks[i].kind == "p" and gongwen.is_recipients(blocks[i].text):
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
        if gongwen.PRINTED_RE.match(text) and "printed" not in roles.values():
            roles[i] = "printed"
        elif gongwen.CC_RE.match(text) and "cc" not in roles.values():
            roles[i] = "cc"
        else:
            break
        start = i
    return start


def _signature(blocks: list[Block], roles: dict[int, str], body: int, end: int) -> int | None:
    """署名 and 成文日期 (§7.3.5): organ lines (or ``职务：姓名``) directly above a date line. The
    last such pair before the first 附件 label wins; without one, a date closing the body.
    Returns the index of the date, or None."""
    labels = [
        i for i in range(body, end) if blocks[i].kind == "p" and gongwen.ATTACHMENT_LABEL_RE.match(blocks[i].text)
    ]
    limit = labels[0] if labels else end
    best: tuple[int, list[int]] | None = None
    for d in range(body, limit):
        if (
            blocks[d].kind != "p"
            or not gongwen.DATE_LINE_RE.match(blocks[d].text)
            or blocks[d].text.startswith(("（", "("))
        ):
            continue
        signers = []
        k = d - 1
        while (
            k >= body
            and len(signers) < 4
            and blocks[k].kind == "p"
            and (gongwen.organs(blocks[k].text) or gongwen.is_signatory(blocks[k].text))
        ):
            signers.insert(0, k)
            k -= 1
        if signers and not _above_the_body(blocks, body, signers[0]):
            best = (d, signers)
    if best is None:
        # A date closing the body alone: followed by nothing but 附注, then the end or an attachment.
        for d in range(limit - 1, body, -1):
            text = blocks[d].text
            if blocks[d].kind != "p" or not gongwen.DATE_LINE_RE.match(text) or text.startswith(("（", "(")):
                continue
            k = d + 1
            while k < limit and blocks[k].kind == "p" and gongwen.is_annotation(blocks[k].text):
                k += 1
            if k == limit or _starts_attachment(blocks, k, limit):
                roles[d] = "date"
                return d
            return None
        return None
    d, signers = best
    for k in signers:
        roles[k] = "organ" if gongwen.organs(blocks[k].text) else "signatory"
    roles[d] = "date"
    return d


def _above_the_body(blocks: list[Block], body: int, first: int) -> bool:
    """Whether an organ and date stand above every sentence of the body: a 纪要's issuing line under
    its title and number (``某某市人民政府办公室`` ``2024年3月8日``), not a 署名."""
    return all(blocks[k].kind == "p" and len(blocks[k].text) <= 20 and not gongwen.SENTENCE_RE.search(blocks[k].text)
               for k in range(body, first))  # fmt: skip


def _starts_attachment(blocks: list[Block], i: int, limit: int) -> bool:
    """Does an attachment (``附件1：某某统计表``) start at ``i``, running to ``limit``?"""
    return (
        blocks[i].kind == "p"
        and bool(gongwen.LABEL_WITH_TITLE_RE.match(blocks[i].text))
        and all(not gongwen.ATTACHMENT_NOTE_RE.match(b.text) for b in blocks[i + 1 : limit])
    )


def _note_end(blocks: list[Block], note: int) -> int:
    k = note + 1
    while k < len(blocks) and blocks[k].kind == "p" and gongwen.ATTACHMENT_ITEM_RE.match(blocks[k].text):
        k += 1
    return k


def _attachment_note(blocks: list[Block], roles: dict[int, str], stop: int) -> None:
    """附件说明 (§7.3.4): ``附件：…`` and the numbered names after it, directly above ``stop``."""
    k = stop - 1
    items = []
    while k >= 0 and blocks[k].kind == "p" and k not in roles:
        text = blocks[k].text
        if gongwen.ATTACHMENT_NOTE_RE.match(text):
            for j in [k, *items]:
                roles[j] = "attachment-note"
            return
        if not gongwen.ATTACHMENT_ITEM_RE.match(text):
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
            label = gongwen.ATTACHMENT_LABEL_RE.match(block.text) or (
                issued and gongwen.LABEL_WITH_TITLE_RE.match(block.text)
            )
        if label:
            roles[i] = "attachment-label"
            starts.append(i)
            if not label["title"] and i + 1 < end and _title_like(blocks[i + 1]):
                roles[i + 1] = "attachment-title"
                i += 1
        elif issued and not starts and i == start and _title_like(block) and gongwen.ISSUED_RE.search(block.text):
            roles[i] = "attachment-title"
            starts.append(i)
        i += 1
    return starts


def _title_like(block: Block) -> bool:
    text = block.text
    return (
        block.kind in ("p", "h2", "h3")
        and 0 < len(text) <= 60
        and not gongwen.SENTENCE_RE.search(text)
        and not text.endswith(("：", ":", "，"))
        and numbering.parse(text) is None
    )


def _toc(blocks: list[Block], roles: dict[int, str], start: int, end: int) -> None:
    """目录: a ``目录`` paragraph followed by the list of its entries (as the normalizer writes it)."""
    for i in range(start, min(end - 1, start + 40)):
        if blocks[i].kind == "p" and gongwen.is_toc_title(blocks[i].text) and blocks[i + 1].kind == "list":
            roles[i], roles[i + 1] = "toc-title", "toc"
            return
