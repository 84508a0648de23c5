"""The download portal on a real uvicorn server on loopback, and in real headless Chromium."""

from __future__ import annotations

import hashlib
import io
import json
import os
import shutil
import time
import zipfile
from pathlib import Path
from urllib.parse import unquote

import bagit
import pytest
from lxml import etree

from pipeline.archive.recordschema import RECORD_NS
from pipeline.orchestrate.convert import convert_file
from tests.conftest import SEED, SEED_ID, corpus_file
from tests.webserver import get, serving

pytestmark = pytest.mark.slow  # renders, subprocesses, servers or browsers: not in the quick run

ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"


@pytest.fixture(scope="module")
def outputs(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("outputs")
    for path, doc_id in ((SEED, SEED_ID), (corpus_file("10-"), "ndrc-2020"), (corpus_file("07-"), "pingtan-2024")):
        assert convert_file(path, doc_id, out).ok
    return out


@pytest.fixture(scope="module")
def server(outputs: Path):
    with serving(outputs) as address:
        yield address



def record_sha256(outputs: Path, doc_id: str, name: str) -> str:
    record = etree.parse(str(outputs / doc_id / "data" / "record.xml"))
    for item in record.iterfind(f".//{{{RECORD_NS}}}文档"):
        if item.findtext(f"{{{RECORD_NS}}}计算机文件名") == name:
            return item.findtext(f"{{{RECORD_NS}}}数字摘要[@算法='SHA-256']")
    raise KeyError(name)


def test_index_lists_and_filters_without_javascript(server: str):
    status, headers, body = get(server, "/")
    page = body.decode()
    assert status == 200 and headers["content-type"].startswith("text/html")
    assert '<html lang="zh-CN">' in page and "<script" not in page
    assert "海阳市留格庄镇人民政府2018年度政府信息公开年度报告" in page and "国家发展改革委 国家能源局" in page
    status, _, body = get(server, "/?q=%E7%95%99%E6%A0%BC%E5%BA%84")  # q=留格庄
    assert "留格庄" in body.decode() and "电网" not in body.decode() and "找到 1 份文件" in body.decode()
    _, _, body = get(server, "/?year=2020")
    assert "电网" in body.decode() and "留格庄镇人民政府2018" not in body.decode()


def test_document_page(server: str, outputs: Path):
    status, _, body = get(server, f"/doc/{SEED_ID}")
    page = body.decode()
    assert status == 200
    assert record_sha256(outputs, SEED_ID, "document.pdf") in page
    for link in ("document.pdf", "document.xhtml", "record.xml", "bag.zip"):
        assert f"/files/{SEED_ID}/{link}" in page


def test_pdf_download_headers_and_bytes(server: str, outputs: Path):
    status, headers, body = get(server, f"/files/{SEED_ID}/document.pdf")
    assert status == 200 and headers["content-type"] == "application/pdf"
    digest = record_sha256(outputs, SEED_ID, "document.pdf")
    assert hashlib.sha256(body).hexdigest() == digest and headers["etag"] == f'"{digest}"'
    disposition = headers["content-disposition"]
    assert disposition.startswith("attachment;") and f'filename="{SEED_ID}.pdf"' in disposition
    assert (
        unquote(disposition.split("filename*=UTF-8''")[1]) == "海阳市留格庄镇人民政府2018年度政府信息公开年度报告.pdf"
    )
    assert "last-modified" in headers and headers["accept-ranges"] == "bytes"


def test_range_head_and_etag(server: str, outputs: Path):
    pdf = (outputs / SEED_ID / "data" / "document.pdf").read_bytes()
    status, headers, body = get(server, f"/files/{SEED_ID}/document.pdf", headers={"Range": "bytes=100-199"})
    assert status == 206 and body == pdf[100:200]
    assert headers["content-range"] == f"bytes 100-199/{len(pdf)}"
    status, headers, body = get(server, f"/files/{SEED_ID}/document.pdf", method="HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) == len(pdf)
    etag = headers["etag"]
    status, _, body = get(server, f"/files/{SEED_ID}/document.pdf", headers={"If-None-Match": etag})
    assert status == 304 and body == b""


def test_bag_zip_is_a_valid_bag(server: str, tmp_path: Path):
    status, headers, body = get(server, f"/files/{SEED_ID}/bag.zip")
    assert status == 200 and headers["content-type"] == "application/zip"
    zipfile.ZipFile(io.BytesIO(body)).extractall(tmp_path)
    bagit.Bag(str(tmp_path / SEED_ID)).validate()
    assert get(server, f"/files/{SEED_ID}/bag.zip")[2] == body  # reproducible, so the ETag is stable


def test_api_and_health(server: str):
    status, _, body = get(server, "/api/documents")
    documents = json.loads(body)["documents"]
    assert status == 200 and {d["doc_id"] for d in documents} == {SEED_ID, "ndrc-2020", "pingtan-2024"}
    seed = next(d for d in documents if d["doc_id"] == SEED_ID)
    assert seed["urls"]["pdf"].endswith(f"/files/{SEED_ID}/document.pdf") and seed["organ"] == "留格庄镇人民政府"
    assert json.loads(get(server, "/healthz")[2]) == {"status": "ok", "documents": 3}


TRAVERSALS = [
    f"/files/{SEED_ID}/../../../../etc/passwd",
    f"/files/{SEED_ID}/%2e%2e%2f%2e%2e%2f%2e%2e%2fetc%2fpasswd",
    f"/files/{SEED_ID}/..%5c..%5c..%5cetc%5cpasswd",
    f"/files/{SEED_ID}/%2Fetc%2Fpasswd",
    "/files/%2Fetc/passwd",
    "/files/..%2F..%2Fetc/passwd",
    "//etc/passwd",
    "/doc/../../etc/passwd",
    "/static/../../pyproject.toml",
    f"/files/{SEED_ID}/bagit.txt",
    f"/files/{SEED_ID}/../bag-info.txt",
    "/files/etc-link/passwd",
    "/files/etc-link/document.pdf",
    f"/files/{SEED_ID}/source.md%00.pdf",
]


@pytest.mark.parametrize("path", TRAVERSALS)
def test_traversal_and_symlinks_are_404(server: str, outputs: Path, path: str):
    link = outputs / "etc-link"
    if not link.exists():
        link.symlink_to("/etc")
    status, headers, body = get(server, path)
    assert status == 404, (path, status)
    assert b"root:" not in body and b"[build-system]" not in body
    if status == 404:
        assert headers["x-content-type-options"] == "nosniff"


def test_symlink_inside_a_bag_is_refused(server: str, outputs: Path, tmp_path: Path):
    bag = outputs / "pingtan-2024" / "data"
    original = bag / "document.xhtml"
    saved = tmp_path / "document.xhtml"
    shutil.copy(original, saved)
    original.unlink()
    original.symlink_to("/etc/hostname")
    try:
        status, _, body = get(server, "/files/pingtan-2024/document.xhtml")
        assert status == 404 and Path("/etc/hostname").read_bytes() not in body
    finally:
        original.unlink()
        shutil.copy(saved, original)


def test_security_headers(server: str):
    for path in ("/", f"/doc/{SEED_ID}", f"/files/{SEED_ID}/document.pdf", "/nothing", "/static/portal.css",
                 "/compare", "/static/compare.css", "/data/statistics.csv"):  # fmt: skip
        _, headers, _ = get(server, path)
        assert "script-src" not in headers["content-security-policy"]
        assert "default-src 'none'" in headers["content-security-policy"]
        assert headers["x-content-type-options"] == "nosniff" and headers["x-frame-options"] == "DENY"


def test_no_write_endpoints(server: str):
    for method in ("POST", "PUT", "DELETE"):
        assert get(server, f"/files/{SEED_ID}/document.pdf", method=method)[0] == 405


def test_documents_added_while_running_appear(server: str, outputs: Path):
    assert convert_file(corpus_file("13-"), "opinion-2018", outputs).ok
    assert "opinion-2018" in get(server, "/")[2].decode()


def test_browser_search_open_download(server: str, outputs: Path, tmp_path: Path):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking",
                  "--disable-component-update", "--disable-sync"],
        )  # fmt: skip
        page = browser.new_context(accept_downloads=True, viewport={"width": 1000, "height": 900}).new_page()
        page.goto(f"http://{server}/")
        page.screenshot(path=str(ARTIFACTS / "portal-index.png"), full_page=True)
        page.fill("input[name=q]", "留格庄")
        page.click("button[type=submit]")
        page.wait_for_load_state()
        assert page.locator("ul.documents li").count() == 1
        page.click("ul.documents a.title")
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == "海阳市留格庄镇人民政府2018年度政府信息公开年度报告"
        page.screenshot(path=str(ARTIFACTS / "portal-document.png"), full_page=True)
        with page.expect_download() as download_info:
            page.click("a.button.primary")
        download = download_info.value
        target = tmp_path / download.suggested_filename
        download.save_as(target)
        browser.close()
    assert target.name == "海阳市留格庄镇人民政府2018年度政府信息公开年度报告.pdf"
    assert hashlib.sha256(target.read_bytes()).hexdigest() == record_sha256(outputs, SEED_ID, "document.pdf")
    assert os.path.getsize(ARTIFACTS / "portal-index.png") > 10_000


