"""``pipeline audit PATH…``: the audit of annual reports, from their sources or their packages.

A source file (.md, .txt) is read, normalized and converted to XHTML in memory (no PDF, nothing
written); a folder is searched for archival packages. Exit status as ``verify``: 0 when no report
has an error, 1 when one has, 2 when a path cannot be used.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from pipeline.audit.findings import ERROR, SEVERITIES
from pipeline.audit.run import Audit, across, of_bag
from pipeline.core.errors import DocumentError


def _from_source(path: Path) -> Audit | None:
    from lxml import etree

    from pipeline.audit.run import audit
    from pipeline.ingest.inputs import doc_id_for
    from pipeline.ingest.read import read_document
    from pipeline.normalize import normalize
    from pipeline.xhtml.build import to_xhtml

    doc = to_xhtml(normalize(read_document(path, doc_id_for(path))))
    return audit(doc.doc_id, doc.meta.title, doc.meta.organ, doc.meta.date, etree.fromstring(doc.xhtml), doc.text)


def collect(paths: list[Path]) -> tuple[list[Audit], list[str], list[str]]:
    """(audits, documents that are not annual reports, errors naming the path)."""
    from pipeline.archive.verify import find_bags

    audits, skipped, errors = [], [], []
    for path in paths:
        if path.is_dir():
            bags = find_bags(path)
            if not bags:
                errors.append(f"{path}：其中没有归档包（找不到 bagit.txt）。处理建议：给出输出目录或年度报告的源文件。")
            for bag in bags:
                found = of_bag(bag)
                (audits.append(found) if found else skipped.append(str(bag)))
        elif path.is_file():
            try:
                found = _from_source(path)
            except DocumentError as exc:
                errors.append(exc.message)
                continue
            (audits.append(found) if found else skipped.append(str(path)))
        else:
            errors.append(f"{path}：不存在。处理建议：检查路径是否正确。")
    return across(audits), skipped, errors


def main(paths: list[Path], as_json: bool) -> int:
    audits, skipped, errors = collect(paths)
    for error in errors:
        print(error, file=sys.stderr)
    if errors and not audits:
        return 2
    if as_json:
        print(json.dumps([{"doc_id": a.doc_id, **a.as_dict()} for a in audits], ensure_ascii=False, indent=1))
    else:
        for a in audits:
            print(f"{'✓' if a.ok else '✗'} {a.doc_id}  {a.organ} {a.year or '年度不明'}年（{a.template}年格式）")
            print(f"    {a.summary()}")
            for severity in SEVERITIES:
                for f in (f for f in a.findings if f.severity == severity):
                    print(f"    {f.line()}")
        for path in skipped:
            print(f"  跳过 {path}：不是政府信息公开工作年度报告")
        bad = sum(not a.ok for a in audits)
        print(f"审核完成：{len(audits)} 份年度报告，无错误 {len(audits) - bad} 份，有错误 {bad} 份")
    return 2 if errors else 1 if any(f.severity == ERROR for a in audits for f in a.findings) else 0
