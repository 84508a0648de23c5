"""The batch flow against a real Prefect server (test harness)."""

from __future__ import annotations

import itertools
import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from prefect import task

from pipeline.archive.verify import verify_bag
from tests.conftest import SEED, SEED_ID, corpus_file

pytestmark = [pytest.mark.prefect, pytest.mark.slow]


def test_batch_isolates_a_broken_document(prefect_server, tmp_path: Path):
    from pipeline.orchestrate.flows import convert_batch

    inputs, outputs = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    (inputs / f"{SEED_ID}.md").write_bytes(SEED.read_bytes())
    (inputs / "gbk.txt").write_bytes(corpus_file("21-").read_bytes())
    (inputs / "broken.md").write_bytes(b"%PDF-1.4\n" + bytes(range(256)) * 4)
    state = convert_batch(inputs=str(inputs), outputs=str(outputs), return_state=True)
    assert state.is_failed()
    summary = state.result(raise_on_failure=False)
    assert (summary["succeeded"], summary["failed"]) == (2, 1)
    failed = [d for d in summary["documents"] if not d["ok"]]
    assert failed[0]["doc_id"] == "broken"
    assert "broken.md：这不是文本文件，而是PDF 文件" in failed[0]["error"]
    assert sorted(p.name for p in outputs.iterdir() if p.is_dir() and not p.name.startswith(".")) == [SEED_ID, "gbk"]
    # the seed is an annual report: the run rebuilt the statistics dataset (no statutory table: no rows)
    assert (outputs / "statistics.csv").read_text(encoding="utf-8-sig").startswith("doc_id,organ,year,")
    for name in (SEED_ID, "gbk"):
        assert verify_bag(outputs / name).ok
    record = (outputs / SEED_ID / "data" / "record.xml").read_text(encoding="utf-8")
    assert "Prefect flow run" in record and "<行为时间>" in record


def test_batch_refuses_two_sources_with_one_id(prefect_server, tmp_path: Path):
    from pipeline.orchestrate.flows import convert_batch

    inputs, outputs = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    (inputs / "report.md").write_bytes(SEED.read_bytes())
    (inputs / "report.txt").write_bytes(SEED.read_bytes())
    state = convert_batch(inputs=str(inputs), outputs=str(outputs), return_state=True)
    summary = state.result(raise_on_failure=False)
    assert summary["failed"] == 2
    assert all("同一个文档标识 report" in d["error"] for d in summary["documents"])
    assert not outputs.exists() or not [p for p in outputs.iterdir() if not p.name.startswith(".")]


def test_clean_batch_completes(prefect_server, tmp_path: Path):
    from pipeline.orchestrate.flows import convert_batch

    inputs = tmp_path / "in"
    inputs.mkdir()
    (inputs / f"{SEED_ID}.md").write_bytes(SEED.read_bytes())
    state = convert_batch(inputs=str(inputs), outputs=str(tmp_path / "out"), return_state=True)
    assert state.is_completed()
    assert state.result()["succeeded"] == 1


def test_run_publishes_a_table_and_download_links(prefect_server, tmp_path: Path, monkeypatch):
    import asyncio

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import ArtifactFilter, ArtifactFilterFlowRunId

    from pipeline.archive.fixity import sha256_file
    from pipeline.orchestrate.flows import convert_batch

    monkeypatch.setenv("PIPELINE_PORTAL_URL", "http://portal.example:8000")
    inputs, outputs = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    (inputs / f"{SEED_ID}.md").write_bytes(SEED.read_bytes())
    state = convert_batch(inputs=str(inputs), outputs=str(outputs), return_state=True)

    async def artifacts():
        async with get_client() as client:
            flt = ArtifactFilter(flow_run_id=ArtifactFilterFlowRunId(any_=[state.state_details.flow_run_id]))
            return {a.key: a for a in await client.read_artifacts(artifact_filter=flt)}

    found = asyncio.run(artifacts())
    table = found["convert-batch-summary"].data
    rows = table if isinstance(table, list) else json.loads(table)
    [row] = rows
    assert row["文档"] == SEED_ID and row["结果"] == "成功" and row["页数"] == 5
    assert row["版式检查"].startswith("通过")
    assert row["PDF SHA-256"] == sha256_file(outputs / SEED_ID / "data" / "document.pdf")
    assert row["PDF"] == f"http://portal.example:8000/files/{SEED_ID}/document.pdf"
    assert row["用时（秒）"] > 0
    links = found["convert-batch-downloads"].data
    assert f"(http://portal.example:8000/files/{SEED_ID}/document.pdf)" in links


