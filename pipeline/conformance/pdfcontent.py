"""A fast content-stream reader for pdfminer's page interpreter, used by the checker.

pdfminer.six tokenizes content streams one byte-class at a time in Python; on our PDFs that
was 80% of the conformance check (a justified Chinese line is one ``TJ`` array of a hundred
operands). Here a stream is split by one compiled regular expression and the operators are
dispatched to pdfminer's own ``do_*`` methods, so the text state, fonts and device are
pdfminer's. Anything this reader does not handle (inline images, nested parentheses in a
string) sends the stream back to pdfminer's parser: the result is the same, only slower.
"""

from __future__ import annotations

import binascii
import re
from collections.abc import Callable, Sequence

from pdfminer.pdfinterp import PDFPageInterpreter
from pdfminer.pdftypes import PDFStream, stream_value
from pdfminer.psparser import LIT

_TOKEN = re.compile(
    rb"""
    \s*(?:
    (?P<skip>%[^\r\n]*)
    |(?P<num>[+-]?(?:\d+\.?\d*|\.\d+))
    |/(?P<name>[^\s/\[\]()<>{}%]*)
    |<(?P<hex>[0-9A-Fa-f\s]*)>
    |\((?P<str>(?:[^()\\]|\\.)*)\)
    |(?P<open>\[|<<)
    |(?P<close>\]|>>)
    |(?P<kw>[^\s/\[\]()<>{}%]+)
    |(?P<end>$)
    )""",
    re.X | re.S,
)
# An array of hex strings and numbers only (a TJ array as WeasyPrint writes it), read whole by
# C code; possessive quantifiers, so a near miss fails at once instead of backtracking.
_SIMPLE_ARRAY = re.compile(rb"\[((?:\s*+(?:<[0-9A-Fa-f]*+>|[+-]?+(?:\d++\.?+\d*+|\.\d++)))*+)\s*+\]")
_ARRAY_ITEM = re.compile(rb"<([0-9A-Fa-f]*)>|([+-]?(?:\d+\.?\d*|\.\d+))")
_ESCAPE = re.compile(rb"\\(?:([0-7]{1,3})|(\r\n|\r|\n)|(.))", re.S)
_ESCAPED = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}
_CONSTANTS = {b"true": True, b"false": False, b"null": None}


class _Unsupported(Exception):
    """The stream holds something only pdfminer's full parser reads."""


def _unescape(match: re.Match[bytes]) -> bytes:
    octal, newline, char = match.groups()
    if octal:
        return bytes((int(octal, 8) & 0xFF,))
    if newline:
        return b""
    return _ESCAPED.get(char, char)


def _hex(digits: bytes) -> bytes:
    try:
        return binascii.unhexlify(digits)
    except binascii.Error:  # white space inside, or an odd final digit (read as if followed by 0)
        digits = re.sub(rb"\s", b"", digits)
        return binascii.unhexlify(digits + b"0" * (len(digits) % 2))


def _name(raw: bytes) -> object:
    if b"#" in raw:
        raw = re.sub(rb"#([0-9A-Fa-f]{2})", lambda m: bytes((int(m.group(1), 16),)), raw)
    return LIT(raw.decode("latin-1"))


def operations(data: bytes) -> list[tuple[str, list[object]]]:
    """The operators of a content stream with their operands, in order."""
    ops: list[tuple[str, list[object]]] = []
    stack: list[object] = []
    containers: list[tuple[bytes, list[object]]] = []
    position, end = 0, len(data)
    while position < end:
        match = _TOKEN.match(data, position)
        if match is None:
            raise _Unsupported(data[position : position + 20])
        position = match.end()
        kind = match.lastgroup
        if kind == "skip" or kind == "end":
            continue
        if kind == "num":
            text = match.group(kind)
            value: object = float(text) if b"." in text else int(text)
        elif kind == "name":
            value = _name(match.group(kind))
        elif kind == "hex":
            value = _hex(match.group(kind))
        elif kind == "str":
            value = _ESCAPE.sub(_unescape, match.group(kind))
        elif kind == "open":
            simple = _SIMPLE_ARRAY.match(data, match.start(kind)) if match.group(kind) == b"[" else None
            if simple:
                position = simple.end()
                stack.append([
                    (float(n) if b"." in n else int(n)) if n else _hex(h)
                    for h, n in _ARRAY_ITEM.findall(simple.group(1))
                ])  # fmt: skip
                continue
            containers.append((match.group(kind), stack))
            stack = []
            continue
        elif kind == "close":
            if not containers:
                raise _Unsupported(match.group(kind))
            opener, outer = containers.pop()
            items, stack = stack, outer
            value = items if opener == b"[" else {str(k.name): v for k, v in zip(items[::2], items[1::2], strict=False)}
        else:
            word = match.group(kind)
            if word in _CONSTANTS:
                value = _CONSTANTS[word]
            elif containers or word == b"BI":  # an operator inside [...], or an inline image
                raise _Unsupported(word)
            else:
                ops.append((word.decode("latin-1"), stack))
                stack = []
                continue
        stack.append(value)
    return ops


class ContentInterpreter(PDFPageInterpreter):
    """pdfminer's interpreter with ``operations`` as its content-stream reader."""

    def execute(self, streams: Sequence[object]) -> None:
        valid = [stream_value(s) for s in streams]
        valid = [s for s in valid if isinstance(s, PDFStream) and s.objid is not None]
        if any(s.objid in self.parent_stream_ids for s in valid):
            return super().execute(streams)
        try:
            ops = operations(b"\n".join(s.get_data() for s in valid))
        except _Unsupported:
            return super().execute(streams)
        self.stream_ids.clear()
        self.stream_ids.update(s.objid for s in valid)
        table = self._operators()
        for name, args in ops:
            entry = table.get(name)
            if entry is None:
                continue
            method, count = entry
            if count == 0:
                method()
            elif len(args) >= count:
                method(*args[len(args) - count :])

    def _operators(self) -> dict[str, tuple[Callable[..., object], int]]:
        table = getattr(self, "_table", None)
        if table is None:
            table = {}
            for attr in dir(self):
                if attr.startswith("do_"):
                    method = getattr(self, attr)
                    name = attr[3:].replace("_a", "*").replace("_w", '"').replace("_q", "'")
                    table[name] = (method, method.__code__.co_argcount - 1)
            self._table = table
        return table
