"""Stage 3, xhtml: normalized Markdown -> semantic XHTML5, the hub of the pipeline.

The PDF is rendered from this file, the archival record is derived from it, and web teams
publish it; so it carries the document's real structure (title block, sections nested by the
numbering, run-in headings, tables, signature and date) and nothing unsafe.

The Markdown is read and sanitized by ``pipeline.xhtml.markup``; the role of each block (title, 文号,
主送, 署名, 附件, 版记, 目录) comes from the 公文 element model, ``pipeline.xhtml.gongwen``, the same
classification the metadata was made from.
"""

from __future__ import annotations

import re
from dataclasses import replace

from lxml import etree
from lxml import html as lxml_html

from pipeline import __version__
from pipeline.core import members, numbering
from pipeline.core.chars import CJK
from pipeline.core.model import Change, Document
from pipeline.xhtml import gongwen, markup, toc
from pipeline.xhtml.markup import ALLOWED_TAGS, NestingTooDeep, markdown_fragment, plain_title, too_deep
from pipeline.xhtml.parts import Parts, classify
from pipeline.xhtml.tables import finish_table
from pipeline.xhtml.tree import XHTML_NS, XML_LANG
from pipeline.xhtml.tree import element as _x
from pipeline.xhtml.tree import local as _local
from pipeline.xhtml.tree import sub as _sub

_VOID = {"br", "hr", "img", "meta", "link", "col", "wbr"}
_CELL_CLASSES = {"unsplit", "missing"}  # statutory figures that could not be placed (pipeline.normalize)
_CJK_BREAK = re.compile(f"(?<=[{CJK}])\n(?=[{CJK}])")
_CAPTION_RE = re.compile(r"^(表[一二三四五六七八九十\d]+)[：:、. ]?\s*(.{0,40})$")
def to_xhtml(doc: Document) -> Document:
    try:
        doc = replace(doc, meta=replace(doc.meta, title=plain_title(doc.meta.title)))
        xhtml, removals = build(doc)
    except NestingTooDeep:
        raise too_deep(doc.source_path) from None
    return replace(doc, xhtml=xhtml, changes=[*doc.changes, *removals])


# --- building the XHTML tree ----------------------------------------------------------------------


def _join_breaks(s: str | None) -> str | None:
    return _CJK_BREAK.sub("", s) if s else s


def _copy(src: lxml_html.HtmlElement) -> etree._Element:
    """Copy a sanitized element into the XHTML namespace."""
    tag = src.tag if isinstance(src.tag, str) and src.tag in ALLOWED_TAGS else "span"
    tag = {"b": "strong", "i": "em"}.get(tag, tag)
    el = _x(tag, _join_breaks(src.text))
    for name in ("href", "rowspan", "colspan", "class", "start", "span"):
        value = src.get(name)
        if name == "class" and tag == "td" and value not in _CELL_CLASSES:
            continue  # a cell's class only as the normalizer sets it (a statutory figure kept whole)
        if value is not None and (name not in ("rowspan", "colspan", "span") or (value.isdigit() and value != "1")):
            el.set(name, value)
    for child in src:
        if isinstance(child.tag, str):
            el.append(_copy(child))
    el.tail = _join_breaks(src.tail)
    return el


def _run_in(p: etree._Element) -> None:
    """Mark ``（一）健全工作机制，强化责任担当。`` and ``第一条`` at the start of a paragraph."""
    if len(p) or not p.text:
        return
    num = numbering.parse(p.text)
    if num is None:
        return
    if num.marker.startswith("第") and num.marker.rstrip("\u3000").endswith("条"):
        head, cls, level = num.marker.rstrip("\u3000"), "article", ""
    elif num.kind == "run-in":
        head, cls, level = num.marker + num.lead, "run-in", str(num.level)
    else:
        return
    span = _x("span", head, class_=cls)
    if level:
        span.set("data-level", level)
    span.tail = p.text[len(head) :]
    p.text = None
    p.insert(0, span)


