"""Stage 3, xhtml: normalized Markdown -> semantic XHTML5, the hub of the pipeline.

The PDF is rendered from this file, the archival record is derived from it, and web teams
publish it; so it carries the document's real structure (title block, sections nested by the
numbering, run-in headings, tables, signature and date) and nothing unsafe.

Raw HTML in the Markdown (converters emit HTML tables) goes through nh3, a maintained
sanitizer, with an allowlist: tables, line breaks, sub/sup and inline text markup survive;
scripts, event handlers, frames, forms, styles, images and non-web URLs do not. Every removal
is logged as a change of rule ``xhtml/sanitize``, with any text it dropped.
"""

from __future__ import annotations

import re
from dataclasses import replace

import markdown
import nh3
from lxml import etree
from lxml import html as lxml_html

from pipeline import __version__, numbering, templates
from pipeline.errors import DocumentError
from pipeline.model import Change, Document
from pipeline.normalize.chars import CJK, significant
from pipeline.normalize.metadata import DOC_NUMBER_RE
from pipeline.normalize.structure import DATE_LINE_RE

XHTML_NS = "http://www.w3.org/1999/xhtml"
XML_NS = "http://www.w3.org/XML/1998/namespace"
XML_LANG = f"{{{XML_NS}}}lang"
SANITIZE_RULE = "xhtml/sanitize"
_VOID = {"br", "hr", "img", "meta", "link", "col", "wbr"}
_TABLE_TAGS = {"table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "colgroup", "col"}
_ALLOWED_TAGS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "u", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "br", "hr", "span", "sub", "sup", "del", *_TABLE_TAGS,
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "td": {"rowspan", "colspan"},
    "th": {"rowspan", "colspan", "scope"},
    "col": {"span"},
    "colgroup": {"span"},
    "span": {"class"},
    "ol": {"start"},
}
_DROPPED_WITH_CONTENT = {"script", "style", "iframe", "object", "embed", "noscript", "template", "textarea",
                         "select", "svg", "math", "head", "title"}  # fmt: skip
_URL_SCHEMES = {"http", "https", "mailto"}
_MARKDOWN_STYLE = re.compile(r"^text-align: (left|right|center);$")
_NUMERIC = re.compile(r"^[\s\d.,，%‰+\-—～~]+$")
_CJK_BREAK = re.compile(f"(?<=[{CJK}])\n(?=[{CJK}])")
_CAPTION_RE = re.compile(r"^(表[一二三四五六七八九十\d]+)[：:、. ]?\s*(.{0,40})$")
# The statutory tables of the 2019+ annual-report template, recognised by their fixed labels.
STATUTORY_TABLES = (
    ("active-disclosure", "主动公开政府信息情况", ("第二十条第（一）项", "本年制发件数", "现行有效件数")),
    ("applications", "收到和处理政府信息公开申请情况", ("本年新收政府信息公开申请数量", "申请人情况", "予以公开")),
    ("review-litigation", "政府信息公开行政复议、行政诉讼情况", ("行政复议", "行政诉讼", "结果维持")),
)


class NestingTooDeep(ValueError):
    """Raw HTML nested deeper than MAX_HTML_DEPTH levels; ``to_xhtml`` names the file."""


def to_xhtml(doc: Document) -> Document:
    try:
        doc = replace(doc, meta=replace(doc.meta, title=plain_title(doc.meta.title)))
        xhtml, removals = build(doc)
    except NestingTooDeep:
        problem = f"原文中的 HTML 标签嵌套过深（超过 {MAX_HTML_DEPTH} 层），无法可靠转换"
        advice = "请删去多余的嵌套标签（常见于网页转换残留的 <div>、<span>），或把这段内容改为普通文字后重试"
        raise DocumentError(doc.source_path, problem, advice, code="too-complex") from None
    return replace(doc, xhtml=xhtml, changes=[*doc.changes, *removals])


