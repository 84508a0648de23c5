"""The nightly deployment: created with its cron schedule and time zone, and runnable by hand."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import SEED, SEED_ID

pytestmark = pytest.mark.slow  # renders, subprocesses, servers or browsers: not in the quick run


def test_serve_registers_a_scheduled_deployment_that_runs_on_demand(prefect_server, tmp_path: Path):
    from prefect.client.orchestration import get_client
    from prefect.deployments import run_deployment
    from prefect.settings import PREFECT_API_URL

    inputs, outputs = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    (inputs / f"{SEED_ID}.md").write_bytes(SEED.read_bytes())
    env = {**os.environ, "PREFECT_API_URL": PREFECT_API_URL.value(), "PREFECT_RUNNER_POLL_FREQUENCY": "1"}
    server = subprocess.Popen(
        [sys.executable, "-m", "pipeline.cli", "serve", "--name", "nightly-test", "--cron", "0 2 * * *",
         "--inputs", str(inputs), "--outputs", str(outputs)],
        env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    try:

        async def deployment():
            async with get_client() as client:
                return await client.read_deployment_by_name("convert-batch/nightly-test")

        deadline = time.monotonic() + 120
        while True:
            try:
                found = asyncio.run(deployment())
                break
            except Exception:
                assert server.poll() is None, server.stdout.read()
                assert time.monotonic() < deadline, "the deployment was never registered"
                time.sleep(1)
        schedule = found.schedules[0].schedule
        assert (schedule.cron, schedule.timezone) == ("0 2 * * *", "Asia/Shanghai")
        assert found.parameters["inputs"] == str(inputs)
        run = run_deployment("convert-batch/nightly-test", parameters={"force": True}, timeout=240)
        assert run.state.is_completed(), run.state
        assert (outputs / SEED_ID / "data" / "document.pdf").is_file()
    finally:
        server.terminate()
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()
