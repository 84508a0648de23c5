"""Prefect orchestration: discover sources, convert them in chunks on worker processes, summarize.

No document logic lives here: a task calls ``convert_file`` for each document of its chunk
and reports the outcomes. Chunks (large first, single documents last) keep Prefect's per-task
cost and each worker's start-up (imports, fonts) small next to the renders.
"""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor
from contextlib import contextmanager, nullcontext
from pathlib import Path
from typing import Any, Self

from prefect import Task, flow, get_run_logger, task
from prefect.artifacts import (
    create_markdown_artifact,
    create_progress_artifact,
    create_table_artifact,
    update_progress_artifact,
)
from prefect.futures import PrefectFuture, as_completed
from prefect.runtime import flow_run
from prefect.settings import PREFECT_API_URL, temporary_settings
from prefect.states import Completed, Failed, State
from prefect.task_runners import ProcessPoolTaskRunner, TaskRunner, ThreadPoolTaskRunner

from pipeline.archive.locking import lock_wait, outputs_lock
from pipeline.archive.package import RunInfo
from pipeline.audit import dataset
from pipeline.ingest.inputs import Source, discover
from pipeline.orchestrate.convert import Outcome, convert_file, plan, unchanged
from pipeline.orchestrate.workers import init_worker, release_memory, worker_context