def _heading_sentences(article: etree._Element) -> None:
    """Mark ``（一）坚持稳中求进工作总基调，…实现稳中向好。`` as a run-in heading when it stands
    alone (the 政府工作报告's level-2 headings are whole sentences). Alone it reads like a list
    item, so it counts as a heading only when every ``（N）`` paragraph among its siblings is
    followed by an unnumbered paragraph: items in a list follow one another (第四条 …：（一）…；
    （二）…；)."""
    p_tag = f"{{{XHTML_NS}}}p"
    for parent in [article, *article.iter(f"{{{XHTML_NS}}}section")]:
        numbered, alone = [], True
        for block in parent:
            if block.tag != p_tag or len(block) or not block.text:
                continue
            num = numbering.parse(block.text)
            if num is None or num.level != 2:
                continue
            following = block.getnext()
            alone = alone and (
                following is not None and following.tag == p_tag and bool(following.text)
                and not len(following) and numbering.parse(following.text) is None
            )  # fmt: skip
            if num.kind == "item" and block.text.endswith("。"):
                numbered.append(block)
            elif num.kind != "run-in":
                alone = False
        if len(numbered) >= 2 and alone:
            for block in numbered:
                span = _x("span", block.text, class_="run-in")
                span.set("data-level", "2")
                block.text = None
                block.insert(0, span)


def build(doc: Document) -> tuple[bytes, list[Change]]:
    fragment, removals = markdown_fragment(doc.markdown)
    sources = [child for child in fragment if isinstance(child.tag, str)]
    parts = classify(markup.blocks(fragment))
    root = _x("html", lang="zh-CN")
    root.set(XML_LANG, "zh-CN")
    _head(_sub(root, "head"), doc)
    body = _sub(root, "body")
    if doc.encoding:
        body.set("data-source-encoding", doc.encoding)
    article = _sub(body, "article", class_="document")
    article.set("data-doc-id", doc.doc_id)
    builder = _Builder(article, parts)
    for i, source in enumerate(sources):
        removals += builder.add(i, _copy(source))
    builder.finish()
    for el in root.iter():
        if _local(el) not in _VOID and el.text is None and not len(el):
            el.text = ""  # serialize as <p></p>: `<p/>` would swallow what follows in HTML parsers
    etree.cleanup_namespaces(root)
    xhtml = etree.tostring(root, encoding="UTF-8", xml_declaration=True, doctype="<!DOCTYPE html>")
    return xhtml, removals


def _head(head: etree._Element, doc: Document) -> None:
    """``<head>``: the title and the Dublin Core description."""
    meta = doc.meta
    _sub(head, "meta", charset="UTF-8")
    _sub(head, "title", meta.title or doc.doc_id)
    _sub(head, "link", rel="schema.DC", href="http://purl.org/dc/elements/1.1/")
    _sub(head, "link", rel="schema.DCTERMS", href="http://purl.org/dc/terms/")
    date = meta.date.isoformat() if meta.date else ""
    fields = [
        ("DC.title", meta.title),
        ("DC.creator", meta.organ),
        ("DC.date", date),
        ("DC.language", "zh-CN"),
        ("DC.identifier", doc.doc_id),
        ("DC.format", "application/xhtml+xml"),
        ("dcterms.issued", date),
        ("dcterms.source", f"source.md; charset={doc.encoding.split()[0]}" if doc.encoding else ""),
        ("author", meta.organ),
        ("dcterms.created", date),
        ("generator", f"gov-doc-pipeline {__version__}"),
    ]
    for name, value in fields:
        if value:
            _sub(head, "meta", name=name, content=value)


# Where each 公文 element goes: (container, class). The header holds the 版头 and what stands
# around the title; the signature footer closes the body; the 版记 closes the document.
_HEADER_ROLES = {"mark": "issuer-mark", "doc-number": "doc-number", "signer": "signer", "subtitle": "subtitle",
                 "dateline": "dateline", "speaker": "speaker", "recipients": "recipients",
                 "salutation": "salutation"}  # fmt: skip
_SIGNATURE_ROLES = {"organ": "organ", "signatory": "organ", "date": "date"}


def _member(block: etree._Element, role: str, rest: str) -> None:
    """A member of a list of people, ``<p class="member"><span class="role">组长：</span><span
    class="name">王建国</span>　县政府副县长</p>`` (``class="member continued"`` under the role above,
    without the role), so that names and posts line up."""
    block.set("class", "member" if role else "member continued")
    block.text = None
    if role:
        _sub(block, "span", role, class_="role")
    name, gap, post = rest.partition("\u3000")
    if gap and members.is_name(name):
        _sub(block, "span", name, class_="name").tail = gap + post
    elif len(block):
        block[-1].tail = rest
    else:
        block.text = rest


