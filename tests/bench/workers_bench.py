"""Batch throughput through the real flow with 1 and 2 workers (not collected by pytest).

    .venv/bin/python tests/bench/workers_bench.py [--copies 2]

Runs the seed and the corpus (replicated with distinct ids, as ``perf_bench`` does) through
`convert_batch` against one Prefect test server, once per configuration (one worker in the
flow's process, one worker process, two worker processes), then an unchanged re-run, and
prints one JSON line with the figures.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).parent))
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="prefect-bench-"))
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=2)
    args = parser.parse_args()
    from perf_bench import batch
    from prefect.testing.utilities import prefect_test_harness

    from pipeline.orchestrate.flows import convert_batch

    work = Path(tempfile.mkdtemp(prefix="bench-"))
    inputs = work / "inputs"
    figures = {"documents": len(batch(inputs, args.copies, 0))}
    with prefect_test_harness(server_startup_timeout=180):
        from pipeline.orchestrate import flows

        in_flow = flows.task_runner
        for name, workers in (("workers-1", 1), ("workers-1-process", 1), ("workers-2", 2)):
            # workers-1 runs in the flow's own process (the default for one worker); the
            # workers-1-process variant pays the same process costs as two workers do.
            in_processes = name.endswith("process")
            flows.task_runner = (lambda n, _=None: flows.ForkedProcessPool(max_workers=n)) if in_processes else in_flow
            outputs = work / f"out-{name}"
            started = time.perf_counter()
            state = convert_batch(inputs=str(inputs), outputs=str(outputs), force=True, workers=workers,
                                  return_state=True)  # fmt: skip
            seconds = time.perf_counter() - started
            assert state.is_completed(), state
            figures[name] = {"seconds": round(seconds, 1), "docs_per_second": round(figures["documents"] / seconds, 2)}
        # An unchanged re-run of the last batch (incremental: every document skipped).
        flows.task_runner = in_flow
        started = time.perf_counter()
        state = convert_batch(inputs=str(inputs), outputs=str(outputs), workers=2, return_state=True)
        seconds = time.perf_counter() - started
        assert state.result()["skipped"] == figures["documents"], state
        share = round(seconds / figures["workers-2"]["seconds"], 3)
        figures["unchanged_rerun"] = {"seconds": round(seconds, 1), "share_of_first_run": share}
    figures["speedup_2_workers"] = round(figures["workers-1"]["seconds"] / figures["workers-2"]["seconds"], 2)
    figures["speedup_2_vs_1_process"] = round(
        figures["workers-1-process"]["seconds"] / figures["workers-2"]["seconds"], 2
    )
    print(json.dumps(figures))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