def plain_title(title: str) -> str:
    """The title's text as the sanitized ``<h1>`` shows it (``关于<script>…</script>的通知`` ->
    ``关于的通知``, ``**关于**`` -> ``关于``): the record, ``<title>``, the PDF and the portal take
    it from here, never from the raw Markdown line."""
    if not re.search(r"[<>&*_`\\\[]", title):
        return title
    fragment, _ = _sanitize(_markdown_html(f"# {title}"))  # a heading, as the <h1> was made
    return " ".join("".join(fragment.itertext()).split())


# --- Markdown and sanitizing ----------------------------------------------------------------------


def _markdown_html(text: str) -> str:
    md = markdown.Markdown(extensions=["tables", "sane_lists"], output_format="xhtml")
    return md.convert(_widen_pipe_tables(text)) or "<p></p>"


_PIPE_CELL = re.compile(r"(?<!\\)\|")


def _widen_pipe_tables(text: str) -> str:
    """Python-Markdown drops the cells of a row beyond the header's count; converter output often
    has rows wider than the header (a split header, a merged cell read as one). Widen the header
    and delimiter rows to the widest row so that no cell, and no digit in it, is lost."""
    lines = text.split("\n")
    i = 0
    while i < len(lines):
        if not lines[i].lstrip().startswith("|"):
            i += 1
            continue
        j = i
        while j < len(lines) and lines[j].lstrip().startswith("|"):
            j += 1
        widths = [_cells(line) for line in lines[i:j]]
        if j - i >= 2 and max(widths) > widths[0] and re.fullmatch(r"\s*\|?[\s:|-]+\|?\s*", lines[i + 1]):
            extra = max(widths) - widths[0]
            lines[i] = lines[i].rstrip().rstrip("|") + "|" + "   |" * extra
            lines[i + 1] = lines[i + 1].rstrip().rstrip("|") + "|" + "---|" * (max(widths) - _cells(lines[i + 1]))
        i = j
    return "\n".join(lines)


def _cells(line: str) -> int:
    inner = line.strip()
    inner = inner[1:] if inner.startswith("|") else inner
    inner = inner[:-1] if inner.endswith("|") and not inner.endswith("\\|") else inner
    return len(_PIPE_CELL.split(inner))


def _audit(fragment: lxml_html.HtmlElement) -> list[Change]:
    """What the sanitizer is about to remove, for the change log; images become their alt text."""
    removals: list[Change] = []

    def log(what: str, snippet: str, lost: str = "") -> None:
        removals.append(Change(SANITIZE_RULE, 0, snippet[:200], what, lost))

    for el in list(fragment.iter()):
        tag = el.tag if isinstance(el.tag, str) else ""
        if tag == "img":
            alt = el.get("alt") or ""
            log(f"移除图片（{el.get('src', '')[:80]}），保留替代文字", lxml_html.tostring(el, encoding="unicode"))
            span = lxml_html.Element("span", {"class": "image-omitted"})
            span.text, span.tail = alt or None, el.tail
            el.getparent().replace(el, span)
            continue
        if tag in _DROPPED_WITH_CONTENT:
            snippet = lxml_html.tostring(el, encoding="unicode", with_tail=False)
            log(f"移除 <{tag}> 元素及其内容", snippet, significant(el.text_content()))
            continue
        if tag and tag not in _ALLOWED_TAGS and tag not in ("div", "html", "body"):
            log(f"移除 <{tag}> 标签（保留其中文字）", lxml_html.tostring(el, encoding="unicode", with_tail=False))
        allowed = _ALLOWED_ATTRIBUTES.get(tag, set())
        for name, value in el.attrib.items():
            if name == "style" and tag in ("td", "th") and _MARKDOWN_STYLE.match(value):
                continue  # Python-Markdown's own column alignment
            if name not in allowed:
                log(f"移除 {name} 属性", f'<{tag} {name}="{value[:80]}">')
            elif name == "href" and not _safe_href(value):
                log("移除不安全的链接地址", f'<a href="{value[:80]}">')
                del el.attrib["href"]
    return removals


