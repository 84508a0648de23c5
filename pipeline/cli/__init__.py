"""The ``pipeline`` command.

``convert`` runs the stages directly and never touches Prefect, for quick one-off use;
``run`` runs the same work as a Prefect flow (on Prefect's embedded server unless
PREFECT_API_URL points at a running one).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipeline import __version__
from pipeline.cli.batch import cmd_audit, cmd_convert, cmd_normalize, cmd_rules, cmd_run, cmd_serve
from pipeline.cli.outputs import cmd_head, cmd_keygen, cmd_verify, cmd_web
from pipeline.cli.pdf import cmd_check, cmd_fonts


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
