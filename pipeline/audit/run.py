"""The audit of one 政府信息公开工作年度报告, read from its XHTML: template completeness, 勾稽 and
consistency (``pipeline audit``, and the ``audit`` part of every annual report's check.json).

Other documents are not audited (``applies`` is False). A report is read back from what the
pipeline wrote, so a document and its archival package give the same audit.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field, replace
from pathlib import Path

from lxml import etree

from pipeline.archive.recordschema import RECORD_NS
from pipeline.audit import consistency, relations, tables, template
from pipeline.audit.findings import ERROR, NOTE, WARNING, Finding, Relation
from pipeline.audit.history import compare
from pipeline.core.model import Document, title_year
from pipeline.ingest.read import decode
from pipeline.xhtml.tree import XHTML_NS

_X = f"{{{XHTML_NS}}}"
_RECORD = {"r": RECORD_NS}


def applies(title: str) -> bool:
    """A 政府信息公开工作年度报告 (or 政务公开 …年度报告, …年报)."""
    return bool(re.search(r"(?:信息公开|政务公开).*(?:年度报告|年报)", title))


@dataclass
class Audit:
    doc_id: str
    title: str
    organ: str
    year: int | None
    template: str
    grids: list[tables.Grid] = field(default_factory=list)
    relations: list[Relation] = field(default_factory=list)
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not any(f.severity == ERROR for f in self.findings)

    def counts(self) -> dict[str, int]:
        severities = Counter(f.severity for f in self.findings)
        statuses = Counter(r.status for r in self.relations)
        return {
            **{s: severities.get(s, 0) for s in (ERROR, WARNING, NOTE)},
            **{f"勾稽{s}": statuses.get(s, 0) for s in ("一致", "不一致", "未核对")},
        }

    def summary(self) -> str:
        c = self.counts()
        return (
            f"勾稽关系 {c['勾稽一致']} 项一致、{c['勾稽不一致']} 项不一致、{c['勾稽未核对']} 项未核对；"
            f"错误 {c[ERROR]} 项、警告 {c[WARNING]} 项、提示 {c[NOTE]} 项"
        )

    def as_dict(self) -> dict[str, object]:
        return {
            "title": self.title,
            "organ": self.organ,
            "year": self.year,
            "template": self.template,
            "ok": self.ok,
            "counts": self.counts(),
            "summary": self.summary(),
            "findings": [f.as_dict() for f in self.findings],
            "relations": [r.as_dict() for r in self.relations],
        }


def _blocks(root: etree._Element) -> tuple[list[str], list[str]]:
    """(section headings, paragraphs) of the body, tables and the page's header left out."""
    article = root.find(f".//{_X}article")
    scope = article if article is not None else root
    headings = ["".join(h.itertext()).strip() for h in scope.iter(f"{_X}h2", f"{_X}h3", f"{_X}h4")]
    paragraphs = [
        "".join(p.itertext()).strip()
        for p in scope.iter(f"{_X}p", f"{_X}li")
        if next(p.iterancestors(f"{_X}table"), None) is None
    ]
    return headings, [p for p in paragraphs if p]


def reporting_organ(title: str, organ: str) -> str:
    """Who reports: the title's words before the year (``淮安市人民政府``), which stay the same
    from year to year, else the signature's organ."""
    m = re.match(r"(.*?)(?:(?:19|20)\d{2}\s*年度?)(.*?)(?:政府信息公开|政务公开)", title)
    named = (m[1] or m[2]).strip(" 　") if m else ""
    return named or ("" if organ == "未识别" else organ)


def audit(
    doc_id: str, title: str, organ: str, date: dt.date | None, root: etree._Element, source: str = ""
) -> Audit | None:
    """The audit of one report, or None when the document is not an annual report."""
    if not applies(title):
        return None
    year = title_year(title)
    organ = reporting_organ(title, organ)
    grids = tables.read(root)
    headings, paragraphs = _blocks(root)
    result = Audit(doc_id, title, organ, year, template.template_of(year, grids), grids)
    present = {t.get("data-statutory") for t in root.iter(f"{_X}table") if t.get("data-statutory")}
    result.findings += template.check(headings, paragraphs, grids, result.template, present, source)
    result.relations, sums = relations.evaluate(grids)
    result.findings += sums
    result.findings += consistency.years(year, paragraphs, date)
    result.findings += consistency.text_figures(paragraphs, grids)
    result.findings += consistency.review_breakdown(paragraphs, grids)
    return result


def of_document(doc: Document) -> Document:
    """The pipeline stage: the audit of an annual report into ``doc.audit`` (others unchanged)."""
    if not applies(doc.meta.title):
        return doc  # most documents: the XHTML is not parsed again
    root = etree.fromstring(doc.xhtml)
    result = audit(doc.doc_id, doc.meta.title, doc.meta.organ, doc.meta.date, root, doc.text)
    return replace(doc, audit=result.as_dict()) if result is not None else doc


def of_bag(bag: Path) -> Audit | None:
    """The audit of a published document, from its package's XHTML and record (neither the XHTML
    nor the source is read for a document that is not an annual report)."""
    record = etree.parse(str(bag / "data" / "record.xml"))
    text = lambda path: record.findtext(path, default="", namespaces=_RECORD)  # noqa: E731
    title = text(".//r:题名")
    if not applies(title):
        return None
    date_text = text(".//r:内容描述/r:日期")
    try:
        date = dt.date.fromisoformat(date_text) if date_text else None
    except ValueError:
        date = None
    root = etree.parse(str(bag / "data" / "document.xhtml")).getroot()
    source_path = bag / "data" / "source.md"
    source, _ = decode(source_path, source_path.read_bytes())  # as it was read when converted (GBK too)
    return audit(bag.name, title, text(".//r:责任者"), date, root, source)


def across(audits: list[Audit]) -> list[Audit]:
    """The notes that need several reports (figures the same as last year's), added in place."""
    compare(audits)
    return audits
