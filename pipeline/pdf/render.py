"""Stage 4, pdf: XHTML + official style sheet -> PDF/A-3u with WeasyPrint.

Three things matter beyond "call WeasyPrint":

* Safety: WeasyPrint's default URL fetcher reads local files and the network. A document must
  not be able to pull ``file:///etc/passwd`` or an intranet URL into a published PDF, so the
  only resources a render may load are the style bundle's own files.
* Determinism: the same input gives a byte-identical PDF (archives compare checksums), so the
  font-subset timestamps are pinned with SOURCE_DATE_EPOCH and attachment dates come from
  the document, not from the clock.
* Thread safety: a FontConfiguration is never shared between threads; within one thread it
  serves every render (fonts loaded once per worker).
"""

from __future__ import annotations

import datetime as dt
import os
import threading
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote, urlsplit
from xml.etree import ElementTree

import cssselect2
from lxml import etree
from weasyprint import CSS, HTML, Attachment, _find_base_url
from weasyprint.text.fonts import FontConfiguration
from weasyprint.urls import URLFetcher

from pipeline.core.errors import DocumentError
from pipeline.core.model import Document
from pipeline.pdf import grid, prepare
from pipeline.pdf.styles import PDF_VARIANT, STYLESHEET
from pipeline.pdf.weasyprint_hooks import rendering
from pipeline.xhtml.tree import XHTML_NS, XML_NS


class LocalOnlyFetcher(URLFetcher):
    """Serve ``file:`` URLs inside the allowed folders (the style bundle, the input document's own
    folder) only, after resolving symlinks and ``..``; refuse every other URL."""

    def __init__(self, roots: list[Path]) -> None:
        super().__init__(allowed_protocols={"file"}, allow_redirects=False, timeout=5)
        self.roots = [r.resolve() for r in roots]

    def fetch(self, url: str, headers: dict | None = None):  # type: ignore[override]
        if not url.startswith("file:"):
            raise ValueError(f"blocked non-local URL: {url[:80]}")
        path = Path(unquote(urlsplit(url).path)).resolve()
        if not any(path.is_relative_to(r) for r in self.roots):
            raise ValueError(f"blocked path outside the style bundle and the input folder: {path}")
        return super().fetch(url, headers)


def _typeset(root: etree._Element) -> None:
    """Make the XHTML tree what WeasyPrint should lay out: the published file plus line breaks in
    the title, break opportunities around quotation marks, addresses, full-width marks and wide
    tables marked."""
    prepare.break_title(root)
    prepare.quote_breaks(root)
    prepare.url_breaks(root)
    prepare.full_width_marks(root)
    prepare.split_widest_tables(root)
    prepare.mark_wide_tables(root)


class _TreeHTML(HTML):
    """WeasyPrint's HTML document made from the XHTML tree the renderer already holds.

    ``HTML(string=...)`` would parse the XHTML again with WeasyPrint's HTML parser (pure
    Python: 4-45 ms a document, 2% of a render), and an HTML parser reads XML's ``<td/>`` as a
    cell left open around what follows. The tree is given as that parser gives a well-formed
    document: element names without namespace, namespace declarations and ``xml:lang`` as
    plain attributes. WeasyPrint is pinned; this mirrors ``HTML.__init__`` after its parse.
    """

    def __init__(self, root: etree._Element, base_url: str, url_fetcher: LocalOnlyFetcher) -> None:
        tree = _html_tree(root)
        self.base_url = _find_base_url(tree, base_url)
        self.url_fetcher = url_fetcher
        self.media_type = "print"
        self.wrapper_element = cssselect2.ElementWrapper.from_html_root(tree, content_language=None)
        self.etree_element = self.wrapper_element.etree_element


def _html_tree(el: etree._Element, inherited: dict | None = None) -> ElementTree.Element:
    if not isinstance(el.tag, str):  # a comment or processing instruction
        node = ElementTree.Comment(el.text) if isinstance(el, etree._Comment) else ElementTree.PI(el.target, el.text)
        node.tail = el.tail
        return node
    attrib = {("xmlns" if p is None else f"xmlns:{p}"): uri
              for p, uri in el.nsmap.items() if (inherited or {}).get(p) != uri}  # fmt: skip
    prefixes = {uri: p for p, uri in el.nsmap.items() if p}
    for name, value in el.attrib.items():
        q = etree.QName(name)
        prefix = "xml" if q.namespace == XML_NS else prefixes.get(q.namespace)
        attrib[f"{prefix}:{q.localname}" if prefix else q.localname] = value
    q = etree.QName(el)
    node = ElementTree.Element(q.localname if q.namespace == XHTML_NS else el.tag, attrib)
    node.text, node.tail = el.text, el.tail
    node.extend(_html_tree(child, el.nsmap) for child in el)
    return node


