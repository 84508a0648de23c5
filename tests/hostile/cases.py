"""The hostile-input corpus: each case builds its input file and states the expected outcome.

Inputs are generated rather than committed, because some are large (50 MB) or binary. An
expected outcome is either ``converted`` (with extra checks on the result) or ``failed`` with
the exact error code and a phrase of the user-facing message.
"""

from __future__ import annotations

import os
import random
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

SEED_TEXT = (Path(__file__).parent.parent / "fixtures" / "seed.md").read_text(encoding="utf-8")
# A listener on this loopback port records connections: nothing may ever reach it.
TRAP_PORT = int(os.environ.get("PIPELINE_TEST_TRAP_PORT", "47391"))


@dataclass(frozen=True)
class Case:
    name: str
    filename: str
    build: Callable[[Path], None]
    outcome: str  # "converted" or "failed"
    code: str = ""  # error code when failed
    phrase: str = ""  # a phrase of the message (failed) or of the XHTML (converted)
    absent: tuple[str, ...] = ()  # strings that must not appear in any output (converted)


def text(content: str, encoding: str = "utf-8") -> Callable[[Path], None]:
    return lambda path: path.write_bytes(content.encode(encoding))


def raw(content: bytes) -> Callable[[Path], None]:
    return lambda path: path.write_bytes(content)


def random_bytes(path: Path) -> None:
    path.write_bytes(random.Random(7).randbytes(8192))


