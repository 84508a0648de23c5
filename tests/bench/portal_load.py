"""Bounded load test of the download portal on loopback (not collected by pytest).

    .venv/bin/python tests/bench/portal_load.py [--clients 50] [--seconds 20]

Converts the seed into a temporary outputs folder, starts `pipeline web` on a free loopback
port, runs N concurrent clients downloading the PDF (and every tenth request the index page)
for a fixed time, stops the server, and prints one JSON line: requests/s, bytes/s, p50/p99
latency and the error count. Traffic goes to 127.0.0.1 only, and the loop ends by itself.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import httpx

ROOT = Path(__file__).resolve().parents[2]


async def client(base: str, deadline: float, latencies: list[float], errors: list[str], sizes: list[int]) -> None:
    async with httpx.AsyncClient(base_url=base, timeout=30) as http:
        n = 0
        while time.monotonic() < deadline:
            path = "/" if n % 10 == 9 else "/files/seed/document.pdf"
            n += 1
            started = time.perf_counter()
            try:
                response = await http.get(path)
                if response.status_code != 200:
                    errors.append(f"{path}: {response.status_code}")
                sizes.append(len(response.content))
            except httpx.HTTPError as exc:
                errors.append(f"{path}: {type(exc).__name__}")
            latencies.append(time.perf_counter() - started)


async def run(base: str, clients: int, seconds: float) -> dict:
    latencies: list[float] = []
    errors: list[str] = []
    sizes: list[int] = []
    deadline = time.monotonic() + seconds
    started = time.perf_counter()
    await asyncio.gather(*(client(base, deadline, latencies, errors, sizes) for _ in range(clients)))
    elapsed = time.perf_counter() - started
    latencies.sort()
    return {
        "benchmark": "portal-load",
        "clients": clients,
        "seconds": round(elapsed, 1),
        "requests": len(latencies),
        "errors": len(errors),
        "requests_per_second": round(len(latencies) / elapsed, 1),
        "megabytes_per_second": round(sum(sizes) / elapsed / 1e6, 1),
        "p50_ms": round(latencies[len(latencies) // 2] * 1000, 1),
        "p99_ms": round(latencies[int(len(latencies) * 0.99)] * 1000, 1),
        "first_errors": errors[:5],
    }


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=20)
    args = parser.parse_args()
    python = sys.executable
    with tempfile.TemporaryDirectory() as tmp:
        outputs = Path(tmp) / "outputs"
        subprocess.run([python, "-m", "pipeline.cli", "convert", str(ROOT / "tests/fixtures/seed.md"),
                        "--outputs", str(outputs)], check=True, capture_output=True, cwd=ROOT)  # fmt: skip
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        server = subprocess.Popen(
            [python, "-m", "pipeline.cli", "web", "--outputs", str(outputs), "--port", str(port)],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ},
        )  # fmt: skip
        try:
            base = f"http://127.0.0.1:{port}"
            for _ in range(200):
                try:
                    httpx.get(base + "/healthz", timeout=1)
                    break
                except httpx.HTTPError:
                    time.sleep(0.1)
            print(json.dumps(asyncio.run(run(base, args.clients, args.seconds)), ensure_ascii=False))
        finally:
            server.terminate()
            server.wait(timeout=10)


if __name__ == "__main__":
    main()
