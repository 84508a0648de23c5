"""Where the style bundle lives and which PDF variant it makes.

Apart from ``render`` so that what needs only these names (the incremental fingerprint, the
archive record, the portal) does not load WeasyPrint: a run whose documents are all unchanged
never renders, and its start-up is most of its time.
"""

from __future__ import annotations

import os
from pathlib import Path

STYLES_DIR = Path(os.environ.get("PIPELINE_STYLES", Path(__file__).resolve().parent.parent / "styles"))
STYLESHEET = STYLES_DIR / "official.css"
PDF_VARIANT = "pdf/a-3u"