def descriptive_metadata(xhtml: etree._Element) -> bytes:
    """The document's Dublin Core description as XML, from the ``DC.*``/``dcterms.*`` meta
    elements of the XHTML head, so the PDF describes itself when it travels alone."""
    dc, terms = "http://purl.org/dc/elements/1.1/", "http://purl.org/dc/terms/"
    root = etree.Element("metadata", nsmap={"dc": dc, "dcterms": terms})
    for meta in xhtml.iterfind(f".//{{{XHTML_NS}}}meta[@name]"):
        prefix, _, local = meta.get("name").partition(".")
        namespace = {"DC": dc, "dcterms": terms}.get(prefix)
        if namespace and local:
            etree.SubElement(root, f"{{{namespace}}}{local}").text = meta.get("content")
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True)


DEFAULT_MAX_PARAGRAPH_CHARS = 100_000
_BLOCKS = tuple(f"{{{XHTML_NS}}}{tag}" for tag in ("p", "li", "td", "th", "pre", "h1", "h2", "h3", "h4", "h5", "h6"))


def max_paragraph_chars() -> int:
    return int(os.environ.get("PIPELINE_MAX_PARAGRAPH_CHARS", DEFAULT_MAX_PARAGRAPH_CHARS))


def _refuse_long_paragraphs(doc: Document, root: etree._Element) -> None:
    """Line breaking a paragraph takes time that grows faster than its length (80,000 characters:
    6 s; a 5 MB line would take hours), so a paragraph longer than PIPELINE_MAX_PARAGRAPH_CHARS
    (about 160 pages) is refused before layout. Such a paragraph is almost always a file whose line
    breaks a converter lost."""
    limit = max_paragraph_chars()
    for n, block in enumerate(root.iter(*_BLOCKS), 1):
        length = sum(len(t) for t in block.itertext())
        if length > limit:
            start = "".join(block.itertext())[:20]
            problem = f"有一段文字过长（第 {n} 段，以“{start}”开头，{length} 个字符，上限 {limit}），无法排版"
            advice = "这通常是转换时丢失了换行：请在原文中恢复分段后重试；确需处理时可调高 PIPELINE_MAX_PARAGRAPH_CHARS"
            raise DocumentError(doc.source_path, problem, advice, code="too-long")


_per_thread = threading.local()


def _style(stylesheet: Path) -> tuple[CSS, FontConfiguration]:
    """The parsed style sheet and its font configuration, made once per thread and style sheet.

    A worker renders many documents: parsing the style sheet and loading the fonts once saves
    a tenth of each render. WeasyPrint's FontConfiguration must never be shared between threads
    (research note A5), hence one per thread. The style sheet may only load files of its own
    folder; the document's folder is for the document's own images.
    """
    key = (stylesheet, stylesheet.stat().st_mtime_ns)
    cached = getattr(_per_thread, "style", None)
    if cached is None or cached[0] != key:
        fonts = FontConfiguration()
        css = CSS(filename=str(stylesheet), font_config=fonts, url_fetcher=LocalOnlyFetcher([stylesheet.parent]))
        cached = _per_thread.style = (key, css, fonts)
    return cached[1], cached[2]


def render_pdf(doc: Document, stylesheet: Path = STYLESHEET) -> Document:
    if not stylesheet.is_file():
        raise DocumentError(stylesheet, "找不到样式表", "请检查 styles/ 目录是否完整，或设置 PIPELINE_STYLES")
    css, fonts = _style(stylesheet)
    fetcher = LocalOnlyFetcher([stylesheet.parent, doc.source_path.parent])
    root = etree.fromstring(doc.xhtml)  # parsed once: the metadata is read before typesetting
    _refuse_long_paragraphs(doc, root)
    metadata_xml = descriptive_metadata(root)
    with rendering():  # WeasyPrint's internals as the pipeline needs them, for this render only
        _typeset(root)  # measures the title's lines as the render will set them
        html = _TreeHTML(root, stylesheet.parent.as_uri() + "/", fetcher)
        rendered = html.render(stylesheets=[css], font_config=fonts)
        grid.fill_table_pages(rendered.pages)
        grid.place_signature(rendered.pages)
        grid.place_imprint(rendered.pages)
        stamp = dt.datetime.combine(doc.meta.date or dt.date(2000, 1, 1), dt.time(), dt.UTC)
        source = Attachment(
            string=doc.markdown.encode("utf-8"),
            name="document.md",
            description="规范化后的源文本",
            relationship="Source",
            created=stamp,
            modified=stamp,
        )
        metadata = Attachment(
            string=metadata_xml,
            name="metadata.xml",
            description="描述元数据（都柏林核心，取自 XHTML）",
            relationship="Data",
            created=stamp,
            modified=stamp,
        )
        pdf = rendered.write_pdf(
            pdf_variant=PDF_VARIANT,
            attachments=[source, metadata],
            pdf_identifier=doc.doc_id.encode("utf-8"),
        )
    fonts = sorted({(font.family, int(font.weight)) for font in rendered.fonts.values()})
    return replace(doc, pdf=pdf, pages=len(rendered.pages), fonts=fonts)
