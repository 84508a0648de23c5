"""Normalizer speed over the real corpus (not collected by pytest).

    .venv/bin/python tests/bench/normalize_bench.py [--repeat 5]

Prints one line per document and a final JSON line with all figures.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from pipeline.ingest.read import read_document  # noqa: E402
from pipeline.normalize import normalize  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    corpus = sorted((ROOT / "tests" / "fixtures" / "corpus").glob("[0-9][0-9]-*"))
    docs = [read_document(p, p.stem) for p in corpus]
    normalize(docs[0])  # warm regex caches
    rows = []
    for doc in docs:
        times = []
        for _ in range(args.repeat):
            started = time.perf_counter()
            normalize(doc)
            times.append((time.perf_counter() - started) * 1000)
        rows.append(
            {
                "doc": doc.doc_id[:2],
                "chars": len(doc.text),
                "median_ms": round(statistics.median(times), 1),
                "max_ms": round(max(times), 1),
            }
        )
        print(f"{doc.doc_id[:40]:40} {len(doc.text):7} chars  median {rows[-1]['median_ms']:7.1f} ms")
    total_chars = sum(r["chars"] for r in rows)
    total_ms = sum(r["median_ms"] for r in rows)
    print(
        json.dumps(
            {
                "benchmark": "normalize",
                "documents": len(rows),
                "chars": total_chars,
                "total_median_ms": round(total_ms, 1),
                "per_doc_median_ms": round(statistics.median(r["median_ms"] for r in rows), 1),
                "per_doc_max_ms": max(r["max_ms"] for r in rows),
                "chars_per_second": round(total_chars / (total_ms / 1000)),
                "rows": rows,
            },
            ensure_ascii=False,
        )
    )


if __name__ == "__main__":
    main()
