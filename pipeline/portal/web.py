"""`pipeline web`: the read-only download portal over ``outputs/``.

Staff and the public find a document by title, organ or year and download its PDF; archivists
take the XHTML, ``record.xml`` or the whole bag. The portal reads the bags the pipeline wrote
(documents published while it runs appear on the next request) and needs no Prefect server.

Security model: a request names a document id and a file name, never a path. The id must be a
bag the catalog found and the name must be a file that bag's ``record.xml`` lists; the resolved
path must stay inside ``outputs/`` and must not be a symlink; of the top of ``outputs/`` only the
annual reports' dataset (``statistics.csv``, ``statistics.json``) is served, by name. The annual
reports' pages are in ``pipeline.portal.compare``. Everything else is a 404. There
are no write endpoints, and every response carries a strict CSP without inline script.
"""

from __future__ import annotations

import email.utils
import io
import logging
import os
import re
import stat
import zipfile
from collections.abc import Iterator
from dataclasses import asdict, dataclass, field
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, FileSystemLoader, select_autoescape
from lxml import etree
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response, StreamingResponse
from starlette.routing import Route

from pipeline.archive.fixity import sha256_file
from pipeline.archive.incremental import bag_info
from pipeline.archive.recordschema import RECORD_NS
from pipeline.pdf.styles import STYLES_DIR
from pipeline.portal.compare import CSS, STATISTICS, Sections, Statistics, audit_of, compare, dataset_file, organs

_NS = {"r": RECORD_NS}
log = logging.getLogger(__name__)
_SAFE_ID = re.compile(r"^[a-z0-9][a-z0-9_-]{0,120}$")
_MEDIA = {
    ".pdf": "application/pdf",
    ".xhtml": "application/xhtml+xml",
    ".xml": "application/xml",
    ".md": "text/markdown; charset=utf-8",
    ".json": "application/json",
}
SECURITY_HEADERS = {
    "content-security-policy": "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; "
    "base-uri 'none'; frame-ancestors 'none'",
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "cross-origin-resource-policy": "same-origin",
}
_TEMPLATES = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "web_templates"), autoescape=select_autoescape(["html"])
)


@dataclass(frozen=True)
class FileInfo:
    name: str
    size: int
    sha256: str


@dataclass(frozen=True)
class Entry:
    doc_id: str
    title: str
    organ: str
    year: str
    date: str
    pages: int
    genre: str
    doc_number: str
    generated: str
    status: str
    status_class: str
    checks: list[dict] = field(default_factory=list)
    files: list[FileInfo] = field(default_factory=list)

    def file(self, name: str) -> FileInfo | None:
        return next((f for f in self.files if f.name == name), None)

    def api(self, base: str) -> dict:
        data = asdict(self)
        data["urls"] = {
            "page": f"{base}/doc/{self.doc_id}",
            "pdf": f"{base}/files/{self.doc_id}/document.pdf",
            "xhtml": f"{base}/files/{self.doc_id}/document.xhtml",
            "record": f"{base}/files/{self.doc_id}/record.xml",
            "bag": f"{base}/files/{self.doc_id}/bag.zip",
        }
        return data


def max_record_bytes() -> int:
    """Records larger than this are not parsed (PIPELINE_PORTAL_MAX_RECORD_BYTES): a record of the
    corpus is 20-80 KB; a forged one of 100 MB would hold a worker thread and gigabytes."""
    return int(os.environ.get("PIPELINE_PORTAL_MAX_RECORD_BYTES", 16 << 20))


def _read_entry(bag: Path, record_path: Path) -> Entry | None:
    try:
        if record_path.stat().st_size > max_record_bytes():
            log.warning("%s：record.xml 超过 %d 字节，不予解析", bag, max_record_bytes())
            return None
        record = etree.parse(str(record_path))
    except (OSError, etree.XMLSyntaxError):
        return None

    def text(path: str) -> str:
        return text_of(record.getroot(), path)

    files = []
    for item in record.iterfind(".//r:文档", _NS):
        files.append(FileInfo(text_of(item, "r:计算机文件名"), int(text_of(item, "r:计算机文件大小") or 0),
                              text_of(item, "r:数字摘要[@算法='SHA-256']")))  # fmt: skip
    manifest = _manifest(bag)
    if "data/record.xml" in manifest:
        files.append(FileInfo("record.xml", record_path.stat().st_size, manifest["data/record.xml"]))
    checks = [
        {"id": c.get("标识"), "result": c.get("结果"), "detail": c.text or ""}
        for c in record.iterfind(".//r:检查", _NS)
    ]
    results = {c["result"] for c in checks}
    status, css = (
        ("未通过", "bad") if "未通过" in results else ("需人工核对", "warn") if "警告" in results else ("通过", "ok")
    )
    generated = text(".//r:行为时间") or bag_info(bag).get("Bagging-Date", "")
    return Entry(
        doc_id=bag.name,
        title=text(".//r:题名"),
        organ=text(".//r:责任者"),
        year=_year(text(".//r:年度"), text(".//r:日期")),
        date=text(".//r:日期"),
        pages=int(text(".//r:页数") or 0),
        genre=text(".//r:文种"),
        doc_number=text(".//r:文件编号"),
        generated=generated[:19].replace("T", " "),
        status=status,
        status_class=css,
        checks=checks,
        files=files,
    )


