"""Stage 1, read: source bytes -> text, with the encoding recorded.

Inputs arrive as UTF-8 (often with a BOM) or as GBK from older Windows tools. We decode
strictly: UTF-8 first, then GB18030 (a superset of GBK and GB2312). Nothing is ever decoded
with ``errors="ignore"``, because a silently dropped byte is a lost character.
"""

from __future__ import annotations

import os
from pathlib import Path

from pipeline.core.chars import HAN_RE
from pipeline.core.errors import DocumentError
from pipeline.core.model import Document

DEFAULT_MAX_BYTES = 20 * 1024 * 1024

# Signatures of files that are certainly not text (checked before decoding).
_BINARY_MAGIC = {
    b"%PDF": "PDF 文件",
    b"\x89PNG": "PNG 图片",
    b"\xff\xd8\xff": "JPEG 图片",
    b"GIF8": "GIF 图片",
    b"PK\x03\x04": "ZIP/DOCX/XLSX 压缩文件",
    b"\xd0\xcf\x11\xe0": "旧版 Office（DOC/XLS）文件",
    b"\x7fELF": "可执行文件",
}


def max_input_bytes() -> int:
    """The size limit, configurable for offices with unusually large sources."""
    return int(os.environ.get("PIPELINE_MAX_INPUT_BYTES", DEFAULT_MAX_BYTES))


def read_document(path: Path, doc_id: str) -> Document:
    if path.is_symlink():
        raise DocumentError(
            path, f"输入文件是符号链接（指向 {path.resolve()}），出于安全考虑不读取",
            "请把真实文件复制到输入目录中", code="symlink",
        )  # fmt: skip
    size = path.stat().st_size
    limit = max_input_bytes()
    if size > limit:
        raise DocumentError(
            path,
            f"文件过大（{size / 1048576:.1f} MB，上限 {limit / 1048576:.1f} MB）",
            "请确认这是一份公文的 Markdown 文本；确需处理时可调高环境变量 PIPELINE_MAX_INPUT_BYTES",
            code="too-large",
        )
    data = path.read_bytes()
    text, encoding = decode(path, data)
    return Document(doc_id=doc_id, source_path=path, source_bytes=data, encoding=encoding, text=text)


def decode(path: Path, data: bytes) -> tuple[str, str]:
    if not data.strip():
        raise DocumentError(path, "文件为空（没有任何文字）", "请检查转换或下载是否成功，重新提供原文", code="empty")
    for magic, kind in _BINARY_MAGIC.items():
        if data.startswith(magic):
            raise DocumentError(
                path, f"这不是文本文件，而是{kind}", "请先将其转换为 Markdown 文本（.md）再放入输入目录", code="binary"
            )
    if b"\x00" in data:
        raise DocumentError(
            path,
            "文件包含 NUL 空字节，不是文本文件（可能是二进制或 UTF-16 文件）",
            "请将文件另存为 UTF-8 编码的 Markdown 文本",
            code="binary",
        )
    try:
        text, encoding = data.decode("utf-8"), "UTF-8"
    except UnicodeDecodeError as exc:
        _refuse_mixed(path, data, exc)
        try:
            text, encoding = data.decode("gb18030"), "GB18030"
        except UnicodeDecodeError as exc:
            raise DocumentError(
                path,
                f"无法识别文件编码（第 {exc.start} 字节处既不是 UTF-8 也不是 GBK/GB18030）",
                "请用文本编辑器将文件另存为 UTF-8 编码后重试",
                code="encoding",
            ) from None
    if text.startswith("\ufeff"):
        encoding += " (BOM)"
    controls = sum(1 for ch in text if ord(ch) < 32 and ch not in "\t\n\r\f")
    if controls > max(8, len(text) // 100):
        raise DocumentError(
            path,
            f"文件含有大量控制字符（{controls} 个），看起来是二进制数据而不是文本",
            "请确认文件内容，重新导出为 Markdown 文本",
            code="binary",
        )
    if not text.replace("\ufeff", "").strip():
        raise DocumentError(path, "文件为空（只有空白字符）", "请检查转换或下载是否成功，重新提供原文", code="empty")
    if not HAN_RE.search(text):
        raise DocumentError(
            path, "文件中没有任何汉字，不像是一份中文公文（可能正文在附件里，或转换失败）",
            "请检查原文或转换结果", code="no-chinese",
        )  # fmt: skip
    return text, encoding


def _refuse_mixed(path: Path, data: bytes, exc: UnicodeDecodeError) -> None:
    """Most of the file is valid UTF-8 Chinese but some bytes are not: two encodings were pasted
    together. Decoding it all as GB18030 would turn the UTF-8 part into plausible-looking garbage."""
    decoded = data.decode("utf-8", errors="replace")
    valid_cjk, invalid = len(HAN_RE.findall(decoded)), decoded.count("\ufffd")
    if valid_cjk >= 10 and valid_cjk > 4 * invalid:
        line = data[: exc.start].count(b"\n") + 1
        raise DocumentError(
            path, f"文件混用了多种编码（大部分是 UTF-8，第 {line} 行起有非 UTF-8 字节）",
            "请用文本编辑器检查该行附近的文字，统一另存为 UTF-8 编码", code="mixed-encoding",
        )  # fmt: skip
