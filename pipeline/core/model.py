"""The one document object that every stage reads and extends.

Stages are plain functions ``Document -> Document`` (see ``pipeline.stages``); each fills in
the fields it owns and leaves the rest untouched, so a stage can be run and tested alone.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from pathlib import Path

_TITLE_YEAR_RE = re.compile(r"((?:19|20)\d{2})\s*年")


def title_year(title: str) -> int | None:
    """The first year a title names (``…2024年政府信息公开工作年度报告``): an annual report's
    period, and the archive's 年度 for a document without a date."""
    m = _TITLE_YEAR_RE.search(title)
    return int(m[1]) if m else None


@dataclass(frozen=True)
class Change:
    """One edit made by a normalizer rule, kept so every change can be explained.

    ``removed`` lists the significant characters (Han characters and digits) that the edit
    dropped on purpose, e.g. a page number; anything else that disappears is a bug.
    """

    rule: str
    line: int
    before: str
    after: str
    removed: str = ""
    # Significant characters the edit put in from a known text, e.g. a statutory table's labels
    # restored from the national template where a converter or an OCR lost them.
    added: str = ""


@dataclass(frozen=True)
class Advisory:
    """Something a person should look at; the normalizer never silently "fixes" these."""

    rule: str
    line: int
    message: str
    excerpt: str = ""


@dataclass
class Metadata:
    """What the document says about itself, found by the normalizer."""

    title: str = ""
    organ: str = ""  # issuing organ (责任者), from the signature or the title
    date: dt.date | None = None  # 成文日期
    date_text: str = ""  # the date line as written in the normalized text
    signature: str = ""  # the signature line as written in the normalized text
    doc_number: str = ""  # 文号 (or an order's number), when present
    recipients: str = ""  # 主送机关, when present
    signer: str = ""  # 签发人, when present
    cc: str = ""  # 抄送 (版记), when present
    printed_by: str = ""  # 印发机关和印发日期 (版记), when present
    attachments: list[str] = field(default_factory=list)  # the names the 附件说明 lists
    title_source: str = ""  # where the title was found: 正文 (the body), or the page's header
    # What the source said about itself outside the body (crawler header, site chrome, news
    # dateline): kept for the record, e.g. {"原文链接": "https://…", "发布时间": "2019-01-10"}.
    source_info: dict[str, str] = field(default_factory=dict)

    @property
    def year(self) -> int | None:
        """The year the document was formed (DA/T 22: 年度 = year of 成文日期)."""
        if self.date:
            return self.date.year
        return None


@dataclass
class Document:
    doc_id: str
    source_path: Path
    source_bytes: bytes
    encoding: str = ""
    text: str = ""  # decoded source, exactly as received apart from decoding
    markdown: str = ""  # normalized Markdown
    changes: list[Change] = field(default_factory=list)
    warnings: list[Advisory] = field(default_factory=list)
    meta: Metadata = field(default_factory=Metadata)
    xhtml: bytes = b""
    pdf: bytes = b""
    pages: int = 0
    fonts: list[tuple[str, int]] = field(default_factory=list)  # (family, weight) really used by the PDF
    check: dict = field(default_factory=dict)  # the PDF's conformance report (pipeline.conformance.check)
    audit: dict = field(default_factory=dict)  # an annual report's audit (pipeline.audit.run)