def test_a_document_without_a_date_shows_no_made_up_year(server: str, outputs: Path, tmp_path: Path):
    source = tmp_path / "undated.md"
    source.write_text("本年度我镇未收到政府信息公开申请，也未发生行政复议和行政诉讼。\n", encoding="utf-8")
    assert convert_file(source, "undated", outputs).ok
    record = (outputs / "undated" / "data" / "record.xml").read_text(encoding="utf-8")
    assert "1900" not in record and "<年度>" not in record
    page = get(server, "/doc/undated")[2].decode()
    assert "1900" not in page and "<dt>年度</dt><dd>未识别</dd>" in page
    assert "1900" not in get(server, "/")[2].decode()


# --- adversarial review (issue 21) ----------------------------------------------------------------


def test_bag_zip_holds_only_what_the_bag_lists_and_is_streamed(server: str, outputs: Path, tmp_path: Path):
    """Unlisted files and a hard link to a file outside the outputs are not zipped (each is
    refused alone too); the ZIP is streamed, not built in memory."""
    data = outputs / "ndrc-2020" / "data"
    (data / "extra.txt").write_text("未登记的文件", encoding="utf-8")
    secret = tmp_path / "secret.txt"
    secret.write_text("root:x:0:0", encoding="utf-8")
    os.link(secret, data / "linked.txt")
    (outputs / "ndrc-2020" / "notes.txt").write_text("未登记", encoding="utf-8")
    try:
        assert get(server, "/files/ndrc-2020/linked.txt")[0] == 404
        status, headers, body = get(server, "/files/ndrc-2020/bag.zip")
        assert status == 200 and "content-length" not in headers and headers["transfer-encoding"] == "chunked"
        names = sorted(zipfile.ZipFile(io.BytesIO(body)).namelist())
        listed = sorted(f"data/{item.findtext(f'{{{RECORD_NS}}}计算机文件名')}" for item in etree.parse(
            str(data / "record.xml")).iterfind(f".//{{{RECORD_NS}}}文档"))  # fmt: skip
        tags = ["bag-info.txt", "bagit.txt", "manifest-sha256.txt", "manifest-sha512.txt", "tagmanifest-sha256.txt",
                "tagmanifest-sha512.txt"]  # fmt: skip
        assert names == sorted(f"ndrc-2020/{n}" for n in [*listed, "data/record.xml", *tags])
        assert b"root:x" not in body
        status, headers, _ = get(server, "/files/ndrc-2020/bag.zip", method="HEAD")
        assert status == 200 and headers["etag"]
        assert get(server, "/files/ndrc-2020/bag.zip", headers={"If-None-Match": headers["etag"]})[0] == 304
    finally:
        for name in ("extra.txt", "linked.txt"):
            (data / name).unlink()
        (outputs / "ndrc-2020" / "notes.txt").unlink()


