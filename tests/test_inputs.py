from pathlib import Path

from pipeline.ingest.inputs import discover, doc_id_for, duplicate_ids


def test_safe_names_are_kept_as_ids():
    assert doc_id_for(Path("inputs/000_e51c1e5ccb519e51.md")) == "000_e51c1e5ccb519e51"


def test_unsafe_names_get_stable_ascii_ids(tmp_path: Path):
    a = tmp_path / "沭阳县 2025 年报.md"
    first, second = doc_id_for(a, tmp_path), doc_id_for(a, tmp_path)
    assert first == second
    assert first.startswith("2025-")
    assert first.isascii() and " " not in first
    assert doc_id_for(tmp_path / "其他.md", tmp_path) != doc_id_for(tmp_path / "另一.md", tmp_path)


def test_discover_skips_hidden_and_other_files(tmp_path: Path):
    (tmp_path / "a.md").write_text("甲", encoding="utf-8")
    (tmp_path / "sub").mkdir()
    (tmp_path / "sub" / "b.txt").write_text("乙", encoding="utf-8")
    (tmp_path / ".hidden.md").write_text("丙", encoding="utf-8")
    (tmp_path / "c.pdf").write_bytes(b"%PDF")
    assert [s.doc_id for s in discover(tmp_path)] == ["a", "b"]


def test_two_sources_with_one_id_are_reported(tmp_path: Path):
    (tmp_path / "a.md").write_text("甲", encoding="utf-8")
    (tmp_path / "a.txt").write_text("乙", encoding="utf-8")
    clashes = duplicate_ids(discover(tmp_path))
    assert list(clashes) == ["a"]
    assert len(clashes["a"]) == 2
