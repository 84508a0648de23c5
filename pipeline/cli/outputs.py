"""Commands on the output folder: verify, head, keygen, web."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


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


def cmd_web(args: argparse.Namespace) -> int:
    from pipeline.portal.web import serve

    if not args.outputs.is_dir():
        print(f"输出目录不存在：{args.outputs}。处理建议：先运行 pipeline run 或 pipeline convert。", file=sys.stderr)
        return 2
    print(f"文件下载页面：http://{args.host}:{args.port}/  （按 Ctrl+C 停止）")
    serve(args.outputs, args.host, args.port)
    return 0