def _safe_href(value: str) -> bool:
    """Web and mail links, or links within the document; never other schemes or `//host`."""
    value = value.strip()
    if value.startswith("#"):
        return True
    scheme = value.split(":", 1)[0].lower() if ":" in value.split("/", 1)[0] else ""
    return scheme in _URL_SCHEMES


MAX_HTML_DEPTH = 200  # below libxml2's 256, with room for the XHTML's own levels


def _too_deep(root: lxml_html.HtmlElement) -> bool:
    """Raw HTML nested deeper than the XML parsers downstream take (libxml2 stops at 256 levels
    and, parsing HTML, silently drops the rest of the document)."""
    depth = 0
    for event, _ in etree.iterwalk(root, events=("start", "end")):
        depth += 1 if event == "start" else -1
        if depth > MAX_HTML_DEPTH:
            return True
    return False


def _sanitize(html: str) -> tuple[lxml_html.HtmlElement, list[Change]]:
    raw = lxml_html.fragment_fromstring(html, create_parent="div")
    if _too_deep(raw):
        raise NestingTooDeep(MAX_HTML_DEPTH)
    removals = _audit(raw)
    clean = nh3.clean(
        lxml_html.tostring(raw, encoding="unicode"),
        tags=_ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        clean_content_tags=_DROPPED_WITH_CONTENT - {"head", "title"},
        url_schemes=_URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )
    return lxml_html.fragment_fromstring(clean or "<p></p>", create_parent="div"), removals


# --- building the XHTML tree ----------------------------------------------------------------------


def _x(tag: str, text: str | None = None, **attrib: str) -> etree._Element:
    el = etree.Element(
        f"{{{XHTML_NS}}}{tag}", {k.rstrip("_").replace("_", "-"): v for k, v in attrib.items()}, nsmap={None: XHTML_NS}
    )
    el.text = text
    return el


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrib: str) -> etree._Element:
    el = _x(tag, text, **attrib)
    parent.append(el)
    return el


def _local(el: etree._Element) -> str:
    return etree.QName(el).localname


def _join_breaks(s: str | None) -> str | None:
    return _CJK_BREAK.sub("", s) if s else s


def _copy(src: lxml_html.HtmlElement) -> etree._Element:
    """Copy a sanitized element into the XHTML namespace."""
    tag = src.tag if isinstance(src.tag, str) and src.tag in _ALLOWED_TAGS else "span"
    tag = {"b": "strong", "i": "em"}.get(tag, tag)
    el = _x(tag, _join_breaks(src.text))
    for name in ("href", "rowspan", "colspan", "class", "start", "span"):
        value = src.get(name)
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


def _header_role(text: str, meta_recipients: str) -> str:
    if DOC_NUMBER_RE.fullmatch(text):
        return "doc-number"
    if text.startswith("——"):
        return "subtitle"
    if DATE_LINE_RE.match(text) and text.startswith(("（", "(")):
        return "dateline"
    if templates.SPEAKER_RE.search(text) and len(text) <= 30:
        return "speaker"
    if meta_recipients and text == meta_recipients + "：":
        return "recipients"
    return ""


_SPAN_CAPS = {"colspan": 1000, "rowspan": 65534}  # the HTML table model's limits


