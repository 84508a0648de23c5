"""Commands on PDFs and fonts: check, fonts."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path


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
