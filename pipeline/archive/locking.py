"""One writer per output folder at a time.

A nightly cron run and an officer's manual run may start on the same ``outputs/``. Bags are
published by atomic renames, so readers never see half a bag; but two writers would interleave
ledger entries and race on the same document. A process-wide exclusive lock on
``outputs/.pipeline.lock`` serializes them: the second run says it is waiting and waits (or
gives up after ``wait`` seconds with a clear message). Holding the lock, a run also removes
temporary folders left by a run that was killed.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import shutil
import sys
import time
from collections.abc import Iterator
from pathlib import Path

from pipeline.archive import ledger
from pipeline.archive.fixity import sha256_file
from pipeline.archive.runlock import LOCK_NAME, RUN_ENV


class OutputsBusy(RuntimeError):
    pass


def lock_wait() -> float:
    """How long a run waits for another one on the same outputs (PIPELINE_LOCK_WAIT, seconds)."""
    return float(os.environ.get("PIPELINE_LOCK_WAIT", "3600"))


@contextlib.contextmanager
def outputs_lock(outputs: Path, wait: float = 3600, say=lambda msg: print(msg, file=sys.stderr)) -> Iterator[None]:
    outputs.mkdir(parents=True, exist_ok=True)
    with (outputs / LOCK_NAME).open("a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            holder = fh.read().strip() or "另一个任务"
            say(f"输出目录 {outputs} 正被另一个任务写入（{holder}），等待其结束……")
            deadline = time.monotonic() + wait
            while True:
                try:
                    fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
                    break
                except BlockingIOError:
                    if time.monotonic() > deadline:
                        raise OutputsBusy(
                            f"输出目录 {outputs} 一直被另一个任务占用（{holder}），本次未写入任何文件。"
                            "处理建议：等待该任务结束后重试。"
                        ) from None
                    time.sleep(0.5)
            say(f"输出目录 {outputs} 已空闲，继续。")
        fh.seek(0)
        fh.truncate()
        fh.write(f"进程 {os.getpid()}，开始于 {time.strftime('%Y-%m-%d %H:%M:%S')}")
        fh.flush()
        os.environ[RUN_ENV] = str(os.getpid())  # for worker processes started from now on
        remove_leftovers(outputs)
        try:
            yield
        finally:
            fh.seek(0)
            fh.truncate()
            fcntl.flock(fh, fcntl.LOCK_UN)


def remove_leftovers(outputs: Path) -> list[str]:
    """Temporary and superseded folders of an interrupted run (only ever called under the lock).

    A run killed after sealing a bag and before renaming it into place leaves a complete bag that
    the ledger's newest entry for its document already names: it is published now (otherwise the
    bag in place would be one version behind its seal). A run killed between the two renames of a
    swap leaves the old version aside and no bag in place: it is put back. A temporary file (the
    statistics dataset written beside its final name) is unfinished by definition. Anything else
    goes."""
    removed = []
    chain = None
    for path in sorted(outputs.iterdir()):
        if not path.name.startswith(".tmp-"):
            continue
        if not path.is_dir():
            path.unlink(missing_ok=True)
            removed.append(path.name)
            continue
        doc_id, final = path.name[5:-9], outputs / path.name[5:-9]
        chain = chain or ledger.check_chain(outputs)
        latest = chain.latest(doc_id)
        manifest = path / "tagmanifest-sha256.txt"
        if latest and manifest.is_file() and latest["tagmanifest_sha256"] == sha256_file(manifest):
            if final.exists():
                final.rename(outputs / f".old-{doc_id}-{path.name[-8:]}")
            path.rename(final)
            continue
        shutil.rmtree(path, ignore_errors=True)
        removed.append(path.name)
    for path in sorted(outputs.iterdir()):
        if path.is_dir() and path.name.startswith(".old-"):
            final = outputs / path.name[5:-9]
            if not final.exists():
                path.rename(final)
                continue
            shutil.rmtree(path, ignore_errors=True)
            removed.append(path.name)
    return removed
