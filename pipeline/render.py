"""Stage 4, pdf: XHTML + official style sheet -> PDF/A-3u with WeasyPrint.

Three things matter beyond "call WeasyPrint":

* Safety: WeasyPrint's default URL fetcher reads local files and the network. A document must
  not be able to pull ``file:///etc/passwd`` or an intranet URL into a published PDF, so the
  only resources a render may load are the style bundle's own files.
* Determinism: the same input gives a byte-identical PDF (archives compare checksums), so the
  font-subset timestamps are pinned with SOURCE_DATE_EPOCH and attachment dates come from
  the document, not from the clock.
* Thread safety: a FontConfiguration is never shared between renders running in parallel.
"""

from __future__ import annotations

import datetime as dt
import os
from dataclasses import replace
from pathlib import Path
from urllib.parse import unquote, urlsplit

from pipeline.errors import DocumentError
from pipeline.model import Document

STYLES_DIR = Path(os.environ.get("PIPELINE_STYLES", Path(__file__).resolve().parent.parent / "styles"))
STYLESHEET = STYLES_DIR / "official.css"
PDF_VARIANT = "pdf/a-3u"
# A fixed epoch for reproducible builds; the PDF's own dates come from the document.
os.environ.setdefault("SOURCE_DATE_EPOCH", "946684800")

from weasyprint import CSS, HTML, Attachment  # noqa: E402  (after SOURCE_DATE_EPOCH)
from weasyprint.text.fonts import FontConfiguration  # noqa: E402
from weasyprint.urls import URLFetcher  # noqa: E402


class LocalOnlyFetcher(URLFetcher):
    """Serve ``file:`` URLs inside the allowed folders only; refuse everything else."""

    def __init__(self, roots: list[Path]) -> None:
        super().__init__(allowed_protocols={"file"}, allow_redirects=False, timeout=5)
        self.roots = [r.resolve() for r in roots]

    def fetch(self, url: str, headers: dict | None = None):  # type: ignore[override]
        if not url.startswith("file:"):
            raise ValueError(f"blocked non-local URL: {url[:80]}")
        path = Path(unquote(urlsplit(url).path)).resolve()
        if not any(path.is_relative_to(r) for r in self.roots):
            raise ValueError(f"blocked path outside the style bundle: {path}")
        return super().fetch(url, headers)


def render_pdf(doc: Document, stylesheet: Path = STYLESHEET) -> Document:
    if not stylesheet.is_file():
        raise DocumentError(stylesheet, "找不到样式表", "请检查 styles/ 目录是否完整，或设置 PIPELINE_STYLES")
    fetcher = LocalOnlyFetcher([stylesheet.parent])
    fonts = FontConfiguration()
    html = HTML(string=doc.xhtml.decode("utf-8"), base_url=stylesheet.parent.as_uri() + "/", url_fetcher=fetcher)
    css = CSS(filename=str(stylesheet), font_config=fonts, url_fetcher=fetcher)
    rendered = html.render(stylesheets=[css], font_config=fonts)
    stamp = dt.datetime.combine(doc.meta.date or dt.date(2000, 1, 1), dt.time(), dt.UTC)
    source = Attachment(
        string=doc.markdown.encode("utf-8"),
        name="document.md",
        description="规范化后的源文本",
        relationship="Source",
        created=stamp,
        modified=stamp,
    )
    pdf = rendered.write_pdf(
        pdf_variant=PDF_VARIANT,
        attachments=[source],
        pdf_identifier=doc.doc_id.encode("utf-8"),
    )
    fonts = sorted({(font.family, int(font.weight)) for font in rendered.fonts.values()})
    return replace(doc, pdf=pdf, pages=len(rendered.pages), fonts=fonts)