def _clamp_spans(table: etree._Element) -> list[Change]:
    """Spans as the table can hold them: capped as HTML caps them, rowspans cut at the table's
    last row, colspans that reach past every row's last cell shrunk (OCR tables: the HTML table
    model forbids columns in which no cell begins). Cells are placed as column intervals, never
    cell by cell, so a declared span costs nothing. Each repair is logged."""
    ns = f"{{{XHTML_NS}}}"
    rows = list(table.iter(f"{ns}tr"))
    repairs: list[Change] = []

    def span(cell: etree._Element, name: str, most: int) -> int:
        declared = cell.get(name, "1")
        if not (declared.isascii() and declared.isdigit()):
            n = 1  # not a number HTML reads (`²`, `٣`)
        else:  # 0 ("to the end of the group") is read as 1; 10^20 is not even converted
            n = (int(declared) or 1) if len(declared) < 7 else most + 1
        if n > most:
            what = "列" if name == "colspan" else "行"
            repairs.append(Change(SANITIZE_RULE, 0, f'<td {name}="{declared[:24]}">',
                                  f"表格单元格{what}跨度超出表格实际大小，改为 {most}"))  # fmt: skip
            n = most
        if n == 1:
            cell.attrib.pop(name, None)
        else:
            cell.set(name, str(n))
        return n

    starts: set[int] = set()
    placed: list[tuple[etree._Element, int]] = []
    above: list[tuple[int, int, int]] = []  # cells reaching down: (last row, first column, end column)
    for r, tr in enumerate(rows):
        above = [a for a in above if a[0] >= r]
        taken = sorted((first, end) for _, first, end in above)
        c, k = 0, 0
        for cell in tr:
            while k < len(taken) and taken[k][0] <= c:
                c, k = max(c, taken[k][1]), k + 1
            span_c = span(cell, "colspan", _SPAN_CAPS["colspan"])
            span_r = span(cell, "rowspan", min(_SPAN_CAPS["rowspan"], len(rows) - r))
            starts.add(c)
            placed.append((cell, c))
            if span_r > 1:
                above.append((r + span_r - 1, c, c + span_c))
            c += span_c
    for cell, c in placed:
        span_c = int(cell.get("colspan", "1"))
        useful = 1 + sum(1 for k in starts if c < k < c + span_c)
        if useful < span_c:
            repairs.append(
                Change(SANITIZE_RULE, 0, f'<td colspan="{span_c}">', f"表格单元格列跨度超出实际列数，改为 {useful}")
            )
            if useful == 1:
                del cell.attrib["colspan"]
            else:
                cell.set("colspan", str(useful))
    return repairs


def _header_rows(rows: list[etree._Element]) -> int:
    """How many leading rows form the header: all-``th`` rows, as many as their rowspans reach."""
    needed, count = 1, 0
    while count < needed and count < len(rows):
        cells = list(rows[count])
        if not cells or any(_local(c) != "th" for c in cells):
            return 0
        needed = max(needed, count + max(int(c.get("rowspan", "1")) for c in cells))
        count += 1
    return count if count == needed else 0


def _statutory_key(content: str, section_title: str) -> str:
    for key, name, labels in STATUTORY_TABLES:
        if sum(label in content for label in labels) >= 2 or name in section_title:
            return key
    return ""


def _finish_table(table: etree._Element, caption_text: str | None, section_title: str) -> list[Change]:
    ns = f"{{{XHTML_NS}}}"
    repairs = _clamp_spans(table)
    rows = [tr for tr in table.iter(f"{ns}tr")]
    if caption_text:
        table.insert(0, _x("caption", caption_text))
    head_rows = _header_rows(rows)
    if table.find(f"{ns}thead") is None and head_rows:
        thead = _x("thead")
        for row in rows[:head_rows]:
            row.getparent().remove(row)
            thead.append(row)
        table.insert(1 if caption_text else 0, thead)
    for cell in table.iter(f"{ns}th", f"{ns}td"):
        text = "".join(cell.itertext()).strip()
        if _local(cell) == "th":
            in_head = cell.getparent().getparent() is not None and _local(cell.getparent().getparent()) == "thead"
            cell.set("scope", "col" if in_head else "row")
        elif text and _NUMERIC.match(text):
            cell.set("class", "num")
    key = _statutory_key("".join(table.itertext()).replace(" ", ""), section_title)
    if key:
        table.set("class", "statutory")
        table.set("data-statutory", key)
    return repairs


