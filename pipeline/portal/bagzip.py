"""A published bag as one streamed ZIP, holding only the files its manifests list."""

from __future__ import annotations

import email.utils
import io
import zipfile
from collections.abc import Iterator
from pathlib import Path

from starlette.requests import Request
from starlette.responses import Response, StreamingResponse

from pipeline.archive.fixity import sha256_file
from pipeline.portal.catalog import Catalog, Entry, _disposition, plain_file


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
    files = [(name, path) for name in _bag_files(bag, entry) if (path := plain_file(catalog.root, bag / name))]
    return StreamingResponse(_zip_stream(doc_id, files), media_type="application/zip", headers=headers)


def _bag_files(bag: Path, entry: Entry) -> list[str]:
    """The tag files the tag manifest lists, the tag manifests, and the data files of the record."""
    tags = [line.split(maxsplit=1)[1] for line in (bag / "tagmanifest-sha256.txt").read_text(encoding="utf-8")
            .splitlines() if len(line.split(maxsplit=1)) == 2]  # fmt: skip
    tags += [p.name for p in bag.glob("tagmanifest-*.txt")]
    return sorted({name for name in tags if "/" not in name} | {f"data/{f.name}" for f in entry.files})


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
