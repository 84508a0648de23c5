"""Prefect orchestration: discover sources, convert each as one task, summarize.

No document logic lives here: a task calls ``convert_file`` and reports its outcome. One task
per document keeps Prefect's per-task overhead (~30 ms) negligible next to a render.
"""

from __future__ import annotations

import datetime as dt
import os
from pathlib import Path

from prefect import flow, get_run_logger, task
from prefect.artifacts import create_markdown_artifact, create_table_artifact
from prefect.futures import wait
from prefect.runtime import flow_run
from prefect.states import Completed, Failed, State
from prefect.task_runners import ThreadPoolTaskRunner

from pipeline.archive import RunInfo
from pipeline.convert import Outcome, convert_file, plan
from pipeline.inputs import discover
from pipeline.locking import lock_wait, outputs_lock


@task(name="convert-document", task_run_name="{doc_id}")
def convert_document(path: str, doc_id: str, outputs: str, force: bool = False) -> Outcome | State:
    run = RunInfo(str(flow_run.id), dt.datetime.now(dt.UTC).isoformat(timespec="seconds"))
    outcome = convert_file(Path(path), doc_id, Path(outputs), run, force=force)
    logger = get_run_logger()
    if not outcome.ok:
        # A bad document is an expected outcome: mark the task Failed with the user's message
        # (Prefect logs it), without a traceback.
        return Failed(message=outcome.error, data=outcome)
    logger.info("%s：%s，%d 页，%.1f 秒", doc_id, outcome.title, outcome.pages, outcome.seconds)
    return outcome


@flow(name="convert-batch", task_runner=ThreadPoolTaskRunner(max_workers=2))
def convert_batch(
    inputs: str = "inputs", outputs: str = "outputs", force: bool = False, only: list[str] | None = None
) -> State:
    """Convert every Markdown source under ``inputs`` into a bag under ``outputs``.

    Unchanged documents whose outputs verify are skipped unless ``force``; ``only`` limits the
    run to the given document ids or source paths.
    """
    logger = get_run_logger()
    sources = discover(Path(inputs))
    if only:
        wanted = set(only)
        sources = [s for s in sources if s.doc_id in wanted or str(s.path) in wanted or s.path.name in wanted]
    todo, outcomes = plan(sources)
    logger.info("发现 %d 个源文件，开始转换 %d 个", len(sources), len(todo))
    with outputs_lock(Path(outputs), lock_wait(), say=logger.warning):
        futures = [convert_document.submit(str(s.path), s.doc_id, outputs, force) for s in todo]
        wait(futures)
    for fut in futures:
        outcomes.append(fut.state.result(raise_on_failure=False))
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
