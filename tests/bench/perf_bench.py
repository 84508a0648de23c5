"""Where the time goes, and the whole batch against pandoc + the WeasyPrint CLI (not collected by
pytest). One run, on this machine, prints one JSON line with every figure:

    .venv/bin/python tests/bench/perf_bench.py [--copies 5] [--skip-baseline] [--skip-cold]

* ``stages``: every corpus document (seed + 20) through read, normalize, xhtml, pdf, check,
  archive and fixity (verifying the written bag), warm (the second pass is timed): median and
  max ms per stage; beside it WeasyPrint's bare ``write_pdf`` of the same XHTML with the same
  style sheet, in a separate process without the pipeline's WeasyPrint hooks, document by
  document right after the stages (the machine's drift hits both alike).
* ``memory``: one process converting the whole batch document after document, as a worker
  does: resident memory and the peak so far after documents 10 and 100 (or the last); in the
  order of the files, and (``memory_flow_order``) in the order a worker gets them, largest
  first. Resident memory is also given in its two parts: private (anonymous: what the worker
  itself holds) and file-backed (mostly the pages of the mapped font files that the glyphs
  drawn so far touched: shared by all workers, reclaimable by the kernel, and growing with
  each new character until the fonts' used pages are all in).
* ``flow``: the batch (the corpus copied ``--copies`` times under distinct ids) through the
  real flow, ``pipeline run`` as a user runs it: against a running ``prefect server start``
  with 2 and 1 workers, an unchanged re-run, and cold (Prefect's embedded server started by the
  run itself, on an already created database); peak memory of each worker process.
* ``baseline``: the same documents with ``pandoc -f markdown -t html5 -s`` then the
  ``weasyprint`` CLI with the same style sheet, one process pair per document, one after
  another, as a user's shell loop would (GBK sources are decoded to UTF-8 first, untimed).
* ``machine_parallel_speedup``: what two processes get from the two cores on pure arithmetic,
  the ceiling for two workers (this machine's two cores give 1.3-1.9, not 2).
* ``size``: PDF bytes per page, ours against WeasyPrint's default embedding and against Typst
  (the ``typst`` package) setting the same XHTML with the same fonts.

Debian's ``pandoc`` and the ``typst`` package are needed (``make bench`` installs both).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
FIXTURES = ROOT / "tests" / "fixtures"
STYLESHEET = ROOT / "styles" / "official.css"
XHTML = "{http://www.w3.org/1999/xhtml}"


def corpus(limit: int = 0) -> list[Path]:
    """The seed and the corpus, or their first ``limit`` documents (a quick run)."""
    paths = [FIXTURES / "seed.md", *sorted((FIXTURES / "corpus").glob("[0-9][0-9]-*"))]
    return paths[:limit] if limit else paths


def batch(folder: Path, copies: int, limit: int) -> list[Path]:
    folder.mkdir(parents=True)
    for copy in range(copies):
        for path in corpus(limit):
            shutil.copy(path, folder / f"c{copy}-{path.stem}{path.suffix}")
    return sorted(folder.iterdir())


def ms(values: list[float]) -> dict[str, float]:
    return {"median_ms": round(statistics.median(values) * 1000, 1), "max_ms": round(max(values) * 1000, 1),
            "total_s": round(sum(values), 2)}  # fmt: skip


# --- stages -----------------------------------------------------------------------------------


def stages(work: Path, limit: int) -> tuple[dict, dict[str, bytes], dict[str, tuple[float, int, int]]]:
    """Warm per-stage timings over the corpus, the XHTML of each document, and WeasyPrint's bare
    render of that XHTML (seconds, bytes, pages), asked right after the stages ran on it."""
    from pipeline.archive.package import write_package
    from pipeline.archive.verify import verify_bag
    from pipeline.conformance.check import check_document
    from pipeline.ingest.read import read_document
    from pipeline.normalize import normalize
    from pipeline.pdf.render import render_pdf
    from pipeline.xhtml.build import to_xhtml

    steps = ("read", "normalize", "xhtml", "pdf", "check", "archive", "fixity")
    times: dict[str, list[float]] = {s: [] for s in steps}
    per_doc: list[float] = []
    xhtml: dict[str, bytes] = {}
    bare_results: dict[str, tuple[float, int, int]] = {}
    bare = BareWeasyPrint()
    try:
        for warm in (False, True):
            out = work / f"stages-{int(warm)}"
            for path in corpus(limit):
                marks = [time.perf_counter()]
                doc = read_document(path, path.stem)
                marks.append(time.perf_counter())
                doc = normalize(doc)
                marks.append(time.perf_counter())
                doc = to_xhtml(doc)
                marks.append(time.perf_counter())
                doc = render_pdf(doc)
                marks.append(time.perf_counter())
                doc = check_document(doc)
                marks.append(time.perf_counter())
                bag = write_package(doc, out)
                marks.append(time.perf_counter())
                report = verify_bag(bag)
                marks.append(time.perf_counter())
                assert report.ok, report
                result = bare.render(bag / "data" / "document.xhtml")
                if warm:
                    for step, start, end in zip(steps, marks, marks[1:], strict=False):
                        times[step].append(end - start)
                    per_doc.append(marks[-1] - marks[0])
                    xhtml[path.stem] = doc.xhtml
                    bare_results[path.stem] = result
    finally:
        bare.close()
    figures = {name: ms(values) for name, values in times.items()}
    figures["all_stages"] = ms(per_doc)
    return figures, xhtml, bare_results


_BARE = """
import json, os, sys, time
os.environ.setdefault("SOURCE_DATE_EPOCH", "946684800")
from weasyprint import CSS, HTML
from weasyprint.text.fonts import FontConfiguration
for line in sys.stdin:
    started = time.perf_counter()
    fonts = FontConfiguration()
    css = CSS(filename=sys.argv[1], font_config=fonts)
    document = HTML(filename=line.strip()).render(stylesheets=[css], font_config=fonts)
    pdf = document.write_pdf(pdf_variant="pdf/a-3u")
    print(json.dumps([time.perf_counter() - started, len(pdf), len(document.pages)]), flush=True)
