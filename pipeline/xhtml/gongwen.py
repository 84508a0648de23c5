"""The elements of a 公文 (GB/T 9704-2012 §7), recognised by patterns that hold across issuers.

- 版头 (§7.2): 发文机关标志 (``XX人民政府文件``), 发文字号 (``X政办发〔2020〕12号``, ``XX令第6号``),
  签发人 (``签发人：张三``).
- 主体 (§7.3): 标题; 主送机关 (organs, ending in ``：``, before the body); 正文; 附件说明
  (``附件：1.…``); 署名 (organs, or ``职务：姓名`` for an order); 成文日期; 附注 (``（此件公开发布）``).
- 版记 (§7.4): 抄送 (``抄送：…。``) and 印发机关和印发日期 (``…办公室2020年4月26日印发``).
- 附件 (§7.3.7): ``附件1`` and the attachment's own title, each attachment its own part; the
  document a 印发 notice issues (``…暂行办法`` after the signature) is such a part, unlabelled.

The normalizer writes every element as a paragraph of its own, in the canonical form described in
``docs/elements.md``. This module reads one line of that form; ``pipeline.xhtml.parts`` gives
each block of a whole document its role (the metadata and the XHTML stage classify the same blocks
with the same function, so the two always agree). Everything here is a pattern of the standard or
of the national templates, never a name of one issuer.
"""

from __future__ import annotations

import datetime as dt
import re

from pipeline.core import numbering

HAN = "\u3400-\u4dbf\u4e00-\u9fff"
_CN_DIGIT = "〇○OＯ0０零一二三四五六七八九"
_CN_MONTH_DAY = "[一二三四五六七八九十]{1,2}月[一二三四五六七八九十]{1,3}日"
DATE = rf"\d{{4}}年\d{{1,2}}月\d{{1,2}}日|[{_CN_DIGIT}]{{4}}年{_CN_MONTH_DAY}"
# A date alone on a line: 成文日期 (Arabic or Chinese numerals), a dateline in brackets.
DATE_LINE_RE = re.compile(rf"^[（(]?({DATE})[）)]?$")
_DATE_RE = re.compile(r"(\d{4})年(\d{1,2})月(\d{1,2})日")
_CN_DATE_RE = re.compile(rf"([{_CN_DIGIT}]{{4}})年([一二三四五六七八九十]{{1,2}})月([一二三四五六七八九十]{{1,3}})日")
_CN_NUM = {c: i for i, c in enumerate("〇一二三四五六七八九")} | dict.fromkeys("○OＯ0０零", 0)

# The end of an organ's name (机关、单位), as 署名 and 主送 use them.
_ORGAN_WORDS = (
    "人民政府|政府|委员会|办公室|办公厅|管委会|改革委|中心|中央|国务院|集团|公司|机构|单位|部门|机关|法院|检察院"
)
_ORGAN_CHARS = "局委厅部署院会处室所组司办社馆站队团行校"
ORGAN_SUFFIX_RE = re.compile(rf"({_ORGAN_WORDS}|[{_ORGAN_CHARS}])$")
# Parts of a 主送 list: organs, or the places and bodies a notice is sent to (各省、自治区…).
_ADDRESSEE_END_RE = re.compile(
    rf"({_ORGAN_WORDS}|[{_ORGAN_CHARS}省市区县州盟旗镇乡]|街道|兵团|自治区|直辖市|企业|主体|院校|学校"
    r"|医院|银行|组织|协会|学会|股份|石化|大学)$"
)
_NAME_RE = re.compile(rf"^[{HAN}（）()·]{{2,40}}$")
# 文号 (§7.2.5) in the normalized form (〔〕, no 第, no leading zeros); an order's or an
# announcement's number (``国家医疗保障局令第6号``, ``XX公告2020年第5号``).
DOC_NUMBER = (
    rf"[{HAN}]{{1,20}}?〔\d{{4}}〕\d+\s?号"
    rf"|[{HAN}]{{2,24}}令\s?第\s?\d+\s?号"
    rf"|[{HAN}]{{0,24}}(?:公告|通告)\s?\d{{4}}年第\s?\d+\s?号"
)
DOC_NUMBER_RE = re.compile(DOC_NUMBER)
DOC_NUMBER_LINE_RE = re.compile(rf"^[（(]?({DOC_NUMBER})[）)]?$")
MARK_RE = re.compile(rf"^[{HAN}（）]{{2,30}}(文件|令)$")  # 发文机关标志
# 令号 (§10.2.2): under an order's mark, ``第12号``; the order has no title of its own.
ORDER_NUMBER_RE = re.compile(r"^[（(]?第\s*[0-9一二三四五六七八九十百零〇]+\s*号[）)]?$")
SIGNER_RE = re.compile(rf"^签\s*发\s*人[：:]\s*[{HAN}·]{{2,8}}([ \u3000]+[{HAN}·]{{2,8}})*$")
# 署名 of an order or a speech: ``局长：胡静林``, ``国务院总理 李克强``.
SIGNATORY_RE = re.compile(
    rf"^[{HAN}]{{0,20}}(长|主任|书记|总理|主席|委员|专员|行长|署长|主任委员)[：: \u3000]\s*[{HAN}·]{{2,4}}$"
)
CC_RE = re.compile(r"^抄\s*送[：:]\s*(?P<to>.+?)[。.]?$")
PRINTED_RE = re.compile(rf"^(?P<organ>[{HAN}（）\s]{{2,60}}?)\s*(?P<date>{DATE})\s*印\s*发$")
ATTACHMENT_NOTE_RE = re.compile(r"^附\s*件\s*(\d*)\s*[：:]\s*(?P<names>.*)$")
ATTACHMENT_ITEM_RE = re.compile(r"^(\d{1,2})[.．、]\s*(?P<name>.+)$")
ATTACHMENT_LABEL_RE = re.compile(
    r"^附\s*件\s*(?P<no>\d{1,2}|[一二三四五六七八九十]{1,3})?(?:[ \u3000]+(?P<title>[^：:。]{2,40}))?$"
)
# After the signature, `附件1：某某统计表` is an attachment's label and title on one line (web pages
# write them so); before it, the same form is the 附件说明.
LABEL_WITH_TITLE_RE = re.compile(r"^附\s*件\s*(?P<no>\d{1,2})?\s*[：:]\s*(?P<title>[^。；]{2,60})$")
_ANNOTATION_RE = re.compile(r"^[（(][^（）()]*(?:[（(][^（）()]*[）)][^（）()]*)*[）)]$")
TOC_TITLE_RE = re.compile(r"^目[ \u3000]*录$")
# The genre words a title ends with (…的通知, …工作报告), and those of documents a notice issues.
GENRES = (
    "报告|通知|意见|办法|决定|规定|方案|纲要|公告|通告|通报|批复|函|请示|纪要|细则|规则|说明|讲话|规划|要点|条例"
    "|预算|决算|公报|命令|令|议案|决议"
)
ISSUED_RE = re.compile(
    r"(办法|规定|细则|规则|方案|意见|纲要|规划|计划|制度|条例|准则|标准|指南|目录|清单|名单|要点|章程)$"
)
SENTENCE_RE = re.compile(r"[。！？；]")


