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
"""

from __future__ import annotations

import multiprocessing
from multiprocessing import forkserver
from multiprocessing.context import BaseContext

# What the fork server imports: the flow module brings Prefect and the light stages; render and
# check bring WeasyPrint and pdfminer (which the flow's own process loads only if it renders).
# A module that fails to import is left to the worker (which then reports it).
PRELOAD = ["pipeline.flows", "pipeline.render", "pipeline.check"]


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