def test_no_host_header_in_urls_or_redirects(server: str):
    """Without PIPELINE_PORTAL_URL the API's URLs are relative, and nothing redirects to the host
    a client claims."""
    evil = {"Host": "evil.example"}
    _, _, body = get(server, "/api/documents", headers=evil)
    assert b"evil.example" not in body
    seed = next(d for d in json.loads(body)["documents"] if d["doc_id"] == SEED_ID)
    assert seed["urls"]["pdf"] == f"/files/{SEED_ID}/document.pdf"
    for path in (f"/doc/{SEED_ID}/", "/api/documents/", "/healthz/"):
        status, headers, _ = get(server, path, headers=evil)
        assert "evil.example" not in headers.get("location", ""), (path, status, headers)


def test_an_oversized_record_is_not_parsed(server: str, outputs: Path):
    """A record.xml over the portal's cap (16 MiB) is never parsed (a 113 MB one held the event
    loop for seconds and 1.6 GB): the bag is left out of the listing and other requests go on."""
    bag = outputs / "huge-record"
    shutil.copytree(outputs / SEED_ID, bag)
    record = bag / "data" / "record.xml"
    text = record.read_text(encoding="utf-8")
    padding = "<!--x-->" * ((17 << 20) // 8)  # small nodes: a parser takes them all
    record.write_text(text.replace("<题名>", padding + "<题名>超大记录", 1), encoding="utf-8")
    try:
        started = time.monotonic()
        page = get(server, "/")[2].decode()
        assert "超大记录" not in page and time.monotonic() - started < 5
        assert get(server, "/doc/huge-record")[0] == 404
        assert get(server, "/static/portal.css")[0] == 200
    finally:
        shutil.rmtree(bag)


def test_metadata_through_a_data_symlink_is_not_shown(server: str, outputs: Path, tmp_path: Path):
    """A bag whose data/ is a symlink out of outputs/: its downloads were refused, but /doc
    showed the metadata read through it."""
    outside = tmp_path / "outside"
    shutil.copytree(outputs / SEED_ID / "data", outside)
    record = outside / "record.xml"
    record.write_text(record.read_text(encoding="utf-8").replace("<题名>", "<题名>外部元数据", 1), encoding="utf-8")
    bag = outputs / "linked-data"
    bag.mkdir()
    for name in ("bagit.txt", "bag-info.txt", "manifest-sha256.txt", "tagmanifest-sha256.txt"):
        shutil.copy(outputs / SEED_ID / name, bag / name)
    (bag / "data").symlink_to(outside)
    try:
        assert get(server, "/doc/linked-data")[0] == 404
        assert "外部元数据" not in get(server, "/")[2].decode()
        assert "外部元数据" not in get(server, "/api/documents")[2].decode()
    finally:
        shutil.rmtree(bag)