def parse_date(text: str) -> dt.date | None:
    """The first date in ``text``: Arabic (``2019年3月5日``) or Chinese numerals (``二〇一二年五月十七日``)."""
    m = _DATE_RE.search(text)
    if m:
        try:
            return dt.date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
    m = _CN_DATE_RE.search(text)
    if not m:
        return None
    year = int("".join(str(_CN_NUM[c]) for c in m[1]))
    try:
        return dt.date(year, _cn_number(m[2]), _cn_number(m[3]))
    except ValueError:
        return None


def _cn_number(text: str) -> int:
    if "十" in text:
        tens, _, units = text.partition("十")
        return (_CN_NUM.get(tens, 1) if tens else 1) * 10 + (_CN_NUM.get(units, 0) if units else 0)
    return _CN_NUM.get(text, 0)


# --- one line ------------------------------------------------------------------------------------


def is_organ(text: str) -> bool:
    """One organ's name: Han characters only, ending like an organ (``国家能源局华东监管局``)."""
    return bool(_NAME_RE.match(text)) and bool(ORGAN_SUFFIX_RE.search(text)) and numbering.parse(text) is None


def organs(text: str) -> list[str]:
    """The organs of a 署名 line (joint issuers separated by spaces), or [] if it is not one."""
    names = text.split()
    return names if names and all(is_organ(n) for n in names) else []


def is_signatory(text: str) -> bool:
    """A person signing in office: ``局长：胡静林`` (orders), ``国务院总理 李克强``."""
    return bool(SIGNATORY_RE.match(text))


def is_recipients(text: str) -> bool:
    """主送机关 (§7.3.2): organs separated by ``、`` or ``，``, ending with ``：``; not a salutation."""
    if not text.endswith(("：", ":")) or len(text) > 600 or SENTENCE_RE.search(text):
        return False
    body = text[:-1]
    if body.startswith(("各位", "同志", "女士", "尊敬的")) or numbering.parse(body) is not None:
        return False
    parts = [p for p in re.split(r"[、，,]", re.sub(r"（[^）]*）|\([^)]*\)", "", body)) if p]
    if not parts or any(len(p) > 40 for p in parts):
        return False
    fitting = sum(bool(_ADDRESSEE_END_RE.search(p)) or (p.startswith("各") and len(p) >= 3) for p in parts)
    return fitting * 2 >= len(parts) and bool(_ADDRESSEE_END_RE.search(parts[-1]) or parts[-1].startswith("各"))


def doc_number(text: str) -> str:
    """The 文号 of a line that is one (in brackets or not), else ``""``."""
    m = DOC_NUMBER_LINE_RE.match(text)
    return re.sub(r"\s", "", m[1]) if m else ""


def is_annotation(text: str) -> bool:
    """附注 (§7.3.6): one bracketed line, such as ``（此件公开发布）`` or ``（联系人：…）``."""
    return len(text) <= 200 and bool(_ANNOTATION_RE.match(text)) and not DATE_LINE_RE.match(text)


def attachment_names(text: str) -> list[str]:
    """The names an 附件说明 line lists: ``附件：1.甲`` -> [甲]; a continuation ``2.乙`` -> [乙]."""
    m = ATTACHMENT_NOTE_RE.match(text)
    rest = m["names"] if m else text
    item = ATTACHMENT_ITEM_RE.match(rest)
    name = item["name"] if item else rest
    return [name.rstrip("。.；;，, ")] if name.strip() else []


def attachment_title(text: str, role: str) -> str:
    """An attachment part's title: the block itself, or the part of a label that names it."""
    if role == "attachment-title":
        return text
    label = ATTACHMENT_LABEL_RE.match(text) or LABEL_WITH_TITLE_RE.match(text)
    return (label["title"] or "") if label else ""


def is_head_line(text: str) -> bool:
    """A line of the 版头 that stands above the title: 发文机关标志 or 签发人."""
    return bool(MARK_RE.match(text) or SIGNER_RE.match(text))


def is_toc_title(text: str) -> bool:
    return bool(TOC_TITLE_RE.match(text))
