"""Which font files a rendered PDF really used: for provenance, and for `pipeline fonts`.

WeasyPrint resolves CSS families through fontconfig; the record names the family and the
file's SHA-256, because a re-render is byte-identical only with the very same font files.
"""

from __future__ import annotations

import functools
import subprocess
from pathlib import Path

from pipeline.fixity import sha256_file


@functools.cache
def font_file(family: str, weight: int = 400) -> Path | None:
    style = "Bold" if weight >= 600 else "Regular"
    try:
        out = subprocess.run(
            ["fc-match", "-f", "%{file}", f"{family}:style={style}"], capture_output=True, text=True, timeout=10
        ).stdout.strip()
    except (OSError, subprocess.TimeoutExpired):
        return None
    return Path(out) if out else None


@functools.cache
def font_digest(path: Path) -> str:
    return sha256_file(path)
