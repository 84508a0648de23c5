"""The normalizer's rule registry: one ordered list of small named rules.

Each rule is an id, a one-line summary, a function and its fixtures, registered with ``@rule`` in
the module of its family. Every rule has one signature: the lines of the text in, the lines out,
with a ``Log`` to record what it changed. A rule that changes lines one at a time says so
(``per_line=True``) and is written as ``line -> line``; the registry applies it outside code
blocks and logs every line it changes.

The order the rules run in is written once, in ``ORDER`` below (as markdown-it-py's rulers keep
their chains): adding a rule means writing its function in its family's module and naming it
here. A rule can be switched off for a run (``normalize(doc, disabled=...)``).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from dataclasses import dataclass

from pipeline.core.model import Advisory, Change

Example = tuple[str, "str | None"]
LinesFn = Callable[[list[str], "Log"], list[str]]

ORDER = (
    # the bytes: BOM, line ends, control characters, character references
    "bytes/bom", "bytes/newlines", "bytes/controls", "text/entities", "text/escaped-numbering",
    # a web page's frame around the document
    "web/crawler-header", "web/page-title", "web/site-title", "web/index-fields", "web/page-navigation",
    "web/chrome", "web/dateline", "web/site-footer", "web/source-line",
    # a converter's page debris
    "debris/browser-print", "debris/running-header", "debris/page-number", "debris/body-marker",
    "debris/crawler-punctuation",
    "space/label-words",
    # text flattened onto one line, tables flattened into text; lists of people
    "lines/segment-flattened", "structure/nesting-depth", "lines/name-list",
    "tables/statutory", "tables/statistics", "tables/layout-text",
    # characters: indentation, punctuation, spaces
    "space/indent", "punct/halfwidth-alnum", "punct/fullwidth", "punct/parens", "punct/doc-number",
    "punct/quotes", "punct/ellipsis-dash", "punct/chinese-zero", "space/cjk",
    # the 公文 elements, the title, the 目录, the signature; lines joined; headings
    "elements/attachment-note", "elements/attachment-name", "elements/unglue",
    "structure/title", "structure/toc", "structure/signature", "lines/rejoin",
    "structure/headings", "structure/unnumbered-headings",
    # findings for a person, then the blank lines between blocks
    "review/ocr-suspects", "review/tables", "lines/blocks",
)  # fmt: skip


@dataclass(frozen=True)
class Rule:
    id: str
    summary: str
    fn: LinesFn
    # Fixtures that travel with the rule: input -> expected output (None: "changes something"),
    # and input -> a phrase the rule must warn with. tests/test_normalize.py runs them all.
    examples: tuple[Example, ...] = ()
    warns: tuple[tuple[str, str], ...] = ()


class Log:
    """Collects what one rule application changed, warned about and learned."""

    def __init__(self, rule_id: str, known: dict[str, str] | None = None) -> None:
        self.rule_id = rule_id
        self.changes: list[Change] = []
        self.warnings: list[Advisory] = []
        self.info: dict[str, str] = {}
        # What earlier rules learned about the source (its page title, its crawler header):
        # read-only context, e.g. for the title rule to fall back to the page's title.
        self.known: dict[str, str] = known or {}

    def __call__(self, line: int, before: str, after: str, removed: str = "", added: str = "") -> None:
        self.changes.append(Change(self.rule_id, line, before, after, removed, added))

    def warn(self, line: int, message: str, excerpt: str = "") -> None:
        self.warnings.append(Advisory(self.rule_id, line, message, excerpt[:80]))

    def note(self, key: str, value: str) -> None:
        """Record what the source says about itself (e.g. its URL) for the metadata."""
        if value and key not in self.info:
            self.info[key] = value

    @property
    def removed(self) -> str:
        return "".join(c.removed for c in self.changes)


_REGISTERED: dict[str, Rule] = {}
RULES: list[Rule] = []  # in ORDER, once every family is imported (pipeline.normalize does that)
_FENCE_RE = re.compile(r"^\s*(```|~~~)")


def rule(
    rule_id: str,
    summary: str,
    *,
    per_line: bool = False,
    examples: tuple[Example, ...] = (),
    warns: tuple[tuple[str, str], ...] = (),
) -> Callable[[Callable], Callable]:
    def register(fn: Callable) -> Callable:
        if rule_id in _REGISTERED:
            raise ValueError(f"duplicate normalizer rule id {rule_id}")
        if rule_id not in ORDER:
            raise ValueError(f"normalizer rule {rule_id} is not named in registry.ORDER")
        _REGISTERED[rule_id] = Rule(rule_id, summary, each_line(fn) if per_line else fn, examples, warns)
        RULES[:] = [_REGISTERED[r] for r in ORDER if r in _REGISTERED]
        return fn

    return register


def each_line(fn: Callable[[str], str]) -> LinesFn:
    """A ``line -> line`` rule as a rule of the lines: applied outside code blocks, each change logged."""

    def apply(lines: list[str], log: Log) -> list[str]:
        out, in_code = [], False
        for no, line in enumerate(lines, 1):
            if _FENCE_RE.match(line):
                in_code = not in_code
            new = line if in_code else fn(line)
            if new != line:
                log(no, line, new)
            out.append(new)
        return out

    return apply


def missing() -> list[str]:
    """Rules ORDER names that no family registered (a family not imported, a rule renamed)."""
    return [r for r in ORDER if r not in _REGISTERED]


def get(rule_id: str) -> Rule:
    return _REGISTERED[rule_id]