def test_chunks_balance_documents_across_workers(tmp_path: Path):
    from pipeline.ingest.inputs import Source
    from pipeline.orchestrate.flows import chunks

    sources = []
    for i, size in enumerate([90_000, 60_000, 30_000, 20_000, 10_000, 5_000, 1_000, 500]):
        path = tmp_path / f"d{i}.md"
        path.write_bytes(b"x" * size)
        sources.append(Source(f"d{i}", path))

    def work(group):
        return sum(s.path.stat().st_size + 20_000 for s in group)

    groups = chunks(sources, workers=2)
    assert sorted(s.doc_id for g in groups for s in g) == sorted(s.doc_id for s in sources)
    assert [s.doc_id for s in groups[0]] == ["d0"]  # 110 000 of 376 500: more than a quarter
    assert [[s.doc_id for s in g] for g in groups[-3:]] == [["d5"], ["d6"], ["d7"]]  # small ones last
    many = [Source(f"{s.doc_id}-{copy}", s.path) for copy in range(40) for s in sources]
    groups = chunks(many, workers=2)
    assert sorted(s.doc_id for g in groups for s in g) == sorted(s.doc_id for s in many)
    assert 10 <= len(groups) <= 25  # 320 documents in few tasks
    assert work(groups[0]) >= sum(work([s]) for s in many) / 4
    assert all(work(a) >= work(b) for a, b in itertools.pairwise(groups))  # ever smaller
    assert len(groups[-1]) == 1
    assert chunks(sources[:2], workers=4) == [[sources[0]], [sources[1]]]
    assert chunks([], workers=2) == []


def test_two_worker_processes_convert_in_chunks(prefect_server, tmp_path: Path):
    import asyncio

    from prefect.client.orchestration import get_client
    from prefect.client.schemas.filters import FlowRunFilter, FlowRunFilterId

    from pipeline.orchestrate.flows import convert_batch

    inputs, outputs = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    (inputs / f"{SEED_ID}.md").write_bytes(SEED.read_bytes())
    for prefix in ("10-", "11-", "21-"):
        (inputs / corpus_file(prefix).name).write_bytes(corpus_file(prefix).read_bytes())
    (inputs / "broken.md").write_bytes(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 4)
    state = convert_batch(inputs=str(inputs), outputs=str(outputs), workers=2, return_state=True)
    summary = state.result(raise_on_failure=False)
    assert (summary["succeeded"], summary["failed"]) == (4, 1)
    assert [d["doc_id"] for d in summary["documents"] if not d["ok"]] == ["broken"]
    for d in summary["documents"]:
        if d["ok"]:
            assert verify_bag(outputs / d["doc_id"]).ok

    async def task_runs():
        async with get_client() as client:
            flt = FlowRunFilter(id=FlowRunFilterId(any_=[state.state_details.flow_run_id]))
            return await client.read_task_runs(flow_run_filter=flt)

    runs = asyncio.run(task_runs())
    # one task per chunk: the two largest documents together (together just over a quarter of
    # the work), then one document each; the broken one fails alone
    assert len(runs) == 4
    assert sum(r.state.is_failed() for r in runs) == 1
    assert [r.name for r in runs if r.state.is_failed()] == ["broken"]


@task
def _worker_origin() -> tuple[int, bytes, bytes]:
    """The worker's pid, and its parent's command line and memory map."""
    parent = Path(f"/proc/{os.getppid()}")
    return os.getpid(), (parent / "cmdline").read_bytes(), (parent / "maps").read_bytes()


def test_worker_processes_are_forks_of_a_server_that_imported_the_pipeline(prefect_server):
    from prefect import flow

    from pipeline.orchestrate.flows import task_runner

    @flow
    def probe() -> list[tuple[int, bytes, bytes]]:
        with task_runner(2) as runner:
            futures = [runner.submit(_worker_origin, {}) for _ in range(4)]
            return [f.result() for f in futures]

    origins = probe()
    workers = {pid for pid, _, _ in origins}
    assert 1 <= len(workers) <= 2 and os.getpid() not in workers
    for _, cmdline, maps in origins:
        assert b"multiprocessing.forkserver" in cmdline  # not spawned afresh, not a fork of the flow
        assert b"libpango" in maps  # the server had imported WeasyPrint before forking the worker


def test_the_flow_process_loads_weasyprint_only_to_render():
    """A run that finds every document unchanged never renders: the flow and the unchanged
    check leave WeasyPrint and pdfminer unloaded (importing them was a fifth of such a run)."""
    code = (
        "import sys, pipeline.orchestrate.flows, pipeline.archive.verify; "
        "print([m for m in ('weasyprint', 'pdfminer') if m in sys.modules])"
    )
    loaded = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert loaded.stdout.strip() == "[]"
    code = ("import sys, pipeline.orchestrate.workers as w; [__import__(m) for m in w.PRELOAD]; "
            "print('weasyprint' in sys.modules)")
    assert subprocess.run([sys.executable, "-c", code], capture_output=True, text=True).stdout.strip() == "True"


def test_batch_on_a_dask_cluster(prefect_server, tmp_path: Path):
    """Past one machine: the same flow sends its chunks to a real dask.distributed cluster (a
    LocalCluster of two worker processes here; a remote scheduler's address in production)."""
    from distributed import LocalCluster

    from pipeline.orchestrate.flows import convert_batch

    inputs, outputs = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    (inputs / f"{SEED_ID}.md").write_bytes(SEED.read_bytes())
    (inputs / "notice.md").write_bytes(corpus_file("11-").read_bytes())
    with LocalCluster(n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None) as cluster:
        state = convert_batch(inputs=str(inputs), outputs=str(outputs), workers=2,
                              dask_address=cluster.scheduler_address, return_state=True)  # fmt: skip
        workers = list(cluster.workers)
    assert state.is_completed(), state
    assert state.result()["succeeded"] == 2
    assert len(workers) == 2
    for name in (SEED_ID, "notice"):
        assert verify_bag(outputs / name).ok
