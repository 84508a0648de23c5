"""A check report's outcome in one word, for the batch summary and record.xml; light (no PDF
reading), so that what only reports it loads nothing of the checker."""

from __future__ import annotations

from collections import Counter

# Findings that mean the PDF is off the official layout (off the 22-row grid, full lines short of
# the 版心's edge, text outside the 版心), though nothing is lost: the document is published, but
# its status says so instead of a plain 通过.
OFF_STANDARD = ("grid-rows", "line-fill", "type-area")


def status(findings: list[dict]) -> tuple[str, str]:
    """(result, detail) of a check.json's findings: 未通过, 偏离版式 or 通过 (with its notes)."""
    fails = [f for f in findings if f["severity"] == "fail"]
    if fails:
        return "未通过", f"{len(fails)} 项不合格"
    off = Counter(f["rule"] for f in findings if f["rule"] in OFF_STANDARD)
    if off:
        return "偏离版式", "、".join(f"{rule} {n} 项" for rule, n in sorted(off.items())) + "（详见 check.json）"
    return "通过", f"{len(findings)} 项提示" if findings else ""
