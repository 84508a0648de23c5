"""The ``pipeline`` command.

``convert`` runs the stages directly and never touches Prefect, for quick one-off use;
``run`` runs the same work as a Prefect flow (on Prefect's embedded server unless
PREFECT_API_URL points at a running one).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

from pipeline import __version__


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


def cmd_verify(args: argparse.Namespace) -> int:
    import json

    from pipeline.archive import ledger, seal
    from pipeline.archive.verify import PROPERTIES, find_bags, verify_bag

    try:
        key = seal.public_key(args.key)
    except seal.SealKeyError as exc:
        print(f"{exc}。处理建议：--key 给出 pipeline keygen 生成的公钥（.pub）文件。", file=sys.stderr)
        return 2
    reports = []
    chains: dict[Path, ledger.ChainReport] = {}
    for path in args.paths:
        if not path.is_dir():
            print(
                f"{path}：不存在或不是目录。处理建议：给出输出目录（如 outputs/）或其中一个文档的目录。",
                file=sys.stderr,
            )
            return 2
        bags = find_bags(path)
        if not bags:
            print(f"{path}：其中没有归档包（找不到 bagit.txt）。", file=sys.stderr)
            return 2
        for bag in bags:
            if bag.parent not in chains:
                chains[bag.parent] = ledger.check_chain(bag.parent, key, args.expect_head or "")
            reports.append(verify_bag(bag, rerender=args.rerender, chain=chains[bag.parent]))
    if args.json:
        print(json.dumps([r.as_dict() for r in reports], ensure_ascii=False, indent=1))
    else:
        for report in reports:
            print(f"{'✓' if report.ok else '✗'} {report.bag}")
            for prop in PROPERTIES:
                found = [f for f in report.findings if f.property == prop]
                bad = [f for f in found if not f.ok]
                if bad:
                    for f in bad:
                        print(f"    ✗ {prop}：{f.message}")
                elif found:
                    print(f"    ✓ {prop}：{len(found)} 项检查通过")
        for folder, chain in chains.items():
            if chain.torn:
                print(f"注意：{chain.torn}")
            print(
                f"封存台账 {folder / ledger.LEDGER}：台账头 {chain.head}"
                "（请另行保存，日后用 --expect-head 核对台账未被截短）"
            )
        if key is None:
            print(
                "未提供公钥：未核对封存记录的签名"
                "（用 --key 或环境变量 PIPELINE_SEAL_PUBKEY 给出 pipeline keygen 生成的公钥）"
            )
        damaged = sum(not r.ok for r in reports)
        print(f"校验完成：{len(reports)} 个归档包，完好 {len(reports) - damaged} 个，损坏或被改动 {damaged} 个")
    return 1 if any(not r.ok for r in reports) else 0


def cmd_audit(args: argparse.Namespace) -> int:
    from pipeline.audit import command

    return command.main(args.paths, args.json)


def cmd_head(args: argparse.Namespace) -> int:
    from pipeline.archive import ledger

    chain = ledger.check_chain(args.outputs)
    if not (args.outputs / ledger.LEDGER).is_file():
        print(f"{args.outputs}：其中没有封存台账 {ledger.LEDGER}。", file=sys.stderr)
        return 2
    print(chain.head)
    return 1 if chain.problems else 0


def cmd_keygen(args: argparse.Namespace) -> int:
    from pipeline.archive import seal

    try:
        public = seal.generate(args.key)
    except (seal.SealKeyError, OSError) as exc:
        print(f"{exc}。处理建议：换一个路径，或先移走旧的密钥文件。", file=sys.stderr)
        return 2
    print(f"已生成签名私钥 {args.key}（仅本用户可读）和公钥 {public}。")
    print(
        f"转换时设置 {seal.KEY_ENV}={args.key.absolute()}，每条封存记录都会被签名；私钥须放在输出目录之外并妥善备份。"
    )
    print(f"校验时用 pipeline verify --key {public} outputs/（公钥可以公开，交给档案馆）。")
    return 0


def _check_target(path: Path, source: Path | None) -> tuple[Path, bytes | None]:
    """The PDF to check and the XHTML it came from: a bag folder holds both; for a bare PDF the
    source is ``--source`` (XHTML as is, Markdown converted the way the pipeline does)."""
    if path.is_dir():
        return path / "data" / "document.pdf", (path / "data" / "document.xhtml").read_bytes()
    if source is None:
        return path, None
    if source.suffix.lower() in (".xhtml", ".html", ".htm"):
        return path, source.read_bytes()
    from pipeline.ingest.read import read_document
    from pipeline.normalize import normalize
    from pipeline.xhtml.build import to_xhtml

    return path, to_xhtml(normalize(read_document(source, source.stem))).xhtml


def cmd_check(args: argparse.Namespace) -> int:
    import json

    from pipeline.conformance.check import check_pdf, summary
    from pipeline.core.errors import DocumentError

    reports = []
    for path in args.pdfs:
        try:
            pdf, source = _check_target(path, args.source)
            report = check_pdf(pdf.read_bytes(), source, name=str(pdf))
        except (OSError, DocumentError) as exc:
            print(f"{path}：无法检查（{exc}）。处理建议：给出 PDF 文件或归档包目录；--source 给出 XHTML 或 Markdown。",
                  file=sys.stderr)  # fmt: skip
            return 2
        except Exception as exc:  # a damaged or foreign PDF
            print(f"{path}：不是可读取的 PDF（{type(exc).__name__}: {exc}）。", file=sys.stderr)
            return 2
        reports.append(report)
    if args.json:
        print(json.dumps([r.as_dict() for r in reports], ensure_ascii=False, indent=1))
    else:
        for report in reports:
            print(summary(report))
            for f in report.findings:
                where = f"第 {f.page} 页 " if f.page else ""
                print(f"    {'✗' if f.severity == 'fail' else '!'} [{f.rule}] {where}{f.message}")
            m = report.metrics
            if "full_pages" in m:
                print(
                    f"    满页 {m['full_pages']} 页，其中 22 行 {m['full_pages_22_rows']} 页；"
                    f"整行 {m.get('full_lines', 0)} 行，排满 {m.get('full_lines_flush', 0)} 行；"
                    f"纯中文整行 28 字 {m.get('pure_chinese_28_flush', 0)}/{m.get('pure_chinese_full_lines', 0)}"
                )
    return 1 if any(not r.ok for r in reports) else 0


def cmd_fonts(args: argparse.Namespace) -> int:
    import json

    from pipeline.pdf.fonts import FREE, SUBSTITUTE, WANTED, role_fonts
    from pipeline.pdf.styles import STYLESHEET

    roles = role_fonts(STYLESHEET)
    if args.json:
        print(json.dumps([{**r.__dict__, "file": str(r.file or "")} for r in roles], ensure_ascii=False, indent=1))
        return 0 if all(r.family for r in roles) else 1
    for r in roles:
        wanted = WANTED[r.role]
        if r.design == SUBSTITUTE:
            design = f"替代（无{wanted}体，以粗宋体代）"
        elif r.design and r.design != wanted:
            design = f"{r.design}（应为{wanted}，请安装 {FREE.get(wanted, wanted + '体字体')}）"
        else:
            design = r.design or "未知"
        coverage = "" if r.gb2312_missing is None else f"，GB2312 汉字缺 {r.gb2312_missing} 个"
        print(f"{r.style}（{r.role}）→ {r.family or '未找到'}  [设计：{design}{coverage}]  {r.file or ''}")
        print(f"    样式表顺序：{', '.join(r.stack)}")
    missing = [r for r in roles if not r.family]
    if missing:
        print("有角色没有可用字体。处理建议：安装 fonts-noto-cjk 与 fonts-arphic-ukai，"
              "并运行 python -m pipeline.pdf.freefonts（make run 会自动安装）。")  # fmt: skip
    return 1 if missing else 0


def cmd_web(args: argparse.Namespace) -> int:
    from pipeline.portal.web import serve

    if not args.outputs.is_dir():
        print(f"输出目录不存在：{args.outputs}。处理建议：先运行 pipeline run 或 pipeline convert。", file=sys.stderr)
        return 2
    print(f"文件下载页面：http://{args.host}:{args.port}/  （按 Ctrl+C 停止）")
    serve(args.outputs, args.host, args.port)
    return 0


def cmd_rules(args: argparse.Namespace) -> int:
    from pipeline.normalize import RULES

    for r in RULES:
        print(f"{r.id:24} {r.summary}")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="pipeline", description="公文 Markdown → XHTML、PDF/A、归档包")
    parser.add_argument("--version", action="version", version=__version__)
    sub = parser.add_subparsers(dest="command", required=True)

    p = sub.add_parser("run", help="以 Prefect 流程批量转换输入目录")
    p.add_argument("--inputs", type=Path, default=Path("inputs"))
    p.add_argument("--outputs", type=Path, default=Path("outputs"))
    p.add_argument("--workers", type=int, default=2, help="工作进程数（默认 2）")
    p.add_argument("--force", action="store_true", help="即使未变化也重新生成")
    p.add_argument("--only", nargs="+", metavar="ID", help="只处理这些文档（文档标识或源文件路径）")
    p.set_defaults(func=cmd_run)

    p = sub.add_parser("serve", help="以定时部署方式运行批处理流程（需要 Prefect 服务器）")
    p.add_argument("--name", default="nightly")
    p.add_argument("--cron", default="0 2 * * *", help="cron 表达式，默认每天 02:00")
    p.add_argument("--timezone", default="Asia/Shanghai")
    p.add_argument("--workers", type=int, default=2, help="每次运行的工作进程数（默认 2）")
    p.add_argument("--inputs", type=Path, default=Path("inputs"))
    p.add_argument("--outputs", type=Path, default=Path("outputs"))
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("convert", help="直接转换文件（不启动 Prefect）")
    p.add_argument("files", type=Path, nargs="+")
    p.add_argument("--outputs", type=Path, default=Path("outputs"))
    p.add_argument("--force", action="store_true", help="即使未变化也重新生成")
    p.set_defaults(func=cmd_convert)

    p = sub.add_parser("normalize", help="规范化 Markdown 并输出（不写文件）")
    p.add_argument("files", type=Path, nargs="+")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--diff", action="store_true", help="输出与原文的差异（unified diff）")
    mode.add_argument("--check", action="store_true", help="文件尚未规范化时以状态 1 退出")
    mode.add_argument("--json", action="store_true", help="输出改动记录（JSON）")
    p.set_defaults(func=cmd_normalize)

    p = sub.add_parser("verify", help="校验归档包（真实性、完整性、可用性、安全性）")
    p.add_argument("paths", type=Path, nargs="*", default=[Path("outputs")], help="输出目录或文档目录")
    p.add_argument("--json", action="store_true", help="以 JSON 输出校验报告")
    p.add_argument("--rerender", action="store_true", help="重新生成 PDF 并逐字节比对")
    p.add_argument("--key", type=Path, help="核对封存记录签名的公钥（pipeline keygen 生成的 .pub 文件）")
    p.add_argument("--expect-head", metavar="N:HASH",
                   help="此前记下的台账头（pipeline head 的输出），用于发现被截短的台账")  # fmt: skip
    p.set_defaults(func=cmd_verify)

    p = sub.add_parser("audit", help="审核政府信息公开工作年度报告（模板完整性、勾稽关系、年度与数字一致性）")
    p.add_argument("paths", type=Path, nargs="*", default=[Path("outputs")], help="源文件、输出目录或文档目录")
    p.add_argument("--json", action="store_true", help="以 JSON 输出审核结果")
    p.set_defaults(func=cmd_audit)

    p = sub.add_parser("head", help="输出封存台账头（条数:哈希），供日后 verify --expect-head 核对")
    p.add_argument("outputs", type=Path, nargs="?", default=Path("outputs"))
    p.set_defaults(func=cmd_head)

    p = sub.add_parser("keygen", help="生成签名封存台账用的 Ed25519 密钥对（私钥须存放在输出目录之外）")
    p.add_argument("key", type=Path, help="私钥文件路径；公钥写在同名 .pub 文件中")
    p.set_defaults(func=cmd_keygen)

    p = sub.add_parser("check", help="按 GB/T 9704 测量 PDF 版式（页面、版心、行数、字数、页码、署名、字体、文字）")
    p.add_argument("pdfs", type=Path, nargs="+", help="PDF 文件或归档包目录")
    p.add_argument("--source", type=Path, help="生成该 PDF 的 XHTML 或 Markdown，用于核对文字")
    p.add_argument("--json", action="store_true", help="以 JSON 输出检查报告")
    p.set_defaults(func=cmd_check)

    p = sub.add_parser("fonts", help="显示各字体角色（仿宋、小标宋、黑体、楷体、宋体）在本机实际使用的字体")
    p.add_argument("--json", action="store_true", help="以 JSON 输出")
    p.set_defaults(func=cmd_fonts)

    p = sub.add_parser("web", help="启动只读的文件下载页面")
    p.add_argument("--host", default="127.0.0.1")
    p.add_argument("--port", type=int, default=8000)
    p.add_argument("--outputs", type=Path, default=Path("outputs"))
    p.set_defaults(func=cmd_web)

    p = sub.add_parser("rules", help="列出规范化规则")
    p.set_defaults(func=cmd_rules)

    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except BrokenPipeError:  # `pipeline normalize … | head`
        sys.stderr.close()
        return 0


if __name__ == "__main__":
    sys.exit(main())
