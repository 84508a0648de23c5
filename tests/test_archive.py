"""The bag: complete, checksums right, verifiable, written atomically."""

from __future__ import annotations

import shutil
from pathlib import Path

import bagit
from lxml import etree

from pipeline.archive.fixity import sha256_file
from pipeline.archive.package import build_record, payload, write_package
from pipeline.archive.recordschema import RECORD_NS
from pipeline.archive.verify import verify_bag
from tests.conftest import SEED, SEED_ID

NS = {"r": RECORD_NS}
DATA_FILES = {
    "source.md", "document.md", "document.xhtml", "document.pdf", "normalize-log.json", "check.json", "record.xml",
}  # fmt: skip


def test_bag_layout_and_bagit_validation(seed_bag: Path):
    assert seed_bag.name == SEED_ID
    assert {p.name for p in (seed_bag / "data").iterdir()} == DATA_FILES
    for tag in ("bagit.txt", "bag-info.txt", "manifest-sha256.txt", "tagmanifest-sha256.txt"):
        assert (seed_bag / tag).is_file()
    bag = bagit.Bag(str(seed_bag))
    bag.validate()
    assert bag.info["External-Identifier"] == SEED_ID
    assert bag.info["Source-Organization"] == "留格庄镇人民政府"
    assert (seed_bag / "data" / "source.md").read_bytes() == SEED.read_bytes()


def test_record_checksums_match_files(seed_bag: Path):
    record = etree.parse(str(seed_bag / "data" / "record.xml"))
    assert record.findtext(".//r:题名", namespaces=NS) == "海阳市留格庄镇人民政府2018年度政府信息公开年度报告"
    assert record.findtext(".//r:日期", namespaces=NS) == "2019-03-05"
    assert record.findtext(".//r:年度", namespaces=NS) == "2019"
    items = record.findall(".//r:文档", NS)
    assert {i.findtext("r:计算机文件名", namespaces=NS) for i in items} == DATA_FILES - {"record.xml"}
    for item in items:
        path = seed_bag / "data" / item.findtext("r:计算机文件名", namespaces=NS)
        assert item.findtext("r:数字摘要[@算法='SHA-256']", namespaces=NS) == sha256_file(path)
        assert int(item.findtext("r:计算机文件大小", namespaces=NS)) == path.stat().st_size
    source = next(i for i in items if i.findtext("r:计算机文件名", namespaces=NS) == "source.md")
    assert source.findtext("r:源编码", namespaces=NS) == "UTF-8"


def test_year_without_a_date_comes_from_the_title_or_is_left_out(seed_doc):
    """年度 is the year of the 成文日期; without a date, the year the title names; without either,
    left out rather than made up (a 文号's number is not a year)."""
    from dataclasses import replace

    def year(title: str) -> str | None:
        doc = replace(seed_doc, meta=replace(seed_doc.meta, date=None, title=title))
        record = etree.fromstring(build_record(doc, payload(doc)))
        return record.findtext(".//r:年度", namespaces=NS)

    assert year("某某县人民政府2023 年政府信息公开工作年度报告") == "2023"
    assert year("关于印发第1234号文件的通知") is None
    assert year("某某镇人民政府政府信息公开年度报告") is None


def test_verify_passes_then_catches_a_changed_byte(seed_bag: Path, tmp_path: Path):
    assert verify_bag(seed_bag).ok
    copy = tmp_path / "bag"
    shutil.copytree(seed_bag, copy)
    pdf = copy / "data" / "document.pdf"
    data = bytearray(pdf.read_bytes())
    data[len(data) // 2] ^= 0x01
    pdf.write_bytes(bytes(data))
    report = verify_bag(copy)
    bad = [f for f in report.findings if not f.ok]
    assert {f.check for f in bad} >= {"digest:document.pdf", "bagit"}


def test_verify_catches_manifests_rewritten_by_a_tamperer(seed_bag: Path, tmp_path: Path):
    copy = tmp_path / "bag"
    shutil.copytree(seed_bag, copy)
    (copy / "data" / "document.md").write_text("篡改后的内容\n", encoding="utf-8")
    bagit.Bag(str(copy)).save(manifests=True)  # BagIt alone now says "valid"
    report = verify_bag(copy)
    assert not report.ok
    assert {f.check for f in report.findings if not f.ok} >= {"seal", "digest:document.md"}


def test_change_log_in_the_bag_and_summarised(seed_bag: Path, seed_doc):
    import json

    log = json.loads((seed_bag / "data" / "normalize-log.json").read_text(encoding="utf-8"))
    assert len(log["changes"]) == len(seed_doc.changes)
    assert log["encoding"] == "UTF-8"
    record = etree.parse(str(seed_bag / "data" / "record.xml"))
    summary = record.find(".//r:规范化记录", NS)
    assert int(summary.get("变更总数")) == len(seed_doc.changes)
    counts = {r.get("标识"): int(r.get("次数")) for r in summary}
    assert counts == log["rules"]


def test_record_is_deterministic(seed_doc):
    files = payload(seed_doc)
    assert build_record(seed_doc, files) == build_record(seed_doc, files)


def test_rewrite_replaces_atomically(seed_doc, tmp_path: Path):
    first = write_package(seed_doc, tmp_path)
    (first / "stale.txt").write_text("old", encoding="utf-8")
    second = write_package(seed_doc, tmp_path)
    assert first == second
    assert not (second / "stale.txt").exists()
    # no temporary or old folders left: the bag, the seal ledger and its lock only
    assert sorted(p.name for p in tmp_path.iterdir()) == [".ledger.lock", SEED_ID, "ledger.jsonl"]
    assert verify_bag(second).ok
