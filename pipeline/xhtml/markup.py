"""Normalized Markdown -> a sanitized HTML fragment, and the document's blocks for the 公文 model.

Raw HTML in the Markdown (converters emit HTML tables) goes through nh3, a maintained
sanitizer, with an allowlist: tables, line breaks, sub/sup and inline text markup survive;
scripts, event handlers, frames, forms, styles, images and non-web URLs do not. Every removal
is logged as a change of rule ``xhtml/sanitize``, with any text it dropped.

The metadata (normalize) and the XHTML stage both read the document through ``markdown_fragment``
and ``blocks``, so they see the same blocks with the same sanitized text.
"""

from __future__ import annotations

import re
from pathlib import Path

import markdown
import nh3
from lxml import etree
from lxml import html as lxml_html

from pipeline.core.chars import significant
from pipeline.core.errors import DocumentError
from pipeline.core.model import Change
from pipeline.xhtml.parts import Block

SANITIZE_RULE = "xhtml/sanitize"
_TABLE_TAGS = {"table", "caption", "thead", "tbody", "tfoot", "tr", "th", "td", "colgroup", "col"}
ALLOWED_TAGS = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "strong", "em", "b", "i", "u", "code", "pre", "blockquote",
    "ul", "ol", "li", "a", "br", "hr", "span", "sub", "sup", "del", *_TABLE_TAGS,
}  # fmt: skip
_ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "td": {"rowspan", "colspan", "class"},
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
        if tag and tag not in ALLOWED_TAGS and tag not in ("div", "html", "body"):
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
        tags=ALLOWED_TAGS,
        attributes=_ALLOWED_ATTRIBUTES,
        clean_content_tags=_DROPPED_WITH_CONTENT - {"head", "title"},
        url_schemes=_URL_SCHEMES,
        link_rel=None,
        strip_comments=True,
    )
    return lxml_html.fragment_fromstring(clean or "<p></p>", create_parent="div"), removals


def markdown_fragment(text: str) -> tuple[lxml_html.HtmlElement, list[Change]]:
    """The normalized Markdown as a sanitized HTML fragment (a ``div``), with what was removed."""
    return _sanitize(_markdown_html(text))


def plain_title(title: str) -> str:
    """The title's text as the sanitized ``<h1>`` shows it (``关于<script>…</script>的通知`` ->
    ``关于的通知``, ``**关于**`` -> ``关于``): the record, ``<title>``, the PDF and the portal take
    it from here, never from the raw Markdown line."""
    if not re.search(r"[<>&*_`\\\[]", title):
        return title
    fragment, _ = markdown_fragment(f"# {title}")  # a heading, as the <h1> was made
    return " ".join("".join(fragment.itertext()).split())


class NestingTooDeep(ValueError):
    """Raw HTML nested deeper than MAX_HTML_DEPTH levels; ``too_deep`` makes the message."""


def too_deep(path: Path) -> DocumentError:
    problem = f"原文中的 HTML 标签嵌套过深（超过 {MAX_HTML_DEPTH} 层），无法可靠转换"
    advice = "请删去多余的嵌套标签（常见于网页转换残留的 <div>、<span>），或把这段内容改为普通文字后重试"
    return DocumentError(path, problem, advice, code="too-complex")


_KINDS = {"h1", "h2", "h3", "h4", "h5", "h6", "p", "table"}


def block(el: lxml_html.HtmlElement) -> Block:
    tag = el.tag if isinstance(el.tag, str) else ""
    kind = tag if tag in _KINDS else "list" if tag in ("ul", "ol") else "other"
    return Block(kind, re.sub(r"\s+", " ", el.text_content()).strip())


def blocks(fragment: lxml_html.HtmlElement) -> list[Block]:
    """The top-level blocks of a fragment, in order."""
    return [block(child) for child in fragment if isinstance(child.tag, str)]
