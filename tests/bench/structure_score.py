"""Structure recovered from real documents, scored against labels made by reading them.

    .venv/bin/python tests/bench/structure_score.py FOLDER [FOLDER ...] [--no-pdf] [--json]

Each FOLDER holds documents and an ``expected.json`` (``{"documents": [{"file": …, "title": …}]}``;
``file`` is matched by its name inside FOLDER), or its labels are in
``tests/fixtures/<FOLDER's name>/expected.json`` (as for ../shared/corpus, which is read-only).
Every document goes through the pipeline's stages
(read, normalize, xhtml, and unless ``--no-pdf`` render and check) and is scored field by field:

- ``title``: the title found; ``h1``: the XHTML's ``<h1>``; ``title_printed``: page 1 of the PDF
  holds the title in the title style (the 22 pt characters of page 1 spell it);
- ``organ``, ``date``, ``doc_number``, ``recipients``, ``cc``, ``printed_by``: the metadata found,
  scored on the documents whose label is not null (and, for ``printed_by``/``organ`` labelled null
  where the note says the line is present, nothing may be invented: see ``invented``);
- ``header``: 文号 and 主送 stand in the XHTML ``<header>`` when labelled;
- ``signed``: a ``<footer class="signature">`` exactly when the document is signed; ``no_invented_date``:
  an unsigned document has no signature date;
- ``sections``: the level-1 headings, ``exact`` or as a ``subsequence`` as the label says
  (whitespace ignored); ``toc``: no table-of-contents line became a heading;
- ``attachments``: the 附件 names; ``tables``: the number of tables in the XHTML;
- ``idempotent``: normalizing the normalized text changes nothing; ``lossless``: every Han
  character and digit is accounted for (``pipeline.normalize.accounting``): in the output, in the
  source's order outside rebuilt statutory tables, or logged as removed or as restored;
- ``converted``: the document converted (a failure, e.g. text wider than the 版心, scores 0 here).

Prints one table of accuracy per field and the misses per document; ``--json`` prints the same
as JSON. Not collected by pytest.
"""

from __future__ import annotations

import argparse
import json
import re
import sys
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from lxml import etree  # noqa: E402

from pipeline.core.errors import DocumentError  # noqa: E402
from pipeline.core.model import Document  # noqa: E402
from pipeline.ingest.read import read_document  # noqa: E402
from pipeline.normalize import accounting, normalize  # noqa: E402
from pipeline.xhtml.build import to_xhtml  # noqa: E402
from pipeline.xhtml.tree import XHTML_NS  # noqa: E402

NS = {"h": XHTML_NS}
FIELDS = ("converted", "title", "h1", "title_printed", "organ", "date", "signed", "no_invented_date",
          "doc_number", "recipients", "header", "cc", "printed_by", "sections", "toc", "attachments", "tables",
          "idempotent", "lossless")  # fmt: skip


def compact(text: str | None) -> str:
    return re.sub(r"\s+", "", text or "")


def is_subsequence(short: list[str], long: list[str]) -> bool:
    it = iter(long)
    return all(item in it for item in short)


def _texts(root: etree._Element, xpath: str) -> list[str]:
    return [compact("".join(el.itertext())) for el in root.xpath(xpath, namespaces=NS)]


def _title_on_page_one(pdf: bytes) -> str:
    """The characters of page 1 set at the title size (22 pt), in reading order."""
    import io

    import pdfplumber

    with pdfplumber.open(io.BytesIO(pdf)) as document:
        chars = [c for c in document.pages[0].chars if abs(c["size"] - 22) < 0.6]
    chars.sort(key=lambda c: (round(c["top"]), c["x0"]))
    return compact("".join(c["text"] for c in chars))


