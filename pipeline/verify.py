"""Check a document's bag years later: BagIt manifests plus the digests inside record.xml."""

from __future__ import annotations

from pathlib import Path

import bagit
from lxml import etree

from pipeline.archive import RECORD_NS
from pipeline.fixity import sha256_file

_NS = {"r": RECORD_NS}


def verify_bag(path: Path) -> list[str]:
    """Every problem found, in Chinese; an empty list means the bag is intact."""
    problems: list[str] = []
    try:
        bagit.Bag(str(path)).validate()
    except bagit.BagValidationError as exc:
        details = "; ".join(str(d) for d in exc.details) or str(exc)
        problems.append(f"BagIt 校验失败：{details}")
    except bagit.BagError as exc:
        return [f"不是有效的 BagIt 包：{exc}"]
    record_path = path / "data" / "record.xml"
    try:
        record = etree.parse(str(record_path))
    except (OSError, etree.XMLSyntaxError) as exc:
        return [*problems, f"record.xml 无法解析：{exc}"]
    for item in record.iterfind(".//r:文档", _NS):
        name = item.findtext("r:计算机文件名", namespaces=_NS) or ""
        target = (path / "data" / name).resolve()
        if not target.is_relative_to((path / "data").resolve()) or not target.is_file():
            problems.append(f"record.xml 列出的文件不存在：{name}")
            continue
        size = int(item.findtext("r:计算机文件大小", default="-1", namespaces=_NS))
        if target.stat().st_size != size:
            problems.append(f"{name} 大小不符（记录 {size}，实际 {target.stat().st_size}）")
        expected = item.findtext("r:数字摘要[@算法='SHA-256']", namespaces=_NS)
        if sha256_file(target) != expected:
            problems.append(f"{name} 的 SHA-256 与 record.xml 不符")
    return problems
