"""Finding the documents to convert and giving each a stable id.

The id names the output folder and appears in portal URLs, so it must be stable across runs
and safe everywhere: lowercase ASCII letters, digits, ``-`` and ``_``. Names that are not
already safe (Chinese file names, spaces) keep a readable ASCII part plus a short hash of the
path relative to the input folder, so two different files never share an id by accident.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

SOURCE_SUFFIXES = (".md", ".markdown", ".txt")
_SAFE_RE = re.compile(r"^[a-z0-9][a-z0-9_-]{0,80}$")


@dataclass(frozen=True)
class Source:
    doc_id: str
    path: Path


def doc_id_for(path: Path, root: Path | None = None) -> str:
    stem = path.stem
    if _SAFE_RE.fullmatch(stem):
        return stem
    rel = path.relative_to(root).as_posix() if root and path.is_relative_to(root) else path.name
    ascii_part = re.sub(r"[^a-z0-9]+", "-", stem.lower()).strip("-")[:40]
    digest = hashlib.sha256(rel.encode("utf-8")).hexdigest()[:10]
    return f"{ascii_part}-{digest}" if ascii_part else f"doc-{digest}"


def discover(root: Path) -> list[Source]:
    """All source files under ``root``, sorted by path; hidden files and folders are skipped, and
    symlinked folders are not entered (a link must not pull files from outside the input folder).
    Symlinked files are listed so that reading them fails with a clear message.

    Paths are absolute, so nothing depends on the working directory of a worker."""
    root = root.absolute()
    if root.is_file() or root.is_symlink():
        return [Source(doc_id_for(root), root)]
    found = []
    for folder, dirs, files in os.walk(root, followlinks=False):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in files:
            if not name.startswith(".") and Path(name).suffix.lower() in SOURCE_SUFFIXES:
                found.append(Path(folder) / name)
    return [Source(doc_id_for(p, root), p) for p in sorted(found)]


def duplicate_ids(sources: list[Source]) -> dict[str, list[Path]]:
    """Ids claimed by more than one source file (e.g. ``a.md`` and ``a.txt``)."""
    by_id: dict[str, list[Path]] = {}
    for s in sources:
        by_id.setdefault(s.doc_id, []).append(s.path)
    return {k: v for k, v in by_id.items() if len(v) > 1}
