"""Stage 5, archive: the document's BagIt bag with ``record.xml``, written atomically.

Layout of ``outputs/<doc-id>/`` (a BagIt 1.0 bag):

    bagit.txt  bag-info.txt  manifest-sha256.txt  manifest-sha512.txt  tagmanifest-*.txt
    data/source.md       the original bytes, untouched
    data/document.md     normalized Markdown
    data/document.xhtml  semantic XHTML
    data/document.pdf    PDF/A-3u
    data/normalize-log.json  every change the normalizer made, removed debris, warnings
    data/record.xml      archival metadata (DA/T 46 element names) with SHA-256 of each file

The bag is assembled in a hidden temporary folder beside its final place and renamed into
place only when complete, so a crash never leaves a half-written document behind.
"""

from __future__ import annotations

import logging
import shutil
import uuid
from importlib.metadata import version
from pathlib import Path

import bagit
from lxml import etree

from pipeline import __version__
from pipeline.fixity import sha256_bytes
from pipeline.model import Document
from pipeline.normalize.report import change_log_json

RECORD_NS = "urn:x-gov-doc-pipeline:record:1"
logging.getLogger("bagit").setLevel(logging.WARNING)

# File name in data/ -> (role in record.xml, MIME type)
RENDITIONS = {
    "source.md": ("源文件", "text/markdown"),
    "document.md": ("规范化文本", "text/markdown; charset=UTF-8"),
    "document.xhtml": ("XHTML文本", "application/xhtml+xml"),
    "document.pdf": ("版式文件", "application/pdf"),
    "normalize-log.json": ("规范化记录", "application/json"),
}


def payload(doc: Document) -> dict[str, bytes]:
    return {
        "source.md": doc.source_bytes,
        "document.md": doc.markdown.encode("utf-8"),
        "document.xhtml": doc.xhtml,
        "document.pdf": doc.pdf,
        "normalize-log.json": change_log_json(doc),
    }


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrib: str) -> etree._Element:
    el = etree.SubElement(parent, f"{{{RECORD_NS}}}{tag}", attrib)
    el.text = text
    return el


def build_record(doc: Document, files: dict[str, bytes]) -> bytes:
    """The archival record: deterministic (no clock), so the same input gives the same bytes."""
    meta = doc.meta
    root = etree.Element(f"{{{RECORD_NS}}}归档记录", {"版本": "1.0"}, nsmap={None: RECORD_NS})
    entity = _sub(root, "文件实体")
    _sub(entity, "聚合层次", "文件")
    _sub(entity, "电子文件号", doc.doc_id)
    desc = _sub(entity, "内容描述")
    _sub(desc, "题名", meta.title)
    _sub(desc, "责任者", meta.organ)
    if meta.doc_number:
        _sub(desc, "文件编号", meta.doc_number)
    if meta.date:
        _sub(desc, "日期", meta.date.isoformat())
    if meta.year:
        _sub(desc, "年度", str(meta.year))
    form = _sub(entity, "形式特征")
    _sub(form, "页数", str(doc.pages))
    _sub(form, "语种", "汉语")
    data = _sub(entity, "文件数据")
    for name, content in files.items():
        role, mime = RENDITIONS[name]
        item = _sub(data, "文档", 角色=role)
        _sub(item, "计算机文件名", name)
        _sub(item, "计算机文件大小", str(len(content)))
        _sub(item, "格式信息", mime)
        if name == "source.md":
            _sub(item, "源编码", doc.encoding)
        _sub(item, "数字摘要", sha256_bytes(content), 算法="SHA-256")
    system = _sub(entity, "信息系统描述")
    for package in ("gov-doc-pipeline", "weasyprint", "markdown", "lxml"):
        ver = __version__ if package == "gov-doc-pipeline" else version(package)
        _sub(system, "软件", ver, 名称=package)
    changes = _sub(entity, "规范化记录", 变更总数=str(len(doc.changes)), 警告总数=str(len(doc.warnings)))
    counts: dict[str, int] = {}
    for change in doc.changes:
        counts[change.rule] = counts.get(change.rule, 0) + 1
    for rule_id, n in sorted(counts.items()):
        _sub(changes, "规则", 标识=rule_id, 次数=str(n))
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True)


def write_package(doc: Document, outputs: Path) -> Path:
    """Write the bag for ``doc`` under ``outputs`` and return its final path."""
    outputs.mkdir(parents=True, exist_ok=True)
    final = outputs / doc.doc_id
    tmp = outputs / f".tmp-{doc.doc_id}-{uuid.uuid4().hex[:8]}"
    try:
        tmp.mkdir()
        files = payload(doc)
        files["record.xml"] = build_record(doc, files)
        for name, content in files.items():
            (tmp / name).write_bytes(content)
        bag_info = {
            "Source-Organization": doc.meta.organ or "未知",
            "External-Identifier": doc.doc_id,
            "External-Description": doc.meta.title or doc.doc_id,
        }
        bagit.make_bag(str(tmp), bag_info=bag_info, checksums=["sha256", "sha512"])
        _swap_into_place(tmp, final)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return final


def _swap_into_place(tmp: Path, final: Path) -> None:
    if not final.exists():
        tmp.rename(final)
        return
    old = final.with_name(f".old-{final.name}-{uuid.uuid4().hex[:8]}")
    final.rename(old)
    try:
        tmp.rename(final)
    except OSError:
        old.rename(final)
        raise
    shutil.rmtree(old, ignore_errors=True)
