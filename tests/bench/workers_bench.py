"""Batch throughput through the real flow with 1 and 2 workers (not collected by pytest).

    .venv/bin/python tests/bench/workers_bench.py [--copies 2]

Runs the corpus (replicated with distinct ids) through `convert_batch` against one Prefect
test server, once per configuration, and prints one JSON line with documents/second.
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
os.environ.setdefault("PREFECT_HOME", tempfile.mkdtemp(prefix="prefect-bench-"))
os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--copies", type=int, default=2)
    args = parser.parse_args()
    from prefect.task_runners import ProcessPoolTaskRunner, ThreadPoolTaskRunner
    from prefect.testing.utilities import prefect_test_harness

    from pipeline.flows import convert_batch

    work = Path(tempfile.mkdtemp(prefix="bench-"))
    inputs = work / "inputs"
    inputs.mkdir()
    corpus = sorted((ROOT / "tests/fixtures/corpus").glob("[0-9][0-9]-*"))
    for copy in range(args.copies):
        for path in corpus:
            shutil.copy(path, inputs / f"c{copy}-{path.stem}{path.suffix}")
    figures = {"documents": len(list(inputs.iterdir()))}
    with prefect_test_harness(server_startup_timeout=180):
        for name, runner in (
            ("threads-1", ThreadPoolTaskRunner(max_workers=1)),
            ("threads-2", ThreadPoolTaskRunner(max_workers=2)),
            ("processes-2", ProcessPoolTaskRunner(max_workers=2)),
        ):
            outputs = work / f"out-{name}"
            started = time.perf_counter()
            state = convert_batch.with_options(task_runner=runner)(
                inputs=str(inputs), outputs=str(outputs), force=True, return_state=True
            )
            seconds = time.perf_counter() - started
            assert state.is_completed(), state
            figures[name] = {"seconds": round(seconds, 1), "docs_per_second": round(figures["documents"] / seconds, 2)}
    base = figures["threads-1"]["seconds"]
    figures["speedup_threads_2"] = round(base / figures["threads-2"]["seconds"], 2)
    figures["speedup_processes_2"] = round(base / figures["processes-2"]["seconds"], 2)
    print(json.dumps(figures))
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
