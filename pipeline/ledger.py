"""The seal ledger: one line per published bag, each chained to the one before.

BagIt's manifests catch accidental damage, not a tamperer who edits a file and regenerates the
manifests. The ledger lives outside the bags (``outputs/ledger.jsonl``), is only ever appended
to, and records the SHA-256 of each bag's tag manifest at the time it was published; every
entry carries the hash of the previous entry, so editing or deleting a past entry breaks the
chain. Appends are serialized with a file lock, so concurrent runs cannot interleave.

An append is all or nothing: a short write (a full disk) is cut back to the old length before
the error goes on. A line without its line end can only be what a crash left in the middle of
an append; it is reported, ignored by readers, and removed by the next append.
"""

from __future__ import annotations

import fcntl
import functools
import hashlib
import json
import logging
import os
from dataclasses import dataclass
from pathlib import Path

LEDGER = "ledger.jsonl"
GENESIS = "0" * 64
log = logging.getLogger(__name__)


class LedgerDamaged(ValueError):
    """A whole line of the ledger is not an entry: the file was edited or damaged."""


def _entry_hash(entry: dict) -> str:
    body = {k: v for k, v in entry.items() if k != "hash"}
    return hashlib.sha256(json.dumps(body, ensure_ascii=False, sort_keys=True).encode("utf-8")).hexdigest()


@dataclass(frozen=True)
class Contents:
    entries: list[dict]
    whole: int  # bytes up to the end of the last whole line
    torn: bytes  # what follows it: a crashed append's partial line, or b""


def load(outputs: Path) -> Contents:
    """The ledger's whole entries and any torn tail; LedgerDamaged if a whole line is not JSON."""
    try:
        data = (outputs / LEDGER).read_bytes()
    except FileNotFoundError:
        return Contents([], 0, b"")
    whole = data.rfind(b"\n") + 1
    entries = []
    for n, line in enumerate(data[:whole].split(b"\n")[:-1], 1):
        if not line.strip():
            continue
        try:
            entries.append(json.loads(line))
        except (json.JSONDecodeError, UnicodeDecodeError) as exc:
            raise LedgerDamaged(f"第 {n} 行无法解析（{exc}）") from None
    return Contents(entries, whole, data[whole:])


def read(outputs: Path) -> list[dict]:
    return load(outputs).entries


def append(outputs: Path, doc_id: str, tagmanifest_sha256: str, record_sha256: str, time: str) -> dict:
    path = outputs / LEDGER
    with (outputs / ".ledger.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        contents = load(outputs)  # LedgerDamaged: never append to a ledger someone has edited
        entries = contents.entries
        entry = {
            "seq": len(entries) + 1,
            "doc_id": doc_id,
            "tagmanifest_sha256": tagmanifest_sha256,
            "record_sha256": record_sha256,
            "time": time,
            "prev": entries[-1]["hash"] if entries else GENESIS,
        }
        entry["hash"] = _entry_hash(entry)
        line = (json.dumps(entry, ensure_ascii=False, sort_keys=True) + "\n").encode("utf-8")
        fd = os.open(path, os.O_WRONLY | os.O_CREAT, 0o644)
        try:
            if contents.torn:
                log.warning("%s：删除末尾不完整的一行（上次写入时中断）：%r", path, contents.torn[:80])
            os.ftruncate(fd, contents.whole)
            _write_all(fd, line, contents.whole, path)
        finally:
            os.close(fd)
    return entry


def _write_all(fd: int, data: bytes, at: int, path: Path) -> None:
    """Write ``data`` at offset ``at`` and make it durable, or leave the file ``at`` bytes long."""
    try:
        view = memoryview(data)
        offset = at
        while view:
            written = os.pwrite(fd, view, offset)
            view, offset = view[written:], offset + written
        os.fsync(fd)
    except OSError as exc:
        os.ftruncate(fd, at)
        raise OSError(exc.errno, exc.strerror, str(path)) from None


@dataclass
class ChainReport:
    problems: list[str]
    seals: dict[str, list[dict]]  # doc_id -> its entries, oldest first
    torn: str = ""  # a note about a torn last line, which is ignored

    def latest(self, doc_id: str) -> dict | None:
        """The newest entry of the document: the version its bag must be."""
        entries = self.seals.get(doc_id)
        return entries[-1] if entries else None

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
        contents = load(outputs)
    except LedgerDamaged as exc:
        return ChainReport([f"封存台账 {LEDGER} 已损坏，{exc}"], {})
    torn = ""
    if contents.torn:
        torn = (f"封存台账 {LEDGER} 末尾有一条不完整的记录（{len(contents.torn)} 字节，写入时中断留下），已忽略；"
                "它之前的记录不受影响，下次转换时会自动删除")  # fmt: skip
    prev = GENESIS
    for n, entry in enumerate(contents.entries, 1):
        if entry.get("prev") != prev or entry.get("seq") != n:
            problems.append(f"封存台账第 {n} 条与前一条不衔接（台账被删改）")
        if entry.get("hash") != _entry_hash(entry):
            problems.append(f"封存台账第 {n} 条内容与其哈希不符（台账被改动）")
        prev = entry.get("hash", "")
        seals.setdefault(entry.get("doc_id", ""), []).append(entry)
    return ChainReport(problems, seals, torn)
