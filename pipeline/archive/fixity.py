"""Streamed digests, shared by the archive writer and the verifier."""

from __future__ import annotations

import hashlib
from pathlib import Path

CHUNK = 1 << 20


def sha256_file(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while chunk := fh.read(CHUNK):
            digest.update(chunk)
    return digest.hexdigest()


def sha256_bytes(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def sm3(data: bytes) -> str | None:
    """SM3 (GB/T 32905) where the platform's OpenSSL has it."""
    try:
        return hashlib.new("sm3", data).hexdigest()
    except ValueError:
        return None