def _year(year: str, date: str) -> str:
    """The record's 年度; records before 0.1 wrote 1900 for a document without any date."""
    return "" if year == "1900" and not date else year


def text_of(el: etree._Element, path: str) -> str:
    return el.findtext(path, default="", namespaces=_NS) or ""


def _manifest(bag: Path) -> dict[str, str]:
    try:
        lines = (bag / "manifest-sha256.txt").read_text(encoding="utf-8").splitlines()
    except OSError:
        return {}
    return {name.strip(): digest for digest, _, name in (line.partition(" ") for line in lines if line)}


class Catalog:
    """The bags under ``outputs/``, re-scanned on every request, parsed only when they change."""

    def __init__(self, outputs: Path) -> None:
        self.root = outputs.resolve()
        self._cache: dict[str, tuple[tuple[int, int], Entry | None]] = {}

    def entries(self) -> list[Entry]:
        found = []
        try:
            children = sorted(self.root.iterdir())
        except OSError:
            return []
        for bag in children:
            if not _SAFE_ID.fullmatch(bag.name) or bag.is_symlink() or not (bag / "bagit.txt").is_file():
                continue
            entry = self._entry(bag)
            if entry:
                found.append(entry)
        return sorted(found, key=lambda e: (e.date or e.year, e.generated, e.doc_id), reverse=True)

    def get(self, doc_id: str) -> Entry | None:
        if not _SAFE_ID.fullmatch(doc_id):
            return None
        bag = self.root / doc_id
        if bag.is_symlink() or not (bag / "bagit.txt").is_file():
            return None
        return self._entry(bag)

    def _entry(self, bag: Path) -> Entry | None:
        try:
            st = (bag / "tagmanifest-sha256.txt").stat()
        except OSError:
            return None
        stamp = (st.st_mtime_ns, st.st_size)
        cached = self._cache.get(bag.name)
        if cached and cached[0] == stamp:
            return cached[1]
        record = self.path(bag.name, "record.xml")  # never through a symlink, never outside outputs/
        entry = _read_entry(bag, record) if record else None
        self._cache[bag.name] = (stamp, entry)
        return entry

    def path(self, doc_id: str, name: str) -> Path | None:
        """The file to serve, or None: only files the bag's record lists, inside outputs/."""
        path = self.root / doc_id / "data" / name
        try:
            resolved = path.resolve(strict=True)
        except (OSError, RuntimeError):
            return None
        if path.is_symlink() or not resolved.is_relative_to(self.root) or not resolved.is_file():
            return None
        return resolved


def _not_found() -> Response:
    return PlainTextResponse("404 未找到该文件", status_code=404)


def _disposition(kind: str, ascii_name: str, title: str, suffix: str) -> str:
    """RFC 6266 with an RFC 5987 ``filename*`` carrying the Chinese title."""
    return f"{kind}; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(title + suffix, safe='')}"


def _page(name: str, status_code: int = 200, **context) -> Response:
    html = _TEMPLATES.get_template(name).render(**context)
    return Response(html, status_code=status_code, media_type="text/html; charset=utf-8")


