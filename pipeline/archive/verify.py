"""`pipeline verify`: is a document's package intact, years later?

Checks are grouped by the four properties of DA/T 70-2018 that archivists test at ingest:

* 真实性 (authenticity): every digest in record.xml (SHA-256, SM3) matches its file; the bag's
  tag manifest matches the seal in the ledger and the ledger's chain is unbroken (this is what
  catches a tamperer who regenerated the BagIt manifests); record, XHTML and PDF metadata agree;
  the source embedded in the PDF is the archived one; optionally the PDF re-renders byte for byte.
* 完整性 (integrity): BagIt validation (payload and tag manifests, Payload-Oxum), every listed
  file present, nothing unlisted.
* 可用性 (usability): record.xml valid against the XSD, the XHTML well-formed, the PDF readable
  with the recorded page count.
* 安全性 (security): the PDF is not encrypted and carries no JavaScript or launch actions.
"""

from __future__ import annotations

import datetime as dt
import io
from dataclasses import asdict, dataclass, field
from pathlib import Path

import bagit
from lxml import etree

from pipeline.archive import ledger
from pipeline.archive.fixity import sha256_bytes, sha256_file, sm3
from pipeline.archive.recordschema import RECORD_NS, schema

_NS = {"r": RECORD_NS}
_X = {"h": "http://www.w3.org/1999/xhtml"}
PROPERTIES = ("真实性", "完整性", "可用性", "安全性")


@dataclass
class Finding:
    property: str
    check: str
    ok: bool
    message: str


@dataclass
class BagReport:
    bag: str
    findings: list[Finding] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return all(f.ok for f in self.findings)

    def add(self, prop: str, check: str, ok: bool, message: str) -> None:
        self.findings.append(Finding(prop, check, ok, message))

    def as_dict(self) -> dict:
        return {"bag": self.bag, "ok": self.ok, "findings": [asdict(f) for f in self.findings]}


def find_bags(path: Path) -> list[Path]:
    if (path / "bagit.txt").is_file():
        return [path]
    return sorted(
        p for p in path.iterdir() if p.is_dir() and not p.name.startswith(".") and (p / "bagit.txt").is_file()
    )


def verify_bag(
    path: Path, rerender: bool = False, chain: ledger.ChainReport | None = None, fixity_only: bool = False
) -> BagReport:
    """Every check of a package; with ``fixity_only``, only that its files are those it was sealed
    with (manifests, record.xml digests, ledger seal). That is what an incremental run needs to
    keep a package: its consistency (PDF pages, titles, embedded source) was checked when it was
    written, and unchanged bytes cannot have lost it. Opening every PDF again cost 40 ms each."""
    report = BagReport(str(path))
    _integrity(path, report)
    record = _record(path, report)
    if record is not None:
        _digests(path, record, report)
        if not fixity_only:
            _consistency(path, record, report, rerender)
    _seal(path, report, chain or ledger.check_chain(path.parent))
    return report


def _integrity(path: Path, report: BagReport) -> None:
    try:
        bagit.Bag(str(path)).validate()
        report.add("完整性", "bagit", True, "BagIt 清单与文件一致")
    except bagit.BagValidationError as exc:
        details = "；".join(str(d) for d in exc.details) or str(exc)
        report.add("完整性", "bagit", False, f"BagIt 校验失败：{details}")
    except bagit.BagError as exc:
        report.add("完整性", "bagit", False, f"不是有效的 BagIt 包：{exc}")


def _record(path: Path, report: BagReport) -> etree._ElementTree | None:
    try:
        record = etree.parse(str(path / "data" / "record.xml"))
    except (OSError, etree.XMLSyntaxError) as exc:
        report.add("可用性", "record-xml", False, f"record.xml 缺失或无法解析：{exc}")
        return None
    valid = schema().validate(record)
    detail = "" if valid else f"：{schema().error_log.last_error}"
    report.add("可用性", "record-xsd", valid, f"record.xml {'符合' if valid else '不符合'} XSD{detail}")
    return record


def _digests(path: Path, record: etree._ElementTree, report: BagReport) -> None:
    data = (path / "data").resolve()
    listed = {"record.xml"}
    for item in record.iterfind(".//r:文档", _NS):
        name = item.findtext("r:计算机文件名", default="", namespaces=_NS)
        listed.add(name)
        target = (data / name).resolve()
        if not target.is_relative_to(data) or not target.is_file():
            report.add("完整性", f"file:{name}", False, f"record.xml 列出的文件不存在：{name}")
            continue
        content = target.read_bytes()
        size = int(item.findtext("r:计算机文件大小", default="-1", namespaces=_NS))
        ok = size == len(content)
        for digest in item.iterfind("r:数字摘要", _NS):
            algorithm = digest.get("算法")
            actual = sha256_bytes(content) if algorithm == "SHA-256" else sm3(content) if algorithm == "SM3" else None
            if actual is not None:
                ok = ok and actual == digest.text
        report.add("真实性", f"digest:{name}", ok,
                   f"{name} 的大小与数字摘要{'一致' if ok else '与 record.xml 不符（文件被改动或损坏）'}")  # fmt: skip
    extra = sorted(p.name for p in data.iterdir() if p.name not in listed)
    report.add("完整性", "unlisted", not extra, "没有多余文件" if not extra else f"有未登记的文件：{'、'.join(extra)}")