class _Builder:
    """Places the blocks of one document, in order, into the article: header, sections nested by
    heading level, the signature footer, 附注, attachment parts, the 版记."""

    def __init__(self, article: etree._Element, parts: Parts) -> None:
        self.article, self.parts = article, parts
        self.header = _sub(article, "header")
        self.stack: list[tuple[int, etree._Element]] = [(1, article)]
        self.counters = [0] * 8
        self.caption: etree._Element | None = None
        self.signature: etree._Element | None = None
        self.imprint: etree._Element | None = None
        self.nav: etree._Element | None = None

    def add(self, i: int, block: etree._Element) -> list[Change]:
        role = self.parts.roles.get(i, "")
        tag = _local(block)
        if role == "title":
            self.header.append(block)
        elif role in _HEADER_ROLES:
            block.set("class", _HEADER_ROLES[role])
            if role == "dateline":
                _time(block)
            if role == "signer":
                self._signer(block)
            else:
                self.header.append(block)
        elif role in _SIGNATURE_ROLES:
            self._signature(block, role)
        elif role == "annotation":
            block.set("class", "annotation")
            self.article.append(block)
        elif self.parts.imprint is not None and i >= self.parts.imprint:
            self._imprint(block, role)
        elif i in self.parts.attachments:
            self._attachment(block, role)
        elif role == "attachment-title":
            block.tag = f"{{{XHTML_NS}}}h2"
            block.set("class", "attachment-title")
            self.stack[0][1][0].append(block)
        elif role in ("toc-title", "toc"):
            self._toc(block, role)
        elif re.fullmatch(r"h[1-6]", tag):
            self._section(block, max(2, int(tag[1])))
        else:
            return self._content(block, tag, role)
        return []

    def _signer(self, block: etree._Element) -> None:
        """签发人 (§7.2.6): its name in 楷体; on one line with the 发文字号 (the 文号 to the left, the
        签发人 to the right) when the 文号 comes just before it."""
        text = block_text(block)
        label, _, name = text.partition("：") if "：" in text else text.partition(":")
        if name and not len(block):
            block.text = label + text[len(label)]
            _sub(block, "span", name, class_="name")
        last = self.header[-1] if len(self.header) else None
        if last is not None and last.get("class") == "doc-number":
            line = _x("div", class_="issue")
            self.header.replace(last, line)
            line.extend([last, block])
        else:
            self.header.append(block)

    def _container(self) -> etree._Element:
        return self.stack[-1][1]

    def _section(self, block: etree._Element, level: int) -> None:
        block.tag = f"{{{XHTML_NS}}}h{level}"
        while self.stack[-1][0] >= level:
            self.stack.pop()
        self.counters[level] += 1
        self.counters[level + 1 :] = [0] * (7 - level)
        sid = "sec-" + "-".join(str(n) for n in self.counters[2 : level + 1])  # 0 where a level is skipped
        if self.stack[0][1] is not self.article:
            sid = f"{self.stack[0][1].get('id')}-{sid}"
        section = _sub(self.stack[-1][1], "section", id=sid)
        section.set("class", f"level-{level - 1}")
        section.append(block)
        self.stack.append((level, section))
        self.caption = None

    def _content(self, block: etree._Element, tag: str, role: str) -> list[Change]:
        removals: list[Change] = []
        text = "".join(block.itertext()).strip()
        if self.caption is not None and tag != "table":
            self.caption = None
        if tag == "p":
            _run_in(block)
            if role == "attachment-note":
                block.set("class", "attachment-note")
            elif not len(block) and (member := members.entry(text)):
                _member(block, *member)
            if _CAPTION_RE.match(text) and not len(block):
                self.caption = block
        if tag == "table":
            caption = None
            if self.caption is not None and self.caption.getparent() is self._container():
                caption = "".join(self.caption.itertext()).strip()
                self._container().remove(self.caption)
            top = next((sec for lvl, sec in self.stack if lvl == 2), None)
            section_title = "".join(top[0].itertext()) if top is not None else ""
            removals += finish_table(block, caption, section_title)
            self.caption = None
        self._container().append(block)
        return removals

    def _signature(self, block: etree._Element, role: str) -> None:
        """署名 and 成文日期 close the body (§7.3.5): a footer at the article's level."""
        if self.signature is None:
            self.signature = _sub(self.article, "footer")
            self.stack = [(1, self.article)]
        names = gongwen.organs(block_text(block)) if role == "organ" else []
        if len(names) > 1 and not len(block):  # joint issuers, one per line (§7.3.5.2)
            for name in names:
                _sub(self.signature, "p", name, class_="organ")
        else:
            block.set("class", _SIGNATURE_ROLES[role])
            if role == "date":
                _time(block)
            self.signature.append(block)
        organ = any(c.get("class") == "organ" for c in self.signature)
        self.signature.set("class", "signature" if organ else "dated")

    def _attachment(self, block: etree._Element, role: str) -> None:
        """An attachment part (§7.3.7), on a new page: its label and title in its own header, then
        its sections. The label alone (``附件1``) or with the title (``附件2 名词解释``)."""
        number = sum(1 for el in self.article if el.get("class") == "attachment") + 1
        part = _sub(self.article, "section", id=f"attachment-{number}", class_="attachment")
        header = _sub(part, "header")
        self.stack = [(1, part)]
        if role == "attachment-label":
            text = block_text(block)
            label = gongwen.ATTACHMENT_LABEL_RE.match(text) or gongwen.LABEL_WITH_TITLE_RE.match(text)
            if label and label["title"]:
                _sub(header, "p", text[: label.start("title")].strip(), class_="attachment-label")
                _sub(header, "h2", label["title"], class_="attachment-title")
                return
            block.set("class", "attachment-label")
            header.append(block)
        else:  # the unlabelled document a 印发 notice issues
            block.tag = f"{{{XHTML_NS}}}h2"
            block.set("class", "attachment-title")
            header.append(block)

    def _imprint(self, block: etree._Element, role: str) -> None:
        """版记 (§7.4): 抄送 and 印发机关和印发日期, at the foot of the last page."""
        if self.imprint is None:
            self.imprint = _sub(self.article, "footer", class_="imprint")
        if role == "printed":
            m = gongwen.PRINTED_RE.match(block_text(block))
            if m:
                for child in list(block):
                    block.remove(child)
                block.text = None
                _sub(block, "span", m["organ"].strip(), class_="printer")
                date = _sub(block, "span", class_="print-date")
                _sub(date, "time", m["date"], datetime=_iso(m["date"])).tail = "印发"
        block.set("class", {"cc": "cc", "printed": "printed"}.get(role, "imprint-line"))
        self.imprint.append(block)

    def _toc(self, block: etree._Element, role: str) -> None:
        """目录: kept as a navigation block; entries link to the headings they name (finish)."""
        if self.nav is None:
            self.nav = _sub(self._container(), "nav", class_="toc")
        if role == "toc-title":
            block.set("class", "toc-title")
        self.nav.append(block)

    def finish(self) -> None:
        if not len(self.header):
            self.article.remove(self.header)
        _heading_sentences(self.article)
        if self.nav is not None:
            _link_toc(self.nav, self.article)
        if self.imprint is not None:  # the 版记 closes the document, after the attachments
            self.article.append(self.imprint)


