"""The statutory tables of the 政府信息公开工作年度报告, as the national templates define them.

Two templates are in use: the 2021 one (国办公开办函〔2021〕30号) and the 2019 transitional one
(国办公开办函〔2019〕60号), which many offices kept using. Each has three tables:

- 表二 主动公开政府信息情况 (``active-disclosure``): blocks per item of 条例 第二十条, each a row of
  column names and one or two rows of figures;
- 表三 收到和处理政府信息公开申请情况 (``applications``): rows of seven figures, the seventh the sum of
  the first six (自然人, five kinds of 法人或其他组织, 总计); 一+二 = (七)总计 + 四;
- 表四 行政复议、行政诉讼 (``review-litigation``): fifteen figures in three groups of five, the fifth of
  each the sum of the four before it.

A row is found by its ``key``, words that survive every rendering seen (the number marker is
often lost to OCR); its ``label`` is the template's text. The normalizer rebuilds the tables from
these grids (``pipeline.normalize.statutory_tables``); nothing here depends on one issuer.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Cell:
    text: str
    colspan: int = 1
    rowspan: int = 1


@dataclass(frozen=True)
class Row:
    """A body row: ``size`` figures (in ``groups`` of ``size``; the last of each group the sum of
    the others when ``summed``), each spanning ``span`` columns; ``size`` 0 is a group label."""

    label: str
    key: str
    size: int = 0
    groups: int = 1
    summed: bool = True
    span: int = 1

    @property
    def count(self) -> int:
        return self.size * self.groups


Line = list[Cell] | Row  # a row of fixed cells (a header or an item's column names), or a body row


@dataclass(frozen=True)
class Template:
    kind: str  # active-disclosure, applications, review-litigation
    variant: str  # 2021 or 2019
    lines: tuple[Line, ...]
    label_span: int  # columns a row's label takes
    anchors: tuple[str, ...]  # words that start the table (its first header cells)
    marks: tuple[str, ...] = ()  # words only this variant has

    @property
    def rows(self) -> list[Row]:
        return [line for line in self.lines if isinstance(line, Row)]


_NOTE = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）"
APPLICANTS = ("自然人", "商业企业", "科研机构", "社会公益组织", "法律服务机构", "其他", "总计")


def _applications(variant: str) -> Template:
    head: list[Line] = [
        [Cell(_NOTE, 3, 3), Cell("申请人情况", 7)],
        [Cell("自然人", 1, 2), Cell("法人或其他组织", 5), Cell("总计", 1, 2)],
        [Cell(c) for c in APPLICANTS[1:6]],
    ]
    data = lambda label, key: Row(label, key, 7)  # noqa: E731
    group = lambda label, key: Row(label, key)  # noqa: E731
    rows: list[Line] = [
        data("一、本年新收政府信息公开申请数量", "本年新收"),
        data("二、上年结转政府信息公开申请数量", "上年结转"),
        group("三、本年度办理结果", "本年度办理结果"),
        data("（一）予以公开", "予以公开"),
        data("（二）部分公开（区分处理的，只计这一情形，不计其他情形）", "部分公开"),
        group("（三）不予公开", "不予公开"),
        data("1.属于国家秘密", "国家秘密"),
        data("2.其他法律行政法规禁止公开", "其他法律"),
        data("3.危及“三安全一稳定”", "三安全一稳定"),
        data("4.保护第三方合法权益", "第三方合法权益"),
        data("5.属于三类内部事务信息", "三类内部事务"),
        data("6.属于四类过程性信息", "四类过程性"),
        data("7.属于行政执法案卷", "行政执法案卷"),
        data("8.属于行政查询事项", "行政查询事项"),
        group("（四）无法提供", "无法提供"),
        data("1.本机关不掌握相关政府信息", "本机关不掌握"),
        data("2.没有现成信息需要另行制作", "没有现成信息"),
        data("3.补正后申请内容仍不明确", "补正后申请内容"),
        group("（五）不予处理", "不予处理"),
        data("1.信访举报投诉类申请", "信访举报投诉"),
        data("2.重复申请", "重复申请"),
        data("3.要求提供公开出版物", "公开出版物"),
        data("4.无正当理由大量反复申请", "大量反复申请"),
        data("5.要求行政机关确认或重新出具已获取信息", "确认或重新出具"),
    ]
    if variant == "2021":
        rows += [
            group("（六）其他处理", "其他处理"),
            data("1.申请人无正当理由逾期不补正、行政机关不再处理其政府信息公开申请", "逾期不补正"),
            data("2.申请人逾期未按收费通知要求缴纳费用、行政机关不再处理其政府信息公开申请", "逾期未按收费通知"),
            data("3.其他", "3.其他"),  # `其他` alone is also a column's name
        ]
    else:
        rows.append(data("（六）其他处理", "其他处理"))
    rows += [data("（七）总计", "总计"), data("四、结转下年度继续办理", "结转下年度")]
    marks = ("逾期不补正",) if variant == "2021" else ()
    anchors = ("本列数据", "勾稽关系", "申请人情况", "本年新收")
    return Template("applications", variant, (*head, *rows), 3, anchors, marks)


REVIEW_COLUMNS = ("结果维持", "结果纠正", "其他结果", "尚未审结", "总计")


def _review() -> Template:
    columns = [Cell(c) for c in REVIEW_COLUMNS]
    lines: list[Line] = [
        [Cell("行政复议", 5), Cell("行政诉讼", 10)],
        [Cell(c, 1, 2) for c in REVIEW_COLUMNS] + [Cell("未经复议直接起诉", 5), Cell("复议后起诉", 5)],
        columns + columns,
        Row("", "", 5, groups=3),
    ]
    return Template("review-litigation", "2021", tuple(lines), 0, ("行政复议",))


def _active(variant: str) -> Template:
    if variant == "2021":
        items = [
            ("第二十条第（一）项", ("本年制发件数", "本年废止件数", "现行有效件数"),
             (("规章", "规章"), ("行政规范性文件", "规范性文件"))),
            ("第二十条第（五）项", ("本年处理决定数量",), (("行政许可", "行政许可"),)),
            ("第二十条第（六）项", ("本年处理决定数量",), (("行政处罚", "行政处罚"), ("行政强制", "行政强制"))),
            ("第二十条第（八）项", ("本年收费金额（单位：万元）",), (("行政事业性收费", "事业性收费"),)),
        ]  # fmt: skip
        marks = ("本年制发件数",)
    else:
        items = [
            ("第二十条第（一）项", ("本年新制作数量", "本年新公开数量", "对外公开总数量"),
             (("规章", "规章"), ("规范性文件", "规范性文件"))),
            ("第二十条第（五）项", ("上一年项目数量", "本年增/减", "处理决定数量"),
             (("行政许可", "行政许可"), ("其他对外管理服务事项", "其他对外管理服务事项"))),
            ("第二十条第（六）项", ("上一年项目数量", "本年增/减", "处理决定数量"),
             (("行政处罚", "行政处罚"), ("行政强制", "行政强制"))),
            ("第二十条第（八）项", ("上一年项目数量", "本年增/减"), (("行政事业性收费", "事业性收费"),)),
            ("第二十条第（九）项", ("采购项目数量", "采购总金额"), (("政府集中采购", "政府集中采购"),)),
        ]  # fmt: skip
        marks = ("本年新制作数量", "上一年项目数量")
    width = 4
    lines: list[Line] = []
    for item, columns, rows in items:
        span = (width - 1) // len(columns)
        lines += [[Cell(item, width)], [Cell("信息内容"), *(Cell(c, span) for c in columns)]]
        lines += [Row(label, key, len(columns), summed=False, span=span) for label, key in rows]
    return Template("active-disclosure", variant, tuple(lines), 1, ("第二十条", "信息内容"), marks)


TEMPLATES = (
    _active("2021"),
    _active("2019"),
    _applications("2021"),
    _applications("2019"),
    _review(),
)
KINDS = ("active-disclosure", "applications", "review-litigation")