def build(doc: Document) -> tuple[bytes, list[Change]]:
    meta = doc.meta
    fragment, removals = _sanitize(_markdown_html(doc.markdown))
    root = _x("html", lang="zh-CN")
    root.set(XML_LANG, "zh-CN")
    head = _sub(root, "head")
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
    body = _sub(root, "body")
    if doc.encoding:
        body.set("data-source-encoding", doc.encoding)
    article = _sub(body, "article", class_="document")
    article.set("data-doc-id", doc.doc_id)
    header = _sub(article, "header")

    blocks = [_copy(child) for child in fragment if isinstance(child.tag, str)]
    footer_blocks = _signature_blocks(blocks, meta.signature, meta.date_text) if meta.date else []
    stack: list[tuple[int, etree._Element]] = [(1, article)]
    counters = [0] * 8
    in_header = True
    pending_caption: etree._Element | None = None
    for block in blocks:
        tag = _local(block)
        if any(block is f for f in footer_blocks):
            continue
        text = "".join(block.itertext()).strip()
        if tag == "h1" and header.find(f"{{{XHTML_NS}}}h1") is None:
            header.append(block)
            continue
        if in_header and tag == "p":
            role = _header_role(text, meta.recipients)
            if role:
                block.set("class", role)
                if role == "dateline" and meta.date:
                    inner, block.text = block.text, None
                    _sub(block, "time", inner, datetime=date)
                header.append(block)
                continue
        if tag != "h1":
            in_header = False
        if pending_caption is not None and tag != "table":
            pending_caption = None
        if re.fullmatch(r"h[1-6]", tag):
            level = max(2, int(tag[1]))
            block.tag = f"{{{XHTML_NS}}}h{level}"
            while stack[-1][0] >= level:
                stack.pop()
            counters[level] += 1
            counters[level + 1 :] = [0] * (7 - level)
            sid = "sec-" + "-".join(str(n) for n in counters[2 : level + 1])  # 0 where a level is skipped
            section = _sub(stack[-1][1], "section", id=sid)
            section.set("class", f"level-{level - 1}")
            section.append(block)
            stack.append((level, section))
            continue
        if tag == "p":
            _run_in(block)
            if text.startswith("附件") and re.match(r"^附件\d*：", text):
                block.set("class", "attachment-note")
            if _CAPTION_RE.match(text) and not len(block):
                pending_caption = block
        if tag == "table":
            caption = None
            if pending_caption is not None and pending_caption.getparent() is stack[-1][1]:
                caption = "".join(pending_caption.itertext()).strip()
                stack[-1][1].remove(pending_caption)
            top = next((sec for lvl, sec in stack if lvl == 2), None)
            section_title = "".join(top[0].itertext()) if top is not None else ""
            removals += _finish_table(block, caption, section_title)
            pending_caption = None
        stack[-1][1].append(block)
    if not len(header):
        article.remove(header)
    _heading_sentences(article)
    if footer_blocks:
        footer = _sub(article, "footer", class_="signature")
        organ, date_p = footer_blocks
        organ.set("class", "organ")
        date_p.set("class", "date")
        inner, date_p.text = date_p.text, None
        _sub(date_p, "time", inner, datetime=date)
        footer.extend([organ, date_p])
    for el in root.iter():
        if _local(el) not in _VOID and el.text is None and not len(el):
            el.text = ""  # serialize as <p></p>: `<p/>` would swallow what follows in HTML parsers
    etree.cleanup_namespaces(root)
    xhtml = etree.tostring(root, encoding="UTF-8", xml_declaration=True, doctype="<!DOCTYPE html>")
    return xhtml, removals


def _signature_blocks(blocks: list[etree._Element], signature: str, date_text: str) -> list[etree._Element]:
    """The last two paragraphs, when they are the signature and the date found by normalize."""
    if not (signature and date_text) or len(blocks) < 2:
        return []
    organ, date = blocks[-2], blocks[-1]
    if all(_local(b) == "p" and not len(b) for b in (organ, date)) and (
        (organ.text or "").strip() == signature and (date.text or "").strip() == date_text
    ):
        return [organ, date]
    return []
