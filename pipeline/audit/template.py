"""Template completeness: the sections the national template and the report itself require.

Since the 2019 transitional template (国办公开办函〔2019〕60号, kept by the 2021 one, 〔2021〕30号)
a report has six sections, the second to fourth each with its statutory table. Reports on the
years before follow the old 条例's article 32: they must cover 主动公开, 依申请公开, 收费及减免,
行政复议和行政诉讼 and 存在的问题及改进, under headings of their own choosing, so for them a topic
counts as covered when a heading or a paragraph speaks of it. A report that announces its own
parts (``全文由概述、……等六部分组成``) is held to each part it names.

Headings are compared by the pairs of characters they share, after the words every section
title repeats (政府信息公开, 情况, 工作…) are taken out: wording varies between issuers, the pairs
that carry the topic do not.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from pipeline.audit.findings import ERROR, NOTE, WARNING, Finding
from pipeline.audit.tables import TABLE_NAMES, Grid
from pipeline.core.statutory import TEMPLATES

_FILLER_RE = re.compile(
    r"政府信息公开|政府信息|信息公开|政务公开|情况|工作|有关|相关|方面|的|及|和|与|、|等|本报告|年度|主要"
)
_NUMBER_RE = re.compile(r"^(?:[一二三四五六七八九十]+、|[（(][一二三四五六七八九十]+[）)]|\d+[.．、])\s*")


@dataclass(frozen=True)
class Topic:
    name: str  # as the template words it
    words: tuple[str, ...]  # any of these in a heading or paragraph covers it (old reports)
    table: str = ""  # the statutory table the section holds (2019 and later)


SECTIONS_2019 = (
    Topic("一、总体情况", ("总体情况",)),
    Topic("二、主动公开政府信息情况", ("主动公开",), "active-disclosure"),
    Topic("三、收到和处理政府信息公开申请情况", ("收到和处理", "依申请"), "applications"),
    Topic("四、政府信息公开行政复议、行政诉讼情况", ("行政复议",), "review-litigation"),
    Topic("五、存在的主要问题及改进情况", ("问题",)),
    Topic("六、其他需要报告的事项", ("其他需要报告", "其他事项")),
)
TOPICS_2008 = (
    Topic("主动公开政府信息的情况", ("主动公开",)),
    Topic("依申请公开政府信息和不予公开政府信息的情况", ("依申请",)),
    Topic("政府信息公开的收费及减免情况", ("收费",)),
    Topic("因政府信息公开申请行政复议、提起行政诉讼的情况", ("行政复议", "行政诉讼")),
    Topic("政府信息公开工作存在的主要问题及改进情况", ("问题", "不足")),
)
_SOURCE_MARKS = {"applications": ("不再处理",)}  # words of the 2021 rows an OCR leaves when it loses others
_ANNOUNCED_RE = re.compile(
    r"(?:全文|本报告|报告)(?:由|包括|分为)(.{4,200}?)(?:等|共)?([一二三四五六七八九十\d])(?:个)?部分"
)


def template_of(year: int | None, grids: list[Grid]) -> str:
    """2021, 2019 or 2008: by the year reported on, else by the tables' own template."""
    if year is not None:
        return "2021" if year >= 2021 else "2019" if year >= 2019 else "2008"
    return "2021" if any(g.template.variant == "2021" for g in grids) else "2019" if grids else "2008"


def _pairs(text: str) -> set[str]:
    core = _FILLER_RE.sub("", _NUMBER_RE.sub("", text))
    return {core[i : i + 2] for i in range(len(core) - 1)}


def covers(part: str, heading: str) -> bool:
    """``heading`` speaks of ``part``: it holds at least half of the part's character pairs."""
    want, have = _pairs(part), _pairs(heading)
    if not want:
        return bool(_FILLER_RE.sub("", part)) and _FILLER_RE.sub("", part) in heading
    shared = len(want & have)
    return shared >= min(2, len(want)) and shared * 2 >= len(want)


def _announced(paragraphs: list[str]) -> tuple[str, list[str]] | None:
    for text in paragraphs[:6]:
        m = _ANNOUNCED_RE.search(text)
        if m:
            return m[0], [p for p in re.split(r"[、，,；]|以及", m[1]) if p.strip()]
    return None