@task(name="convert-documents", task_run_name="{label}")
def convert_documents(items: list[tuple[str, str]], outputs: str, label: str) -> list[Outcome] | State:
    """Convert a chunk of documents in one worker: the process imports WeasyPrint and loads the
    fonts once for the chunk, and Prefect's per-task cost is paid once per chunk. The flow has
    already found these documents out of date, so they are not checked again here."""
    run = RunInfo(str(flow_run.id), dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    logger = get_run_logger()
    outcomes = []
    for path, doc_id in items:
        outcome = convert_file(Path(path), doc_id, Path(outputs), run, force=True)
        release_memory()
        if outcome.ok:
            logger.info("%s：%s，%d 页，%.1f 秒", doc_id, outcome.title, outcome.pages, outcome.seconds)
        else:
            logger.error("%s", outcome.error)  # the user's message, without a traceback
        outcomes.append(outcome)
    failed = [o for o in outcomes if not o.ok]
    if failed:
        # Bad documents are expected outcomes: the task is Failed with their messages, and the
        # whole chunk's outcomes travel with the state so the others are still reported.
        return Failed(message="；".join(o.error for o in failed)[:2000], data=outcomes)
    return outcomes


def chunks(sources: list[Source], workers: int) -> list[list[Source]]:
    """Chunks in the order the workers take them, each holding about 1/(2 × workers) of the
    work still left (guided self-scheduling), largest documents first: the first chunks are
    large, so Prefect's per-task cost stays small, and the last ones are single small
    documents, so the workers finish together instead of one waiting on the other's last
    large chunk. Work is estimated from the source size plus a fixed cost per document."""
    sizes = {s.doc_id: _size(s.path) + 20_000 for s in sources}
    left = sum(sizes.values())
    groups: list[list[Source]] = []
    current: list[Source] = []
    for source in sorted(sources, key=lambda s: (-sizes[s.doc_id], s.doc_id)):
        if not current:
            share, load = left / (2 * max(1, workers)), 0
        current.append(source)
        load += sizes[source.doc_id]
        if load >= share:
            groups.append(current)
            left -= load
            current = []
    return [*groups, current] if current else groups


def _size(path: Path) -> int:
    try:
        return path.stat().st_size
    except OSError:
        return 0


def task_runner(workers: int, dask_address: str | None = None) -> TaskRunner:
    """Rendering is CPU-bound Python: several workers are processes, which also never share a
    WeasyPrint FontConfiguration; one worker runs in the flow's own process. Past one machine,
    the chunks go to an existing Dask cluster (``prefect-dask``; its workers are processes)."""
    if dask_address:
        from prefect_dask import DaskTaskRunner  # optional: pip install '.[dask]'

        return DaskTaskRunner(address=dask_address)
    return ForkedProcessPool(max_workers=workers) if workers > 1 else ThreadPoolTaskRunner(max_workers=1)


class ForkedProcessPool(ProcessPoolTaskRunner):
    """Prefect's process pool, its workers forked from a server that has imported the pipeline
    (``pipeline.orchestrate.workers``) instead of spawned as fresh interpreters. Prefect sets up its pool
    (log and event forwarding included) with the spawn method; the pool is made again, before
    any worker has started, with the same initializer and the fork server's method."""

    def __enter__(self) -> Self:
        super().__enter__()
        spawning = self._executor
        assert spawning is not None
        self._executor = ProcessPoolExecutor(
            max_workers=self._max_workers, mp_context=worker_context(),
            initializer=init_worker, initargs=(spawning._initializer, spawning._initargs),
        )  # fmt: skip
        spawning.shutdown(wait=False)
        return self

    def submit(self, task: Task, parameters: dict[str, Any], wait_for: Iterable[PrefectFuture] | None = None,
               dependencies: dict[str, Any] | None = None) -> PrefectFuture:  # fmt: skip
        with _flow_api():
            return super().submit(task, parameters, wait_for, dependencies)


@contextmanager
def _flow_api() -> Iterator[None]:
    """Point the workers at this process's Prefect server. With no API URL configured (`pipeline
    run` on its own), the flow runs against an ephemeral server Prefect started in this process,
    but the settings a worker receives name no server, so each worker would start an ephemeral
    server of its own: seconds of start-up each, and a forked worker ends without running the
    exit hook that stops it. The workers are handed this process's server instead."""
    if PREFECT_API_URL.value():
        yield
        return
    from prefect.server.api.server import SubprocessASGIServer

    server = SubprocessASGIServer()  # the process's ephemeral server (a singleton)
    with temporary_settings(updates={PREFECT_API_URL: server.api_url}) if server.running else nullcontext():
        yield


@flow(name="convert-batch")
def convert_batch(
    inputs: str = "inputs",
    outputs: str = "outputs",
    force: bool = False,
    only: list[str] | None = None,
    workers: int = 2,
    dask_address: str | None = None,
) -> State:
    """Convert every Markdown source under ``inputs`` into a bag under ``outputs``.

    Unchanged documents whose outputs verify are skipped unless ``force``; ``only`` limits the
    run to the given document ids or source paths; ``workers`` is the number of worker
    processes, or, with ``dask_address`` (``tcp://scheduler:8786``), the chunking for the Dask
    cluster's workers.
    """
    logger = get_run_logger()
    sources = discover(Path(inputs))
    if only:
        wanted = set(only)
        sources = [s for s in sources if s.doc_id in wanted or str(s.path) in wanted or s.path.name in wanted]
    todo, outcomes = plan(sources)
    logger.info("发现 %d 个源文件，开始转换 %d 个（%d 个工作进程）", len(sources), len(todo), workers)
    with outputs_lock(Path(outputs), lock_wait(), say=logger.warning):
        # Unchanged documents are settled here, so a run with nothing to do starts no workers.
        settled = [None if force else unchanged(s.path, s.doc_id, Path(outputs)) for s in todo]
        outcomes += [o for o in settled if o]
        pending = [s for s, o in zip(todo, settled, strict=True) if not o]
        if len(pending) < len(todo):
            logger.info("%d 个文档未变化，跳过", len(todo) - len(pending))
        batches = chunks(pending, max(1, workers))
        outcomes += _convert(batches, outputs, workers, dask_address, logger) if batches else []
        rows = dataset.rebuild(Path(outputs))  # the annual reports' figures, across every package
        if rows:
            logger.info("年度报告统计数据已更新：%s（%d 行）", Path(outputs) / dataset.CSV, rows)
    outcomes.sort(key=lambda o: o.source)
    summary = summarize(outcomes)
    portal = os.environ.get("PIPELINE_PORTAL_URL", "http://127.0.0.1:8000").rstrip("/")
    create_table_artifact(
        key="convert-batch-summary",
        table=[
            {
                "文档": o.doc_id,
                "结果": "成功" if o.ok else "失败",
                "页数": o.pages,
                "版式检查": o.conformance if o.ok else ("未通过" if o.code == "pdf-check" else ""),
                "标题或错误": o.title if o.ok else o.error,
                "PDF": f"{portal}/files/{o.doc_id}/document.pdf" if o.ok else "",
                "PDF SHA-256": o.pdf_sha256,
                "用时（秒）": round(o.seconds, 2),
            }
            for o in outcomes
        ],
        description=summary["message"],
    )
    links = [f"- [{o.title or o.doc_id}]({portal}/files/{o.doc_id}/document.pdf)" for o in outcomes if o.ok]
    if links:
        create_markdown_artifact(key="convert-batch-downloads", markdown="## 下载 PDF\n\n" + "\n".join(links),
                                 description="文件下载页面中的 PDF 链接（pipeline web）")  # fmt: skip
    if summary["failed"]:
        return Failed(message=summary["message"], data=summary)
    return Completed(message=summary["message"], data=summary)


def _convert(batches: list[list[Source]], outputs: str, workers: int, dask_address: str | None,
             logger) -> list[Outcome]:  # fmt: skip
    with task_runner(max(1, workers), dask_address) as runner:
        futures = [
            runner.submit(convert_documents, {
                "items": [(str(s.path), s.doc_id) for s in chunk], "outputs": outputs,
                "label": f"{chunk[0].doc_id} 等 {len(chunk)} 个" if len(chunk) > 1 else chunk[0].doc_id,
            })
            for chunk in batches
        ]  # fmt: skip
        _follow(futures, [len(chunk) for chunk in batches], logger)
        # read inside the runner's context: a Dask future needs its client
        return [o for chunk, fut in zip(batches, futures, strict=True) for o in _chunk_outcomes(chunk, fut)]


def _follow(futures: list[PrefectFuture], sizes: list[int], logger) -> None:
    """Wait for the chunks, reporting progress in the log (what `pipeline run` shows in a
    terminal) and as a progress artifact (what the Prefect UI shows)."""
    total = sum(sizes)
    if not total:
        return
    progress = create_progress_artifact(0.0, key="convert-batch-progress", description="已完成的文档比例")
    size_of = {id(f): n for f, n in zip(futures, sizes, strict=True)}
    done = 0
    for future in as_completed(futures):
        done += size_of[id(future)]
        update_progress_artifact(progress, 100.0 * done / total)
        bar = "█" * (24 * done // total) + "·" * (24 - 24 * done // total)
        logger.info("进度 [%s] %d/%d 个文档", bar, done, total)


def _chunk_outcomes(chunk: list[Source], future: PrefectFuture) -> list[Outcome]:
    """The outcomes a chunk's task returned (taken from the future in memory: results are not
    persisted); if its worker died (killed, out of memory), each of its documents is reported as
    failed with that reason."""
    try:
        result = future.result(raise_on_failure=False)
    except Exception as exc:  # the result could not be retrieved at all
        result = exc
    if isinstance(result, list):
        return result
    reason = f"{type(result).__name__}: {result}"
    return [Outcome(s.doc_id, str(s.path), False, code="worker", error=(
        f"{s.path}：处理该文件的工作进程异常结束（{reason[:200]}）。处理建议：重新运行；如反复出现请报告维护人员。"
    )) for s in chunk]  # fmt: skip


def summarize(outcomes: list[Outcome]) -> dict:
    ok = sum(o.ok for o in outcomes)
    failed = len(outcomes) - ok
    skipped = sum(bool(o.skipped) for o in outcomes)
    return {
        "succeeded": ok,
        "skipped": skipped,
        "failed": failed,
        "message": f"成功 {ok} 个，失败 {failed} 个（共 {len(outcomes)} 个），其中未变化跳过 {skipped} 个",
        "documents": [o.as_dict() for o in outcomes],
    }
