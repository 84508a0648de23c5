"""Fixed texts of the 政府信息公开工作年度报告 templates (国办公开办函〔2021〕30号 and the
2008–2018 template), used to find structure that converters destroyed."""

from __future__ import annotations

import re

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


# 表三 收到和处理政府信息公开申请情况: row labels in order. Rows marked False are group labels
# without numbers; every other row has 7 numbers, the last being the sum of the first six.
APPLICATION_ROWS: tuple[tuple[str, bool], ...] = (
    ("一、本年新收政府信息公开申请数量", True),
    ("二、上年结转政府信息公开申请数量", True),
    ("三、本年度办理结果", False),
    ("（一）予以公开", True),
    ("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", True),
    ("（三）不予公开", False),
    ("1.属于国家秘密", True),
    ("2.其他法律行政法规禁止公开", True),
    ("3.危及“三安全一稳定”", True),
    ("4.保护第三方合法权益", True),
    ("5.属于三类内部事务信息", True),
    ("6.属于四类过程性信息", True),
    ("7.属于行政执法案卷", True),
    ("8.属于行政查询事项", True),
    ("（四）无法提供", False),
    ("1.本机关不掌握相关政府信息", True),
    ("2.没有现成信息需要另行制作", True),
    ("3.补正后申请内容仍不明确", True),
    ("（五）不予处理", False),
    ("1.信访举报投诉类申请", True),
    ("2.重复申请", True),
    ("3.要求提供公开出版物", True),
    ("4.无正当理由大量反复申请", True),
    ("5.要求行政机关确认或重新出具已获取信息", True),
    ("（六）其他处理", False),
    ("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", True),
    ("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", True),
    ("3.其他", True),
    ("（七）总计", True),
    ("四、结转下年度继续办理", True),
)
APPLICATION_COLUMNS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")
# 表四 行政复议、行政诉讼: 15 numbers in three groups of five, the fifth of each the sum of the four.
REVIEW_COLUMNS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")

# Official titles that stand before a speaker's name (`国务院总理 李克强`).
SPEAKER_TITLES = "总理|主席|省长|市长|县长|区长|镇长|书记|主任|部长"
SPEAKER_RE = re.compile(rf"({SPEAKER_TITLES})[ \u3000]?[\u4e00-\u9fff]{{2,4}}(同志)?$")