def create_app(outputs: Path, base_url: str = "") -> Starlette:
    catalog = Catalog(outputs)
    stats = Statistics(catalog.root)
    sections = Sections(catalog, max_record_bytes)

    def annual(entries: list[Entry]) -> list[dict] | None:
        """The organs with annual reports in the dataset (None: no dataset)."""
        dataset = stats.load()
        return organs(dataset, {e.doc_id for e in entries}) if dataset else None

    async def index(request: Request) -> Response:
        entries = await run_in_threadpool(catalog.entries)
        q = request.query_params.get("q", "").strip()
        organ = request.query_params.get("organ", "").strip()
        year = request.query_params.get("year", "").strip()
        shown = [
            e for e in entries
            if (not q or q in e.title) and (not organ or e.organ == organ) and (not year or e.year == year)
        ]  # fmt: skip
        return _page(
            "index.html", documents=shown, total=len(entries), q=q, organ=organ, year=year,
            organs=sorted({e.organ for e in entries if e.organ}), years=sorted({e.year for e in entries}, reverse=True),
            annual=await run_in_threadpool(annual, entries),
        )  # fmt: skip

    async def document(request: Request) -> Response:
        entry = await run_in_threadpool(catalog.get, request.path_params["doc_id"])
        if entry is None:
            return _not_found()
        total = len(await run_in_threadpool(catalog.entries))
        audit = await run_in_threadpool(audit_of, catalog, stats, entry.doc_id)
        return _page("document.html", d=entry, total=total, audit=audit)

    async def organ_page(request: Request) -> Response:
        """One organ's annual reports year over year; without ``organ``, the list of organs."""
        entries = await run_in_threadpool(catalog.entries)
        organ = request.query_params.get("organ", "").strip()
        dataset = await run_in_threadpool(stats.load)
        if dataset is None or not organ:
            return _page("compare.html", total=len(entries), organ=organ, dataset=dataset is not None,
                         organs=organs(dataset, {e.doc_id for e in entries}) if dataset else [], c=None)  # fmt: skip
        published = {e.doc_id: e.title for e in entries}
        found = await run_in_threadpool(compare, dataset, sections, organ, published)
        only = request.query_params.get("changes") == "1"
        return _page("compare.html", status_code=200 if found else 404, total=len(entries), organ=organ,
                     dataset=True, organs=[], c=found, only_changed=only)  # fmt: skip

    async def statistics_file(request: Request) -> Response:
        name = request.path_params["name"]
        path = dataset_file(catalog.root, name)
        if path is None:
            return PlainTextResponse("404 尚无年度报告统计数据", status_code=404)
        suffix = Path(name).suffix
        headers = {
            "content-disposition": _disposition("attachment", name, "政府信息公开工作年度报告统计数据", suffix),
            "cache-control": "no-cache",
        }
        return FileResponse(path, media_type=STATISTICS[name], headers=headers)

    async def download(request: Request) -> Response:
        doc_id, name = request.path_params["doc_id"], request.path_params["name"]
        entry = await run_in_threadpool(catalog.get, doc_id)
        if entry is None:
            return _not_found()
        if name == "bag.zip":
            return _bag_zip(catalog, doc_id, entry, request)
        info = entry.file(name)
        path = catalog.path(doc_id, name) if info else None
        if info is None or path is None:
            return _not_found()
        etag = f'"{info.sha256}"'
        if etag in [t.strip() for t in request.headers.get("if-none-match", "").split(",")]:
            return Response(status_code=304, headers={"etag": etag})
        suffix = Path(name).suffix
        kind = "inline" if suffix == ".xhtml" else "attachment"
        stem = entry.title or doc_id
        title = stem if name.startswith("document.") else f"{stem}-{Path(name).stem}"
        ascii_suffix = "" if name.startswith("document.") else f"-{Path(name).stem}"
        headers = {
            "etag": etag,
            "content-disposition": _disposition(kind, f"{doc_id}{ascii_suffix}{suffix}", title, suffix),
            "cache-control": "public, max-age=300",
        }  # fmt: skip
        return FileResponse(path, media_type=_MEDIA.get(suffix, "application/octet-stream"), headers=headers)

    async def api(request: Request) -> Response:
        # The configured address, or relative URLs: never the Host header a client sent.
        entries = await run_in_threadpool(catalog.entries)
        return JSONResponse({"documents": [e.api(base_url.rstrip("/")) for e in entries]})

    async def healthz(request: Request) -> Response:
        return JSONResponse({"status": "ok", "documents": len(await run_in_threadpool(catalog.entries))})

    async def stylesheet(request: Request) -> Response:
        return FileResponse(STYLES_DIR / "portal.css", media_type="text/css")

    async def compare_stylesheet(request: Request) -> Response:
        return Response(CSS, media_type="text/css; charset=utf-8", headers={"cache-control": "public, max-age=300"})

    app = Starlette(
        routes=[
            Route("/", index, methods=["GET", "HEAD"]),
            Route("/doc/{doc_id}", document, methods=["GET", "HEAD"]),
            Route("/files/{doc_id}/{name}", download, methods=["GET", "HEAD"]),
            Route("/compare", organ_page, methods=["GET", "HEAD"]),
            Route("/data/{name}", statistics_file, methods=["GET", "HEAD"]),
            Route("/api/documents", api, methods=["GET", "HEAD"]),
            Route("/healthz", healthz, methods=["GET", "HEAD"]),
            Route("/static/portal.css", stylesheet, methods=["GET", "HEAD"]),
            Route("/static/compare.css", compare_stylesheet, methods=["GET", "HEAD"]),
        ]
    )
    app.router.redirect_slashes = False  # its redirects name the Host header's host
    app.add_middleware(SecurityHeaders)
    return app