def score(path: Path, expected: dict, pdf: bool) -> dict[str, bool | None]:
    """One document: field -> True (right), False (wrong), None (not applicable)."""
    out: dict[str, bool | None] = dict.fromkeys(FIELDS)
    doc = normalize(read_document(path, path.stem))
    again = normalize(Document("again", path, doc.markdown.encode(), "UTF-8", doc.markdown))
    out["idempotent"] = again.markdown == doc.markdown
    out["lossless"] = not accounting.problems(doc)
    meta = doc.meta
    doc = to_xhtml(doc)
    root = etree.fromstring(doc.xhtml)
    title = expected.get("title")
    out["title"] = compact(meta.title) == compact(title)
    out["h1"] = _texts(root, "//h:header/h:h1") == ([compact(title)] if title else [])
    out["converted"] = True
    if pdf:
        from pipeline.conformance.check import check_document
        from pipeline.pdf.render import render_pdf

        try:
            rendered = check_document(render_pdf(doc))
        except DocumentError:
            out["converted"] = False
        else:
            if title:
                out["title_printed"] = _title_on_page_one(rendered.pdf) == compact(title)
    for field in ("organ", "doc_number", "recipients", "cc", "printed_by"):
        if expected.get(field):
            out[field] = compact(getattr(meta, field, "")) == compact(expected[field])
    if expected.get("date"):
        out["date"] = bool(meta.date) and meta.date.isoformat() == expected["date"]
    header = _texts(root, "//h:header/h:p")
    wanted = [compact(expected[k]) for k in ("doc_number", "recipients") if expected.get(k)]
    if wanted:
        out["header"] = all(any(w in h for h in header) for w in wanted)
    footer = root.xpath("//h:footer[contains(@class, 'signature')]", namespaces=NS)
    if "signed" in expected:
        out["signed"] = bool(footer) == bool(expected["signed"])
        if not expected["signed"]:
            out["no_invented_date"] = not root.xpath("//h:footer[contains(@class,'signature')]//h:time",
                                                     namespaces=NS)  # fmt: skip
    if "sections" in expected:
        found = _texts(root, "//h:section[contains(@class, 'level-1')]/h:h2")
        labelled = [compact(s) for s in expected["sections"]]
        exact = expected.get("sections_match", "exact") == "exact"
        out["sections"] = found == labelled if exact else is_subsequence(labelled, found)
    if expected.get("toc"):
        toc = root.xpath("//h:nav[contains(@class, 'toc')]", namespaces=NS)
        entries = {compact(re.sub(r"[.…·．]{2,}.*$", "", t)) for t in _texts(root, "//h:nav//h:li")}
        # the TOC is recognised, and none of its lines became a heading
        doubled = [h for h in _texts(root, "//h:h2 | //h:h3 | //h:h4") if h in entries]
        out["toc"] = bool(toc) and bool(entries) and not doubled
    if "attachments" in expected:
        names = [compact(a) for a in getattr(meta, "attachments", [])]
        out["attachments"] = names == [compact(a) for a in expected["attachments"]]
    if "tables" in expected:
        out["tables"] = len(root.xpath("//h:table", namespaces=NS)) == expected["tables"]
    return out


LABELS = Path(__file__).resolve().parents[1] / "fixtures"  # labels of folders we may not write into


def load(folder: Path) -> list[tuple[Path, dict]]:
    """The labels: FOLDER/expected.json, else tests/fixtures/<FOLDER's name>/expected.json (the
    read-only corpus's labels are kept with the tests)."""
    labels = folder / "expected.json"
    if not labels.is_file():
        labels = LABELS / folder.name / "expected.json"
    data = json.loads(labels.read_text(encoding="utf-8"))
    entries = data["documents"] if isinstance(data, dict) and "documents" in data else data
    return [(folder / Path(e["file"]).name, e) for e in entries]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("folders", nargs="+", type=Path)
    parser.add_argument("--no-pdf", action="store_true", help="skip the render (title_printed, converted)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()
    results: dict[str, dict[str, bool | None]] = {}
    for folder in args.folders:
        for path, expected in load(folder):
            name = expected.get("name") or path.stem
            try:
                results[name] = score(path, expected, not args.no_pdf)
            except Exception as exc:  # a crash scores every field of the document as wrong
                print(f"{name}: {type(exc).__name__}: {exc}", file=sys.stderr)
                results[name] = {f: False for f in FIELDS}
    totals: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    for fields in results.values():
        for field, ok in fields.items():
            if ok is not None:
                totals[field][0] += bool(ok)
                totals[field][1] += 1
    misses = {name: [f for f, ok in fields.items() if ok is False] for name, fields in results.items()}
    if args.json:
        print(json.dumps({"fields": {f: totals[f] for f in FIELDS if f in totals}, "misses": misses},
                         ensure_ascii=False, indent=1))  # fmt: skip
        return
    print(f"{'field':<18} {'right':>6} {'of':>4} {'share':>7}")
    for field in FIELDS:
        if field in totals:
            right, count = totals[field]
            print(f"{field:<18} {right:>6} {count:>4} {right / count:>7.0%}")
    print()
    for name, fields in misses.items():
        if fields:
            print(f"{name}: {', '.join(fields)}")


if __name__ == "__main__":
    main()
