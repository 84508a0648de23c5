"""The official layout measured over the corpus and the seed (not collected by pytest).

    .venv/bin/python tests/bench/layout_report.py

Renders every document twice (the two PDFs must be byte-identical), runs the GB/T 9704 checker
and ``qpdf --check`` on it and prints one line per document (pages, 22-row pages, flush full
lines, 28-character share, KB per page, findings, render and check time) and a final JSON line
with the totals and the ranges of the measured geometry, the figures quoted in the PDF issue's
closing note.
"""

from __future__ import annotations

import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from pipeline.conformance.check import check_pdf  # noqa: E402
from pipeline.ingest.read import read_document  # noqa: E402
from pipeline.normalize import normalize  # noqa: E402
from pipeline.pdf.render import render_pdf  # noqa: E402
from pipeline.xhtml.build import to_xhtml  # noqa: E402


def main() -> None:
    fixtures = ROOT / "tests" / "fixtures"
    paths = [fixtures / "seed.md", *sorted((fixtures / "corpus").glob("[0-9][0-9]-*"))]
    totals = {"documents": 0, "pages": 0, "table_pages": 0, "table_pages_not_last": 0,
              "table_pages_not_last_22_rows": 0, "full_pages": 0, "full_pages_22_rows": 0,
              "table_pages_on_grid": 0, "full_lines": 0, "full_lines_flush": 0, "pure_chinese_full_lines": 0,
              "pure_chinese_28_flush": 0,
              "lost": 0, "reordered": 0, "missing_glyphs": 0, "hard_failures": 0, "qpdf_not_clean": 0,
              "not_identical_twice": 0, "page_number_findings": 0, "without_attachments": 0,
              "findings": 0, "pdf_bytes": 0, "render_s": 0.0, "check_s": 0.0}  # fmt: skip
    below = {}
    ranges: dict[str, list[float]] = {}
    for path in paths:
        source = to_xhtml(normalize(read_document(path, path.stem)))
        started = time.perf_counter()
        doc = render_pdf(source)
        rendered = time.perf_counter()
        report = check_pdf(doc.pdf, doc.xhtml)
        checked = time.perf_counter()
        m = report.metrics
        totals["not_identical_twice"] += render_pdf(source).pdf != doc.pdf
        with tempfile.NamedTemporaryFile(suffix=".pdf") as file:
            file.write(doc.pdf)
            file.flush()
            qpdf = subprocess.run(["qpdf", "--check", file.name], capture_output=True, text=True)
        totals["qpdf_not_clean"] += qpdf.returncode != 0 or "No syntax or stream encoding errors" not in qpdf.stdout
        totals["page_number_findings"] += sum(f.rule == "page-numbers" for f in report.findings)
        totals["without_attachments"] += m["attachments"] != ["document.md", "metadata.xml"]
        for key in ("left_mm", "top_mm", "right_mm", "body_16pt_share"):
            if m[key] is not None:
                ranges.setdefault(key, []).append(m[key])
        totals["documents"] += 1
        totals["pages"] += report.pages
        totals["table_pages"] += len(m["table_pages"])
        not_last = [n for n in m["table_pages"] if n < report.pages]
        totals["table_pages_not_last"] += len(not_last)
        totals["table_pages_not_last_22_rows"] += sum(m["rows_per_page"][n - 1] == 22 for n in not_last)
        for key in ("full_pages", "full_pages_22_rows", "table_pages_on_grid", "full_lines", "full_lines_flush",
                    "pure_chinese_full_lines", "pure_chinese_28_flush", "lost", "reordered"):  # fmt: skip
            totals[key] += m[key]
        totals["missing_glyphs"] += len(m["missing_glyphs"])
        totals["hard_failures"] += not report.ok
        totals["findings"] += len(report.findings)
        totals["pdf_bytes"] += len(doc.pdf)
        totals["render_s"] += rendered - started
        totals["check_s"] += checked - rendered
        if m["line_fill_share"] < 0.95:
            below[path.name[:3]] = m["line_fill_share"]
        print(
            f"{path.name[:3]}  {report.pages:3d} pages  22 rows {m['full_pages_22_rows']}/{m['full_pages']}  "
            f"table pages on grid {m['table_pages_on_grid']}/{len(m['table_pages'])}  "
            f"flush {m['full_lines_flush']}/{m['full_lines']}  28 chars {m['line_fill_share']:.1%}  "
            f"{len(doc.pdf) / 1024 / report.pages:.1f} KB/page  findings {len(report.findings)}  "
            f"render {rendered - started:.2f}s  check {checked - rendered:.2f}s  {'ok' if report.ok else 'FAIL'}",
            flush=True,
        )
    totals["pure_chinese_28_share"] = round(totals["pure_chinese_28_flush"] / totals["pure_chinese_full_lines"], 4)
    totals["kb_per_page"] = round(totals["pdf_bytes"] / 1024 / totals["pages"], 1)
    totals["documents_below_95"] = below
    totals["ranges"] = {key: [min(values), max(values)] for key, values in ranges.items()}
    totals["render_s"] = round(totals["render_s"], 2)
    totals["check_s"] = round(totals["check_s"], 2)
    print(json.dumps(totals, ensure_ascii=False))


if __name__ == "__main__":
    main()
