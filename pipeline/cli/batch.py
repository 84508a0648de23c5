"""Commands that convert and examine sources: convert, run, serve, normalize, audit, rules."""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path


def _print_summary(outcomes: list[dict], seconds: float) -> int:
    ok = [o for o in outcomes if o["ok"]]
    failed = [o for o in outcomes if not o["ok"]]
    skipped = [o for o in ok if o.get("skipped")]
    for o in ok:
        mark = "=" if o.get("skipped") else "✓"
        note = "（未变化，跳过）" if o.get("skipped") else ""
        print(f"  {mark} {o['doc_id']}  {o['title']}  {o['pages']} 页{note}  → {o['bag']}/data/document.pdf")
    for o in failed:
        print(f"  ✗ {o['doc_id']}  {o['error']}")
    print(
        f"转换完成：成功 {len(ok)} 个，失败 {len(failed)} 个（共 {len(outcomes)} 个），"
        f"其中未变化跳过 {len(skipped)} 个，用时 {seconds:.1f} 秒"
    )
    return 1 if failed else 0


def _progress(n: int, total: int, name: str, done: bool = False) -> None:
    """A one-line progress bar on stderr (redrawn in a terminal, one line per document in a log)."""
    width = 24
    filled = width * (n if done else n - 1) // max(total, 1)
    line = f"[{'█' * filled}{'·' * (width - filled)}] {n if done else n - 1}/{total} {'完成' if done else name}"
    if sys.stderr.isatty():
        print(f"\r{line[:100]:100}", end="\n" if done else "", file=sys.stderr, flush=True)
    elif not done:
        print(line, file=sys.stderr, flush=True)


def cmd_convert(args: argparse.Namespace) -> int:
    from pipeline.archive.locking import OutputsBusy, lock_wait, outputs_lock
    from pipeline.ingest.inputs import Source, doc_id_for
    from pipeline.orchestrate.convert import convert_file, plan
    from pipeline.orchestrate.workers import release_memory

    started = time.perf_counter()
    outcomes = []
    try:
        with outputs_lock(args.outputs, lock_wait()):
            present = [p for p in args.files if p.is_symlink() or p.is_file()]
            outcomes += [{"ok": False, "doc_id": p.name, "error": f"{p}：文件不存在。处理建议：检查路径是否正确。"}
                         for p in args.files if p not in present]  # fmt: skip
            todo, clashes = plan([Source(doc_id_for(p), p) for p in present])
            outcomes += [o.as_dict() for o in clashes]
            for n, source in enumerate(todo, 1):
                _progress(n, len(todo), source.path.name)
                outcomes.append(convert_file(source.path, source.doc_id, args.outputs, force=args.force).as_dict())
                release_memory()
            _progress(len(todo), len(todo), "", done=True)
            statistics(args.outputs)
    except OutputsBusy as exc:
        print(exc, file=sys.stderr)
        return 3
    except OSError as exc:  # the output folder itself cannot be written (read-only, full, missing rights)
        advice = "检查该目录的权限、挂载方式和磁盘空间"
        print(f"无法写入输出目录 {args.outputs}（{exc.strerror or exc}）。处理建议：{advice}。", file=sys.stderr)
        return 2
    return _print_summary(outcomes, time.perf_counter() - started)


def statistics(outputs: Path) -> None:
    """Rebuild the statistics dataset of the annual reports in ``outputs`` (pipeline.audit.dataset)."""
    from pipeline.audit.dataset import CSV, rebuild

    rows = rebuild(outputs)
    if rows:
        print(f"年度报告统计数据：{outputs / CSV}（{rows} 行）")