"""


class BareWeasyPrint:
    """WeasyPrint's own ``write_pdf`` with the same style sheet, in a process without the
    pipeline's hooks, asked for each document right after the pipeline's stages ran on it: this
    machine's speed drifts by tens of per cent over minutes, and neighbours see the same drift."""

    def __init__(self) -> None:
        self.process = subprocess.Popen([sys.executable, "-c", _BARE, str(STYLESHEET)], stdin=subprocess.PIPE,
                                        stdout=subprocess.PIPE, text=True, env=_env())  # fmt: skip

    def render(self, xhtml: Path) -> tuple[float, int, int]:
        assert self.process.stdin and self.process.stdout
        self.process.stdin.write(f"{xhtml}\n")
        self.process.stdin.flush()
        line = self.process.stdout.readline()
        if not line:
            raise SystemExit(f"the bare WeasyPrint process stopped on {xhtml}")
        seconds, size, pages = json.loads(line)
        return seconds, size, pages

    def close(self) -> None:
        if self.process.stdin:
            self.process.stdin.close()
        self.process.wait(60)


# --- memory -----------------------------------------------------------------------------------


def _rss_mb(part: str = "VmRSS") -> float:
    """This process's resident memory (``VmRSS``), a part of it (``RssAnon``, ``RssFile``), or
    its peak so far (``VmHWM``; not ``ru_maxrss``, which a child started by this bench inherits
    from it)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{part}:"):
            return int(line.split()[1]) / 1024
    return 0.0


def memory(sources: list[Path], work: Path) -> dict:
    """Resident memory of one process converting the batch document after document, in the
    given order."""
    script = f"""
import json, sys
from pathlib import Path
sys.path.insert(0, {str(ROOT)!r})
from pipeline.orchestrate.convert import convert_file
sys.path.insert(0, {str(Path(__file__).parent)!r})
from perf_bench import _rss_mb
rss = {{"VmRSS": [], "RssAnon": [], "RssFile": [], "VmHWM": []}}
for path in {[str(p) for p in sources]!r}:
    outcome = convert_file(Path(path), Path(path).stem, Path({str(work / "memory")!r}), force=True)
    assert outcome.ok, outcome
    for part, values in rss.items():
        values.append(round(_rss_mb(part), 1))
print(json.dumps(rss))
"""
    out = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, check=True, env=_env())
    result = json.loads(out.stdout.strip().splitlines()[-1])
    figures: dict[str, object] = {"documents": len(sources), "peak_mb": result["VmHWM"][-1]}
    parts = (("VmRSS", "resident"), ("RssAnon", "private"), ("RssFile", "file_backed"), ("VmHWM", "peak"))
    for part, name in parts:
        series = result[part]
        at_10, at_100 = series[min(9, len(series) - 1)], series[min(99, len(series) - 1)]
        figures[name] = {"after_doc_10_mb": at_10, f"after_doc_{min(100, len(series))}_mb": at_100,
                         "growth_10_to_100": round(at_100 / at_10 - 1, 3), "max_after_10_mb": max(series[9:] or series),
                         "every_10_mb": series[9::10]}  # fmt: skip
    return figures


def flow_order(inputs: Path) -> list[Path]:
    """The order in which a worker gets the documents: the flow's chunks, largest first."""
    from pipeline.ingest.inputs import discover
    from pipeline.orchestrate.flows import chunks

    return [s.path for chunk in chunks(discover(inputs), 1) for s in chunk]


