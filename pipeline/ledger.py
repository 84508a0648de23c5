"""The seal ledger: one line per published bag, each chained to the one before.

BagIt's manifests catch accidental damage, not a tamperer who edits a file and regenerates the
manifests. The ledger lives outside the bags (``outputs/ledger.jsonl``), is only ever appended
to, and records the SHA-256 of each bag's tag manifest at the time it was published; every
entry carries the hash of the previous entry, so editing or deleting a past entry breaks the
chain. Appends are serialized with a file lock, so concurrent runs cannot interleave.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import json
from dataclasses import dataclass
from pathlib import Path

LEDGER = "ledger.jsonl"
GENESIS = "0" * 64


def _entry_hash(entry: dict) -> str:
    body = {k: v for k, v in entry.items() if k != "hash"}
    return hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


def append(outputs: Path, doc_id: str, tagmanifest_sha256: str, record_sha256: str, time: str) -> dict:
    path = outputs / LEDGER
    with (outputs / ".ledger.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        entries = read(outputs)
        entry = {
            "seq": len(entries) + 1,
            "doc_id": doc_id,
            "tagmanifest_sha256": tagmanifest_sha256,
            "record_sha256": record_sha256,
            "time": time,
            "prev": entries[-1]["hash"] if entries else GENESIS,
        }
        entry["hash"] = _entry_hash(entry)
        with path.open("a", encoding="utf-8") as fh:
            fh.write(json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n")
            fh.flush()
    return entry


def read(outputs: Path) -> list[dict]:
    path = outputs / LEDGER
    if not path.exists():
        return []
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


@dataclass
class ChainReport:
    problems: list[str]
    seals: dict[str, list[dict]]  # doc_id -> its entries, oldest first

    def find(self, doc_id: str, tagmanifest_sha256: str) -> dict | None:
        """The newest entry sealing this exact tag manifest."""
        return next((e for e in reversed(self.seals.get(doc_id, [])) if e["tagmanifest_sha256"] == tagmanifest_sha256),
                    None)  # fmt: skip


def check_chain(outputs: Path) -> ChainReport:
    """The ledger's chain, checked once per version of the file (``up_to_date`` asks for every
    document of a batch; re-reading and re-hashing the whole ledger each time would be quadratic)."""
    path = outputs / LEDGER
    try:
        st = path.stat()
        stamp = (str(path.resolve()), st.st_mtime_ns, st.st_size)
    except OSError:
        stamp = (str(path), 0, 0)
    return _check_chain(outputs, stamp)


@functools.lru_cache(maxsize=16)
def _check_chain(outputs: Path, stamp: tuple[str, int, int]) -> ChainReport:
    problems: list[str] = []
    seals: dict[str, list[dict]] = {}
    try:
        entries = read(outputs)
    except (json.JSONDecodeError, UnicodeDecodeError) as exc:
        return ChainReport([f"封存台账 {LEDGER} 已损坏，无法解析（{exc}）"], {})
    prev = GENESIS
    for n, entry in enumerate(entries, 1):
        if entry.get("prev") != prev or entry.get("seq") != n:
            problems.append(f"封存台账第 {n} 条与前一条不衔接（台账被删改）")
        if entry.get("hash") != _entry_hash(entry):
            problems.append(f"封存台账第 {n} 条内容与其哈希不符（台账被改动）")
        prev = entry.get("hash", "")
        seals.setdefault(entry.get("doc_id", ""), []).append(entry)
    return ChainReport(problems, seals)
