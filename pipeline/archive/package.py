"""Stage 5, archive: the document's BagIt bag with ``record.xml``, written atomically and sealed.

Layout of ``outputs/<doc-id>/`` (a BagIt 1.0 bag):

    bagit.txt  bag-info.txt  manifest-sha256.txt  manifest-sha512.txt  tagmanifest-*.txt
    data/source.md           the original bytes, untouched
    data/document.md         normalized Markdown
    data/document.xhtml      semantic XHTML
    data/document.pdf        PDF/A-3u
    data/normalize-log.json  every change the normalizer made, removed debris, warnings
    data/check.json          the PDF measured against GB/T 9704 (pipeline.conformance.check)
    data/record.xml          archival metadata (DA/T 46 element names), validated against
                             pipeline/schemas/record-1.0.xsd before it is written

The bag is assembled in a hidden temporary folder beside its final place and renamed into
place only when complete, so a crash never leaves a half-written document behind. Just before,
the SHA-256 of its tag manifest is appended to the seal ledger (``outputs/ledger.jsonl``).

``record.xml`` is deterministic: the same input and settings give the same bytes. The time of
a run and the Prefect flow-run id are added only when the flow passes them (``RunInfo``).
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import logging
import re
import shutil
import uuid
from dataclasses import dataclass
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from urllib.parse import quote

from lxml import etree

from pipeline import __version__
from pipeline.archive import incremental, ledger
from pipeline.archive.fixity import sha256_bytes, sha256_file, sm3
from pipeline.archive.recordschema import RECORD_NS, schema
from pipeline.conformance.status import status
from pipeline.core.chars import significant
from pipeline.core.errors import DocumentError
from pipeline.core.model import Document, title_year
from pipeline.core.settings import ArchiveSettings, load_settings
from pipeline.normalize.report import change_log_json
from pipeline.pdf import fonts
from pipeline.pdf.styles import PDF_VARIANT, STYLESHEET
from pipeline.xhtml.markup import SANITIZE_RULE
from pipeline.xhtml.tree import XHTML_NS

# File name in data/ -> (role in record.xml, MIME type)
RENDITIONS = {
    "source.md": ("源文件", "text/markdown"),
    "document.md": ("规范化文本", "text/markdown; charset=UTF-8"),
    "document.xhtml": ("XHTML文本", "application/xhtml+xml"),
    "document.pdf": ("版式文件", f"application/pdf; {PDF_VARIANT.upper()}"),
    "normalize-log.json": ("规范化记录", "application/json"),
    "check.json": ("版式检查报告", "application/json"),
}
_GENRES = ("报告", "通知", "意见", "决定", "办法", "规定", "方案", "公告", "通告", "通报", "批复", "函", "纪要", "讲话")
_X = {"h": XHTML_NS}
log = logging.getLogger(__name__)


@dataclass(frozen=True)
class RunInfo:
    """What the orchestrator knows about the run that produced a bag."""

    flow_run_id: str
    started: str  # ISO 8601 with time zone


def payload(doc: Document) -> dict[str, bytes]:
    return {
        "source.md": doc.source_bytes,
        "document.md": doc.markdown.encode("utf-8"),
        "document.xhtml": doc.xhtml,
        "document.pdf": doc.pdf,
        "normalize-log.json": change_log_json(doc),
        **({"check.json": _json({**doc.check, **({"audit": doc.audit} if doc.audit else {})})} if doc.check else {}),
    }


def _json(report: dict) -> bytes:
    """The check report as stored (keys sorted: the same report gives the same bytes)."""
    return (json.dumps(report, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")


def _sub(parent: etree._Element, tag: str, text: str | None = None, **attrib: str) -> etree._Element:
    el = etree.SubElement(parent, f"{{{RECORD_NS}}}{tag}", attrib)
    el.text = text
    return el


def _genre(title: str) -> str:
    return next((g for g in _GENRES if title.endswith(g)), "")


def _structure(parent: etree._Element, root: etree._Element) -> None:
    """Sections and tables as data, read from the XHTML, so the record stands without the PDF."""
    structure = _sub(parent, "结构")
    article = root.find(".//h:article", _X)

    def sections(src: etree._Element, dst: etree._Element) -> None:
        for section in src.iterfind("h:section", _X):
            heading = section.find("*", _X)
            level, attachment = section.get("class", "level-1"), section.get("class") == "attachment"
            attrs = {"标识": section.get("id", ""), "层级": "1" if attachment else level.removeprefix("level-") or "1"}
            node = _sub(dst, "章节", **attrs, **({"类型": "附件"} if attachment else {}))
            _sub(node, "标题", " ".join(t.strip() for t in heading.itertext() if t.strip()) or "（无标题）")
            sections(section, node)

    if article is not None:
        sections(article, structure)
    for n, table in enumerate(root.iter(f"{{{XHTML_NS}}}table"), 1):
        attrs = {"序号": str(n)}
        if table.get("data-statutory"):
            attrs["法定表格"] = table.get("data-statutory")
        section = next((a for a in table.iterancestors(f"{{{XHTML_NS}}}section")), None)
        if section is not None:
            attrs["所在章节"] = section.get("id", "")
        node = _sub(structure, "表格", **attrs)
        caption = table.find("h:caption", _X)
        if caption is not None and "".join(caption.itertext()).strip():
            _sub(node, "表题", "".join(caption.itertext()).strip())
        for tr in table.iter(f"{{{XHTML_NS}}}tr"):
            row = _sub(node, "行")
            for cell in tr:
                cell_attrs = {}
                if etree.QName(cell).localname == "th":
                    cell_attrs["表头"] = "true"
                for name, key in (("colspan", "跨列"), ("rowspan", "跨行")):
                    if cell.get(name, "1") != "1":
                        cell_attrs[key] = cell.get(name)
                _sub(row, "单元格", "".join(cell.itertext()).strip(), **cell_attrs)


def _package_version(name: str) -> str:
    if name == "gov-doc-pipeline":
        return __version__
    try:
        return version(name)
    except PackageNotFoundError:
        return "未安装"


def checks(doc: Document, xhtml: etree._Element) -> list[tuple[str, str, str]]:
    """The conformance checks run on every document: (id, result, detail)."""
    results = [("normalize-text-preserved", "通过", "规范化未丢失任何汉字或数字（已删除的页面残留均记录在案）")]
    body = xhtml.find(".//h:body", _X)
    body_text = significant("".join(body.itertext())) if body is not None else ""
    sanitized = "".join(c.removed for c in doc.changes if c.rule == SANITIZE_RULE)
    expected = significant(doc.markdown)
    ok = len(body_text) + len(sanitized) == len(expected)
    results.append(
        (
            "xhtml-text-preserved",
            "通过" if ok else "未通过",
            f"XHTML 正文 {len(body_text)} 个汉字与数字，规范化文本 {len(expected)} 个，清除 {len(sanitized)} 个",
        )
    )
    if doc.check:
        fails = sum(f["severity"] == "fail" for f in doc.check["findings"])
        warns = len(doc.check["findings"]) - fails
        result = status(doc.check["findings"])[0]
        results.append(("pdf-layout", {"偏离版式": "警告"}.get(result, result),
                        f"GB/T 9704 版式检查：{fails} 项不合格，{warns} 项提示（详见 check.json）"))  # fmt: skip
    if doc.audit:
        counts = doc.audit["counts"]
        result = "未通过" if counts["错误"] else "警告" if counts["警告"] else "通过"
        detail = f"年度报告审核：{doc.audit['summary']}（详见 check.json 的 audit）"
        results.append(("annual-report-audit", result, detail))
    results.append(("pdf-variant", "通过", f"{PDF_VARIANT.upper()}（本工具自检，未经 veraPDF 验证）"))
    warnings = len(doc.warnings)
    results.append(("normalize-warnings", "警告" if warnings else "通过", f"{warnings} 条需人工核对的提示"))
    return results


def build_record(
    doc: Document, files: dict[str, bytes], settings: ArchiveSettings | None = None, run: RunInfo | None = None
) -> bytes:
    """record.xml: DA/T 46's elements in DA/T 48's 文件实体 block, schema-valid."""
    settings = settings or ArchiveSettings()
    root = etree.Element(f"{{{RECORD_NS}}}归档记录", {"版本": "1.0"}, nsmap={None: RECORD_NS})
    package = _sub(root, "封装信息")
    _sub(
        package,
        "格式描述",
        "元数据元素依据 DA/T 46-2009，结构参照 DA/T 48-2009 文件实体块；数字摘要、结构、来源信息为扩展",
    )
    _sub(package, "封装包类型", "原始型")
    if doc.meta.organ:
        _sub(package, "封装包创建单位", doc.meta.organ)
    entity = _sub(root, "文件实体")
    _identity(entity, doc, settings)
    _description(entity, doc, settings)
    _form(entity, doc, settings)
    _file_data(entity, doc, files)
    xhtml = etree.fromstring(doc.xhtml)  # parsed once, for the structure and the checks
    _structure(entity, xhtml)
    _system(entity, doc)
    _processing(entity, doc, xhtml)
    if run:
        business = _sub(entity, "业务实体")
        _sub(business, "业务行为", "格式转换与封装（Prefect 流程 convert-batch）")
        _sub(business, "行为时间", run.started)
        _sub(business, "行为依据", f"Prefect flow run {run.flow_run_id}")
    schema().assertValid(root)
    return etree.tostring(root, encoding="UTF-8", xml_declaration=True, pretty_print=True)


def _identity(entity: etree._Element, doc: Document, settings: ArchiveSettings) -> None:
    """聚合层次, 来源, 电子文件号, 档号."""
    meta = doc.meta
    _sub(entity, "聚合层次", "文件")
    source = _sub(entity, "来源")
    if settings.全宗名称:
        _sub(source, "全宗名称", settings.全宗名称)
    _sub(source, "立档单位名称", meta.organ or "未识别")
    _sub(entity, "电子文件号", doc.doc_id)
    archive_no = _sub(entity, "档号")
    if settings.全宗号:
        _sub(archive_no, "全宗号", settings.全宗号)
    year = meta.year or title_year(meta.title)
    if year:  # unknown: left out rather than a made-up year
        _sub(archive_no, "年度", f"{year:04d}")
    _sub(archive_no, "保管期限", settings.保管期限)
    if settings.机构或问题:
        _sub(archive_no, "机构或问题", settings.机构或问题)


def _description(entity: etree._Element, doc: Document, settings: ArchiveSettings) -> None:
    """内容描述: title, number, author, date, genre, classification and the 公文 elements."""
    meta = doc.meta
    desc = _sub(entity, "内容描述")
    _sub(desc, "题名", meta.title or doc.doc_id)
    if meta.doc_number:
        _sub(desc, "文件编号", meta.doc_number)
    _sub(desc, "责任者", meta.organ or "未识别")
    if meta.date:
        _sub(desc, "日期", meta.date.isoformat())
    if _genre(meta.title):
        _sub(desc, "文种", _genre(meta.title))
    _sub(desc, "密级", settings.密级)
    if meta.recipients:
        _sub(desc, "主送", meta.recipients)
    if meta.cc:
        _sub(desc, "抄送", meta.cc)
    if meta.printed_by:
        _sub(desc, "印发", meta.printed_by)
    for n, name in enumerate(meta.attachments, 1):
        _sub(desc, "附件", name, 序号=str(n))


def _form(entity: etree._Element, doc: Document, settings: ArchiveSettings) -> None:
    """形式特征, 存储位置, 权限管理."""
    form = _sub(entity, "形式特征")
    _sub(form, "文件组合类型", "组合文件")
    _sub(form, "页数", str(doc.pages))
    _sub(form, "语种", "汉语")
    _sub(form, "稿本", settings.稿本)
    place = _sub(entity, "存储位置")
    _sub(place, "当前位置", "本封装包 data/")
    _sub(place, "脱机载体编号", "无")
    _sub(_sub(entity, "权限管理"), "控制标识", settings.控制标识)


def _file_data(entity: etree._Element, doc: Document, files: dict[str, bytes]) -> None:
    """文件数据: each file of the package with its size, format and digests."""
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
        digest = sm3(content)
        if digest:
            _sub(item, "数字摘要", digest, 算法="SM3")


def _system(entity: etree._Element, doc: Document) -> None:
    """信息系统描述: the software, the style sheet and the fonts the PDF was made with."""
    system = _sub(entity, "信息系统描述")
    for package_name in ("gov-doc-pipeline", "weasyprint", "pydyf", "markdown", "lxml", "nh3", "prefect", "bagit"):
        _sub(system, "软件", _package_version(package_name), 名称=package_name)
    _sub(system, "样式表", 文件=STYLESHEET.name, 数字摘要=sha256_file(STYLESHEET))
    for family, weight in doc.fonts:
        path = fonts.font_file(family, weight)
        _sub(system, "字体", 族名=family, 字重=str(weight), 文件=path.name if path else "",
             数字摘要=fonts.font_digest(path) if path else "")  # fmt: skip


def _processing(entity: etree._Element, doc: Document, xhtml: etree._Element) -> None:
    """规范化记录, 检查结果 and, for an annual report, 审核."""
    counts: dict[str, int] = {}
    for change in doc.changes:
        counts[change.rule] = counts.get(change.rule, 0) + 1
    log = _sub(entity, "规范化记录", 变更总数=str(len(doc.changes)), 警告总数=str(len(doc.warnings)))
    for rule_id, n in sorted(counts.items()):
        _sub(log, "规则", 标识=rule_id, 次数=str(n))
    results = _sub(entity, "检查结果")
    for check_id, result, detail in checks(doc, xhtml):
        _sub(results, "检查", detail, 标识=check_id, 结果=result)
    if doc.audit:
        verdict = "未通过" if doc.audit["counts"]["错误"] else "通过"
        audit = _sub(entity, "审核", 模板=doc.audit["template"], 结果=verdict)
        for finding in doc.audit["findings"]:
            _sub(audit, "发现", f"{finding['message']}。处理建议：{finding['advice']}", 代码=finding["code"],
                 严重程度=finding["severity"], 位置=finding["where"])  # fmt: skip


def write_package(
    doc: Document, outputs: Path, settings: ArchiveSettings | None = None, run: RunInfo | None = None
) -> Path:
    """Write the bag for ``doc`` under ``outputs``, seal it in the ledger, return its path."""
    settings = settings or load_settings()
    outputs.mkdir(parents=True, exist_ok=True)
    final = outputs / doc.doc_id
    tmp = outputs / f".tmp-{doc.doc_id}-{uuid.uuid4().hex[:8]}"
    try:
        tmp.mkdir()
        files = payload(doc)
        try:
            files["record.xml"] = build_record(doc, files, settings, run)
        except etree.DocumentInvalid as exc:
            raise DocumentError(doc.source_path, f"归档元数据未通过 XSD 校验（{exc}）",
                                "这是本工具的缺陷，请报告给维护人员；未写出任何文件") from None  # fmt: skip
        bag_info = {
            "Source-Organization": doc.meta.organ or "未识别",
            "External-Identifier": doc.doc_id,
            "External-Description": doc.meta.title or doc.doc_id,
            "Internal-Sender-Identifier": doc.source_path.name,
            "Bag-Software-Agent": f"gov-doc-pipeline {__version__}",
            "Bagging-Date": dt.date.today().isoformat(),
            incremental.SOURCE_KEY: sha256_bytes(doc.source_bytes),
            incremental.FINGERPRINT_KEY: incremental.fingerprint(),
        }
        if run:
            bag_info["Prefect-Flow-Run-Id"] = run.flow_run_id
        make_bag(tmp, files, bag_info)
        # Seal first, publish second: if the process dies in between, the old bag (still sealed
        # by its own entry) stays in place and the new entry is simply never matched.
        now = run.started if run else dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        try:
            ledger.append(outputs, doc.doc_id, sha256_file(tmp / "tagmanifest-sha256.txt"),
                          sha256_file(tmp / "data" / "record.xml"), now)  # fmt: skip
        except ledger.LedgerError as exc:
            problem = f"未能写入封存台账 {outputs / ledger.LEDGER}：{exc}"
            advice = "请运行 pipeline verify 查看台账；台账损坏时从备份恢复，密钥有误时检查 PIPELINE_SEAL_KEY"
            raise DocumentError(doc.source_path, problem, advice, code="ledger") from None
        _swap_into_place(tmp, final)
    finally:
        if tmp.exists():
            shutil.rmtree(tmp, ignore_errors=True)
    return final


# Characters that must never reach a tag file raw: line breaks (a file name `x⏎Payload-Oxum: 1.1`
# would add tags), other controls, and bidi overrides and isolates.
_UNSAFE_TAG_CHARS = re.compile(r"[\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069]")


def tag_value(value: str) -> str:
    """A bag-info value on one safe line: unsafe characters percent-encoded (``%0A``), logged."""
    safe = _UNSAFE_TAG_CHARS.sub(lambda m: quote(m[0], safe=""), value)
    if safe != value:
        log.warning("bag-info 中的值含控制字符或双向控制字符，已编码：%r -> %s", value, safe)
    return safe


def make_bag(folder: Path, files: dict[str, bytes], bag_info: dict[str, str]) -> None:
    """Write a BagIt 1.0 bag (RFC 8493) with SHA-256 and SHA-512 manifests and tag manifests.

    bagit-python's ``make_bag`` changes the process's working directory while it runs, which is
    unsafe when several documents are archived at once in threads; we write the few files
    ourselves and keep bagit-python for validation.
    """
    data = folder / "data"
    data.mkdir()
    for name, content in files.items():
        (data / name).write_bytes(content)
    algorithms = {"sha256": hashlib.sha256, "sha512": hashlib.sha512}
    for alg, fn in algorithms.items():
        lines = [f"{fn(files[name]).hexdigest()}  data/{name}" for name in sorted(files)]
        (folder / f"manifest-{alg}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")
    (folder / "bagit.txt").write_text("BagIt-Version: 1.0\nTag-File-Character-Encoding: UTF-8\n", encoding="utf-8")
    info = {**bag_info, "Payload-Oxum": f"{sum(len(c) for c in files.values())}.{len(files)}"}
    (folder / "bag-info.txt").write_text("".join(f"{k}: {tag_value(v)}\n" for k, v in info.items()), encoding="utf-8")
    tag_files = ["bag-info.txt", "bagit.txt", *(f"manifest-{alg}.txt" for alg in algorithms)]
    for alg, fn in algorithms.items():
        lines = [f"{fn((folder / name).read_bytes()).hexdigest()}  {name}" for name in sorted(tag_files)]
        (folder / f"tagmanifest-{alg}.txt").write_text("\n".join(lines) + "\n", encoding="utf-8")


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
