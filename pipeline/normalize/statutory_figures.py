"""A row's figures from the tokens found in the text: as many as the row has cells, or a fused run
of digits cut where the template's sums allow exactly one cut; undecided rows of 表三 settled by
its column sums.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.core.statutory import Row

MAX_DIGITS = 9


@dataclass
class Placed:
    row: Row
    start: int  # where its label starts in the stream (-1: not found)
    end: int  # where its words end
    figures: list[str] | None = None  # the row's figures when they fit
    raw: list[str] | None = None  # the figures found, kept whole when they do not fit


def _cuts(digits: str, count: int) -> list[list[str]]:
    """Every way to cut a run of digits into ``count`` numbers without leading zeros."""
    if count == 1:
        return [[digits]] if re.fullmatch(r"0|[1-9]\d*", digits) and len(digits) <= MAX_DIGITS else []
    found = []
    for cut in range(1, min(len(digits) - count + 2, MAX_DIGITS + 1)):
        head = digits[:cut]
        if re.fullmatch(r"0|[1-9]\d*", head):
            found += [[head, *rest] for rest in _cuts(digits[cut:], count - 1)]
    return found


def _sums_hold(values: list[str], row: Row) -> bool:
    if not row.summed or any("." in v for v in values):
        return True
    numbers = [int(v) for v in values]
    chunks = [numbers[g * row.size : (g + 1) * row.size] for g in range(row.groups)]
    return all(sum(c[:-1]) == c[-1] for c in chunks)


MAX_CANDIDATES = 64


def candidates(tokens: list[str], row: Row) -> list[list[str]]:
    """Every way the tokens found can be the row's figures (tokens cut where they are fused),
    keeping the row's sums; at most MAX_CANDIDATES."""
    found: list[list[str]] = []
    for parts in _distribute(tokens, row.count):
        for values in _combine([_cuts(t, k) if k > 1 else [[t]] for t, k in zip(tokens, parts, strict=True)]):
            if _sums_hold(values, row):
                found.append(values)
                if len(found) >= MAX_CANDIDATES:
                    return found
    return found


def fit(tokens: list[str], row: Row) -> tuple[list[str] | None, list[str]]:
    """The row's figures from the tokens found, or None; and the copies of a merged cell dropped."""
    n = row.count
    if len(tokens) == n:
        return tokens, []
    if len(tokens) > n:
        if n == 1 and len(set(tokens)) == 1 and len(tokens) <= max(row.span, 1) + 2:
            return tokens[:1], tokens[1:]  # a merged cell repeated across its span
        return None, []
    found = candidates(tokens, row)
    return (found[0], []) if len(found) == 1 else (None, [])


def _distribute(tokens: list[str], n: int) -> list[list[int]]:
    """How many numbers each token could hold so that they hold ``n`` in all."""
    if not tokens:
        return [[]] if n == 0 else []
    first, rest = tokens[0], tokens[1:]
    most = 1 if "." in first else min(len(first), n - len(rest))
    return [[k, *tail] for k in range(1, most + 1) for tail in _distribute(rest, n - k)]


def _combine(options: list[list[list[str]]]) -> list[list[str]]:
    if not options:
        return [[]]
    return [[*head, *tail] for head in options[0] for tail in _combine(options[1:])]


MAX_COMBINATIONS = 100_000


def _resolve_columns(placed: list[Placed]) -> list[Placed]:
    """Fused rows of 表三 that split more than one way, decided by the columns: for each column,
    本年新收 + 上年结转 = 总计 + 结转下年度, and 总计 is the sum of the results. Only a choice that is
    the one way for every undecided row together is taken. Returns the rows decided."""
    rows = {p.row.key: p for p in placed if p.row.size}
    open_rows = [p for p in rows.values() if p.figures is None and p.raw]
    options = {id(p): candidates(p.raw, p.row) for p in open_rows}
    if not open_rows or any(not o for o in options.values()):
        return []
    total = 1
    for o in options.values():
        total *= len(o)
    needed = ("本年新收", "上年结转", "总计", "结转下年度")
    if total > MAX_COMBINATIONS or any(k not in rows for k in needed):
        return []
    keys = list(rows)  # the results: the rows between 上年结转 and 总计
    leaves = [rows[k] for k in keys[keys.index("上年结转") + 1 : keys.index("总计")]]
    solutions = []
    for choice in _combine([[[i] for i in range(len(options[id(p)]))] for p in open_rows]):
        chosen = {id(p): options[id(p)][i] for p, i in zip(open_rows, choice, strict=True)}
        figures = {k: chosen.get(id(p), p.figures) for k, p in rows.items()}
        if any(f is None for f in figures.values()):
            return []
        if _columns_hold(figures, [chosen.get(id(p), p.figures) for p in leaves]):
            solutions.append(chosen)
            if len(solutions) > 1:
                return []
    if len(solutions) != 1:
        return []
    for p in open_rows:
        p.figures, p.raw = solutions[0][id(p)], None
    return open_rows


def _table_adds_up(placed: list[Placed]) -> bool:
    rows = {p.row.key: p.figures for p in placed if p.row.size}
    keys = list(rows)
    if any(rows.get(k) is None for k in ("本年新收", "上年结转", "总计", "结转下年度")):
        return True  # not all there: nothing to hold the columns to
    leaves = [rows[k] for k in keys[keys.index("上年结转") + 1 : keys.index("总计")]]
    return any(leaf is None for leaf in leaves) or _columns_hold(rows, leaves)


def _columns_hold(figures: dict[str, list[str]], leaves: list[list[str]]) -> bool:
    for j in range(7):
        col = {k: int(v[j]) for k, v in figures.items() if k in ("本年新收", "上年结转", "总计", "结转下年度")}
        if col["本年新收"] + col["上年结转"] != col["总计"] + col["结转下年度"]:
            return False
        if sum(int(leaf[j]) for leaf in leaves) != col["总计"]:
            return False
    return True