def _consistency(path: Path, record: etree._ElementTree, report: BagReport, rerender: bool) -> None:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    data = path / "data"
    title = record.findtext(".//r:题名", default="", namespaces=_NS)
    try:
        xhtml = etree.parse(str(data / "document.xhtml"))
        same = xhtml.findtext(".//h:title", default="", namespaces=_X) == title
        report.add("可用性", "xhtml", True, "XHTML 可解析")
        report.add("真实性", "xhtml-title", same, "XHTML 标题与 record.xml 题名" + ("一致" if same else "不一致"))
    except (OSError, etree.XMLSyntaxError) as exc:
        report.add("可用性", "xhtml", False, f"XHTML 无法解析：{exc}")
    try:
        pdf = PdfReader(io.BytesIO((data / "document.pdf").read_bytes()))
        pages = int(record.findtext(".//r:页数", default="-1", namespaces=_NS))
        report.add("可用性", "pdf", len(pdf.pages) == pages, f"PDF 可读，{len(pdf.pages)} 页（记录 {pages} 页）")
        same = (pdf.metadata.title if pdf.metadata else None) == title
        report.add("真实性", "pdf-title", same, "PDF 元数据标题与 record.xml 题名" + ("一致" if same else "不一致"))
        embedded = pdf.attachments.get("document.md", [None])[0]
        archived = (data / "document.md").read_bytes() if (data / "document.md").is_file() else None
        report.add("真实性", "pdf-source", embedded == archived and embedded is not None,
                   "PDF 内嵌的源文本与 document.md " + ("一致" if embedded == archived else "不一致"))  # fmt: skip
        root = pdf.trailer["/Root"]
        risky = pdf.is_encrypted or "/OpenAction" in root or "/AA" in root or "/JavaScript" in root.get("/Names", {})
        report.add(
            "安全性",
            "pdf-actions",
            not risky,
            "PDF 未加密，无脚本或自动动作" if not risky else "PDF 含加密、脚本或自动动作",
        )
    except (OSError, PdfReadError, ValueError, KeyError) as exc:
        report.add("可用性", "pdf", False, f"PDF 无法读取：{exc}")
        return
    if rerender:
        _rerender(data, record, report)


def _rerender(data: Path, record: etree._ElementTree, report: BagReport) -> None:
    from pipeline.core.model import Document, Metadata
    from pipeline.pdf.render import render_pdf

    date = record.findtext(".//r:日期", default="", namespaces=_NS)
    doc = Document(
        doc_id=record.findtext(".//r:电子文件号", default="", namespaces=_NS),
        source_path=data / "source.md",
        source_bytes=b"",
        markdown=(data / "document.md").read_text(encoding="utf-8"),
        xhtml=(data / "document.xhtml").read_bytes(),
        meta=Metadata(date=dt.date.fromisoformat(date) if date else None),
    )
    same = render_pdf(doc).pdf == (data / "document.pdf").read_bytes()
    report.add("真实性", "rerender", same, "由归档的 XHTML 和源文本重新生成的 PDF 与归档 PDF 逐字节相同" if same
               else "重新生成的 PDF 与归档 PDF 不同（字体、样式或软件版本可能已变化）")  # fmt: skip


def _seal(path: Path, report: BagReport, chain: ledger.ChainReport) -> None:
    """The bag must be what the ledger's newest entry for its document sealed: an older sealed
    version copied back (a rollback) matches an older entry only."""
    for problem in chain.problems:
        report.add("真实性", "ledger-chain", False, problem)
    doc_id = path.name
    tagmanifest = path / "tagmanifest-sha256.txt"
    digest = sha256_file(tagmanifest) if tagmanifest.is_file() else ""
    latest = chain.latest(doc_id)
    if latest is None:
        report.add("真实性", "seal", False, f"封存台账中没有 {doc_id} 的记录（包未经本工具封存，或台账丢失）")
    elif latest["tagmanifest_sha256"] == digest:
        why = chain.unsigned.get(latest["seq"])
        if why:
            report.add("真实性", "seal", False, f"{doc_id} 的最新封存记录（第 {latest['seq']} 条）{why}："
                       "不是由持有签名私钥的流水线写入的（疑似篡改后重新封存）")  # fmt: skip
        else:
            report.add("真实性", "seal", True, f"与封存台账中 {doc_id} 的最新记录（第 {latest['seq']} 条）一致")
    elif (older := chain.find(doc_id, digest)) is not None:
        report.add("真实性", "seal", False, f"{doc_id} 的包与封存台账中它的最新记录（第 {latest['seq']} 条）不符，"
                   f"而与较早的第 {older['seq']} 条一致：包被换回了旧版本（疑似回滚）")  # fmt: skip
    else:
        report.add("真实性", "seal", False, f"{doc_id} 的标签清单与封存台账不符：清单在封存后被重新生成（疑似篡改）")
