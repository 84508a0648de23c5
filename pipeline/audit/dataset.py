"""The statistics dataset across all published annual reports: ``outputs/statistics.csv`` and
``outputs/statistics.json``, one row per report × figure cell of its statutory tables.

Columns (docs/audit.md): doc_id, organ (the reporting organ as the title names it), year (the
year reported on), template (2021 or 2019: the tables' own), table (active-disclosure,
applications, review-litigation), table_name, row, column, value (empty when blank or not
placed), text (the cell as printed), status (勾稽: 一致, 不一致, 未核对, or 无 for a cell no relation
involves). Both files are rebuilt from the packages on every run and replaced atomically.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import tempfile
from pathlib import Path

from pipeline import __version__
from pipeline.audit.findings import FAILS, HOLDS, UNCHECKED
from pipeline.audit.run import Audit
from pipeline.audit.tables import TABLE_NAMES

COLUMNS = ("doc_id", "organ", "year", "template", "table", "table_name", "row", "column", "value", "text", "status")
CSV, JSON = "statistics.csv", "statistics.json"
NONE = "无"


def _status(where: str, statuses: dict[str, set[str]]) -> str:
    seen = statuses.get(where, set())
    for status in (FAILS, HOLDS, UNCHECKED):
        if status in seen:
            return status
    return NONE


def rows(audits: list[Audit]) -> list[dict[str, object]]:
    out: list[dict[str, object]] = []
    for audit in sorted(audits, key=lambda a: (a.organ, a.year or 0, a.doc_id)):
        statuses: dict[str, set[str]] = {}
        for relation in audit.relations:
            for cell in relation.cells:
                statuses.setdefault(cell, set()).add(relation.status)
        for grid in audit.grids:
            for figure in grid.all_figures():
                value = figure.value
                out.append(
                    {
                        "doc_id": audit.doc_id,
                        "organ": audit.organ,
                        "year": audit.year or "",
                        "template": grid.template.variant,
                        "table": grid.kind,
                        "table_name": TABLE_NAMES[grid.kind],
                        "row": figure.row,
                        "column": figure.column,
                        "value": "" if value is None else (int(value) if value == int(value) else value),
                        "text": figure.text,
                        "status": _status(figure.where(), statuses),
                    }
                )
    return out


def _replace(path: Path, data: bytes) -> None:
    fd, tmp = tempfile.mkstemp(prefix=f".tmp-{path.name}-", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as f:
            f.write(data)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def write(outputs: Path, audits: list[Audit]) -> int:
    """Write both files; returns the number of rows."""
    table = rows(audits)
    text = io.StringIO(newline="")
    writer = csv.DictWriter(text, fieldnames=COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(table)
    _replace(outputs / CSV, ("\ufeff" + text.getvalue()).encode("utf-8"))  # BOM: Excel reads it as UTF-8
    reports = [
        {"doc_id": a.doc_id, **a.as_dict()} for a in sorted(audits, key=lambda a: (a.organ, a.year or 0, a.doc_id))
    ]
    document = {"schema": "gov-doc-pipeline/statistics/1", "columns": list(COLUMNS), "rows": table, "reports": reports}
    _replace(outputs / JSON, (json.dumps(document, ensure_ascii=False, indent=1) + "\n").encode("utf-8"))
    return len(table)


STAMP = ".statistics-sources"  # what the files were built from (hidden: no bag is named so)


def _sources(bags: list[Path]) -> str:
    """A digest of the pipeline's version and every package's record.xml (name, size, time): a bag
    added, replaced or removed, or a new version of the audit, changes it."""
    seen = [__version__]
    for bag in bags:
        try:
            st = (bag / "data" / "record.xml").stat()
        except OSError:
            continue
        seen.append(f"{bag.name}\t{st.st_size}\t{st.st_mtime_ns}")
    return hashlib.sha256("\n".join(seen).encode("utf-8")).hexdigest()


def rebuild(outputs: Path) -> int | None:
    """Audit every published annual report in ``outputs`` and rewrite the dataset; returns the
    number of rows (0, and no files, when there is no annual report), or None when no package has
    changed since the files were built (nothing is read then but each record's size and time)."""
    from pipeline.archive.verify import find_bags
    from pipeline.audit.run import across, of_bag

    bags = find_bags(outputs)
    stamp = _sources(bags)
    if (outputs / STAMP).is_file() and (outputs / CSV).is_file() and (outputs / STAMP).read_text() == stamp:
        return None
    audits = [a for a in (of_bag(bag) for bag in bags if (bag / "data" / "document.xhtml").exists()) if a]
    if not audits and not (outputs / CSV).exists():
        return 0
    rows = write(outputs, across(audits))
    _replace(outputs / STAMP, stamp.encode("ascii"))
    return rows
