"""The performance benchmark runs end to end (on two documents: the figures themselves are
measured by ``make bench`` and quoted in the README, not asserted here)."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow  # renders, subprocesses, servers or browsers: not in the quick run

BENCH = Path(__file__).parent / "bench" / "perf_bench.py"


@pytest.mark.prefect
def test_benchmark_runs_every_phase():
    done = subprocess.run([sys.executable, str(BENCH), "--limit", "2", "--copies", "1", "--skip-cold"],
                          capture_output=True, text=True, timeout=900)  # fmt: skip
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    assert figures["documents"] == 2
    for stage in ("read", "normalize", "xhtml", "pdf", "check", "archive", "fixity", "all_stages"):
        assert figures["stages"][stage]["max_ms"] >= figures["stages"][stage]["median_ms"] > 0, stage
    assert figures["bare_write_pdf"]["median_ms"] > 0 and figures["all_stages_vs_bare_write_pdf"] > 0
    flow = figures["flow"]
    assert flow["server_unchanged_rerun"]["seconds"] < flow["server_2_workers"]["seconds"]
    assert flow["server_1_worker"]["seconds"] > 0 and flow["speedup_2_vs_1_worker"] > 0
    assert figures["baseline"]["documents"] == 2 and figures["pipeline_vs_baseline"] > 0
    assert figures["memory"]["documents"] == 2 and figures["memory"]["peak_mb"] > 50
    size = figures["size"]["seed"]
    assert 0 < size["ours_kb"] < size["weasyprint_default_kb"] and size["typst_kb"] > 0
