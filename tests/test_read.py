from pathlib import Path

import pytest

from pipeline.core.errors import DocumentError
from pipeline.ingest.read import read_document
from tests.conftest import SEED, corpus_file


def test_utf8_seed_is_decoded_and_bytes_kept():
    doc = read_document(SEED, "seed")
    assert doc.encoding == "UTF-8"
    assert doc.source_bytes == SEED.read_bytes()
    assert "留格庄镇人民政府" in doc.text


def test_gbk_source_falls_back_to_gb18030():
    doc = read_document(corpus_file("20-"), "gbk")
    assert doc.encoding == "GB18030"
    assert "经济特区" in doc.text


def test_bom_is_recorded():
    doc = read_document(corpus_file("15-"), "bom")
    assert doc.encoding == "UTF-8 (BOM)"


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        (b"", "文件为空"),
        (b" \n\t\n", "文件为空"),
        (b"%PDF-1.7\n%binary", "PDF 文件"),
        (b"\x89PNG\r\n\x1a\n\x00\x00", "PNG 图片"),
        (b"abc\x00def\x00" * 50, "NUL"),
        (b"\xff\xfe\xfd\xff\x80" * 20, "无法识别文件编码"),
        (bytes(range(1, 9)) * 200, "控制字符"),
    ],
)
def test_bad_input_names_file_and_gives_advice(tmp_path: Path, content: bytes, expected: str):
    path = tmp_path / "坏文件.md"
    path.write_bytes(content)
    with pytest.raises(DocumentError) as err:
        read_document(path, "bad")
    assert expected in err.value.message
    assert str(path) in err.value.message
    assert "处理建议" in err.value.message


def test_size_limit_refuses_before_reading(tmp_path: Path, monkeypatch):
    monkeypatch.setenv("PIPELINE_MAX_INPUT_BYTES", "1000")
    path = tmp_path / "big.md"
    path.write_text("政府信息公开。" * 200, encoding="utf-8")
    with pytest.raises(DocumentError, match="文件过大"):
        read_document(path, "big")
