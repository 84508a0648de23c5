"""The statistics dataset (outputs/statistics.json) as the portal reads it, size-capped and re-read
only when it changes, and a report's audit findings.
"""

from __future__ import annotations

import json
import logging
import os
from dataclasses import dataclass, field
from pathlib import Path

from pipeline.portal.catalog import Catalog, FileCache, plain_file

log = logging.getLogger(__name__)


SCHEMA = "gov-doc-pipeline/statistics/1"


STATISTICS = {"statistics.csv": "text/csv; charset=utf-8", "statistics.json": "application/json"}


SEVERITY_CLASS = {"错误": "bad", "警告": "warn", "提示": "note"}


def max_statistics_bytes() -> int:
    """statistics.json larger than this is not parsed (PIPELINE_PORTAL_MAX_STATISTICS_BYTES)."""
    return int(os.environ.get("PIPELINE_PORTAL_MAX_STATISTICS_BYTES", 128 << 20))


def dataset_file(root: Path, name: str) -> Path | None:
    """``outputs/statistics.csv`` or ``.json`` if it is a regular file with one link, inside
    ``outputs/``, reached without symlinks; else None."""
    return plain_file(root, root / name) if name in STATISTICS else None


@dataclass
class Dataset:
    rows: dict[str, list[dict]] = field(default_factory=dict)  # doc_id -> its figure rows, in order
    reports: dict[str, dict] = field(default_factory=dict)  # doc_id -> its report


class Statistics:
    """``outputs/statistics.json``, parsed when it changes; None when absent or unusable."""

    def __init__(self, root: Path) -> None:
        self.root = root
        self._read: FileCache[Dataset | None] = FileCache()

    def load(self) -> Dataset | None:
        path = dataset_file(self.root, "statistics.json")
        return None if path is None else self._read.get(path.name, path, lambda st: _load(path, st.st_size))


def _load(path: Path, size: int) -> Dataset | None:
    if size > max_statistics_bytes():
        log.warning("%s：超过 %d 字节，不予解析", path, max_statistics_bytes())
        return None
    try:
        return _dataset(json.loads(path.read_bytes()))
    except (OSError, ValueError, RecursionError):
        log.warning("%s：无法读取", path)
        return None


def _dataset(data: object) -> Dataset | None:
    if not isinstance(data, dict) or data.get("schema") != SCHEMA:
        return None
    out = Dataset()
    for row in data.get("rows") or []:
        if isinstance(row, dict) and isinstance(row.get("doc_id"), str):
            out.rows.setdefault(row["doc_id"], []).append(row)
    for report in data.get("reports") or []:
        if isinstance(report, dict) and isinstance(report.get("doc_id"), str):
            out.reports[report["doc_id"]] = report
    return out


def _s(value: object) -> str:
    return "" if value is None else str(value)


def _year(value: object) -> int | None:
    try:
        return int(value)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        return None


def _findings(raw: object) -> list[dict[str, str]]:
    out = []
    for f in raw if isinstance(raw, list) else []:
        if isinstance(f, dict):
            item = {k: _s(f.get(k)) for k in ("code", "severity", "where", "message", "advice")}
            out.append({**item, "css": SEVERITY_CLASS.get(item["severity"], "note")})
    return out


def audit_of(catalog: Catalog, stats: Statistics, doc_id: str) -> dict | None:
    """The audit of one published annual report, for its page: from the bag's check.json, plus
    the notes only the dataset has (figures the same as last year's, found across reports)."""
    path = catalog.path(doc_id, "check.json")
    if path is None:
        return None
    try:
        if path.stat().st_size > max_statistics_bytes():
            return None
        raw = json.loads(path.read_bytes()).get("audit")
    except (OSError, ValueError, AttributeError, RecursionError):
        return None
    if not isinstance(raw, dict):
        return None
    findings = _findings(raw.get("findings"))
    dataset = stats.load()
    report = dataset.reports.get(doc_id) if dataset else None
    summary = _s(raw.get("summary"))
    if report:
        seen = {(f["code"], f["where"], f["message"]) for f in findings}
        extra = [f for f in _findings(report.get("findings")) if (f["code"], f["where"], f["message"]) not in seen]
        if extra:  # the dataset's summary counts them too
            findings, summary = findings + extra, _s(report.get("summary")) or summary
    return {
        "organ": _s(raw.get("organ")),
        "year": _year(raw.get("year")),
        "template": _s(raw.get("template")),
        "ok": bool(raw.get("ok")),
        "summary": summary,
        "findings": findings,
    }