def cmd_normalize(args: argparse.Namespace) -> int:
    import difflib

    from pipeline.core.errors import DocumentError
    from pipeline.ingest.inputs import doc_id_for
    from pipeline.ingest.read import read_document
    from pipeline.normalize import normalize
    from pipeline.normalize.report import change_log_json

    unnormalized = 0
    for path in args.files:
        try:
            doc = normalize(read_document(path, doc_id_for(path)))
        except (DocumentError, OSError) as exc:
            print(exc.message if isinstance(exc, DocumentError) else f"{path}：无法读取（{exc}）", file=sys.stderr)
            return 2
        if args.check:
            if doc.markdown != doc.text:
                unnormalized += 1
                rules = ", ".join(sorted({c.rule for c in doc.changes}))
                print(f"{path}：尚未规范化（{len(doc.changes)} 处改动：{rules}）", file=sys.stderr)
        elif args.json:
            sys.stdout.write(change_log_json(doc).decode("utf-8"))
        elif args.diff:
            sys.stdout.writelines(
                difflib.unified_diff(
                    doc.text.splitlines(keepends=True),
                    doc.markdown.splitlines(keepends=True),
                    fromfile=f"{path}（原文）",
                    tofile=f"{path}（规范化后）",
                )
            )
        else:
            sys.stdout.write(doc.markdown)
        for w in doc.warnings if not args.json else ():
            print(f"{path}:{w.line}: 提示 [{w.rule}] {w.message}", file=sys.stderr)
    return 1 if unnormalized else 0


def _prefect_defaults() -> None:
    """Settings that make the embedded Prefect server reliable on a fresh machine."""
    os.environ.setdefault("PREFECT_HOME", str(Path.cwd() / ".prefect"))
    # A first start migrates a new database (~20 s here), the default timeout is 20 s.
    os.environ.setdefault("PREFECT_SERVER_EPHEMERAL_STARTUP_TIMEOUT_SECONDS", "180")
    os.environ.setdefault("PREFECT_SERVER_ANALYTICS_ENABLED", "false")
    os.environ.setdefault("PREFECT_LOGGING_LEVEL", "INFO")


def cmd_run(args: argparse.Namespace) -> int:
    from pipeline.archive.runlock import RUN_ENV
    from pipeline.orchestrate.workers import start_reaper

    start_reaper()  # first, while this process has no threads: no process of the run outlives it
    os.environ[RUN_ENV] = str(os.getpid())  # the lock holder, as the workers forked from now on see it
    _prefect_defaults()
    if args.workers > 1:  # the workers' fork server imports the pipeline while this process does
        from pipeline.orchestrate.workers import start_early

        start_early()
    from pipeline.orchestrate.flows import convert_batch

    if not args.inputs.exists():
        print(f"输入目录不存在：{args.inputs}。处理建议：创建该目录并放入 Markdown 文件。")
        return 2
    started = time.perf_counter()
    state = convert_batch(inputs=str(args.inputs), outputs=str(args.outputs), force=args.force,
                          only=args.only or None, workers=max(1, args.workers), return_state=True)  # fmt: skip
    summary = state.result(raise_on_failure=False)
    if not isinstance(summary, dict):
        print(f"批处理流程异常结束：{summary}")
        return 2
    return _print_summary(summary["documents"], time.perf_counter() - started)


def cmd_serve(args: argparse.Namespace) -> int:
    """Serve the batch flow as a Prefect deployment with a cron schedule (see README)."""
    _prefect_defaults()
    from prefect.schedules import Cron

    from pipeline.orchestrate.flows import convert_batch

    if not os.environ.get("PREFECT_API_URL"):
        print("pipeline serve 需要一个长期运行的 Prefect 服务器。处理建议：先运行 `prefect server start`，"
              "再设置 PREFECT_API_URL=http://127.0.0.1:4200/api。", file=sys.stderr)  # fmt: skip
        return 2
    print(f"已注册部署 convert-batch/{args.name}：按 “{args.cron}”（{args.timezone}）定时运行；按 Ctrl+C 停止。")
    convert_batch.serve(
        name=args.name,
        schedules=[Cron(args.cron, timezone=args.timezone)],
        parameters={
            "inputs": str(args.inputs.absolute()),
            "outputs": str(args.outputs.absolute()),
            "workers": args.workers,
        },
        tags=["gov-doc-pipeline"],
        limit=1,
        print_starting_message=False,
    )
    return 0


def cmd_audit(args: argparse.Namespace) -> int:
    from pipeline.audit import command

    return command.main(args.paths, args.json)


def cmd_rules(args: argparse.Namespace) -> int:
    from pipeline.normalize import RULES

    for r in RULES:
        print(f"{r.id:24} {r.summary}")
    return 0
