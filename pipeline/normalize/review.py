"""Findings a person must look at (ARTIFACTS A4, A5, D3, E3, G, H2).

These rules change nothing, or only what is unambiguous: OCR misreads and broken tables cannot
be repaired by rule without guessing, and a guessed character in an official document is worse
than a flagged one. Each finding names the line and quotes it.
"""

from __future__ import annotations

import re

from pipeline.core.chars import HAN
from pipeline.normalize.registry import Log, rule

_KANA_HANGUL_RE = re.compile(r"[\u3040-\u30ff\uac00-\ud7af]")
_LATIN_IN_HAN_RE = re.compile(rf"[{HAN}][a-zA-Z][{HAN}]")
_DROPPED_ZERO_RE = re.compile(r"(?<![〇○一二三四五六七八九])一九[一二三四五六七八九]年")
_DOUBLED_OPENER_RE = re.compile(r"《《|（（|““")
_PAIRS = ("《》", "（）", "“”", "〔〕")
_PUNCT_HEAVY_RE = re.compile(r"[《》（）()【】“”]")


def _table_lines(lines: list[str]) -> set[int]:
    inside, found = False, set()
    for i, line in enumerate(lines):
        text = line.strip()
        if "<table" in text:
            inside = True
        if inside or text.startswith("|"):
            found.add(i)
        if "</table>" in text:
            inside = False
    return found


@rule(
    "review/ocr-suspects",
    "Warn about likely OCR misreads: kana or Hangul inside Chinese, stray Latin letters, a dropped 〇 "
    "in years, doubled or unbalanced brackets, lines that are mostly brackets.",
    warns=(("已显示出一些好的前景。オ", "假名"), ("一九八年五月，", "缺少“〇”"), ("《《福建省办法》", "重复")),
)
def ocr_suspects(lines: list[str], log: Log) -> list[str]:
    tables = _table_lines(lines)
    for i, line in enumerate(lines):
        if i in tables or not line.strip():
            continue
        no = i + 1
        if _KANA_HANGUL_RE.search(line) and re.search(f"[{HAN}]", line):
            log.warn(no, "中文中夹有日文假名或韩文，可能是识别错误或丢字", line)
        if _LATIN_IN_HAN_RE.search(line):
            log.warn(no, "中文中夹有单个拉丁字母，可能是识别错误", _LATIN_IN_HAN_RE.search(line)[0])
        m = _DROPPED_ZERO_RE.search(line)
        if m:
            log.warn(no, f"年份“{m[0]}”可能缺少“〇”，请核对原件（不自动补字）", line)
        if _DOUBLED_OPENER_RE.search(line):
            log.warn(no, f"重复的左括号或书名号“{_DOUBLED_OPENER_RE.search(line)[0]}”，请核对", line)
        for left, right in _PAIRS:
            if line.count(left) != line.count(right):
                log.warn(no, f"“{left}{right}”不成对，请核对", line)
        han = len(re.findall(f"[{HAN}]", line))
        if len(line) >= 6 and len(_PUNCT_HEAVY_RE.findall(line)) > han:
            log.warn(no, "该行括号多于文字，可能是识别失败的乱码", line)
    return lines


_PLACEHOLDER_HEADER_RE = re.compile(r"\|\s*(Col\d+|数据\d+)\s*(?=\|)")
_SEPARATOR_RE = re.compile(r"^\|?\s*:?-{2,}:?\s*(\|\s*:?-{2,}:?\s*)*\|?$")


@rule(
    "review/tables",
    "Warn about broken tables (placeholder headers, rows of different widths, repeated separator rows, "
    "placeholder-only tables, split HTML tables); tables are never dropped.",
    warns=(("|第二十条|Col2|Col3|\n|---|---|---|\n|规章|0|0|", "占位"),),
)
def broken_tables(lines: list[str], log: Log) -> list[str]:
    block: list[tuple[int, str]] = []
    for i, line in enumerate([*lines, ""]):
        if line.strip().startswith("|"):
            block.append((i + 1, line.strip()))
            continue
        if block:
            _check_pipe_table(block, log)
            block = []
    opened = sum(line.count("<table") for line in lines)
    closed = sum(line.count("</table>") for line in lines)
    if opened != closed:
        log.warn(1, f"HTML 表格标签不成对（<table> {opened} 个，</table> {closed} 个），表格可能不完整")
    for i, line in enumerate(lines):
        if re.search(r"<td[^>]*>\s*\d+(\s+\d+)+\s*</td>", line):
            log.warn(i + 1, "表格单元格中有多个数字，可能是两行被识别为一行，请核对", line)
    return lines


def _check_pipe_table(block: list[tuple[int, str]], log: Log) -> None:
    first = block[0][0]
    widths = {row.strip("|").count("|") + 1 for _, row in block if not _SEPARATOR_RE.match(row)}
    if len(widths) > 1:
        log.warn(first, f"表格各行列数不一致（{sorted(widths)}），可能是转换时表格被拆散", block[0][1])
    separators = [no for no, row in block[2:] if _SEPARATOR_RE.match(row)]
    if separators:
        log.warn(separators[0], "表格中间出现重复的分隔行，可能是跨页表格被拼接", block[0][1])
    if _PLACEHOLDER_HEADER_RE.search(block[0][1]):
        log.warn(first, "表头是转换工具生成的占位文字（如 Col2、数据1），请按原表核对", block[0][1])
    cells = [c.strip() for _, row in block[2:] for c in row.strip("|").split("|")[1:]]
    if cells and all(c in ("", "-", "—") for c in cells):
        log.warn(first, "表格只有占位符“-”而没有数据，可能是转换失败", block[0][1])
