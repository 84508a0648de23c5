"""Where the style bundle lives and which PDF variant it makes.

Apart from ``render`` so that what needs only these names (the incremental fingerprint, the
archive record, the portal) does not load WeasyPrint: a run whose documents are all unchanged
never renders, and its start-up is most of its time.
"""

from __future__ import annotations

import os
from pathlib import Path


def _bundle() -> Path:
    """The repository's styles/ folder, or the copy an installed package carries."""
    package = Path(__file__).resolve().parents[1]
    return next((p for p in (package.parent / "styles", package / "styles_bundle") if (p / "official.css").is_file()),
                package.parent / "styles")  # fmt: skip


STYLES_DIR = Path(os.environ.get("PIPELINE_STYLES") or _bundle())
STYLESHEET = STYLES_DIR / "official.css"
PDF_VARIANT = "pdf/a-3u"
