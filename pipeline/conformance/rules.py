"""The checker's rule registry: each rule is a small named function registered with ``@rule`` (an
id, a one-line summary); it yields (severity, message, page) findings. ``fail`` findings make a
document fail in the batch; ``warn`` findings are reported."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass

from pipeline.conformance.reader import Measured


@dataclass(frozen=True)
class Finding:
    rule: str
    severity: str  # "fail" or "warn"
    message: str
    page: int = 0


@dataclass(frozen=True)
class CheckRule:
    id: str
    summary: str
    fn: Callable[[Measured, dict], Iterable[Finding]]
    module: str = ""  # where the rule is written


RULES: dict[str, CheckRule] = {}


def rule(rule_id: str, summary: str) -> Callable:
    def register(fn: Callable[[Measured, dict], Iterable[tuple[str, str, int]]]) -> Callable:
        def run(measured: Measured, metrics: dict) -> Iterator[Finding]:
            for severity, message, page in fn(measured, metrics):
                yield Finding(rule_id, severity, message, page)

        RULES[rule_id] = CheckRule(rule_id, summary, run, fn.__module__)
        return fn

    return register
