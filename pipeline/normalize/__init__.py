"""Stage 2, normalize: messy converter Markdown -> clean Markdown, every change explained.

Rules live in the family modules imported below and register themselves (see ``registry``);
the engine runs them in order, logs each change, and refuses any rule application that makes
a Han character or digit disappear without logging it as removed debris.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from pipeline.core.chars import significant
from pipeline.core.errors import PreservationError
from pipeline.core.model import Advisory, Change, Document
from pipeline.normalize import (  # noqa: F401  (importing a family registers its rules)
    contents,
    debris,
    elements,
    encoding,
    entities,
    headings,
    namelists,
    punctuation,
    review,
    segment,
    spacing,
    statistics_tables,
    statutory_tables,
    structure,
    tables,
    webnav,
    webpage,
)
from pipeline.normalize.metadata import extract
from pipeline.normalize.registry import RULES, Log, Rule, missing
from pipeline.xhtml.markup import NestingTooDeep, too_deep

if missing():  # every rule ORDER names is registered by the families imported above
    raise ImportError(f"normalizer rules named in ORDER but not registered: {', '.join(missing())}")

MAX_PASSES = 4


def normalize(doc: Document, disabled: frozenset[str] = frozenset()) -> Document:
    """Run every rule (but the ``disabled`` ids), in order, until the text no longer changes.

    Rules interact (a join can create a heading candidate, a converted comma can make a line
    look finished), so one pass is not always a fixed point; repeating until nothing changes
    makes ``normalize(normalize(x)) == normalize(x)`` hold. A text still changing after
    MAX_PASSES passes is kept as it is then, with a warning.
    """
    if unknown := disabled - {r.id for r in RULES}:
        raise ValueError(f"no normalizer rule {', '.join(sorted(unknown))}")
    text = doc.text
    changes: list[Change] = []
    warnings: list[Advisory] = []
    info: dict[str, str] = {}
    kept = significant(text)
    for _ in range(MAX_PASSES):
        before = text
        # Review findings describe the text as it is: keep only the last pass's.
        warnings = [w for w in warnings if not w.rule.startswith("review/")]
        for r in RULES:
            if r.id in disabled:
                continue
            after, log = apply(r, text, info)
            if after != text and (after_kept := significant(after)) != kept:  # most rules keep them all, in order
                lost = Counter(kept) - Counter(after_kept)
                lost.subtract(log.removed)
                if +lost:
                    raise PreservationError(doc.source_path, f"规范化：{r.id}", "".join((+lost).elements()))
                kept = after_kept
            changes.extend(log.changes)
            warnings.extend(log.warnings)
            info = {**log.info, **info}
            text = after
        if text == before:
            break
    else:
        message = f"规范化 {MAX_PASSES} 轮后文本仍在变化，已保留最后一轮的结果，请核对"
        warnings.append(Advisory("engine/passes", 0, message))
    markdown = text.rstrip("\n") + "\n"
    unique = {(w.rule, w.message, w.excerpt): w for w in warnings}
    warnings = list(unique.values())
    try:
        meta = extract(markdown, info)
    except NestingTooDeep:
        raise too_deep(doc.source_path) from None
    return replace(doc, markdown=markdown, changes=changes, warnings=warnings, meta=meta)


def apply(r: Rule, text: str, known: dict[str, str] | None = None) -> tuple[str, Log]:
    """Run one rule over the text (``known``: what earlier rules learned about the source);
    returns the new text and what the rule changed."""
    log = Log(r.id, known)
    return "\n".join(r.fn(text.split("\n"), log)), log
