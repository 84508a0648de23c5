"""One document through every stage: the unit of work for the CLI and for the Prefect flow.

This module holds the composition only; each stage is a plain function in its own module.
Any failure of one document becomes an ``Outcome`` with a user-readable message, and nothing
is written for it (the archive stage publishes a complete bag or nothing).
"""

from __future__ import annotations

import errno
import logging
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TypeVar

from pipeline.archive.fixity import sha256_bytes
from pipeline.archive.incremental import recorded_summary, up_to_date
from pipeline.archive.package import RunInfo, write_package
from pipeline.audit import run as audit
from pipeline.conformance.status import status
from pipeline.core import budget
from pipeline.core.errors import DocumentError
from pipeline.core.model import Document
from pipeline.ingest.inputs import Source, duplicate_ids
from pipeline.ingest.read import read_document
from pipeline.normalize import normalize
from pipeline.xhtml.build import to_xhtml

log = logging.getLogger(__name__)
T = TypeVar("T")
_OS_ERRORS = {
    errno.ENOSPC: ("disk-full", "磁盘空间不足，请清理输出目录所在磁盘后重试"),
    errno.EDQUOT: ("disk-full", "磁盘配额已满，请清理后重试"),
    errno.EROFS: ("read-only", "输出目录是只读的，请检查挂载方式或权限"),
    errno.EACCES: ("read-only", "没有写入权限，请检查输出目录的权限"),
    errno.EPERM: ("read-only", "没有写入权限，请检查输出目录的权限"),
}


@dataclass(frozen=True)
class Outcome:
    doc_id: str
    source: str
    ok: bool
    title: str = ""
    pages: int = 0
    changes: int = 0
    bag: str = ""
    error: str = ""
    code: str = ""  # the kind of failure (DocumentError.code), empty on success
    skipped: str = ""  # why an unchanged document was not rebuilt
    seconds: float = 0.0
    conformance: str = ""  # the GB/T 9704 check of the PDF: 通过 / 偏离版式 / 未通过, with what it found
    pdf_sha256: str = ""

    def as_dict(self) -> dict[str, object]:
        return asdict(self)


def convert_file(path: Path, doc_id: str, outputs: Path, run: RunInfo | None = None, force: bool = False) -> Outcome:
    started = time.perf_counter()
    skipped = None if force else unchanged(path, doc_id, outputs)
    if skipped:
        return skipped
    return _convert(path, doc_id, outputs, run, started)


def _convert(path: Path, doc_id: str, outputs: Path, run: RunInfo | None, started: float) -> Outcome:
    try:
        doc, bag = _with_retries(lambda: _stages(path, doc_id, outputs, run))
    except DocumentError as exc:
        code, message = exc.code, exc.message
    except RecursionError:
        code = "too-complex"
        message = f"{path}：文件结构嵌套过深，无法处理。处理建议：检查是否有大量嵌套的列表或引用，简化后重试。"
    except OSError as exc:
        code, advice = _OS_ERRORS.get(exc.errno, ("io", "检查文件权限和磁盘空间后重试"))
        where = f"，{exc.filename}" if exc.filename else ""
        message = f"{path}：读写文件失败（{exc.strerror or exc}{where}）。处理建议：{advice}；已完成的文件不受影响。"
    except Exception as exc:  # a bug: report it for this document, never crash the batch
        log.exception("unexpected error converting %s", path)
        code = "internal"
        message = f"{path}：转换时发生内部错误（{type(exc).__name__}: {exc}）。处理建议：请保留原文件并报告给维护人员。"
    else:
        result, detail = status(doc.check.get("findings", []))
        return Outcome(
            doc_id, str(path), True, title=doc.meta.title, pages=doc.pages, changes=len(doc.changes),
            bag=str(bag), seconds=time.perf_counter() - started,
            conformance=f"{result}（{detail}）" if detail else result, pdf_sha256=sha256_bytes(doc.pdf),
        )  # fmt: skip
    return Outcome(doc_id, str(path), False, error=message, code=code, seconds=time.perf_counter() - started)


def unchanged(path: Path, doc_id: str, outputs: Path) -> Outcome | None:
    """The outcome of skipping a document whose package is up to date and intact, else None."""
    started = time.perf_counter()
    reason = up_to_date(path, doc_id, outputs)
    if not reason:
        return None
    recorded = recorded_summary(outputs / doc_id)
    return Outcome(doc_id, str(path), True, title=str(recorded["title"]), pages=int(recorded["pages"]),
                   bag=str(outputs / doc_id), skipped=reason, seconds=time.perf_counter() - started,
                   conformance=str(recorded["conformance"]), pdf_sha256=str(recorded["pdf_sha256"]))  # fmt: skip


def _stages(path: Path, doc_id: str, outputs: Path, run: RunInfo | None) -> tuple[Document, Path]:
    # WeasyPrint and pdfminer load with the first document rendered: a run that finds every
    # document unchanged never needs them, and importing them was a fifth of such a run.
    from pipeline.conformance.check import check_document
    from pipeline.pdf.render import render_pdf

    with budget.limits(path):  # the archive stage only writes, outside the budget
        doc = read_document(path, doc_id)
        doc = normalize(doc)
        doc = to_xhtml(doc)
        doc = audit.of_document(doc)
        doc = render_pdf(doc)
        doc = check_document(doc)
    return doc, write_package(doc, outputs, run=run)


# Errors that pass: a file briefly busy or locked, an interrupted call, a network file system
# hiccup. A document hitting one is tried again (after 0.5 s, then 1 s) before it fails.
_TRANSIENT = {errno.EAGAIN, errno.EBUSY, errno.EINTR, errno.ETIMEDOUT, errno.ESTALE, errno.ETXTBSY}
RETRY_DELAYS = (0.5, 1.0)


def _with_retries(work: Callable[[], T]) -> T:
    for delay in RETRY_DELAYS:
        try:
            return work()
        except OSError as exc:
            if exc.errno not in _TRANSIENT:
                raise
            log.warning("transient error (%s), retrying in %.1f s", exc, delay)
            time.sleep(delay)
    return work()


def plan(sources: list[Source]) -> tuple[list[Source], list[Outcome]]:
    """The sources to convert, and a failure for each source whose id another one also claims
    (``report.md`` and ``report.txt``): converting both would overwrite one with the other."""
    clashes = duplicate_ids(sources)
    failures = [
        Outcome(doc_id, str(path), False, code="duplicate-id", error=(
            f"{path}：与其他文件（{'、'.join(map(str, paths))}）对应同一个文档标识 {doc_id}。"
            "处理建议：重命名其中之一后重新运行。"
        ))
        for doc_id, paths in clashes.items() for path in paths
    ]  # fmt: skip
    return [s for s in sources if s.doc_id not in clashes], failures
