"""What the normalized text says about the document: title, 公文 elements, organ, date.

The blocks of the normalized Markdown are classified by the 公文 element model
(``pipeline.xhtml.gongwen``), the same classification the XHTML stage builds from: the title, 文号,
主送, 署名 and 成文日期 (§7.3.5), 附件说明, 抄送 and 印发 come from the roles it gives. Without
a signature, the organ is read from the title (``某某镇人民政府2018年度…报告``), the page's
发布机构 or an order's number, and the date from a dateline or an occasion line.
"""

from __future__ import annotations

import datetime as dt
import re

from pipeline.core.chars import HAN
from pipeline.core.model import Metadata
from pipeline.xhtml import gongwen, markup
from pipeline.xhtml.gongwen import DATE_LINE_RE, ORGAN_SUFFIX_RE, parse_date
from pipeline.xhtml.parts import classify

_ORGAN_IN_TITLE_RE = re.compile(
    f"^([{HAN}（）]+?(人民政府|政府办公室|办公厅|办公室|委员会|管委会|[{HAN}](局|委|厅|部|署|院)))"
)
_ORDER_RE = re.compile(rf"^([{HAN}]{{2,24}}?)令第\d+号$")
_OCCASION_RE = re.compile(r"^(?:——)?(\d{4}年\d{1,2}月\d{1,2}日)在.{2,40}会议上")
# Keys under which a crawler's header or a page names the document's title (webpage rules note
# them); a title taken from there, not from the body, says so in ``title_source``.
TITLE_KEYS = ("标题", "网页标题")


def _first_date(texts: list[str]) -> dt.date | None:
    """Without a signature: a date line (under the title, or alone at the end) or an occasion line."""
    for text in texts:
        if DATE_LINE_RE.match(text):
            return parse_date(text)
        m = _OCCASION_RE.match(text)
        if m:
            return parse_date(m[1])
    return None


def _organ_fallback(meta: Metadata, info: dict[str, str]) -> str:
    """Without a signature: the organ before 关于 in the title, the page's 发布机构, an order's
    number, or the title's prefix."""
    before, found, _ = meta.title.partition("关于")
    if found and before and (ORGAN_SUFFIX_RE.search(before.split(" ")[-1]) or " " in before):
        return before
    publisher = info.get("发布机构", "")
    if publisher and ORGAN_SUFFIX_RE.search(publisher):
        return publisher
    order = _ORDER_RE.match(meta.doc_number)
    if order:
        return order[1]
    m = _ORGAN_IN_TITLE_RE.match(meta.title)
    return m[1] if m else ""


def extract(markdown: str, source_info: dict[str, str] | None = None) -> Metadata:
    info = dict(source_info or {})
    fragment, _ = markup.markdown_fragment(markdown)
    blocks = markup.blocks(fragment)
    parts = classify(blocks)
    texts = {role: [blocks[i].text for i in parts.find(role)] for role in set(parts.roles.values())}
    meta = Metadata(source_info=info)
    if texts.get("title"):
        meta.title = texts["title"][0]
        meta.title_source = info.get("标题来源") or next(
            (key for key in TITLE_KEYS if info.get(key, "").replace(" ", "") == meta.title.replace(" ", "")), "正文"
        )
    signers = texts.get("organ", []) + texts.get("signatory", [])
    meta.organ = " ".join(name for text in texts.get("organ", []) for name in gongwen.organs(text))
    meta.signature = "\n".join(signers)
    if texts.get("date"):
        meta.date_text = texts["date"][0]
        meta.date = parse_date(meta.date_text)
    if texts.get("doc-number"):
        number = texts["doc-number"][0]
        meta.doc_number = gongwen.doc_number(number) or re.sub(r"[\s（）()]", "", number)  # or a 令号
        if not meta.title and texts.get("mark"):  # an order: cited as its mark and number
            meta.title, meta.title_source = texts["mark"][0] + meta.doc_number, "版头"
    elif gongwen.DOC_NUMBER_RE.search(info.get("文号", "")):
        meta.doc_number = re.sub(r"\s", "", gongwen.DOC_NUMBER_RE.search(info["文号"])[0])
    if texts.get("recipients"):
        meta.recipients = texts["recipients"][0][:-1]
    if texts.get("signer"):
        meta.signer = re.sub(r"^签\s*发\s*人[：:]\s*", "", texts["signer"][0])
    if texts.get("cc"):
        meta.cc = re.sub(r"^抄\s*送[：:]\s*", "", texts["cc"][0]).rstrip("。.")
    if texts.get("printed"):
        meta.printed_by = texts["printed"][0]
    meta.attachments = [name for text in texts.get("attachment-note", []) for name in gongwen.attachment_names(text)]
    if not meta.attachments:  # no 附件说明: the attachments' own titles
        meta.attachments = [gongwen.attachment_title(blocks[i].text, parts.roles[i]) for i in sorted(parts.roles)
                            if parts.roles[i] in ("attachment-label", "attachment-title")]
        meta.attachments = [name for name in meta.attachments if name]
    if not meta.date:
        meta.date = _first_date([b.text for b in blocks if b.kind == "p"])
    if not meta.organ:
        meta.organ = _organ_fallback(meta, info)
    if not meta.date and info.get("成文日期"):
        meta.date = parse_date(info["成文日期"])
    return meta
