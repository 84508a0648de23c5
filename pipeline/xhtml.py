"""Stage 3, xhtml: normalized Markdown -> semantic XHTML5, the hub of the pipeline.

The PDF is rendered from this file, the archival record is derived from it, and web teams
publish it; so it carries the document's real structure (title, nested sections by the
numbering, run-in headings, signature and date) and nothing unsafe. Raw HTML in the Markdown
is never passed through: Python-Markdown escapes it, so its text survives as text.
"""

from __future__ import annotations

import re
from dataclasses import replace

import markdown
from lxml import etree
from lxml import html as lxml_html

from pipeline import __version__, numbering
from pipeline.model import Document
from pipeline.normalize.chars import CJK

XHTML_NS = "http://www.w3.org/1999/xhtml"
XML_LANG = "{http://www.w3.org/XML/1998/namespace}lang"
_VOID = {"br", "hr", "img", "meta", "link", "col", "wbr"}
# Elements a document body may contain; anything else is unwrapped to its text.
_ALLOWED = {
    "p",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "strong",
    "em",
    "code",
    "pre",
    "blockquote",
    "ul",
    "ol",
    "li",
    "table",
    "thead",
    "tbody",
    "tr",
    "th",
    "td",
    "a",
    "br",
    "hr",
    "span",
    "sup",
    "sub",
    "del",
}
_SAFE_HREF = re.compile(r"^(https?:|mailto:)", re.IGNORECASE)
_NUMERIC = re.compile(r"^[\s\d.,，%‰+\-—～~]+$")
_CJK_BREAK = re.compile(f"(?<=[{CJK}])\n(?=[{CJK}])")


def to_xhtml(doc: Document) -> Document:
    return replace(doc, xhtml=build(doc))


def _md_to_fragment(text: str) -> lxml_html.HtmlElement:
    md = markdown.Markdown(extensions=["tables", "sane_lists"], output_format="xhtml")
    md.preprocessors.deregister("html_block")
    md.inlinePatterns.deregister("html")
    return lxml_html.fragment_fromstring(md.convert(text) or "<p></p>", create_parent="div")


def _x(tag: str, text: str | None = None, **attrib: str) -> etree._Element:
    el = etree.Element(f"{{{XHTML_NS}}}{tag}", {k.rstrip("_"): v for k, v in attrib.items()}, nsmap={None: XHTML_NS})
    el.text = text
    return el


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrib: str) -> etree._Element:
    el = _x(tag, text, **attrib)
    parent.append(el)
    return el


def _join_breaks(s: str | None) -> str | None:
    return _CJK_BREAK.sub("", s) if s else s


def _copy(src: lxml_html.HtmlElement) -> etree._Element:
    """Copy a parsed element into the XHTML namespace, keeping only safe tags and attributes."""
    tag = src.tag if isinstance(src.tag, str) else ""
    if tag == "img":
        el = _x("span", src.get("alt") or None, class_="image-omitted")
        el.tail = _join_breaks(src.tail)
        return el
    el = _x(tag if tag in _ALLOWED else "span", _join_breaks(src.text))
    if tag == "a" and _SAFE_HREF.match(src.get("href", "")):
        el.set("href", src.get("href"))
    if tag in ("td", "th"):
        if _NUMERIC.match(src.text_content() or "-") and src.text_content().strip():
            el.set("class", "num")
        if tag == "th":
            el.set("scope", "col")
    for child in src:
        el.append(_copy(child))
    el.tail = _join_breaks(src.tail)
    return el


def _run_in(p: etree._Element) -> None:
    """Mark the first sentence of ``（一）健全工作机制，强化责任担当。为确保…`` as a run-in heading."""
    if len(p) or not p.text:
        return
    num = numbering.parse(p.text)
    if num is None or num.kind != "run-in":
        return
    head = num.marker + num.lead
    span = _x("span", head, class_="run-in")
    span.set("data-level", str(num.level))
    span.tail = p.text[len(head) :]
    p.text = None
    p.insert(0, span)


def build(doc: Document) -> bytes:
    meta = doc.meta
    root = _x("html", lang="zh-CN")
    root.set(XML_LANG, "zh-CN")
    head = _sub(root, "head")
    _sub(head, "meta", charset="UTF-8")
    _sub(head, "title", meta.title or doc.doc_id)
    _sub(head, "link", rel="schema.DC", href="http://purl.org/dc/elements/1.1/")
    _sub(head, "link", rel="schema.DCTERMS", href="http://purl.org/dc/terms/")
    fields = [
        ("DC.title", meta.title),
        ("DC.creator", meta.organ),
        ("DC.date", meta.date.isoformat() if meta.date else ""),
        ("DC.language", "zh-CN"),
        ("DC.identifier", doc.doc_id),
        ("DC.format", "application/xhtml+xml"),
        ("author", meta.organ),
        ("dcterms.created", meta.date.isoformat() if meta.date else ""),
        ("generator", f"gov-doc-pipeline {__version__}"),
    ]
    for name, value in fields:
        if value:
            _sub(head, "meta", name=name, content=value)
    body = _sub(root, "body")
    body.set("data-source-encoding", doc.encoding)
    article = _sub(body, "article", class_="document")
    article.set("data-doc-id", doc.doc_id)

    blocks = [_copy(child) for child in _md_to_fragment(doc.markdown)]
    footer_blocks = _signature_blocks(blocks, meta.signature, meta.date_text) if meta.date else []
    stack: list[tuple[int, etree._Element]] = [(1, article)]
    counters = [0] * 7
    for block in blocks:
        tag = etree.QName(block).localname
        if block in footer_blocks:
            continue
        if tag == "h1" and not article.findall(f"{{{XHTML_NS}}}header"):
            header = _x("header")
            article.insert(0, header)
            header.append(block)
            continue
        if re.fullmatch(r"h[1-6]", tag):
            level = max(2, int(tag[1]))
            block.tag = f"{{{XHTML_NS}}}h{level}"
            while stack[-1][0] >= level:
                stack.pop()
            counters[level] += 1
            counters[level + 1 :] = [0] * (6 - level)
            sid = "sec-" + "-".join(str(n) for n in counters[2 : level + 1] if n)
            section = _sub(stack[-1][1], "section", id=sid)
            section.set("class", f"level-{level - 1}")
            section.append(block)
            stack.append((level, section))
            continue
        if tag == "p":
            _run_in(block)
        stack[-1][1].append(block)
    if footer_blocks:
        footer = _sub(article, "footer", class_="signature")
        organ, date = footer_blocks
        organ.set("class", "organ")
        date.set("class", "date")
        text, date.text = date.text, None
        _sub(date, "time", text, datetime=meta.date.isoformat() if meta.date else "")
        footer.extend([organ, date])
    for el in root.iter():
        if etree.QName(el).localname not in _VOID and el.text is None and not len(el):
            el.text = ""  # serialize as <p></p>: `<p/>` would swallow what follows in HTML parsers
    etree.cleanup_namespaces(root)
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True, doctype="<!DOCTYPE html>")


def _signature_blocks(blocks: list[etree._Element], signature: str, date_text: str) -> list[etree._Element]:
    """The last two paragraphs, when they are the signature and the date found by normalize."""
    if not (signature and date_text) or len(blocks) < 2:
        return []
    organ, date = blocks[-2], blocks[-1]
    if all(etree.QName(b).localname == "p" and not len(b) for b in (organ, date)) and (
        (organ.text or "").strip() == signature and (date.text or "").strip() == date_text
    ):
        return [organ, date]
    return []