# --- the flow -----------------------------------------------------------------------------------


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("PREFECT_")}
    env.update(PREFECT_SERVER_ANALYTICS_ENABLED="false", PREFECT_LOGGING_LEVEL="WARNING", **extra)
    return env


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _descendants(pid: int) -> dict[int, int]:
    """Every process below ``pid``, with its parent."""
    children: dict[int, list[int]] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(stat.parent.name))
    found, todo = {}, [pid]
    while todo:
        parent = todo.pop()
        for child in children.get(parent, []):
            found[child] = parent
            todo.append(child)
    return found


def pipeline_run(inputs: Path, outputs: Path, workers: int, env: dict[str, str], log: Path) -> dict:
    """``pipeline run`` as a user runs it; wall time and each worker process's peak memory."""
    command = [str(BIN / "pipeline"), "run", "--inputs", str(inputs), "--outputs", str(outputs),
               "--workers", str(workers)]  # fmt: skip
    peaks: dict[int, float] = {}
    started = time.perf_counter()
    with log.open("w") as fh:
        process = subprocess.Popen(command, stdout=fh, stderr=subprocess.STDOUT, env=env, cwd=ROOT)
        while process.poll() is None:
            for pid, parent in _descendants(process.pid).items():
                try:
                    status = Path(f"/proc/{pid}/status").read_text()
                    cmdline = Path(f"/proc/{pid}/cmdline").read_bytes()
                except OSError:
                    continue
                # a worker: forked by the fork server (itself a child of the run), or spawned
                if (b"forkserver" in cmdline and parent != process.pid) or b"spawn_main" in cmdline:
                    hwm = next(int(ln.split()[1]) for ln in status.splitlines() if ln.startswith("VmHWM:"))
                    peaks[pid] = max(peaks.get(pid, 0), hwm / 1024)
            time.sleep(0.5)
    seconds = time.perf_counter() - started
    if process.returncode != 0:
        raise SystemExit(f"pipeline run failed ({process.returncode}); see {log}")
    return {"seconds": round(seconds, 1), "worker_peak_mb": sorted(round(p) for p in peaks.values())}


def flow_batches(inputs: Path, work: Path, documents: int, cold: bool) -> dict:
    home = work / "prefect-home"
    port = _free_port()
    api = f"http://127.0.0.1:{port}/api"
    server_env = _env(PREFECT_HOME=str(home))
    server_log = (work / "server.log").open("w")
    server = subprocess.Popen([str(BIN / "prefect"), "server", "start", "--host", "127.0.0.1", "--port", str(port)],
                              stdout=server_log, stderr=subprocess.STDOUT, env=server_env)  # fmt: skip
    figures: dict[str, object] = {}
    try:
        started = time.perf_counter()
        while True:
            try:
                urllib.request.urlopen(f"{api}/health", timeout=2).read()
                break
            except OSError:
                if time.perf_counter() - started > 300 or server.poll() is not None:
                    raise SystemExit(f"the Prefect server did not start; see {work / 'server.log'}") from None
                time.sleep(0.5)
        figures["server_start_s"] = round(time.perf_counter() - started, 1)
        env = _env(PREFECT_HOME=str(home), PREFECT_API_URL=api)
        first = pipeline_run(inputs, work / "out-2", 2, env, work / "run-2.log")
        figures["server_2_workers"] = first
        rerun = pipeline_run(inputs, work / "out-2", 2, env, work / "rerun.log")
        rerun["share_of_first_run"] = round(rerun["seconds"] / first["seconds"], 3)
        figures["server_unchanged_rerun"] = rerun
        figures["server_1_worker"] = pipeline_run(inputs, work / "out-1", 1, env, work / "run-1.log")
    finally:
        server.terminate()
        server.wait(30)
        server_log.close()
    if cold:  # the embedded server, started by the run, on the database the server above created
        figures["cold_2_workers"] = pipeline_run(inputs, work / "out-cold", 2, _env(PREFECT_HOME=str(home)),
                                                 work / "cold.log")  # fmt: skip
    for key in ("server_2_workers", "server_1_worker", "cold_2_workers"):
        if key in figures:
            figures[key]["docs_per_second"] = round(documents / figures[key]["seconds"], 2)
    figures["speedup_2_vs_1_worker"] = round(
        figures["server_1_worker"]["seconds"] / figures["server_2_workers"]["seconds"], 2
    )
    return figures


