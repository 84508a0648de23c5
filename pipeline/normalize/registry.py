"""The normalizer's rule registry.

Each rule is a small named unit (an id, a one-line summary, a function), registered with a
decorator in the module of its family. The engine runs them in ``order``; adding a rule means
writing one function in one module, plus its fixture test.

Three shapes of rule exist, because most rules are simple and should stay simple:

* ``text``: the whole text in, ``(text, removed)`` out; for byte-level fixes (BOM, line ends).
* ``line``: one line in, one line out; the engine applies it outside code blocks and logs
  every line it changes.
* ``lines``: the list of lines in, a list out; for rules that join, split or drop lines. They
  log their own changes through the ``Log`` they are given.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

from pipeline.model import Advisory, Change

Kind = Literal["text", "line", "lines"]


Example = tuple[str, "str | None"]


@dataclass(frozen=True)
class Rule:
    id: str
    summary: str
    kind: Kind
    order: int
    fn: Callable
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


RULES: list[Rule] = []


def rule(
    rule_id: str,
    summary: str,
    *,
    kind: Kind,
    order: int,
    examples: tuple[Example, ...] = (),
    warns: tuple[tuple[str, str], ...] = (),
) -> Callable[[Callable], Callable]:
    def register(fn: Callable) -> Callable:
        if any(r.id == rule_id for r in RULES):
            raise ValueError(f"duplicate normalizer rule id {rule_id}")
        RULES.append(Rule(rule_id, summary, kind, order, fn, examples, warns))
        RULES.sort(key=lambda r: r.order)
        return fn

    return register


def get(rule_id: str) -> Rule:
    for r in RULES:
        if r.id == rule_id:
            return r
    raise KeyError(rule_id)
