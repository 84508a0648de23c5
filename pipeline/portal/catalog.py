"""The published bags as the portal sees them: each bag's record read once (size-capped), its files
listed from its manifest, no symlinks and nothing outside outputs/.
"""

from __future__ import annotations

import logging
import os
import re
import stat
from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Generic, TypeVar
from urllib.parse import quote

from lxml import etree

from pipeline.archive.incremental import bag_info
from pipeline.archive.recordschema import RECORD_NS

_NS = {"r": RECORD_NS}


log = logging.getLogger(__name__)


_SAFE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,120}$")


T = TypeVar("T")


class FileCache(Generic[T]):
    """What was read from files, read again only when a file changes (its time, size or inode)."""

    def __init__(self) -> None:
        self._entries: dict[str, tuple[tuple[int, int, int], T]] = {}

    def get(self, key: str, path: Path, read: Callable[[os.stat_result], T]) -> T | None:
        """``read(stat)`` of the file at ``path`` (None when it cannot be stat'ed), cached under ``key``."""
        try:
            st = path.stat()
        except OSError:
            return None
        stamp = (st.st_mtime_ns, st.st_size, st.st_ino)
        cached = self._entries.get(key)
        if cached and cached[0] == stamp:
            return cached[1]
        value = read(st)
        self._entries[key] = (stamp, value)
        return value


@dataclass(frozen=True)
class FileInfo:
    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Entry:
    doc_id: str
    title: str
    organ: str
    year: str
    date: str
    pages: int
    genre: str
    doc_number: str
    generated: str
    status: str
    status_class: str
    checks: list[dict] = field(default_factory=list)
    files: list[FileInfo] = field(default_factory=list)

    def file(self, name: str) -> FileInfo | None:
        return next((f for f in self.files if f.name == name), None)

    def api(self, base: str) -> dict:
        data = asdict(self)
        data["urls"] = {
            "page": f"{base}/doc/{self.doc_id}",
            "pdf": f"{base}/files/{self.doc_id}/document.pdf",
            "xhtml": f"{base}/files/{self.doc_id}/document.xhtml",
            "record": f"{base}/files/{self.doc_id}/record.xml",
            "bag": f"{base}/files/{self.doc_id}/bag.zip",
        }
        return data


def max_record_bytes() -> int:
    """Records larger than this are not parsed (PIPELINE_PORTAL_MAX_RECORD_BYTES): a record of the
    corpus is 20-80 KB; a forged one of 100 MB would hold a worker thread and gigabytes."""
    return int(os.environ.get("PIPELINE_PORTAL_MAX_RECORD_BYTES", 16 << 20))


def _read_entry(bag: Path, record_path: Path) -> Entry | None:
    try:
        if record_path.stat().st_size > max_record_bytes():
            log.warning("%s：record.xml 超过 %d 字节，不予解析", bag, max_record_bytes())
            return None
        record = etree.parse(str(record_path))
    except (OSError, etree.XMLSyntaxError):
        return None

    def text(path: str) -> str:
        return text_of(record.getroot(), path)

    files = []
    for item in record.iterfind(".//r:文档", _NS):
        files.append(FileInfo(text_of(item, "r:计算机文件名"), int(text_of(item, "r:计算机文件大小") or 0),
                              text_of(item, "r:数字摘要[@算法='SHA-256']")))  # fmt: skip
    manifest = _manifest(bag)
    if "data/record.xml" in manifest:
        files.append(FileInfo("record.xml", record_path.stat().st_size, manifest["data/record.xml"]))
    checks = [
        {"id": c.get("标识"), "result": c.get("结果"), "detail": c.text or ""}
        for c in record.iterfind(".//r:检查", _NS)
    ]
    results = {c["result"] for c in checks}
    status, css = (
        ("未通过", "bad") if "未通过" in results else ("需人工核对", "warn") if "警告" in results else ("通过", "ok")
    )
    generated = text(".//r:行为时间") or bag_info(bag).get("Bagging-Date", "")
    return Entry(
        doc_id=bag.name,
        title=text(".//r:题名"),
        organ=text(".//r:责任者"),
        year=_year(text(".//r:年度"), text(".//r:日期")),
        date=text(".//r:日期"),
        pages=int(text(".//r:页数") or 0),
        genre=text(".//r:文种"),
        doc_number=text(".//r:文件编号"),
        generated=generated[:19].replace("T", " "),
        status=status,
        status_class=css,
        checks=checks,
        files=files,
    )


def _year(year: str, date: str) -> str:
    """The record's 年度; records before 0.1 wrote 1900 for a document without any date."""
    return "" if year == "1900" and not date else year


def text_of(el: etree._Element, path: str) -> str:
    return el.findtext(path, default="", namespaces=_NS) or ""


def _manifest(bag: Path) -> dict[str, str]:
    try:
        lines = (bag / "manifest-sha256.txt").read_text(encoding="utf-8").splitlines()
    except OSError:
        return {}
    return {name.strip(): digest for digest, _, name in (line.partition(" ") for line in lines if line)}


class Catalog:
    """The bags under ``outputs/``, re-scanned on every request, parsed only when they change."""

    def __init__(self, outputs: Path) -> None:
        self.root = outputs.resolve()
        self._entries: FileCache[Entry | None] = FileCache()

    def entries(self) -> list[Entry]:
        found = []
        try:
            children = sorted(self.root.iterdir())
        except OSError:
            return []
        for bag in children:
            if not _SAFE_ID.fullmatch(bag.name) or bag.is_symlink() or not (bag / "bagit.txt").is_file():
                continue
            entry = self._entry(bag)
            if entry:
                found.append(entry)
        return sorted(found, key=lambda e: (e.date or e.year, e.generated, e.doc_id), reverse=True)

    def get(self, doc_id: str) -> Entry | None:
        if not _SAFE_ID.fullmatch(doc_id):
            return None
        bag = self.root / doc_id
        if bag.is_symlink() or not (bag / "bagit.txt").is_file():
            return None
        return self._entry(bag)

    def _entry(self, bag: Path) -> Entry | None:
        return self._entries.get(bag.name, bag / "tagmanifest-sha256.txt", lambda _: self._read(bag))

    def _read(self, bag: Path) -> Entry | None:
        record = self.path(bag.name, "record.xml")  # never through a symlink, never outside outputs/
        return _read_entry(bag, record) if record else None

    def path(self, doc_id: str, name: str) -> Path | None:
        """The file to serve, or None: only files the bag's record lists, inside outputs/."""
        path = self.root / doc_id / "data" / name
        try:
            resolved = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        if path.is_symlink() or not resolved.is_relative_to(self.root) or not resolved.is_file():
            return None
        return resolved


def _disposition(kind: str, ascii_name: str, title: str, suffix: str) -> str:
    """RFC 6266 with an RFC 5987 ``filename*`` carrying the Chinese title."""
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(title + suffix, safe='')}"


def plain_file(root: Path, path: Path) -> Path | None:
    """``path`` if it is a regular file with one link, inside ``root``, reached without symlinks."""
    try:
        st = path.lstat()
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not stat.S_ISREG(st.st_mode) or st.st_nlink != 1 or resolved != path.absolute():
        return None
    return path if resolved.is_relative_to(root) else None
