"""Audit cost against conversion cost on the corpus (issue: auditing costs < 10 % of converting).

Converts every corpus document (and corpus2's annual reports) into a fresh outputs folder, timing
each conversion; then times the audit stage inside the pipeline (``of_document`` on each
document's XHTML) and ``pipeline audit outputs/`` plus the dataset rebuild over the packages.
Usage: .venv/bin/python tests/bench/audit_speed.py
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from pipeline.audit import dataset  # noqa: E402
from pipeline.audit.command import collect  # noqa: E402
from pipeline.audit.run import audit  # noqa: E402
from pipeline.ingest.inputs import doc_id_for  # noqa: E402
from pipeline.orchestrate.convert import convert_file  # noqa: E402

SHARED = ROOT.parent / "shared"


def main() -> None:
    corpus = (SHARED / "corpus").iterdir()
    sources = sorted(p for p in corpus if p.suffix in (".md", ".txt") and p.name[0].isdigit())
    sources += sorted((SHARED / "corpus2").glob("0[1-3]-annual-*.md"))
    with tempfile.TemporaryDirectory() as tmp:
        outputs = Path(tmp) / "outputs"
        started = time.perf_counter()
        for path in sources:
            outcome = convert_file(path, doc_id_for(path), outputs, force=True)
            assert outcome.ok, outcome.error
        convert_seconds = time.perf_counter() - started

        from lxml import etree

        started = time.perf_counter()
        audited = 0
        for bag in sorted(p for p in outputs.iterdir() if p.is_dir()):
            root = etree.parse(str(bag / "data" / "document.xhtml")).getroot()
            title = root.findtext(".//{http://www.w3.org/1999/xhtml}title") or ""
            audited += audit(bag.name, title, "", None, root) is not None
        stage_seconds = time.perf_counter() - started

        started = time.perf_counter()
        audits, skipped, errors = collect([outputs])
        rows = dataset.write(outputs, audits)
        command_seconds = time.perf_counter() - started
    print(f"documents converted: {len(sources)} in {convert_seconds:.2f} s")
    print(f"audit stage (XHTML in memory): {audited} annual reports, {stage_seconds:.3f} s "
          f"= {100 * stage_seconds / convert_seconds:.2f} % of converting")  # fmt: skip
    share = 100 * command_seconds / convert_seconds
    print(f"pipeline audit outputs/ + dataset: {len(audits)} reports, {len(skipped)} other documents, "
          f"{rows} rows, {command_seconds:.3f} s = {share:.2f} % of converting")  # fmt: skip
    assert not errors, errors


if __name__ == "__main__":
    main()
