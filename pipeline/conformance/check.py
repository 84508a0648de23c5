"""Stage 5, check: measure the rendered PDF against GB/T 9704-2012, glyph by glyph.

None of the tools offices use checks its own output; we measure every PDF we publish, on the
page, with the numbers of the standard: page size, the 版心's edges, 22 grid rows per page,
28 characters per full line ending flush with the 版心, sizes and role fonts, the `— N —` page
numbers, the §7.3.5.2 signature block, embedded fonts, missing or fallback glyphs and (given
the source) every Chinese character and digit in order.

Reading: pdfminer.six's interpreter with a small device that keeps only what the rules need
(no layout analysis). Two traps measured on WeasyPrint output are handled here: a font that
holds a missing glyph is written with its own encoding CMap, which pdfminer cannot read and
would silently drop with every glyph of that font, so that CMap is parsed here; and lines
are grouped by baseline, since fallback glyphs have different boxes.

Each rule is a small named function registered with ``@rule`` (an id, a one-line summary,
the severity of what it finds). ``fail`` findings make the document fail in the batch;
``warn`` findings are reported. A table row takes a whole number of grid rows (as in Word's
document grid), so pages that hold a table are held to the 22 rows too.
"""

from __future__ import annotations

import re
from collections import Counter
from dataclasses import asdict, dataclass, replace
from pathlib import Path

from lxml import etree

from pipeline.conformance import element_rules, font_rules, fontroles, page_rules
from pipeline.conformance.font_rules import _name
from pipeline.conformance.page_rules import HEADING_KEY
from pipeline.conformance.reader import Measured, read_pdf
from pipeline.conformance.rules import RULES, CheckRule, Finding
from pipeline.core.chars import significant
from pipeline.core.errors import DocumentError
from pipeline.core.gbt9704 import LANDSCAPE_COLUMNS, table_columns
from pipeline.core.model import Document
from pipeline.pdf.styles import STYLESHEET
from pipeline.xhtml.tree import XHTML_NS

# The rule modules, in the order their rules run (font-roles after heading-fonts, which finds the
# headings); each registers its rules in pipeline.conformance.rules.RULES when imported.
RULE_MODULES = (page_rules, element_rules, font_rules)


def ordered_rules() -> list[CheckRule]:
    return [r for module in RULE_MODULES for r in RULES.values() if r.module == module.__name__]


@dataclass
class Report:
    file: str
    pages: int
    findings: list[Finding]
    metrics: dict

    @property
    def ok(self) -> bool:
        return not any(f.severity == "fail" for f in self.findings)

    def as_dict(self) -> dict:
        return {"file": self.file, "ok": self.ok, "pages": self.pages, "metrics": self.metrics,
                "findings": [asdict(f) for f in self.findings]}  # fmt: skip


def check_pdf(pdf: bytes, source: bytes | None = None, stylesheet: Path | None = None, name: str = "") -> Report:
    """Measure one PDF. ``source``, the XHTML it was rendered from, adds the text round trip."""
    families = fontroles.resolved(stylesheet or STYLESHEET)
    measured = read_pdf(pdf, fontroles.chosen(families))
    measured.families = families
    body = None if source is None else _source_body(source)
    if body is not None:
        measured.headings = _source_headings(body)
        measured.flush_starts = _flush_starts(body)
        measured.page_starts = _page_starts(body)
        measured.recipients = next(
            (
                re.sub(r"\s", "", "".join(p.itertext()))[:HEADING_KEY]
                for p in body.iter(f"{{{XHTML_NS}}}p")
                if p.get("class") == "recipients"
            ),
            "",
        )
        measured.imprint = any(f.get("class") == "imprint" for f in body.iter(f"{{{XHTML_NS}}}footer"))
        measured.landscape = any(table_columns(t) >= LANDSCAPE_COLUMNS for t in body.iter(f"{{{XHTML_NS}}}table"))
    metrics: dict = {}
    findings = [finding for r in ordered_rules() for finding in r.fn(measured, metrics)]
    if body is not None:
        findings += round_trip(body, measured, metrics)
    return Report(name, len(measured.pages), findings, metrics)


