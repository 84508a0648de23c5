"""A time and memory budget for each document, so that one document cannot stall or starve a batch.

A watchdog thread looks at the clock and at the process's resident memory every 0.1 s while a
document is read, normalized, converted, rendered and checked. When the document has used up
its time (``PIPELINE_DOC_SECONDS``) or grown the process by more than its memory
(``PIPELINE_DOC_MEMORY_MB``), the watchdog raises ``Overrun`` in the converting thread, where
Python stops at its next bytecode; the document fails with a message naming the limit and the
batch goes on. ``Overrun`` is a ``BaseException``, so no ``except Exception`` in a library can
swallow it; it is raised again every second until the document has stopped.

What this cannot stop is C code that never returns to Python (a regular expression that
backtracks without end): the pipeline's patterns are linear, and paragraphs too long to lay out
are refused before layout (``PIPELINE_MAX_PARAGRAPH_CHARS``). The archive stage runs outside the
budget: it only writes files, and a bag half sealed is worse than a slow one. Memory is the
process's, so the budget assumes one document at a time per process, which is how the CLI and
the flow's workers convert.
"""

from __future__ import annotations

import ctypes
import os
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.core.errors import DocumentError

DEFAULT_SECONDS = 300.0
DEFAULT_MEMORY_MB = 1024
_PAGE = os.sysconf("SC_PAGE_SIZE")


class Overrun(BaseException):
    """Raised asynchronously in a thread whose document went over its budget."""


def seconds() -> float:
    return float(os.environ.get("PIPELINE_DOC_SECONDS", DEFAULT_SECONDS))


def memory_mb() -> int:
    return int(os.environ.get("PIPELINE_DOC_MEMORY_MB", DEFAULT_MEMORY_MB))


def resident_bytes() -> int:
    with open("/proc/self/statm", "rb") as fh:
        return int(fh.read().split()[1]) * _PAGE


class _Watch(threading.Thread):
    def __init__(self, seconds: float, memory_mb: int) -> None:
        super().__init__(name="document-budget", daemon=True)
        self.target = threading.get_ident()
        self.seconds, self.memory_mb = seconds, memory_mb
        self.started_at = time.monotonic()
        self.baseline = resident_bytes()
        self.reason = ""  # "time" or "memory" once exceeded
        self.peak_mb = 0
        self._lock = threading.Lock()
        self._stopped = threading.Event()

    def run(self) -> None:
        while not self._stopped.wait(0.1):
            grown = (resident_bytes() - self.baseline) // 1048576
            self.peak_mb = max(self.peak_mb, grown)
            if not self.reason:
                if time.monotonic() - self.started_at > self.seconds:
                    self.reason = "time"
                elif grown > self.memory_mb:
                    self.reason = "memory"
            if self.reason:
                self._raise(Overrun)
                self._stopped.wait(1.0)  # raised again if something swallowed it

    def _raise(self, exc: type[BaseException] | None) -> None:
        with self._lock:
            if not self._stopped.is_set() or exc is None:
                target = ctypes.c_ulong(self.target)
                ctypes.pythonapi.PyThreadState_SetAsyncExc(target, ctypes.py_object(exc) if exc else None)

    def stop(self) -> None:
        """Disarm, and withdraw an Overrun raised but not yet delivered."""
        with self._lock:
            self._stopped.set()
        self._raise(None)


@contextmanager
def limits(path: Path, seconds_: float | None = None, memory_mb_: int | None = None) -> Iterator[None]:
    """Run the body within the document's budget; over it, a DocumentError naming the limit."""
    watch = _Watch(seconds() if seconds_ is None else seconds_, memory_mb() if memory_mb_ is None else memory_mb_)
    watch.start()
    try:
        try:
            yield
        finally:
            watch.stop()
    except Overrun:
        watch.stop()
        raise _overrun_error(path, watch) from None


def _overrun_error(path: Path, watch: _Watch) -> DocumentError:
    if watch.reason == "memory":
        return DocumentError(
            path, f"处理该文件占用的内存超过上限（增加 {watch.memory_mb} MB），已停止处理，其他文件不受影响",
            "检查文件中是否有超大的表格或极长的段落，拆分后重试；确需处理时可调高环境变量 PIPELINE_DOC_MEMORY_MB",
            code="over-budget",
        )  # fmt: skip
    return DocumentError(
        path, f"处理该文件超过时间上限（{watch.seconds:g} 秒），已停止处理，其他文件不受影响",
        "检查文件中是否有极长的段落或表格，拆分后重试；确需处理时可调高环境变量 PIPELINE_DOC_SECONDS",
        code="over-budget",
    )  # fmt: skip
