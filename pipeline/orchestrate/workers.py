"""How worker processes start: forked from a server process that has imported the pipeline once.

Prefect's ``ProcessPoolTaskRunner`` spawns each worker as a fresh interpreter, which then
imports Prefect, WeasyPrint and the pipeline (4-5 s on this machine, both workers at once)
before its first document: on a 42-document batch with 2 workers, 40.7-41.3 s against
35.0-36.3 s with forked workers. Here one server process (multiprocessing's ``forkserver``)
imports them, and every worker is a fork of it, ready at once. ``pipeline run`` starts the
server before it imports Prefect itself, so the two imports run side by side on two cores.

Forking the flow's own process instead would copy Prefect's threads and event loop in an
unknown state; the fork server is single-threaded (it only imports), so forking it is safe.
This module imports nothing heavy: it is used before the imports it saves.

No process of a run outlives it. Killed outright (SIGKILL, the out-of-memory killer), a run
runs no clean-up of its own, and its embedded Prefect server, fork server and workers would go
on converting without the outputs lock. So: the fork server exits when the run's end of its
pipe closes (multiprocessing's design); each worker asks the kernel for SIGKILL when the fork
server goes (``PR_SET_PDEATHSIG``) and exits at once if it went already; and ``pipeline run``
first forks a reaper, a small process that notes the run's descendants twice a second and kills
those left when the run's end of a pipe closes, however the run ended (the Prefect server is
started by Prefect, where no parent-death signal can be set). Whatever a worker seals, it seals
while the run holds the lock (``runlock.run_holds_lock``).
"""

from __future__ import annotations

import contextlib
import ctypes
import gc
import multiprocessing
import os
import select
import signal
import time
from collections.abc import Callable
from multiprocessing import forkserver
from multiprocessing.context import BaseContext
from pathlib import Path
from typing import Any

_PR_SET_PDEATHSIG = 1

# What the fork server imports: the flow module brings Prefect and the light stages; render and
# check bring WeasyPrint and pdfminer (which the flow's own process loads only if it renders).
# A module that fails to import is left to the worker (which then reports it).
PRELOAD = ["pipeline.orchestrate.flows", "pipeline.pdf.render", "pipeline.conformance.check"]


def worker_context() -> BaseContext:
    """The start method for worker processes (POSIX only, as the pipeline is)."""
    ctx = multiprocessing.get_context("forkserver")
    ctx.set_forkserver_preload(PRELOAD)
    return ctx


def start_early() -> None:
    """Start the fork server now, so that it imports while the caller goes on. It exits when
    the calling process does."""
    worker_context()
    forkserver.ensure_running()


def die_with_parent() -> None:
    """SIGKILL this process when its parent ends (Linux; elsewhere nothing)."""
    parent = os.getppid()
    try:
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0)
    except (OSError, AttributeError):
        return
    if os.getppid() != parent or parent == 1:  # it ended before the signal was asked for
        os._exit(1)


def init_worker(initializer: Callable[..., None] | None, initargs: tuple[Any, ...]) -> None:
    """A worker's first act: die with the fork server (which ends with the run); then Prefect's setup."""
    die_with_parent()
    if initializer is not None:
        initializer(*initargs)


def start_reaper() -> None:
    """Fork the reaper of this process's descendants (call it first, before any thread starts)."""
    run = os.getpid()
    read_end, write_end = os.pipe()
    if os.fork():
        os.close(read_end)  # the write end stays open, uninherited, until this process ends
        os.set_inheritable(write_end, False)
        return
    os.close(write_end)
    devnull = os.open(os.devnull, os.O_RDWR)
    for fd in (0, 1, 2):  # hold none of the run's pipes: whoever reads its output sees it end
        os.dup2(devnull, fd)
    try:
        _reap(run, read_end)
    finally:
        os._exit(0)


def _reap(run: int, pipe: int) -> None:
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # Ctrl+C is for the run; the reaper outlives it
    known: dict[int, str] = {}  # pid -> start time, so a reused pid is never killed
    while True:
        ended = bool(select.select([pipe], [], [], 0.5)[0])
        _descendants({run}, known)
        if ended:
            break
    deadline = time.monotonic() + 1.0  # a moment to end on their own (workers die with the fork server)
    while time.monotonic() < deadline and any(_start_time(pid) == started for pid, started in known.items()):
        time.sleep(0.05)
    for _ in range(3):  # a process forked in the last moments: found through its known parent
        _descendants(set(known), known)
        for pid, started in known.items():
            if _start_time(pid) == started:
                with contextlib.suppress(OSError):
                    os.kill(pid, signal.SIGKILL)


def _descendants(parents: set[int], known: dict[int, str]) -> None:
    """Add to ``known`` every living process whose parent is in ``parents`` or already known."""
    table = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            stat = _stat(int(entry.name))
            if stat:
                table[int(entry.name)] = stat
    grew = True
    while grew:
        grew = False
        for pid, (ppid, started) in table.items():
            if pid not in known and pid != os.getpid() and (ppid in parents or ppid in known):
                known[pid] = started
                grew = True


def _stat(pid: int) -> tuple[int, str] | None:
    """(parent pid, start time) of a running process, or None."""
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = stat[stat.rindex(")") + 2 :].split()
    return (int(fields[1]), fields[19]) if fields[0] != "Z" else None


def _start_time(pid: int) -> str | None:
    stat = _stat(pid)
    return stat[1] if stat else None


def release_memory() -> None:
    """Give the memory freed by a document back to the system; for a process that converts
    document after document (a worker, the CLI), called between documents, never by the library
    functions themselves (they must not freeze or trim a caller's process).

    A worker converts many documents; without this its resident size stays at the high-water
    mark of the largest document so far (measured: 168 MB after the first document, 280 MB
    from the first large one on). WeasyPrint's boxes hold reference cycles, so the document's
    garbage is collected first, then glibc's ``malloc_trim`` returns the free pages (it does
    nothing elsewhere than glibc). What survives the first document (modules, the style sheet
    and fonts of the thread) is frozen out of later collections, which then cost about 13 ms a
    document instead of 50. Measured over 42 documents: private memory 54-60 MB throughout,
    against 58-67 MB with ``malloc_trim`` alone.
    """
    gc.collect()
    if not gc.get_freeze_count():
        gc.freeze()
    if _LIBC is not None:
        _LIBC.malloc_trim(0)


def _load_libc() -> ctypes.CDLL | None:
    try:
        libc = ctypes.CDLL("libc.so.6")
        libc.malloc_trim  # noqa: B018  (present in glibc only)
    except (OSError, AttributeError):
        return None
    return libc


_LIBC = _load_libc()