def block_text(block: etree._Element) -> str:
    return "".join(block.itertext()).strip()


def _iso(date_text: str) -> str:
    date = gongwen.parse_date(date_text)
    return date.isoformat() if date else ""


def _time(block: etree._Element) -> None:
    """Wrap a date paragraph's text in ``<time datetime=…>``."""
    text = block_text(block)
    if len(block) or not _iso(text):
        return
    block.text = None
    _sub(block, "time", text, datetime=_iso(text))


def _compact(text: str) -> str:
    return re.sub(r"\s+", "", text)


def _link_toc(toc_nav: etree._Element, article: etree._Element) -> None:
    """Link each 目录 entry to the heading it names (``pipeline.xhtml.toc.names``), the first such heading
    after the previous entry's, so the PDF can print the page each entry is on."""
    headings = [(h.getparent().get("id"), block_text(h))
                for h in article.iter(*(f"{{{XHTML_NS}}}h{n}" for n in range(2, 7)))
                if h.getparent().get("id")]  # fmt: skip
    position = 0
    for item in toc_nav.iter(f"{{{XHTML_NS}}}li"):
        found = next((k for k in range(position, len(headings)) if toc.names(block_text(item), headings[k][1])), None)
        if found is None or len(item):
            continue
        position = found + 1
        item.text, link = None, _sub(item, "a", item.text, href=f"#{headings[found][0]}")
        link.tail = None
