"""Incremental runs: unchanged documents are skipped, anything changed is rebuilt."""

from __future__ import annotations

from pathlib import Path

import pytest

from pipeline.archive import incremental
from pipeline.orchestrate.convert import convert_file
from tests.conftest import SEED, SEED_ID

pytestmark = pytest.mark.slow  # renders, subprocesses, servers or browsers: not in the quick run


@pytest.fixture
def source(tmp_path: Path) -> Path:
    path = tmp_path / "in" / f"{SEED_ID}.md"
    path.parent.mkdir()
    path.write_bytes(SEED.read_bytes())
    return path


def pdf_stat(outputs: Path) -> int:
    return (outputs / SEED_ID / "data" / "document.pdf").stat().st_mtime_ns


def test_unchanged_is_skipped_then_changes_rebuild(source: Path, tmp_path: Path):
    outputs = tmp_path / "out"
    first = convert_file(source, SEED_ID, outputs)
    assert first.ok and not first.skipped
    before = pdf_stat(outputs)
    again = convert_file(source, SEED_ID, outputs)
    assert again.ok and again.skipped and again.title.startswith("海阳市") and again.pages == first.pages
    assert pdf_stat(outputs) == before
    # the same path, new content: rebuilt
    source.write_text(source.read_text(encoding="utf-8").replace("二十余条", "三十余条"), encoding="utf-8")
    edited = convert_file(source, SEED_ID, outputs)
    assert edited.ok and not edited.skipped
    assert (outputs / SEED_ID / "data" / "source.md").read_bytes() == source.read_bytes()
    # force rebuilds even when nothing changed
    assert not convert_file(source, SEED_ID, outputs, force=True).skipped


def test_damaged_outputs_are_rebuilt(source: Path, tmp_path: Path):
    outputs = tmp_path / "out"
    assert convert_file(source, SEED_ID, outputs).ok
    (outputs / SEED_ID / "data" / "document.xhtml").write_text("damaged", encoding="utf-8")
    rebuilt = convert_file(source, SEED_ID, outputs)
    assert rebuilt.ok and not rebuilt.skipped
    assert "damaged" not in (outputs / SEED_ID / "data" / "document.xhtml").read_text(encoding="utf-8")


def test_new_pipeline_or_style_rebuilds(source: Path, tmp_path: Path, monkeypatch):
    outputs = tmp_path / "out"
    assert convert_file(source, SEED_ID, outputs).ok
    monkeypatch.setattr(incremental, "fingerprint", lambda: "another-style-bundle")
    assert not convert_file(source, SEED_ID, outputs).skipped


def test_flow_second_run_skips_and_only_selects(prefect_server, tmp_path: Path):
    from pipeline.orchestrate.flows import convert_batch

    inputs, outputs = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    (inputs / f"{SEED_ID}.md").write_bytes(SEED.read_bytes())
    (inputs / "copy.md").write_bytes(SEED.read_bytes())
    first = convert_batch(inputs=str(inputs), outputs=str(outputs), return_state=True).result()
    assert (first["succeeded"], first["skipped"]) == (2, 0)
    second = convert_batch(inputs=str(inputs), outputs=str(outputs), return_state=True).result()
    assert (second["succeeded"], second["skipped"]) == (2, 2)
    assert "未变化跳过 2 个" in second["message"]
    # one file's content changed in place: exactly that document is rendered again
    kept = pdf_stat(outputs)
    copy = inputs / "copy.md"
    copy.write_text(copy.read_text(encoding="utf-8").replace("二十余条", "三十余条"), encoding="utf-8")
    third = convert_batch(inputs=str(inputs), outputs=str(outputs), return_state=True).result()
    assert [d["doc_id"] for d in third["documents"] if not d["skipped"]] == ["copy"]
    assert pdf_stat(outputs) == kept
    assert (outputs / "copy" / "data" / "source.md").read_bytes() == copy.read_bytes()
    forced = convert_batch(inputs=str(inputs), outputs=str(outputs), force=True, return_state=True).result()
    assert (forced["succeeded"], forced["skipped"]) == (2, 0)
    assert pdf_stat(outputs) != kept
    only = convert_batch(
        inputs=str(inputs), outputs=str(outputs), only=["copy"], force=True, return_state=True
    ).result()
    assert [d["doc_id"] for d in only["documents"]] == ["copy"] and only["skipped"] == 0
