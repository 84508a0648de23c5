"""The seal ledger: one line per published bag, each chained to the one before.

BagIt's manifests catch accidental damage, not a tamperer who edits a file and regenerates the
manifests. The ledger lives outside the bags (``outputs/ledger.jsonl``), is only ever appended
to, and records the SHA-256 of each bag's tag manifest at the time it was published; every
entry carries the hash of the previous entry, so editing or deleting a past entry breaks the
chain. Appends are serialized with a file lock, so concurrent runs cannot interleave.

With a signing key (``pipeline.archive.seal``) every entry also carries the key's id and an Ed25519
signature of its hash, so an entry appended by anyone without the key is caught. The head (the
count of entries and the last hash, ``N:HASH``) can be noted down and compared later: a ledger
cut back by its last entries is then caught too.

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
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey

from pipeline.archive import seal
from pipeline.archive.runlock import run_holds_lock

LEDGER = "ledger.jsonl"
GENESIS = "0" * 64
GENESIS_HEAD = f"0:{GENESIS}"
log = logging.getLogger(__name__)


class LedgerError(ValueError):
    """The ledger cannot be appended to; the message says why, in Chinese."""


class LedgerDamaged(LedgerError):
    """A whole line of the ledger is not an entry: the file was edited or damaged."""


def _entry_hash(entry: dict) -> str:
    body = {k: v for k, v in entry.items() if k not in ("hash", "sig")}
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
    try:
        key = seal.signing_key(outputs)
    except seal.SealKeyError as exc:
        raise LedgerError(str(exc)) from None
    with (outputs / ".ledger.lock").open("a") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        if not run_holds_lock(outputs):  # checked under the ledger lock, just before writing
            raise LedgerError("本次运行已经结束，输出目录锁已释放（运行进程被终止？），本工作进程不再写入")
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
        if key is not None:
            entry["key"] = seal.key_id(key.public_key())
        entry["hash"] = _entry_hash(entry)
        if key is not None:
            entry["sig"] = seal.sign(key, entry["hash"])
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
    problems: list[str]  # the ledger as a whole cannot be trusted: every bag reports these
    seals: dict[str, list[dict]]  # doc_id -> its entries, oldest first
    torn: str = ""  # a note about a torn last line, which is ignored
    head: str = GENESIS_HEAD  # "N:HASH" of the last whole entry
    unsigned: dict[int, str] = field(default_factory=dict)  # seq -> why its signature is not valid (with a key)

    def latest(self, doc_id: str) -> dict | None:
        """The newest entry of the document: the version its bag must be."""
        entries = self.seals.get(doc_id)
        return entries[-1] if entries else None

    def find(self, doc_id: str, tagmanifest_sha256: str) -> dict | None:
        """The newest entry sealing this exact tag manifest."""
        return next((e for e in reversed(self.seals.get(doc_id, [])) if e["tagmanifest_sha256"] == tagmanifest_sha256),
                    None)  # fmt: skip


def check_chain(outputs: Path, key: Ed25519PublicKey | None = None, expect_head: str = "") -> ChainReport:
    """The ledger's chain, checked once per version of the file (``up_to_date`` asks for every
    document of a batch; re-reading and re-hashing the whole ledger each time would be quadratic).
    With ``key``, every entry must be signed by it; with ``expect_head`` (``N:HASH``, noted down
    earlier), entry N must still exist and be the same."""
    path = outputs / LEDGER
    try:
        st = path.stat()
        stamp = (str(path.resolve()), st.st_mtime_ns, st.st_size)
    except OSError:
        stamp = (str(path), 0, 0)
    raw = key.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw) if key else None
    return _check_chain(outputs, stamp, raw, expect_head)


@functools.lru_cache(maxsize=16)
def _check_chain(outputs: Path, stamp: tuple[str, int, int], raw_key: bytes | None, expect_head: str) -> ChainReport:
    key = Ed25519PublicKey.from_public_bytes(raw_key) if raw_key else None
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
    unsigned: dict[int, str] = {}
    for n, entry in enumerate(contents.entries, 1):
        if entry.get("prev") != prev or entry.get("seq") != n:
            problems.append(f"封存台账第 {n} 条与前一条不衔接（台账被删改）")
        if entry.get("hash") != _entry_hash(entry):
            problems.append(f"封存台账第 {n} 条内容与其哈希不符（台账被改动）")
        if key is not None:
            why = _signature_problem(entry, key)
            if why:
                unsigned[n] = why
        prev = entry.get("hash", "")
        seals.setdefault(entry.get("doc_id", ""), []).append(entry)
    if unsigned:
        listed = "、".join(f"第 {n} 条（{contents.entries[n - 1].get('doc_id', '')}）" for n in list(unsigned)[:10])
        problems.append(f"封存台账中 {len(unsigned)} 条记录没有本密钥的有效签名：{listed}"
                        "（不是由持有签名私钥的流水线写入的，疑似伪造）")  # fmt: skip
    head = f"{len(contents.entries)}:{prev}" if contents.entries else GENESIS_HEAD
    if expect_head:
        problems += _head_problems(contents.entries, expect_head)
    return ChainReport(problems, seals, torn, head, unsigned)


def _signature_problem(entry: dict, key: Ed25519PublicKey) -> str:
    if "sig" not in entry:
        return "未签名"
    if entry.get("key") != seal.key_id(key):
        return f"由另一把密钥（{entry.get('key', '')}）签名"
    if not seal.valid(key, entry.get("hash", ""), str(entry["sig"])):
        return "签名无效"
    return ""


def _head_problems(entries: list[dict], expected: str) -> list[str]:
    """Entry N of ``N:HASH`` must still be there, unchanged: the ledger may only have grown."""
    count, _, digest = expected.partition(":")
    if not count.isdigit() or len(digest) != 64:
        return [f"--expect-head 的值 {expected} 格式不对（应为 条数:哈希，即 pipeline head 的输出）"]
    n = int(count)
    if n > len(entries):
        missing = n - len(entries)
        return [f"封存台账只有 {len(entries)} 条记录，少于此前记下的 {n} 条：末尾 {missing} 条被删除（台账被截短）"]
    if n and entries[n - 1].get("hash") != digest:
        return [f"封存台账第 {n} 条与此前记下的台账头 {expected[:24]}… 不符（台账被改写）"]
    return []
