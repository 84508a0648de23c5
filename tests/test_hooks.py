"""The WeasyPrint hooks: each still fires on the pinned version, and none leaks out of a render."""

from __future__ import annotations

import io
import os
import threading

import pdfplumber
import pytest
from weasyprint import HTML
from weasyprint.layout import block, inline
from weasyprint.pdf import fonts as wp_fonts

from pipeline.core.model import Document
from pipeline.ingest.read import read_document
from pipeline.normalize import normalize
from pipeline.pdf import hooks, weasyprint_hooks
from pipeline.pdf.render import render_pdf
from pipeline.xhtml.build import to_xhtml
from tests.conftest import SEED, SEED_ID

# An ordinary WeasyPrint document, nothing to do with the pipeline: a table of Chinese text, a
# justified paragraph with full-width marks, a CJK font to subset.
UNRELATED = """<html lang="zh"><head><style>
@page { size: 120mm 100mm; margin: 10mm }
body { font-family: "Noto Serif CJK SC"; font-size: 12pt; text-align: justify; line-height: 1.3 }
td { border: 1px solid black; padding: 2pt }
</style></head><body>
<p>这是一个与流水线无关的文档：它的表格、两端对齐和标点，应与导入流水线之前完全相同。“引号”（括号）、顿号。</p>
<table><tr><td>第一格，较长的文字会折行显示在单元格中</td><td>二</td></tr><tr><td>三</td><td>四、五</td></tr></table>
</body></html>"""


def layout_of(html: str) -> list[tuple]:
    """Every character of the PDF with its position and font, the table's rules, and how each
    font program is embedded."""
    pdf = HTML(string=html).write_pdf()
    with pdfplumber.open(io.BytesIO(pdf)) as doc:
        chars = [(c["text"], round(c["x0"], 2), round(c["top"], 2), c["fontname"]) for p in doc.pages for c in p.chars]
        rects = [(round(r["x0"], 2), round(r["top"], 2), round(r["width"], 2), round(r["height"], 2))
                 for p in doc.pages for r in p.rects]  # fmt: skip
    return [*chars, *rects, *embedded_fonts(pdf)]


def embedded_fonts(pdf: bytes) -> list[tuple]:
    """(font name, font file key, its subtype, its length) of every embedded font program."""
    from pypdf import PdfReader

    found = []
    for page in PdfReader(io.BytesIO(pdf)).pages:
        for font in page["/Resources"]["/Font"].values():
            font = font.get_object()
            for descendant in font.get("/DescendantFonts", [font]):
                descriptor = descendant.get_object()["/FontDescriptor"].get_object()
                for key in ("/FontFile", "/FontFile2", "/FontFile3"):
                    if key in descriptor:
                        program = descriptor[key].get_object()
                        subtype, size = str(program.get("/Subtype")), len(program.get_data())
                        found.append((str(font["/BaseFont"]), key, subtype, size))
    return sorted(found)


def seed_document() -> Document:
    return to_xhtml(normalize(read_document(SEED, SEED_ID)))


def test_every_hook_fires_on_a_render_of_the_seed():
    before = {repr(h): h.calls for h in weasyprint_hooks.HOOKS}
    render_pdf(seed_document())
    silent = [name for name, calls in ((repr(h), h.calls) for h in weasyprint_hooks.HOOKS) if calls == before[name]]
    assert not silent, f"these WeasyPrint hooks no longer take effect (a WeasyPrint upgrade?): {silent}"


def test_nothing_is_bound_outside_a_render():
    """After a render, WeasyPrint's own functions are back in place, and the epoch is unset."""
    originals = {repr(h): h.original for h in weasyprint_hooks.HOOKS}
    render_pdf(seed_document())
    assert {repr(h): h.original for h in weasyprint_hooks.HOOKS} == originals
    assert inline.split_first_line is originals["weasyprint.layout.inline.split_first_line"]
    assert block.block_level_layout is originals["weasyprint.layout.block.block_level_layout"]
    assert wp_fonts.Font.__dict__.get("file_content") is None  # an instance attribute again
    assert not hooks.active()
    if "SOURCE_DATE_EPOCH" not in os.environ:
        return
    pytest.fail("SOURCE_DATE_EPOCH was left set for the whole process")


def test_an_unrelated_render_is_unchanged_before_during_and_after():
    before = layout_of(UNRELATED)
    seen_during: list[list[tuple]] = []
    inside = threading.Event()
    done = threading.Event()

    def other_thread() -> None:
        inside.wait(60)
        seen_during.append(layout_of(UNRELATED))  # while the pipeline renders in the main thread
        done.set()

    worker = threading.Thread(target=other_thread)
    worker.start()
    doc = seed_document()
    with weasyprint_hooks.rendering():
        inside.set()
        render_pdf(doc)
        assert done.wait(120), "the other thread's render did not finish"
    worker.join()
    after = layout_of(UNRELATED)
    assert seen_during == [before]
    assert after == before


def test_the_hooks_do_take_effect_inside_a_render():
    """The comparison above could pass if the hooks did nothing at all: inside ``rendering`` the
    same document is laid out differently (justification and half-width marks)."""
    plain = layout_of(UNRELATED)
    with weasyprint_hooks.rendering():
        hooked = layout_of(UNRELATED)
    assert hooked != plain


def test_the_prefect_pool_hook_still_holds():
    """ForkedProcessPool reaches into Prefect's ProcessPoolTaskRunner (its ``_executor``) and the
    standard library's pool (``_initializer``, ``_initargs``): on an upgrade that moves them, this
    fails instead of the batch silently spawning fresh interpreters."""
    from pipeline.orchestrate.flows import ForkedProcessPool
    from pipeline.orchestrate.workers import init_worker

    with ForkedProcessPool(max_workers=2) as pool:
        executor = pool._executor
        assert executor is not None and executor._mp_context.get_start_method() == "forkserver"
        assert executor._initializer is init_worker
        prefects, _ = executor._initargs
        assert callable(prefects)  # Prefect's own initializer (log and event forwarding), kept
