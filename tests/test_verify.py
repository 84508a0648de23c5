"""Archival packages of the whole corpus: schema-valid, sealed, and `verify` catches every change."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import bagit
import pytest
from lxml import etree

from pipeline.archive.fixity import sha256_file
from pipeline.archive.ledger import read as read_ledger
from pipeline.archive.recordschema import RECORD_NS, schema
from pipeline.core.settings import load_settings
from pipeline.orchestrate.convert import convert_file
from tests.conftest import SEED, SEED_ID, corpus_file

pytestmark = pytest.mark.slow  # renders, subprocesses, servers or browsers: not in the quick run

NS = {"r": RECORD_NS}


@pytest.fixture(scope="module")
def outputs(corpus_outputs: Path) -> Path:
    return corpus_outputs


def verify(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", "verify", *args],
        capture_output=True,
        text=True,
        timeout=600,
        env={**os.environ},
    )


def test_every_record_is_schema_valid(outputs: Path):
    records = sorted(outputs.glob("*/data/record.xml"))
    assert len(records) == 21
    for record in records:
        assert schema().validate(etree.parse(str(record))), (record, schema().error_log.last_error)


def test_schema_rejects_a_record_without_a_mandatory_field(outputs: Path):
    record = etree.parse(str(outputs / SEED_ID / "data" / "record.xml"))
    title = record.find(".//r:题名", NS)
    title.getparent().remove(title)
    assert not schema().validate(record)
    assert "题名" in str(schema().error_log.last_error) or "责任者" in str(schema().error_log.last_error)


def test_verify_all_outputs_after_a_run(outputs: Path):
    result = verify(str(outputs))
    assert result.returncode == 0, result.stdout[-2000:]
    assert "完好 21 个，损坏或被改动 0 个" in result.stdout


def tampered(outputs: Path, tmp_path: Path) -> Path:
    copy = tmp_path / "outputs"
    shutil.copytree(outputs, copy)
    return copy / SEED_ID


def failed_checks(result: subprocess.CompletedProcess) -> dict[str, list[str]]:
    report = next(r for r in json.loads(result.stdout) if r["bag"].endswith(SEED_ID))
    failed: dict[str, list[str]] = {}
    for f in report["findings"]:
        if not f["ok"]:
            failed.setdefault(f["property"], []).append(f["check"])
    return failed


def test_flipped_byte_in_the_pdf(outputs: Path, tmp_path: Path):
    bag = tampered(outputs, tmp_path)
    pdf = bag / "data" / "document.pdf"
    data = bytearray(pdf.read_bytes())
    data[len(data) // 3] ^= 0x20
    pdf.write_bytes(bytes(data))
    result = verify("--json", str(bag))
    assert result.returncode == 1
    failed = failed_checks(result)
    assert "digest:document.pdf" in failed["真实性"] and "bagit" in failed["完整性"]


def test_edited_word_with_regenerated_manifests(outputs: Path, tmp_path: Path):
    bag = tampered(outputs, tmp_path)
    md = bag / "data" / "document.md"
    md.write_text(md.read_text(encoding="utf-8").replace("留格庄镇", "留格庄乡", 1), encoding="utf-8")
    bagit.Bag(str(bag)).save(manifests=True)  # a tamperer covering their tracks: BagIt says valid
    assert bagit.Bag(str(bag)).is_valid()
    result = verify("--json", str(bag))
    assert result.returncode == 1
    failed = failed_checks(result)
    assert {"seal", "digest:document.md", "pdf-source"} <= set(failed["真实性"])
    text = verify(str(bag)).stdout
    assert SEED_ID in text and "真实性" in text and "疑似篡改" in text


def test_deleted_file(outputs: Path, tmp_path: Path):
    bag = tampered(outputs, tmp_path)
    (bag / "data" / "document.xhtml").unlink()
    result = verify("--json", str(bag))
    assert result.returncode == 1
    failed = failed_checks(result)
    assert "bagit" in failed["完整性"] and "file:document.xhtml" in failed["完整性"]


def test_edited_record(outputs: Path, tmp_path: Path):
    bag = tampered(outputs, tmp_path)
    record = bag / "data" / "record.xml"
    record.write_text(
        record.read_text(encoding="utf-8").replace("<密级>公开</密级>", "<密级>内部</密级>"), encoding="utf-8"
    )
    result = verify("--json", str(bag))
    assert result.returncode == 1
    assert "bagit" in failed_checks(result)["完整性"]


def test_edited_ledger_breaks_the_chain(outputs: Path, tmp_path: Path):
    bag = tampered(outputs, tmp_path)
    ledger = bag.parent / "ledger.jsonl"
    lines = ledger.read_text(encoding="utf-8").splitlines()
    lines[0] = lines[0].replace('"seq": 1', '"seq": 1 ')  # whitespace only: still valid JSON …
    entry = json.loads(lines[1])
    entry["time"] = "2000-01-01T00:00:00+00:00"  # … but this rewrites history
    lines[1] = json.dumps(entry, ensure_ascii=False, sort_keys=True)
    ledger.write_text("\n".join(lines) + "\n", encoding="utf-8")
    result = verify("--json", str(bag.parent))
    assert result.returncode == 1
    assert "ledger-chain" in " ".join(
        f["check"] for r in json.loads(result.stdout) for f in r["findings"] if not f["ok"]
    )


def test_rerender_reproduces_the_pdf(outputs: Path):
    result = verify("--rerender", "--json", str(outputs / SEED_ID))
    assert result.returncode == 0, result.stdout
    checks = {f["check"]: f["ok"] for f in json.loads(result.stdout)[0]["findings"]}
    assert checks["rerender"] is True


def test_checksums_agree_across_record_manifests_and_ledger(outputs: Path):
    entries = {e["doc_id"]: e for e in read_ledger(outputs)}
    for bag in sorted(p for p in outputs.iterdir() if (p / "bagit.txt").exists()):
        manifest = dict(
            reversed(line.split(maxsplit=1)) for line in (bag / "manifest-sha256.txt").read_text().splitlines()
        )
        record = etree.parse(str(bag / "data" / "record.xml"))
        for item in record.iterfind(".//r:文档", NS):
            name = item.findtext("r:计算机文件名", namespaces=NS)
            digest = item.findtext("r:数字摘要[@算法='SHA-256']", namespaces=NS)
            assert manifest[f"data/{name}"] == digest == sha256_file(bag / "data" / name)
        assert entries[bag.name]["tagmanifest_sha256"] == sha256_file(bag / "tagmanifest-sha256.txt")
        assert entries[bag.name]["record_sha256"] == manifest["data/record.xml"]


def test_record_carries_structure_provenance_and_checks(outputs: Path):
    record = etree.parse(str(outputs / "07-annual-2024-pingtan-newformat-flattened-webtext" / "data" / "record.xml"))
    tables = record.findall(".//r:结构/r:表格", NS)
    assert {t.get("法定表格") for t in tables} == {"active-disclosure", "applications", "review-litigation"}
    applications = next(t for t in tables if t.get("法定表格") == "applications")
    first_data = [c.text for c in applications.findall("r:行", NS)[3].findall("r:单元格", NS)]
    assert first_data == ["一、本年新收政府信息公开申请数量", "217", "1", "0", "0", "0", "0", "218"]
    assert record.find(".//r:字体", NS).get("数字摘要")
    assert {c.get("标识") for c in record.iterfind(".//r:检查", NS)} >= {"xhtml-text-preserved", "pdf-variant"}
    assert all(c.get("结果") != "未通过" for c in record.iterfind(".//r:检查", NS))
    assert record.find(".//r:数字摘要[@算法='SM3']", NS) is not None


def test_archivist_settings(tmp_path: Path, monkeypatch):
    from pipeline.core.errors import DocumentError

    settings = tmp_path / "archive.toml"
    settings.write_text('[archive]\n"保管期限" = "定期30年"\nfonds_number = "J001"\n', encoding="utf-8")
    loaded = load_settings(settings)
    assert (loaded.保管期限, loaded.全宗号, loaded.密级) == ("定期30年", "J001", "公开")
    settings.write_text('[archive]\nretention_period = "十年"\n', encoding="utf-8")
    with pytest.raises(DocumentError, match="保管期限"):
        load_settings(settings)
    monkeypatch.chdir(tmp_path)
    settings.write_text('[archive]\n"全宗号" = "J001"\n', encoding="utf-8")
    out = tmp_path / "out"
    assert convert_file(SEED, SEED_ID, out).ok
    assert "<全宗号>J001</全宗号>" in (out / SEED_ID / "data" / "record.xml").read_text(encoding="utf-8")


# --- a signed ledger: rollback, truncation and reseal ---------------------------------------------


def cli(*args: str, env: dict | None = None) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "pipeline.cli", *args], capture_output=True, text=True, timeout=600,
                          env={**os.environ, **(env or {})})  # fmt: skip


@pytest.fixture(scope="module")
def signed(tmp_path_factory) -> dict:
    """A key made by `pipeline keygen` outside the outputs; the seed published twice (the second
    time edited) and a second document, every entry signed. The first version of the seed's bag
    is kept aside, as a tamperer could have kept it."""
    root = tmp_path_factory.mktemp("signed")
    key = root / "keys" / "seal.pem"
    made = cli("keygen", str(key))
    assert made.returncode == 0 and (key.stat().st_mode & 0o777) == 0o600, made.stdout + made.stderr
    assert cli("keygen", str(key)).returncode == 2  # never overwritten
    env = {"PIPELINE_SEAL_KEY": str(key)}
    inputs, outputs = root / "in", root / "outputs"
    inputs.mkdir()
    source = inputs / "seed.md"
    source.write_bytes(SEED.read_bytes())
    other = inputs / "other.md"
    other.write_bytes(corpus_file("10-").read_bytes())
    assert cli("convert", str(source), str(other), "--outputs", str(outputs), env=env).returncode == 0
    first = root / "seed-v1"
    shutil.copytree(outputs / "seed", first)
    source.write_text(SEED.read_text(encoding="utf-8").replace("留格庄镇", "留格庄乡", 1), encoding="utf-8")
    assert cli("convert", str(source), "--outputs", str(outputs), env=env).returncode == 0
    assert all("sig" in e for e in read_ledger(outputs)) and len(read_ledger(outputs)) == 3
    return {"outputs": outputs, "public": Path(f"{key}.pub"), "first": first, "env": env, "key": key}


def signed_copy(signed: dict, tmp_path: Path) -> Path:
    copy = tmp_path / "outputs"
    shutil.copytree(signed["outputs"], copy)
    return copy


def test_signed_outputs_verify_with_the_key(signed: dict):
    result = cli("verify", "--key", str(signed["public"]), str(signed["outputs"]))
    assert result.returncode == 0, result.stdout
    head = cli("head", str(signed["outputs"])).stdout.strip()
    assert head.startswith("3:") and f"台账头 {head}" in result.stdout


def test_key_inside_the_outputs_is_refused(signed: dict, tmp_path: Path):
    outputs = signed_copy(signed, tmp_path)
    inside = outputs / "seal.pem"
    shutil.copy(signed["key"], inside)
    result = cli("convert", str(corpus_file("13-")), "--outputs", str(outputs), env={"PIPELINE_SEAL_KEY": str(inside)})
    assert result.returncode == 1 and "输出目录之外" in result.stdout, result.stdout


def test_rollback_to_an_older_sealed_version(signed: dict, tmp_path: Path):
    """The first sealed version of a bag copied over the current one: it matches a past entry of
    the ledger, not the newest one for its document."""
    outputs = signed_copy(signed, tmp_path)
    shutil.rmtree(outputs / "seed")
    shutil.copytree(signed["first"], outputs / "seed")
    for args in (("--key", str(signed["public"])), ()):
        result = cli("verify", *args, str(outputs))
        assert result.returncode == 1, result.stdout
        assert "✗ " + str(outputs / "seed") in result.stdout and "回滚" in result.stdout
        assert "✓ " + str(outputs / "other") in result.stdout


def test_truncated_tail_is_caught_with_the_head(signed: dict, tmp_path: Path):
    """The last entry deleted together with its bag: the chain before it is intact, but the head
    noted down earlier is no longer there."""
    outputs = signed_copy(signed, tmp_path)
    head = cli("head", str(outputs)).stdout.strip()
    ledger = outputs / "ledger.jsonl"
    lines = ledger.read_bytes().splitlines(keepends=True)
    ledger.write_bytes(b"".join(lines[:-1]))
    shutil.rmtree(outputs / "seed")
    shutil.copytree(signed["first"], outputs / "seed")  # what the shortened ledger's last seed entry sealed
    assert cli("verify", "--key", str(signed["public"]), str(outputs)).returncode == 0  # undetectable without the head
    result = cli("verify", "--key", str(signed["public"]), "--expect-head", head, str(outputs))
    assert result.returncode == 1 and "台账被截短" in result.stdout, result.stdout


def test_reseal_without_the_key_is_caught(signed: dict, tmp_path: Path, monkeypatch):
    """Files edited, manifests regenerated and a fresh, correctly chained entry appended (by the
    pipeline's own code, without the private key): only the signature shows it."""
    from pipeline.archive import ledger

    outputs = signed_copy(signed, tmp_path)
    bag = outputs / "seed"
    md = bag / "data" / "document.md"
    md.write_text(md.read_text(encoding="utf-8").replace("留格庄乡", "某某乡", 1), encoding="utf-8")
    bagit.Bag(str(bag)).save(manifests=True)
    monkeypatch.delenv("PIPELINE_SEAL_KEY", raising=False)
    ledger.append(outputs, "seed", sha256_file(bag / "tagmanifest-sha256.txt"),
                  sha256_file(bag / "data" / "record.xml"), "2030-01-01T00:00:00+00:00")  # fmt: skip
    result = cli("verify", "--json", "--key", str(signed["public"]), str(outputs))
    assert result.returncode == 1
    reports = {Path(r["bag"]).name: r for r in json.loads(result.stdout)}
    seal = next(f for f in reports["seed"]["findings"] if f["check"] == "seal")
    assert not seal["ok"] and "签名" in seal["message"] and "seed" in seal["message"]
    chain = [f["message"] for f in reports["other"]["findings"] if f["check"] == "ledger-chain"]
    assert chain and "第 4 条（seed）" in chain[0]
