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

import os
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.applications import Starlette
from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.responses import FileResponse, JSONResponse, PlainTextResponse, Response
from starlette.routing import Route

from pipeline.pdf.styles import STYLES_DIR
from pipeline.portal.bagzip import _bag_zip
from pipeline.portal.catalog import Catalog, Entry, _disposition, max_record_bytes
from pipeline.portal.compare import CSS, compare, organs
from pipeline.portal.sections import Sections
from pipeline.portal.statistics import STATISTICS, Statistics, audit_of, dataset_file

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


def _not_found() -> Response:
    return PlainTextResponse("404 未找到该文件", status_code=404)


def _page(name: str, status_code: int = 200, **context) -> Response:
    html = _TEMPLATES.get_template(name).render(**context)
    return Response(html, status_code=status_code, media_type="text/html; charset=utf-8")


class _Portal:
    """The portal's pages and files over one outputs folder (the routes of ``create_app``)."""

    def __init__(self, catalog: Catalog, base_url: str) -> None:
        self.catalog, self.base_url = catalog, base_url
        self.stats = Statistics(catalog.root)
        self.sections = Sections(catalog, max_record_bytes)

    def annual(self, entries: list[Entry]) -> list[dict] | None:
        """The organs with annual reports in the dataset (None: no dataset)."""
        dataset = self.stats.load()
        return organs(dataset, {e.doc_id for e in entries}) if dataset else None

    async def index(self, request: Request) -> Response:
        entries = await run_in_threadpool(self.catalog.entries)
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
            annual=await run_in_threadpool(self.annual, entries),
        )  # fmt: skip

    async def document(self, request: Request) -> Response:
        entry = await run_in_threadpool(self.catalog.get, request.path_params["doc_id"])
        if entry is None:
            return _not_found()
        total = len(await run_in_threadpool(self.catalog.entries))
        audit = await run_in_threadpool(audit_of, self.catalog, self.stats, entry.doc_id)
        return _page("document.html", d=entry, total=total, audit=audit)

    async def organ_page(self, request: Request) -> Response:
        """One organ's annual reports year over year; without ``organ``, the list of organs."""
        entries = await run_in_threadpool(self.catalog.entries)
        organ = request.query_params.get("organ", "").strip()
        dataset = await run_in_threadpool(self.stats.load)
        if dataset is None or not organ:
            return _page("compare.html", total=len(entries), organ=organ, dataset=dataset is not None,
                         organs=organs(dataset, {e.doc_id for e in entries}) if dataset else [], c=None)  # fmt: skip
        published = {e.doc_id: e.title for e in entries}
        found = await run_in_threadpool(compare, dataset, self.sections, organ, published)
        only = request.query_params.get("changes") == "1"
        return _page("compare.html", status_code=200 if found else 404, total=len(entries), organ=organ,
                     dataset=True, organs=[], c=found, only_changed=only)  # fmt: skip

    async def statistics_file(self, request: Request) -> Response:
        name = request.path_params["name"]
        path = dataset_file(self.catalog.root, name)
        if path is None:
            return PlainTextResponse("404 尚无年度报告统计数据", status_code=404)
        suffix = Path(name).suffix
        headers = {
            "content-disposition": _disposition("attachment", name, "政府信息公开工作年度报告统计数据", suffix),
            "cache-control": "no-cache",
        }
        return FileResponse(path, media_type=STATISTICS[name], headers=headers)

    async def download(self, request: Request) -> Response:
        doc_id, name = request.path_params["doc_id"], request.path_params["name"]
        entry = await run_in_threadpool(self.catalog.get, doc_id)
        if entry is None:
            return _not_found()
        if name == "bag.zip":
            return _bag_zip(self.catalog, doc_id, entry, request)
        info = entry.file(name)
        path = self.catalog.path(doc_id, name) if info else None
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

    async def api(self, request: Request) -> Response:
        # The configured address, or relative URLs: never the Host header a client sent.
        entries = await run_in_threadpool(self.catalog.entries)
        return JSONResponse({"documents": [e.api(self.base_url.rstrip("/")) for e in entries]})

    async def healthz(self, request: Request) -> Response:
        return JSONResponse({"status": "ok", "documents": len(await run_in_threadpool(self.catalog.entries))})

    async def stylesheet(self, request: Request) -> Response:
        return FileResponse(STYLES_DIR / "portal.css", media_type="text/css")

    async def compare_stylesheet(self, request: Request) -> Response:
        return Response(CSS, media_type="text/css; charset=utf-8", headers={"cache-control": "public, max-age=300"})


def create_app(outputs: Path, base_url: str = "") -> Starlette:
    portal = _Portal(Catalog(outputs), base_url)
    app = Starlette(
        routes=[
            Route("/", portal.index, methods=["GET", "HEAD"]),
            Route("/doc/{doc_id}", portal.document, methods=["GET", "HEAD"]),
            Route("/files/{doc_id}/{name}", portal.download, methods=["GET", "HEAD"]),
            Route("/compare", portal.organ_page, methods=["GET", "HEAD"]),
            Route("/data/{name}", portal.statistics_file, methods=["GET", "HEAD"]),
            Route("/api/documents", portal.api, methods=["GET", "HEAD"]),
            Route("/healthz", portal.healthz, methods=["GET", "HEAD"]),
            Route("/static/portal.css", portal.stylesheet, methods=["GET", "HEAD"]),
            Route("/static/compare.css", portal.compare_stylesheet, methods=["GET", "HEAD"]),
        ]
    )
    app.router.redirect_slashes = False  # its redirects name the Host header's host
    app.add_middleware(SecurityHeaders)
    return app


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