def check(
    headings: list[str], paragraphs: list[str], grids: list[Grid], template: str, present: set[str], source: str = ""
) -> list[Finding]:
    """Findings on the sections, the parts the report announces and the statutory tables;
    ``present`` are the kinds of statutory table the document has, read or not; ``source`` the
    text as received."""
    findings: list[Finding] = []
    found = _announced(paragraphs)
    # what the report says of itself is not where it covers a topic
    body = [p.replace(found[0], "") for p in paragraphs] if found else paragraphs
    if template == "2008":
        for topic in TOPICS_2008:
            if not any(w in t for t in headings + body for w in topic.words):
                findings.append(
                    Finding(
                        "section",
                        ERROR,
                        "全文",
                        f"未写到条例要求报告的「{topic.name}」",
                        "补写这一部分（没有相关情况的，写明“无”）",
                    )
                )
    else:
        for topic in SECTIONS_2019:
            if not any(covers(topic.name, h) or any(w in h for w in topic.words) for h in headings):
                findings.append(
                    Finding(
                        "section",
                        ERROR,
                        "全文",
                        f"缺少年度报告格式要求的「{topic.name}」部分",
                        "按国办公开办函〔2021〕30号的格式补上这一部分",
                    )
                )
        read = {g.kind for g in grids}
        for topic in SECTIONS_2019:
            if not topic.table or topic.table in read:
                continue
            if topic.table in present:  # there, but its figures could not be read: not the office's fault
                findings.append(
                    Finding(
                        "table",
                        WARNING,
                        topic.name,
                        f"「{TABLE_NAMES[topic.table]}」的数字未能读出，未核对",
                        "核对原件中的表格；转换结果中的表格可能不完整",
                    )
                )
            else:
                findings.append(
                    Finding(
                        "table",
                        ERROR,
                        topic.name,
                        f"缺少法定表格「{TABLE_NAMES[topic.table]}」",
                        "按年度报告格式补上该表",
                    )
                )
        findings += _rows(grids, template, source)
    if found:
        sentence, parts = found
        for part in parts:
            if _part_present(part, headings):
                continue
            findings.append(
                Finding(
                    "announced",
                    ERROR,
                    "开头说明",
                    f"报告称「{sentence}」，但正文中找不到「{part}」部分",
                    "补上这一部分，或改正开头的说明",
                )
            )
    return findings


def _part_present(part: str, headings: list[str]) -> bool:
    if any(covers(part, h) for h in headings):
        return True
    pieces = [p for p in re.split(r"[和及与]", part) if len(p) >= 2]
    if len(pieces) > 1 and all(any(covers(p, h) for h in headings) for p in pieces):
        return True
    # a part the template names is judged as the template check judges it (by its sub-headings)
    topics = [t for t in (*SECTIONS_2019, *TOPICS_2008) if covers(part, t.name) or covers(t.name, part)]
    return any(w in h for t in topics for w in t.words for h in headings)


def _rows(grids: list[Grid], template: str, source: str) -> list[Finding]:
    findings = []
    for grid in grids:
        name = TABLE_NAMES[grid.kind]
        if template == "2021" and grid.template.variant != "2021":
            other = next(t for t in TEMPLATES if t.kind == grid.kind and t.variant == "2021")
            if not any(
                m in source for m in (*other.marks, *_SOURCE_MARKS.get(grid.kind, ()))
            ):  # else the converter lost the rows, not the office
                lacking = [r.label for r in other.rows if r.size and r.key not in {x.key for x in grid.template.rows}]
                detail = ("，缺少2021年格式的" + "、".join(f"「{x}」" for x in lacking) + "行") if lacking else ""
                findings.append(
                    Finding(
                        "template",
                        NOTE,
                        name,
                        f"报告年度适用2021年格式，表格按2019年过渡模板填报{detail}",
                        "按国办公开办函〔2021〕30号的表格格式填报",
                    )
                )
        if grid.missing:
            labels = "、".join(f"「{r.label}」" for r in grid.missing)
            findings.append(
                Finding(
                    "row",
                    WARNING,
                    name,
                    f"表中未能读出{labels}行（原件缺少，或转换时表格被打乱）",
                    "核对原件：缺少的按模板补上；表格被打乱的，用更好的转换结果重新转换",
                )
            )
        if grid.unplaced:
            labels = [next(r.label for r in grid.template.rows if r.key == key) or "数据" for key in grid.unplaced]
            findings.append(
                Finding(
                    "cells",
                    WARNING,
                    name,
                    f"{len(labels)} 行的数字无法逐格对应或缺失（"
                    + "、".join(f"「{x}」" for x in labels)
                    + "），涉及这些行的勾稽关系未核对",
                    "核对原件，按列逐格填写后重新转换",
                )
            )
    return findings