def _bag_zip(catalog: Catalog, doc_id: str, entry: Entry, request: Request) -> Response:
    """The bag as a ZIP of exactly the files it lists (its tag files and the files of its record),
    streamed as it is compressed; reproducible (sorted names, fixed timestamps), so the ETag is
    the tag manifest's digest, which changes whenever anything in the bag does."""
    bag = catalog.root / doc_id
    tagmanifest = bag / "tagmanifest-sha256.txt"
    st = tagmanifest.stat()
    etag = f'"zip-{sha256_file(tagmanifest)}"'
    if etag in request.headers.get("if-none-match", ""):
        return Response(status_code=304, headers={"etag": etag})
    headers = {
        "etag": etag,
        "last-modified": email.utils.formatdate(st.st_mtime, usegmt=True),
        "content-disposition": _disposition("attachment", f"{doc_id}.zip", entry.title or doc_id, ".zip"),
    }
    if request.method == "HEAD":
        return Response(media_type="application/zip", headers=headers)
    files = [(name, path) for name in _bag_files(bag, entry) if (path := _plain_file(catalog.root, bag / name))]
    return StreamingResponse(_zip_stream(doc_id, files), media_type="application/zip", headers=headers)


def _bag_files(bag: Path, entry: Entry) -> list[str]:
    """The tag files the tag manifest lists, the tag manifests, and the data files of the record."""
    tags = [line.split(maxsplit=1)[1] for line in (bag / "tagmanifest-sha256.txt").read_text(encoding="utf-8")
            .splitlines() if len(line.split(maxsplit=1)) == 2]  # fmt: skip
    tags += [p.name for p in bag.glob("tagmanifest-*.txt")]
    return sorted({name for name in tags if "/" not in name} | {f"data/{f.name}" for f in entry.files})


def _plain_file(root: Path, path: Path) -> Path | None:
    """``path`` if it is a regular file with one link, inside ``root``, reached without symlinks."""
    try:
        st = path.lstat()
        resolved = path.resolve(strict=True)
    except (OSError, RuntimeError):
        return None
    if not stat.S_ISREG(st.st_mode) or st.st_nlink != 1 or resolved != path.absolute():
        return None
    return path if resolved.is_relative_to(root) else None


class _Chunks(io.RawIOBase):
    """An unseekable sink that keeps what is written until it is taken."""

    def __init__(self) -> None:
        self.parts: list[bytes] = []

    def writable(self) -> bool:
        return True

    def write(self, data) -> int:  # type: ignore[override]
        self.parts.append(bytes(data))
        return len(data)

    def take(self) -> bytes:
        data, self.parts = b"".join(self.parts), []
        return data


def _zip_stream(doc_id: str, files: list[tuple[str, Path]]) -> Iterator[bytes]:
    sink = _Chunks()
    with zipfile.ZipFile(sink, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, path in files:
            info = zipfile.ZipInfo(f"{doc_id}/{name}", date_time=(1980, 1, 1, 0, 0, 0))
            info.compress_type = zipfile.ZIP_DEFLATED
            with path.open("rb") as src, archive.open(info, "w") as dst:
                while block := src.read(1 << 16):
                    dst.write(block)
                    yield sink.take()
        yield sink.take()
    yield sink.take()


class SecurityHeaders:
    """Pure ASGI middleware: security headers on every response, whatever produced it."""

    def __init__(self, app) -> None:
        self.app = app

    async def __call__(self, scope, receive, send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message) -> None:
            if message["type"] == "http.response.start":
                headers = [(k, v) for k, v in message.get("headers", []) if k.decode().lower() not in SECURITY_HEADERS]
                headers += [(k.encode(), v.encode()) for k, v in SECURITY_HEADERS.items()]
                message = {**message, "headers": headers}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def serve(outputs: Path, host: str, port: int) -> None:
    import uvicorn

    base = os.environ.get("PIPELINE_PORTAL_URL", "")
    uvicorn.run(create_app(outputs, base), host=host, port=port, log_level="info", server_header=False)
