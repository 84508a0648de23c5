"""Rules on the 公文 elements as placed: signature and date (§7.3.5.2), 主送 (§7.3.2), 版记
(§7.4) and attachment pages (§7.3.7)."""

from __future__ import annotations

from collections.abc import Iterator

from pipeline.conformance.page_rules import _DATE, _row_top
from pipeline.conformance.reader import Measured
from pipeline.conformance.rules import rule
from pipeline.core.gbt9704 import (
    BOTTOM,
    CHAR,
    FOLIO_PT,
    LEFT,
    MM,
    PITCH,
    RIGHT,
    TITLE_PT,
    TOP,
)


@rule("signature", "署名右空二字，成文日期在下一行、首字比署名首字右移二字（GB/T 9704 §7.3.5.2）")
def _signature(m: Measured, metrics: dict) -> Iterator[tuple[str, str, int]]:
    lines = list(m.lines)
    dated = [i for i, ln in enumerate(lines) if _DATE.match(ln.ink) and i > 0 and ln.x0 > LEFT + 4 * CHAR]
    if not dated:
        return
    i = dated[-1]
    date, sig = lines[i], lines[i - 1]
    # Joint signing (§7.3.5.2): the organs stand one under another, each ending at the same
    # place; the date is placed against the widest of them.
    organs = [sig]
    for above in reversed(lines[: i - 1]):
        step = organs[-1].baseline - above.baseline
        if above.page != sig.page or abs(above.x1 - sig.x1) > 1 or abs(step - PITCH) > 0.5:
            break
        organs.append(above)
    sig = min(organs, key=lambda ln: ln.x0)
    ws, wd = sig.x1 - sig.x0, date.x1 - date.x0
    metrics.update(signature_x1_mm=round(sig.x1 / MM, 2), date_x0_mm=round(date.x0 / MM, 2))
    edge = RIGHT - 2 * CHAR
    tol = 1.5
    as_shorter = abs(sig.x1 - edge) < tol and abs(date.x0 - (sig.x0 + 2 * CHAR)) < tol
    as_longer = abs(date.x1 - edge) < tol and abs(sig.x0 - (date.x0 - 2 * CHAR)) < tol
    if not (as_shorter if wd <= ws else as_longer) and not (abs(wd - ws) < 3 and (as_shorter or as_longer)):
        yield ("warn", f"署名（右端 {sig.x1 / MM:.1f} mm）与日期（左端 {date.x0 / MM:.1f} mm）位置不符合 §7.3.5.2",
               date.page)  # fmt: skip
    if date.page == organs[0].page and abs(date.baseline - organs[0].baseline - PITCH) > 0.5:
        yield "warn", "成文日期不在署名的下一行", date.page


@rule("recipients", "主送机关顶格，回行仍顶格，以全角冒号结束（GB/T 9704 §7.3.2）")
def _recipients(m: Measured, metrics: dict) -> Iterator[tuple[str, str, int]]:
    if not m.recipients:
        return
    lines = list(m.lines)
    start = next((k for k, ln in enumerate(lines) if ln.ink.startswith(m.recipients)), None)
    if start is None:
        yield "fail", "PDF 中找不到主送机关", 0
        return
    end = next((k for k in range(start, len(lines)) if lines[k].ink.endswith(("：", ":"))), start)
    metrics["recipients_x0_mm"] = round(lines[start].x0 / MM, 2)
    for ln in lines[start : end + 1]:
        if abs(ln.x0 - LEFT) > 0.6:
            yield "fail", f"主送机关应顶格，“{ln.ink[:10]}”起于 {ln.x0 / MM:.1f} mm", ln.page
    if not lines[end].ink.endswith(("：", ":")):
        yield "warn", "主送机关应以全角冒号结束", lines[end].page


THICK, THIN = 0.35 * MM, 0.25 * MM  # 版记 rules (§7.4.1)


@rule(
    "imprint",
    "版记位于末页下端、与版心等宽：末条线与版心下边缘重合，首末条粗线 0.35 mm、中间细线 0.25 mm，"
    "文字 4 号（GB/T 9704 §7.4）",
)
def _imprint(m: Measured, metrics: dict) -> Iterator[tuple[str, str, int]]:
    if not m.imprint:
        return
    page = m.pages[-1]
    lines = [ln for ln in page.block if abs(ln.size - FOLIO_PT) < 0.3]
    if not lines:
        yield "fail", "版记（抄送、印发）不在末页", page.number
        return
    top = min(ln.baseline for ln in lines) - PITCH
    rules = sorted({r for r in page.hrules if r.top >= top - 2}, key=lambda r: r.top)  # each side is drawn once
    if len(rules) < 2:
        yield "fail", "版记缺少首末两条分隔线", page.number
        return
    last = rules[-1]
    metrics.update(imprint_bottom_mm=round(last.bottom / MM, 2), imprint_rules=len(rules))
    if abs(last.bottom - BOTTOM) > 1 * MM:
        yield "fail", f"版记末条线应与版心下边缘重合，实在 {last.bottom / MM:.1f} mm（应为 262 mm）", page.number
    for k, r in enumerate(rules):
        width = THICK if k in (0, len(rules) - 1) else THIN
        if abs((r.bottom - r.top) - width) > 0.06 * MM:
            drawn = f"{(r.bottom - r.top) / MM:.2f}"
            yield "warn", f"版记第 {k + 1} 条线粗 {drawn} mm（应为 {width / MM:.2f} mm）", page.number
        if abs(r.x0 - LEFT) > MM or abs(r.x1 - RIGHT) > MM:
            yield "fail", f"版记第 {k + 1} 条线应与版心等宽", page.number


@rule("attachment-pages", "附件另面编排：“附件N”顶格、黑体，在版心第一行；附件标题居中，在第三行（GB/T 9704 §7.3.7）")
def _attachment_pages(m: Measured, metrics: dict) -> Iterator[tuple[str, str, int]]:
    found = 0
    for page in m.pages:
        first = page.block[0] if page.block else None
        if first is None or not any(first.ink.startswith(start) for start in m.page_starts):
            continue
        found += 1
        if first.baseline - TOP > PITCH:
            yield "fail", f"附件“{first.ink[:8]}”不在版心第一行", page.number
        if first.ink.startswith("附件") and abs(first.x0 - LEFT) > 0.6:
            yield "fail", f"“{first.ink[:8]}”应顶格", page.number
        labelled = first.ink.startswith("附件")
        if labelled and "heading-1" in m.chosen and not m.is_role_font(first.glyphs[0].font, "heading-1"):
            yield "warn", f"“{first.ink[:8]}”应为黑体", page.number
        title = next((ln for ln in page.block if abs(ln.size - TITLE_PT) < 0.3), None)
        if labelled and title is not None:
            rows = (_row_top(title) - _row_top(first)) / PITCH
            if abs(rows - 2) > 0.05:
                yield "warn", f"附件标题应在第三行，与“{first.ink[:4]}”相距 {rows:.1f} 行", page.number
            if abs((title.x0 + title.x1) / 2 - (LEFT + RIGHT) / 2) > MM:
                yield "warn", "附件标题应居中", page.number
    metrics["attachment_pages"] = found