def fifty_megabytes(path: Path) -> None:
    line = ("政府信息公开工作年度报告。" * 20 + "\n").encode("utf-8")
    with path.open("wb") as fh:
        for _ in range(50 * 1024 * 1024 // len(line) + 1):
            fh.write(line)


def long_paragraph(path: Path) -> None:
    lines = ["2024年，我县认真贯彻落实政府信息公开条例，"] + ["持续推进" for _ in range(9999)]
    path.write_text("# 一段很长的文字\n\n" + "\n".join(lines) + "。\n", encoding="utf-8")


def five_megabyte_line(kind: str) -> Callable[[Path], None]:
    """A whole file on one line (a converter that lost every line break): 5 MB of Chinese or ASCII."""
    run = "政府信息公开工作稳步推进" if kind == "zh" else "abcdefghij"
    size = 5_000_000 // len(run.encode())
    return lambda path: path.write_text("# 一行文件\n\n中文" + run * size + "\n", encoding="utf-8")


def symlink_out(path: Path) -> None:
    path.symlink_to("/etc/passwd")


URL_TRICKS = f"""# 关于链接与图片的测试文件

正文第一段，含有各种链接。[本地文件](file:///etc/hostname) [内网](http://127.0.0.1:{TRAP_PORT}/a)
[协议相对](//127.0.0.1:{TRAP_PORT}/b) [上级目录](../../etc/passwd) [脚本](javascript:alert(1))。

![图](file:///etc/hostname) ![远程](http://127.0.0.1:{TRAP_PORT}/x.png) ![相对](../../etc/passwd)

<img src="http://127.0.0.1:{TRAP_PORT}/y.png"><link rel="stylesheet" href="http://127.0.0.1:{TRAP_PORT}/s.css">
<link rel="attachment" href="file:///etc/hostname"><iframe src="http://127.0.0.1:{TRAP_PORT}/f"></iframe>
<style>@import url("http://127.0.0.1:{TRAP_PORT}/i.css"); body {{ background: url(file:///etc/hostname) }}</style>

![大数据](data:image/png;base64,{"A" * 5_000_000})

正文第二段，政府信息公开工作有序开展。
"""

# One cell spanning 100000 × 100000: HTML caps spans at 1000 columns and 65534 rows.
HUGE_SPAN = '<table><tr><td colspan="100000" rowspan="100000">甲</td></tr><tr><td>乙</td><td>丙</td></tr></table>'

CASES: list[Case] = [
    Case("empty", "empty.md", raw(b""), "failed", "empty", "文件为空"),
    Case("whitespace", "whitespace.md", text(" \n\t\n\u3000\n   \n"), "failed", "empty", "文件为空"),
    Case("png", "scan.md", raw(b"\x89PNG\r\n\x1a\n" + bytes(range(256)) * 8), "failed", "binary", "PNG 图片"),
    Case(
        "pdf", "report.md", raw(b"%PDF-1.7\n%\xe2\xe3\xcf\xd3\n1 0 obj\n<<>>\nendobj\n"), "failed", "binary", "PDF 文件"
    ),
    Case("random-bytes", "random.md", random_bytes, "failed", "binary", "不是文本文件"),
    Case("nul-bytes", "nul.md", raw("政府信息公开\x00年度报告".encode() * 20), "failed", "binary", "NUL"),
    Case(
        "not-utf8-not-gb18030",
        "broken.md",
        raw(b"\xff\xfe\xfd\x80\x81" * 100),
        "failed",
        "encoding",
        "无法识别文件编码",
    ),
    Case(
        "mixed-encodings",
        "mixed.md",
        raw(
            ("# 混合编码\n\n" + "政府信息公开工作稳步推进。" * 5 + "\n\n").encode()
            + "这一段是GBK编码的文字。".encode("gbk")
        ),
        "failed",
        "mixed-encoding",
        "混用了多种编码",
    ),
    Case("fifty-megabytes", "huge.md", fifty_megabytes, "failed", "too-large", "文件过大"),
    Case("long-paragraph", "long.md", long_paragraph, "converted", phrase="持续推进持续推进"),
    Case("five-megabyte-line", "oneline.md", five_megabyte_line("zh"), "failed", "too-long", "文字过长"),
    Case("five-megabyte-ascii-line", "oneline-ascii.md", five_megabyte_line("en"), "failed", "too-long", "文字过长"),
    Case(
        "deep-blockquotes",
        "quotes.md",
        text("# 深层引用\n\n" + ">" * 2000 + " 引用中的文字。\n"),
        "converted",
        phrase="引用中的文字",
    ),
    Case(
        "deep-lists",
        "lists.md",
        text("# 深层列表\n\n" + "".join("    " * i + f"- 第{i}层\n" for i in range(300))),
        "converted",
        phrase="第299层",
    ),
    Case(
        "wide-table",
        "wide.md",
        text(
            "# 宽表\n\n| "
            + " | ".join(f"列{i}" for i in range(500))
            + " |\n|"
            + "---|" * 500
            + "\n| "
            + " | ".join(str(i) for i in range(500))
            + " |\n"
        ),
        "converted",
        phrase="列499",
    ),
    Case(
        "unbalanced-html",
        "html.md",
        text("# 残缺的 HTML\n\n<table><tr><td>甲<td>乙</table></div></span><b>加粗未闭合 <i>斜体\n\n正文结束。\n"),
        "converted",
        phrase="正文结束",
    ),
    Case(
        "huge-span",
        "span.md",
        text(f"# 巨大的合并单元格\n\n{HUGE_SPAN}\n\n正文结束。\n"),
        "converted",
        phrase="丙",
    ),
    Case(
        "overflowing-span",
        "span20.md",
        text(f"# 溢出的合并单元格\n\n{HUGE_SPAN.replace('100000', '99999999999999999999')}\n\n正文结束。\n"),
        "converted",
        phrase="丙",
    ),
    Case(
        "deep-raw-html",
        "deephtml.md",
        text("# 深层 HTML\n\n" + "<span>" * 300 + "深层文字" + "</span>" * 300 + "\n\n正文结束。\n"),
        "failed",
        "too-complex",
        "嵌套过深",
    ),
    Case(
        "deep-raw-html-blocks",
        "deepdiv.md",
        text("# 深层 HTML\n\n" + "<div>" * 300 + "深层文字" + "</div>" * 300 + "\n\n正文结束。\n"),
        "failed",
        "too-complex",
        "嵌套过深",
    ),
    Case(
        "html-entities",
        "entities.md",
        text("# 关于联系方式的通知\n\n各单位&amp;部门&lt;联系&gt;，请按时报送。&lt;b&gt;不是标签&amp;lt;\n"),
        "converted",
        phrase="各单位&amp;部门&lt;联系&gt;，",
        absent=("&amp；", "&lt；", "&gt；", "&amp;amp;", "&amp;lt;联系"),
    ),
    Case(
        "markup-in-title",
        "title.md",
        text("# 关于<script>alert(1)</script>做好<b>工作</b>的通知\n\n各单位：请做好工作。\n"),
        "converted",
        phrase="<title>关于做好工作的通知</title>",
        absent=("alert", "<script", "<b>"),
    ),
    Case(
        "bidi-overrides",
        "bidi\u202e\u2066.md",
        text("# 关于\u202e做好工作\u202c的通知\n\n各单位：请\u2066做好\u2069工作。\n"),
        "converted",
        phrase="<title>关于做好工作的通知</title>",
        absent=("\u202e", "\u202c", "\u2066", "\u2069"),
    ),
    Case(
        "newline-in-name",
        "x\nPayload-Oxum: 1.1\nExternal-Identifier: evil.md",
        text(SEED_TEXT),
        "converted",
        phrase="留格庄镇人民政府",
    ),
    Case(
        "url-tricks",
        "urls.md",
        text(URL_TRICKS),
        "converted",
        phrase="正文第二段",
        absent=("file:", "javascript:", "etc/passwd", "<iframe", "<img", "<link", "@import", "AAAAAAAAAA"),
    ),
    Case("symlink-out", "link.md", symlink_out, "failed", "symlink", "符号链接"),
    Case(
        "name-with-spaces-and-chinese",
        "沭阳县 2024 年报 (终稿).md",
        text(SEED_TEXT),
        "converted",
        phrase="留格庄镇人民政府",
    ),
    Case("name-with-dots", "a..b..md", text(SEED_TEXT), "converted", phrase="留格庄镇人民政府"),
    Case(
        "name-with-shell-metacharacters",
        "$(touch pwned);rm -rf x`id`.md",
        text(SEED_TEXT),
        "converted",
        phrase="留格庄镇人民政府",
    ),
    Case(
        "no-title",
        "notitle.md",
        text("本年度我镇未收到政府信息公开申请，也未发生行政复议和行政诉讼。\n"),
        "converted",
        phrase="本年度我镇未收到政府信息公开申请",
    ),
    Case(
        "no-chinese",
        "english.md",
        text("# Annual report\n\nNothing in Chinese here. 2024.\n"),
        "failed",
        "no-chinese",
        "没有任何汉字",
    ),
]

# Two inputs that map to the same document id: only meaningful in a batch.
DUPLICATES = [("dup.md", SEED_TEXT), ("dup.txt", SEED_TEXT)]