# --- the usual alternative -----------------------------------------------------------------------


def baseline(sources: list[Path], work: Path) -> dict:
    folder = work / "baseline"
    folder.mkdir()
    utf8 = []
    for path in sources:  # what a user must do first for pandoc: GBK files re-encoded (untimed)
        data = path.read_bytes()
        try:
            data.decode("utf-8")
        except UnicodeDecodeError:
            data = data.decode("gb18030").encode("utf-8")
        target = folder / f"{path.stem}.md"
        target.write_bytes(data)
        utf8.append(target)
    pandoc_s = weasyprint_s = 0.0
    size = 0
    for path in utf8:
        html, pdf = path.with_suffix(".html"), path.with_suffix(".pdf")
        started = time.perf_counter()
        subprocess.run(["pandoc", "-f", "markdown", "-t", "html5", "-s", "--metadata", f"title={path.stem}",
                        str(path), "-o", str(html)], check=True, capture_output=True)  # fmt: skip
        middle = time.perf_counter()
        subprocess.run([str(BIN / "weasyprint"), "-s", str(STYLESHEET), str(html), str(pdf)], check=True,
                       capture_output=True, env=_env())  # fmt: skip
        pandoc_s += middle - started
        weasyprint_s += time.perf_counter() - middle
        size += pdf.stat().st_size
    return {"documents": len(utf8), "seconds": round(pandoc_s + weasyprint_s, 1), "pandoc_s": round(pandoc_s, 1),
            "weasyprint_cli_s": round(weasyprint_s, 1), "pdf_bytes": size}  # fmt: skip


# --- size against Typst ----------------------------------------------------------------------------


def _typst_text(text: str) -> str:
    return '#"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", " ") + '"'


def typst_source(xhtml: bytes) -> str:
    """The XHTML's text set by Typst the way our style sheet sets it (fonts, sizes, page)."""
    from lxml import etree

    serif, sans, kai = "Noto Serif CJK SC", "Noto Sans CJK SC", "AR PL UKai CN"
    out = [
        '#set page(paper: "a4", margin: (left: 28mm, right: 26mm, top: 37mm, bottom: 35mm), numbering: "— 1 —")',
        f'#set text(font: "{serif}", size: 16pt, lang: "zh", region: "cn")',
        "#set par(justify: true, first-line-indent: (amount: 2em, all: true), leading: 12.95pt, spacing: 12.95pt)",
    ]

    def text(el) -> str:
        return "".join(el.itertext()).strip()

    for el in etree.fromstring(xhtml).iter():
        tag = el.tag.removeprefix(XHTML)
        if tag == "h1":
            out.append(f'#align(center, text(font: "{serif}", weight: "bold", size: 22pt)[{_typst_text(text(el))}])')
        elif tag in ("h2", "h3"):
            font = sans if tag == "h2" else kai
            out.append(f'#par(text(font: "{font}")[{_typst_text(text(el))}])')
        elif tag == "p" and el.getparent().tag.removeprefix(XHTML) not in ("td", "th"):
            out.append(f"#par[{_typst_text(text(el))}]")
        elif tag == "tr":
            cells = [c for c in el if c.tag.removeprefix(XHTML) in ("td", "th")]
            row = ", ".join(f"[{_typst_text(text(c))}]" for c in cells)
            out.append(f"#table(columns: {max(len(cells), 1)}, {row})")
        elif tag == "time" or (tag == "p" and el.get("class") == "signature"):
            out.append(f"#align(right)[{_typst_text(text(el))}]")
    return "\n".join(out) + "\n"


