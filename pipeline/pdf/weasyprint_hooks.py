"""Every place the pipeline reaches into WeasyPrint's internals, in one list, in effect only
inside ``rendering()`` (``pipeline.pdf.render`` enters it around each render; ``pipeline.pdf.hooks``
explains the scoping).

What each hook is for, and why no public API does it:

- ``layout.inline.split_first_line`` (line breaking) and ``layout.preferred.split_first_line``
  (table measuring): full lines of 28 characters with hanging punctuation, break rules around
  quotation marks and addresses, a line box of the style's own font (pipeline.pdf.lines);
- ``layout.inline.justify_line``: inter-character justification of Chinese lines;
- ``text.line_break.Layout.set_text``: half-width forms of full-width marks through Pango
  attributes;
- ``layout.block.block_level_layout`` and ``block_container_layout``: tables and blocks kept on
  the 22-row grid;
- ``pdf.fonts.Font._harfbuzz_subset``, ``Font.type``, ``Font.file_content``,
  ``pdf.fonts.get_hb_object_data`` and ``pdf.build_fonts_dictionary``: CID-keyed CFF fonts
  embedded as bare CFF subsets under their own CIDs (pipeline.pdf.embedding). WeasyPrint's
  ``finisher`` runs after the fonts are written, too late to change how they are subset.

WeasyPrint is pinned (constraints.txt); tests/test_hooks.py fails naming any hook that no longer
fires on a render of the seed, and checks that a render outside ``rendering()`` (before, after,
and in another thread during a pipeline render) is WeasyPrint's own.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from weasyprint import pdf as wp_pdf
from weasyprint.layout import block, inline, preferred
from weasyprint.pdf import fonts as wp_fonts
from weasyprint.text import line_break

from pipeline.pdf import embedding, grid, lines
from pipeline.pdf.hooks import Hook, patched

HOOKS: tuple[Hook, ...] = (
    Hook(inline, "split_first_line", lines.split_on_strut),
    Hook(preferred, "split_first_line", lines.measure_split),
    Hook(inline, "justify_line", lines.justify_line),
    Hook(line_break.Layout, "set_text", lines.set_text),
    Hook(block, "block_level_layout", grid.block_level_layout),
    Hook(block, "block_container_layout", grid.block_container_layout),
    Hook(wp_fonts.Font, "_harfbuzz_subset", embedding.subset),
    Hook(wp_fonts.Font, "type", property(embedding.font_type)),
    Hook(wp_fonts.Font, "file_content", embedding.FILE_CONTENT),
    Hook(wp_fonts, "get_hb_object_data", embedding.face_data),
    Hook(wp_pdf, "build_fonts_dictionary", embedding.build_fonts),
)

# A fixed epoch for reproducible font subsets; the PDF's own dates come from the document.
EPOCH = "946684800"
_epoch_lock = threading.Lock()
_epoch_users = 0
_epoch_saved: str | None = None


@contextmanager
def _source_date_epoch() -> Iterator[None]:
    """``SOURCE_DATE_EPOCH`` set while any render runs, and put back as it was afterwards."""
    global _epoch_users, _epoch_saved
    with _epoch_lock:
        if not _epoch_users:
            _epoch_saved = os.environ.get("SOURCE_DATE_EPOCH")
            os.environ.setdefault("SOURCE_DATE_EPOCH", EPOCH)
        _epoch_users += 1
    try:
        yield
    finally:
        with _epoch_lock:
            _epoch_users -= 1
            if not _epoch_users:
                if _epoch_saved is None:
                    os.environ.pop("SOURCE_DATE_EPOCH", None)
                else:
                    os.environ["SOURCE_DATE_EPOCH"] = _epoch_saved


@contextmanager
def rendering() -> Iterator[None]:
    """The block runs with every hook in effect (for this thread) and a fixed SOURCE_DATE_EPOCH."""
    with _source_date_epoch(), patched(HOOKS):
        yield
