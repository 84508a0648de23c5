"""Document structure: indentation, title, headings from numbering, re-joined paragraphs.

Markdown structure in converter output is not trustworthy (ARTIFACTS C1, C2, D): heading
levels, bold and paragraph breaks come from the converter, not the author. These rules rebuild
them from what the author did write: the numbering and the punctuation.
"""

from __future__ import annotations

import re

from pipeline import numbering
from pipeline.normalize.chars import CJK, HAN
from pipeline.normalize.registry import Log, rule

_INDENT_RE = re.compile(rf"^[\u3000 \t]+(?=[{CJK}0-9A-Za-z*#])")
_MD_HEADING_RE = re.compile(r"^\s{0,3}(#{1,6})\s*(.*?)\s*#*\s*$")
_BOLD_WRAP_RE = re.compile(r"^\*\*(.+)\*\*$")
DATE_LINE_RE = re.compile(r"^[（(]?\d{4}年\d{1,2}月\d{1,2}日[）)]?$")
# A line whose end leaves a sentence open: a wrap or a page break cut it.
_OPEN_END_RE = re.compile(rf"[{HAN}0-9A-Za-z，、“‘《（—]$|(?<![。！？；：])[”’）》]$")
_CONTINUATION_START_RE = re.compile(rf"^[{HAN}0-9A-Za-z《“‘（—、，。；：）》”]")
_BLOCK_START_RE = re.compile(r"^(#|\||>|[-*+] |\d+\. |```)")
MIN_WRAPPED_LINE = 10


def strip_markup(line: str) -> tuple[int, str]:
    """Split a line into its Markdown heading level (0 if none) and its text without ``**``."""
    level, text = 0, line.strip()
    m = _MD_HEADING_RE.match(text)
    if m:
        level, text = len(m[1]), m[2]
    b = _BOLD_WRAP_RE.match(text)
    if b and "**" not in b[1]:
        text = b[1].strip()
    return level, text


@rule("space/indent", "Drop leading ideographic spaces and blanks used as manual indentation.", kind="line", order=200)
def strip_indent(line: str) -> str:
    return _INDENT_RE.sub("", line)


@rule("structure/title", "Mark the first line as the document title (`# `), without bold.", kind="lines", order=300)
def mark_title(lines: list[str], log: Log) -> list[str]:
    for i, line in enumerate(lines):
        if not line.strip():
            continue
        level, text = strip_markup(line)
        looks_like_title = level > 0 or (len(text) <= 60 and not re.search(r"[。！？；]", text))
        if looks_like_title and numbering.parse(text) is None and text:
            new = f"# {text}"
            if new != line:
                log(i + 1, line, new)
                lines = [*lines[:i], new, *lines[i + 1 :]]
        break
    return lines


@rule(
    "structure/headings",
    "Heading level from the numbering (一、→##, （一）→###, 1.→####, （1）→#####), markers "
    "repaired, bold dropped; run-in headings stay paragraphs; unnumbered converter headings "
    "become paragraphs.",
    kind="lines",
    order=310,
)
def headings_from_numbering(lines: list[str], log: Log) -> list[str]:
    out = list(lines)
    seen_title = False
    for i, line in enumerate(lines):
        if not line.strip() or line.lstrip().startswith("|"):
            continue
        level, text = strip_markup(line)
        if level == 1 and not seen_title:
            seen_title = True
            continue
        num = numbering.parse(text)
        if num is None:
            new = text if level else line
        elif num.kind == "heading":
            new = "#" * (num.level + 1) + " " + num.canonical
        else:
            # A run-in heading or a numbered paragraph: keep it a paragraph, repair the marker.
            body = line.strip() if not level else text
            bold = body.startswith("**")
            inner = numbering.parse(body[2:] if bold else body)
            new = ("**" if bold else "") + (inner.canonical if inner else body)
        if new != line:
            log(i + 1, line, new)
            out[i] = new
    return out


def _is_open(line: str) -> bool:
    text = line.strip()
    if len(text) < MIN_WRAPPED_LINE or _BLOCK_START_RE.match(text):
        return False
    if numbering.parse(text) is not None and numbering.parse(text).kind == "heading":
        return False
    return bool(_OPEN_END_RE.search(text))


def _is_continuation(lines: list[str], j: int) -> bool:
    text = lines[j].strip()
    if not text or _BLOCK_START_RE.match(text) or DATE_LINE_RE.match(text):
        return False
    if numbering.parse(text) is not None:
        return False
    if not _CONTINUATION_START_RE.match(text):
        return False
    # A short line followed by a date is a signature, not the rest of a sentence.
    nxt = next((t.strip() for t in lines[j + 1 :] if t.strip()), "")
    return not (len(text) <= 30 and DATE_LINE_RE.match(nxt))


@rule(
    "lines/rejoin",
    "Re-join a sentence cut by a hard wrap or a page break (also across blank lines).",
    kind="lines",
    order=400,
)
def rejoin_broken_lines(lines: list[str], log: Log) -> list[str]:
    out: list[str] = []
    origin: list[int] = []
    i = 0
    while i < len(lines):
        out.append(lines[i])
        origin.append(i + 1)
        i += 1
        while _is_open(out[-1]):
            j = _next_nonblank(lines, i, max_gap=2)
            if j is None or not _is_continuation(lines, j):
                break
            head, tail = out[-1].rstrip(), lines[j].strip()
            latin_pair = head[-1:].isascii() and head[-1:].isalpha() and tail[:1].isascii()
            joined = head + (" " if latin_pair else "") + tail
            log(origin[-1], head + "⏎" + tail, joined)
            out[-1] = joined
            i = j + 1
    return out


def _next_nonblank(lines: list[str], i: int, max_gap: int) -> int | None:
    for j in range(i, min(len(lines), i + max_gap + 1)):
        if lines[j].strip():
            return j
    return None


@rule(
    "lines/blocks",
    "One blank line between blocks (paragraphs, headings, tables), none at the ends; lines right-stripped.",
    kind="lines",
    order=900,
)
def separate_blocks(lines: list[str], log: Log) -> list[str]:
    out: list[str] = []
    for no, raw in enumerate(lines, 1):
        line = raw.rstrip()
        if line != raw:
            log(no, raw, line)
        if not line:
            if out and out[-1]:
                out.append("")
            continue
        is_row = line.lstrip().startswith("|")
        prev_row = bool(out) and out[-1].lstrip().startswith("|")
        if out and out[-1] and not (is_row and prev_row):
            out.append("")
        out.append(line)
    while out and not out[-1]:
        out.pop()
    return out