def sizes(xhtml: dict[str, bytes], ours: dict[str, tuple[int, int]], default: dict, work: Path) -> dict:
    import typst

    folder = work / "typst"
    folder.mkdir()
    typst_bytes = typst_pages = 0
    seed: dict[str, float] = {}
    for name, data in xhtml.items():
        source = folder / f"{name}.typ"
        source.write_text(typst_source(data), encoding="utf-8")
        pdf = typst.compile(str(source))
        pages = _pages(pdf)
        typst_bytes += len(pdf)
        typst_pages += pages
        if name == "seed":
            seed["typst_kb"] = round(len(pdf) / 1024, 1)
            seed["typst_kb_per_page"] = round(len(pdf) / 1024 / pages, 1)
    our_bytes = sum(b for b, _ in ours.values())
    our_pages = sum(p for _, p in ours.values())
    default_bytes = sum(b for b, _ in default.values())
    default_pages = sum(p for _, p in default.values())
    seed_bytes, seed_pages = ours["seed"]
    seed.update(ours_kb=round(seed_bytes / 1024, 1), ours_kb_per_page=round(seed_bytes / 1024 / seed_pages, 1),
                weasyprint_default_kb=round(default["seed"][0] / 1024, 1))  # fmt: skip
    return {
        "seed": seed,
        "corpus_kb_per_page": {
            "ours": round(our_bytes / 1024 / our_pages, 1),
            "weasyprint_default": round(default_bytes / 1024 / default_pages, 1),
            "typst": round(typst_bytes / 1024 / typst_pages, 1),
        },
    }


def _pages(pdf: bytes) -> int:
    import io

    from pypdf import PdfReader

    return len(PdfReader(io.BytesIO(pdf)).pages)


# --- the machine ---------------------------------------------------------------------------------


def parallel_speedup() -> float:
    """What two processes get from this machine's two cores on pure Python arithmetic (2.0 on
    two free cores): the ceiling for two workers, whatever the pipeline does."""
    spin = "x = 0\nfor i in range(20_000_000): x += i * i\n"
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", spin], check=True)
    alone = time.perf_counter() - started
    started = time.perf_counter()
    both = [subprocess.Popen([sys.executable, "-c", spin]) for _ in range(2)]
    for process in both:
        process.wait()
    return round(2 * alone / (time.perf_counter() - started), 2)


# --- main ---------------------------------------------------------------------------------------


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--copies", type=int, default=5, help="corpus copies in the batch (5 -> 105 documents)")
    parser.add_argument("--skip-baseline", action="store_true")
    parser.add_argument("--skip-cold", action="store_true")
    parser.add_argument("--limit", type=int, default=0, help="only the first N corpus documents (a quick run)")
    parser.add_argument("--keep", action="store_true", help="keep the work folder (printed)")
    args = parser.parse_args()
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "WARNING")
    work = Path(tempfile.mkdtemp(prefix="perf-bench-"))
    figures: dict[str, object] = {}
    try:
        stage_figures, xhtml, bare = stages(work, args.limit)
        figures["stages"] = stage_figures
        figures["bare_write_pdf"] = ms([seconds for seconds, _, _ in bare.values()])
        figures["all_stages_vs_bare_write_pdf"] = round(
            stage_figures["all_stages"]["total_s"] / figures["bare_write_pdf"]["total_s"], 2
        )
        figures["check_vs_pdf"] = round(stage_figures["check"]["total_s"] / stage_figures["pdf"]["total_s"], 2)
        ours = {name: (len(pdf), pages) for name, (pdf, pages) in _our_pdfs(work).items()}
        figures["size"] = sizes(xhtml, ours, {name: (size, pages) for name, (_, size, pages) in bare.items()}, work)

        sources = batch(work / "inputs", args.copies, args.limit)
        figures["documents"] = len(sources)
        figures["memory"] = memory(sources, work)
        figures["memory_flow_order"] = memory(flow_order(work / "inputs"), work)
        figures["machine_parallel_speedup"] = parallel_speedup()
        # The baseline runs right before the flow batches: this machine's speed drifts by tens
        # of per cent over minutes, and the ratio is only fair between neighbouring runs.
        if not args.skip_baseline:
            figures["baseline"] = baseline(sources, work)
        figures["flow"] = flow_batches(work / "inputs", work, len(sources), cold=not args.skip_cold)
        if not args.skip_baseline:
            ours_s = figures["flow"]["server_2_workers"]["seconds"]
            figures["pipeline_vs_baseline"] = round(ours_s / figures["baseline"]["seconds"], 3)
        figures["peak_rss_bench_mb"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    finally:
        if args.keep:
            print(f"work folder: {work}", file=sys.stderr)
        else:
            shutil.rmtree(work, ignore_errors=True)
    print(json.dumps(figures, ensure_ascii=False))


def _our_pdfs(work: Path) -> dict[str, tuple[bytes, int]]:
    found = {}
    for pdf in (work / "stages-1").glob("*/data/document.pdf"):
        data = pdf.read_bytes()
        found[pdf.parent.parent.name] = (data, _pages(data))
    return found


if __name__ == "__main__":
    main()
