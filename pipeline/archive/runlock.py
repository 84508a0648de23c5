"""Whether this process still works for the run that holds an output folder's lock.

The lock itself is taken by ``pipeline.archive.locking``; this is the question the ledger asks before it
seals a document (a worker of a killed run must not), kept apart so that the ledger needs nothing
of the locking (which uses the ledger to tidy a killed run's leftovers).
"""

from __future__ import annotations

import fcntl
import os
import re
from pathlib import Path

LOCK_NAME = ".pipeline.lock"
RUN_ENV = "PIPELINE_RUN_PID"  # the process holding the lock for this run, as its workers see it


def run_holds_lock(outputs: Path) -> bool:
    """Whether the run this process works for still holds the outputs lock. A worker asks before
    it seals a document: a run killed outright leaves its workers without a lock (and another run
    may hold it by now). In the lock holder's own process, or outside any run, always true."""
    run = os.environ.get(RUN_ENV, "")
    if not run or run == str(os.getpid()):
        return True
    try:
        fh = (outputs / LOCK_NAME).open(encoding="utf-8")
    except OSError:
        return False
    with fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_SH | fcntl.LOCK_NB)
        except BlockingIOError:  # held, exclusively: by whom?
            holder = re.match(r"进程 (\d+)", fh.read())
            return bool(holder) and holder[1] in (run, str(os.getpid()))
        fcntl.flock(fh, fcntl.LOCK_UN)
        return False  # nobody holds it: the run has ended
