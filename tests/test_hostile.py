"""Hostile inputs: every case converts correctly or fails alone with a precise, readable error;
nothing partial is written, nothing is fetched, and the batch goes on."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
from pathlib import Path

import pytest
from lxml import etree

from pipeline.archive.recordschema import RECORD_NS
from pipeline.core import budget
from pipeline.ingest.inputs import doc_id_for
from pipeline.orchestrate.convert import convert_file
from tests.conftest import SEED, SEED_ID
from tests.hostile.cases import CASES, DUPLICATES, HUGE_SPAN, TRAP_PORT, Case

pytestmark = pytest.mark.slow  # renders, subprocesses, servers or browsers: not in the quick run


@pytest.fixture(scope="module")
def trap():
    """A loopback listener that records every connection attempt made to it."""
    connections: list[tuple] = []
    server = socket.socket()
    server.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    server.bind(("127.0.0.1", TRAP_PORT))
    server.listen()
    server.settimeout(0.2)
    stop = threading.Event()

    def accept() -> None:
        while not stop.is_set():
            try:
                conn, addr = server.accept()
                connections.append(addr)
                conn.close()
            except TimeoutError:
                continue

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield connections
    stop.set()
    thread.join()
    server.close()


def build(case: Case, folder: Path) -> Path:
    path = folder / case.filename
    case.build(path)
    return path


@pytest.mark.parametrize("case", CASES, ids=lambda c: c.name)
def test_case(case: Case, tmp_path: Path, trap: list, monkeypatch):
    monkeypatch.chdir(tmp_path)  # a shell-metacharacter file name must not run anything here
    inputs, outputs = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    path = build(case, inputs)
    doc_id = doc_id_for(path, inputs)
    assert doc_id.isascii() and "/" not in doc_id and ".." not in doc_id and " " not in doc_id
    outcome = convert_file(path, doc_id, outputs)
    leftovers = [p.name for p in outputs.iterdir() if p.name.startswith((".tmp-", ".old-"))] if outputs.exists() else []
    assert leftovers == []
    if case.outcome == "failed":
        assert not outcome.ok
        assert outcome.code == case.code, outcome.error
        assert case.phrase in outcome.error and str(path) in outcome.error and "处理建议" in outcome.error
        assert "Traceback" not in outcome.error
        assert not (outputs / doc_id).exists()
        assert outcome.seconds < budget.seconds()  # ended within the document's budget
    else:
        assert outcome.ok, outcome.error
        xhtml = (outputs / doc_id / "data" / "document.xhtml").read_text(encoding="utf-8")
        assert case.phrase in xhtml
        pdf = (outputs / doc_id / "data" / "document.pdf").read_bytes()
        pdf_text = subprocess.run(["pdftotext", "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True).stdout
        body = xhtml[xhtml.index("<body") :]  # the head holds the pipeline's own schema links
        for needle in case.absent:
            assert needle not in body, needle
            assert needle.encode() not in pdf_text, needle
        assert " src=" not in xhtml  # nothing for a browser or renderer to fetch
        record = etree.parse(str(outputs / doc_id / "data" / "record.xml"))
        title = record.findtext(f".//{{{RECORD_NS}}}题名")
        tags = (outputs / doc_id / "bag-info.txt").read_text(encoding="utf-8")
        for needle in case.absent:
            assert needle not in title and needle not in tags, needle
        assert all(":" in line and line.isprintable() for line in tags.splitlines()), tags
        from pypdf import PdfReader

        reader = PdfReader(outputs / doc_id / "data" / "document.pdf")
        assert list(reader.attachments) == ["document.md", "metadata.xml"]
        for needle in case.absent:
            assert needle not in (reader.metadata.title or ""), needle
        from pipeline.archive.verify import verify_bag

        assert verify_bag(outputs / doc_id).ok
        again = convert_file(path, doc_id, outputs)  # unchanged: kept, no new seal
        assert again.ok and again.skipped, again
    assert trap == []  # no input ever made the pipeline connect anywhere
    assert not (tmp_path / "pwned").exists()


def test_batch_with_every_case_and_the_seed(prefect_server, tmp_path: Path, trap: list):
    from pipeline.archive.verify import find_bags, verify_bag
    from pipeline.orchestrate.flows import convert_batch

    inputs, outputs = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    (inputs / f"{SEED_ID}.md").write_bytes(SEED.read_bytes())
    for case in CASES:
        build(case, inputs)
    for name, content in DUPLICATES:
        (inputs / name).write_text(content, encoding="utf-8")
    state = convert_batch(inputs=str(inputs), outputs=str(outputs), return_state=True)
    summary = state.result(raise_on_failure=False)
    assert state.is_failed()
    by_id = {d["doc_id"]: d for d in summary["documents"]}
    assert by_id[SEED_ID]["ok"]
    failed = [d for d in summary["documents"] if not d["ok"]]
    expected_failures = sum(c.outcome == "failed" for c in CASES) + len(DUPLICATES)
    assert len(failed) == expected_failures, sorted(d["doc_id"] for d in failed)
    assert all("处理建议" in d["error"] for d in failed)
    assert sum("同一个文档标识 dup" in d["error"] for d in failed) == 2
    assert summary["succeeded"] == 1 + sum(c.outcome == "converted" for c in CASES)
    assert all(verify_bag(bag).ok for bag in find_bags(outputs))
    assert trap == []


def test_cli_exit_status_with_a_bad_document(tmp_path: Path):
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"%PDF-1.4 binary")
    result = subprocess.run([sys.executable, "-m", "pipeline.cli", "convert", str(SEED), str(bad), "--outputs",
                             str(tmp_path / "out")], capture_output=True, text=True, timeout=300)  # fmt: skip
    assert result.returncode == 1 and "成功 1 个，失败 1 个" in result.stdout and "Traceback" not in result.stderr


@pytest.mark.parametrize("span", ["100000", "99999999999999999999"])
def test_huge_span_converts_in_bounded_memory(span: str, tmp_path: Path):
    """One cell declaring 100000 × 100000 (or 10^20) columns and rows: the spans are capped and
    cut to the table's real grid before anything is allocated; a real conversion stays under
    300 MB (it took all the memory there was: 200 MB/s until a MemoryError)."""
    import json
    import re

    source = tmp_path / "span.md"
    source.write_text(f"# 合并单元格\n\n{HUGE_SPAN.replace('100000', span)}\n\n正文结束。\n", encoding="utf-8")

    # The peak is the process's own VmHWM, read by the launcher when the run ends: wait4's
    # ru_maxrss would include the pages of this (large, late in the suite) pytest process that
    # the child held before exec. Without the fix the run would take the machine's memory: the
    # limit stops it at 3 GB.
    launcher = (
        "import re, resource, sys; resource.setrlimit(resource.RLIMIT_AS, (3 << 30, 3 << 30)); "
        "from pipeline.cli import main; code = main(sys.argv[1:]); "
        "status = open('/proc/self/status').read(); "
        "print('peak-kb', re.search(r'VmHWM:\\s+(\\d+)', status)[1], file=sys.stderr); sys.exit(code)"
    )
    result = subprocess.run([sys.executable, "-c", launcher, "convert", str(source), "--outputs",
                             str(tmp_path / "out")], capture_output=True, text=True, timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    peak_mb = int(re.search(r"peak-kb (\d+)", result.stderr)[1]) / 1024
    print(f"peak resident memory {peak_mb:.0f} MB")
    assert peak_mb < 300
    data = tmp_path / "out" / "span" / "data"
    xhtml = (data / "document.xhtml").read_text(encoding="utf-8")
    assert "甲" in xhtml and "乙" in xhtml and "丙" in xhtml and span not in xhtml
    log = json.loads((data / "normalize-log.json").read_text(encoding="utf-8"))
    assert any("跨度" in c["after"] for c in log["changes"] if c["rule"] == "xhtml/sanitize"), log["changes"]
