"""Incremental runs: skip a document whose outputs are already what a new run would produce.

A document is up to date when its bag exists, was built from the same source bytes by the same
pipeline version with the same style bundle (both recorded in ``bag-info.txt``), and verifies
intact. Anything else (a source edited in place, a new version, a damaged bag) rebuilds it.
The check reads the bag's own record, so it is correct across processes and machines and
needs no Prefect result storage.
"""

from __future__ import annotations

import functools
import hashlib
from pathlib import Path

from pipeline import __version__
from pipeline.archive.fixity import sha256_file
from pipeline.pdf.styles import STYLES_DIR

SOURCE_KEY = "Source-SHA256"
FINGERPRINT_KEY = "Pipeline-Fingerprint"


@functools.cache
def fingerprint() -> str:
    """The pipeline version and every file of the style bundle."""
    digest = hashlib.sha256(__version__.encode())
    for path in sorted(p for p in STYLES_DIR.rglob("*") if p.is_file()):
        digest.update(path.relative_to(STYLES_DIR).as_posix().encode() + b"\0" + sha256_file(path).encode())
    return digest.hexdigest()[:32]


def bag_info(bag: Path) -> dict[str, str]:
    try:
        lines = (bag / "bag-info.txt").read_text(encoding="utf-8").splitlines()
    except OSError:
        return {}
    return {k.strip(): v.strip() for k, sep, v in (line.partition(":") for line in lines) if sep}


def up_to_date(source: Path, doc_id: str, outputs: Path) -> str:
    """Why the existing outputs can be kept, or "" when the document must be (re)built."""
    from pipeline.archive.verify import verify_bag

    bag = outputs / doc_id
    info = bag_info(bag)
    if not info or source.is_symlink() or not source.is_file():
        return ""
    if info.get(SOURCE_KEY) != sha256_file(source) or info.get(FINGERPRINT_KEY) != fingerprint():
        return ""
    if not verify_bag(bag, fixity_only=True).ok:
        return ""
    return "源文件、流水线版本和样式均未变化，已有输出校验完好"


def recorded_summary(bag: Path) -> dict[str, object]:
    """What the package of a skipped document says about it, for the run's summary: title,
    pages, the conformance result and the PDF's SHA-256."""
    from lxml import etree

    from pipeline.archive.recordschema import RECORD_NS

    summary: dict[str, object] = {"title": "", "pages": 0, "conformance": "", "pdf_sha256": ""}
    try:
        record = etree.parse(str(bag / "data" / "record.xml"))
    except (OSError, etree.XMLSyntaxError):
        return summary
    ns = {"r": RECORD_NS}
    summary["title"] = record.findtext(".//r:题名", default="", namespaces=ns)
    summary["pages"] = int(record.findtext(".//r:页数", "0", ns) or 0)
    for item in record.iterfind(".//r:文档", ns):
        if item.findtext("r:计算机文件名", namespaces=ns) == "document.pdf":
            summary["pdf_sha256"] = item.findtext("r:数字摘要[@算法='SHA-256']", default="", namespaces=ns)
    layout = record.find(".//r:检查[@标识='pdf-layout']", ns)
    if layout is not None:
        summary["conformance"] = layout.get("结果", "")
    return summary
