"""Fixed texts of the 政府信息公开工作年度报告 templates (国办公开办函〔2021〕30号 and the
2008–2018 template), used to find structure that converters destroyed."""

from __future__ import annotations

# Level-1 section titles, new template first, then old-template and common variants.
SECTION_TITLES = (
    "总体情况",
    "主动公开政府信息情况",
    "收到和处理政府信息公开申请情况",
    "政府信息公开行政复议、行政诉讼情况",
    "存在的主要问题及改进情况",
    "其他需要报告的事项",
    "概述",
    "政府信息依申请公开工作情况",
    "政府信息依申请公开办理情况",
    "因政府信息公开申请行政复议、提起行政诉讼的情况",
    "因政府信息公开申请提起行政复议、行政诉讼的情况",
    "政府信息公开的收费及减免情况",
    "政府信息公开工作存在的主要问题及改进情况",
    "政府信息公开工作存在的主要问题及改进措施",
    "主要问题和改进措施",
    "政府信息公开情况统计表",
)

# Row labels of 表三 that carry hierarchy numbers (一、, （一）) but are table rows, not sections.
TABLE_ROW_LABELS = (
    "本年新收政府信息公开申请数量",
    "上年结转政府信息公开申请数量",
    "本年度办理结果",
    "结转下年度继续办理",
    "予以公开",
    "部分公开",
    "不予公开",
    "无法提供",
    "不予处理",
    "其他处理",
    "总计",
)


def section_title_prefix(text: str) -> str:
    """The longest known section title that ``text`` starts with, or ""."""
    return max((t for t in SECTION_TITLES if text.startswith(t)), key=len, default="")


def is_table_row_label(text: str) -> bool:
    """True for ``本年新收政府信息公开申请数量…`` or ``予以公开71…``, not for ``不予公开政府信息办理情况``."""
    compact = text.replace(" ", "").replace("\u3000", "")
    for label in TABLE_ROW_LABELS:
        if len(label) >= 6 and compact.startswith(label[:5]):
            return True
        if compact.startswith(label) and (len(compact) == len(label) or compact[len(label)] in "0123456789（("):
            return True
    return False