def round_trip(body: etree._Element, measured: Measured, metrics: dict) -> list[Finding]:
    """Every Han character and digit of the XHTML body is in the PDF (as many times), and the
    text outside tables comes in the same order. Table cells are drawn in geometric order, which
    differs from the source's where cells span rows or a row crosses a page, so tables are held
    to the count only. Added digits (page numbers) are allowed. The body's tables are taken out."""
    everything, outside_tables = _source_text(body)
    wanted = Counter(significant(everything))
    present = Counter(significant("".join(page.stream_text for page in measured.pages)))
    lost = wanted - present
    flow = significant("".join(page.flow_text for page in measured.pages))
    expected = significant(outside_tables)
    pos = reordered = 0
    first = ""
    for i, ch in enumerate(expected):
        if flow.startswith(ch, pos):
            pos += 1
            continue
        # Not next: either this character is missing here (what follows it is next), or the PDF
        # has something extra first (a list number), or it is lost or moved.
        found = -1 if flow.startswith(expected[i + 1 : i + 6] or "\0", pos) else flow.find(ch, pos, pos + 200)
        if found < 0:
            reordered += 1
            first = first or expected[max(0, i - 8) : i + 8]
            continue
        pos = found + 1
    metrics.update(source_significant=sum(wanted.values()), lost=sum(lost.values()), reordered=reordered)
    findings = []
    if lost:
        chars = "、".join(_name(ch) for ch in sorted(lost)[:10])
        findings.append(Finding("text-round-trip", "fail", f"PDF 中缺少 {sum(lost.values())} 个汉字或数字：{chars}"))
    if reordered:
        message = f"PDF 中 {reordered} 个汉字或数字顺序与原文不符，首处在“{first}”附近"
        findings.append(Finding("text-round-trip", "fail", message))
    return findings


def _source_body(xhtml: bytes) -> etree._Element:
    """The XHTML's body, parsed once for the heading fonts and the round trip (empty if none)."""
    body = etree.fromstring(xhtml).find(f"{{{XHTML_NS}}}body")
    return etree.Element(f"{{{XHTML_NS}}}body") if body is None else body


def _source_text(body: etree._Element) -> tuple[str, str]:
    """The body text, and the same without tables (whose captions are set small)."""
    everything = "".join(body.itertext())
    etree.strip_elements(body, f"{{{XHTML_NS}}}table", with_tail=False)
    return everything, "".join(body.itertext())


def _source_headings(body: etree._Element) -> dict[str, list[tuple[str, int]]]:
    """Headings by their first characters, with their level: the level of their section (an
    unnumbered part heading is the first level, the 一、 sections inside it the second), or of a
    run-in heading's number. An attachment's title is a title, not a heading."""
    found = {}
    for el in body.iter(f"{{{XHTML_NS}}}h2", f"{{{XHTML_NS}}}h3", f"{{{XHTML_NS}}}span"):
        if el.tag.endswith("span"):
            if el.get("class") != "run-in":
                continue
            level = int(el.get("data-level", "0"))
        elif el.get("class") == "attachment-title":
            continue
        else:
            level = int(el.tag[-1]) - 1
        text = re.sub(r"\s", "", "".join(el.itertext()))
        found.setdefault(text[:HEADING_KEY], []).append((text, level))
    return found


def _page_starts(body: etree._Element) -> set[str]:
    """The first line of each attachment part: its label (``附件1``) or, unlabelled, its title."""
    parts = [s for s in body.iter(f"{{{XHTML_NS}}}section") if s.get("class") == "attachment"]
    return {re.sub(r"\s", "", "".join(part[0][0].itertext()))[:HEADING_KEY] for part in parts if len(part[0])}


_FLUSH_CLASSES = ("recipients", "salutation", "attachment-label", "toc-title")


def _flush_starts(body: etree._Element) -> set[str]:
    found = [*body.iter(f"{{{XHTML_NS}}}li"),
             *(p for p in body.iter(f"{{{XHTML_NS}}}p") if p.get("class") in _FLUSH_CLASSES)]  # fmt: skip
    keys = {re.sub(r"\s", "", "".join(el.itertext()))[:HEADING_KEY] for el in found}
    return keys - {""}


def check_document(doc: Document) -> Document:
    """The stage: measure the document's PDF; a hard failure fails the document."""
    report = check_pdf(doc.pdf, doc.xhtml, name=f"{doc.doc_id}.pdf")
    if not report.ok:
        fails = "；".join(f.message for f in report.findings if f.severity == "fail")
        raise DocumentError(doc.source_path, f"生成的 PDF 未通过版式检查：{fails[:300]}",
                            "查看 pipeline check 的报告；缺字时请安装含该字的字体", code="pdf-check")  # fmt: skip
    return replace(doc, check=report.as_dict())


def summary(report: Report) -> str:
    fails = [f for f in report.findings if f.severity == "fail"]
    warns = [f for f in report.findings if f.severity == "warn"]
    state = "合格" if report.ok else "不合格"
    return f"{report.file}：{state}（{report.pages} 页，{len(fails)} 项不合格，{len(warns)} 项提示）"
