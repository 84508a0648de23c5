"""The statutory tables rebuilt from the template, whatever form a converter left them in.

The forms are written here as converters write them (a pipe table with placeholder headers and a
merged cell repeated across its span, `pdftotext -layout` columns, one cell a line as OCR gives,
digits fused or spaced out, HTML); the figures are the same in each, so each must give the same
table. A fused run with more than one split, and a row with figures missing, stay whole and are
flagged: no number is invented."""

from __future__ import annotations

import re

import pytest
from lxml import html as lxml_html

from pipeline.core.model import Document
from pipeline.core.statutory import TEMPLATES, Row
from pipeline.normalize import accounting, normalize
from pipeline.normalize.statutory_figures import fit
from pipeline.normalize.statutory_tables import rebuild
from tests.conftest import corpus_file

APPLICATIONS = next(t for t in TEMPLATES if t.kind == "applications" and t.variant == "2021")
DATA_ROWS = [r for r in APPLICATIONS.rows if r.size]
# seven figures a row, the seventh the sum of the other six; the columns add up as the template
# says: 本年新收 + 上年结转 = 总计 + 结转下年度, 总计 the sum of the results.
RESULTS = [r.label for r in DATA_ROWS[2:-2]]
FIGURES = {label: [k % 5, k % 2, 0, 0, 1 if k % 7 == 0 else 0, 0] for k, label in enumerate(RESULTS)}
FIGURES["（七）总计"] = [sum(f[j] for f in FIGURES.values()) for j in range(6)]
FIGURES["四、结转下年度继续办理"] = [3, 0, 0, 0, 0, 1]
FIGURES["二、上年结转政府信息公开申请数量"] = [2, 1, 0, 0, 0, 0]
FIGURES["一、本年新收政府信息公开申请数量"] = [
    FIGURES["（七）总计"][j] + FIGURES["四、结转下年度继续办理"][j] - FIGURES["二、上年结转政府信息公开申请数量"][j]
    for j in range(6)
]
FIGURES = {r.label: [*FIGURES[r.label], sum(FIGURES[r.label])] for r in DATA_ROWS}
REVIEW = [2, 1, 3, 0, 6, 1, 0, 0, 1, 2, 0, 1, 0, 0, 1]
HEADER = "（本列数据的勾稽关系为：第一项加第二项之和，等于第三项加第四项之和）申请人情况自然人法人或其他组织总计"


def _lines(row_text) -> list[str]:
    out = []
    for r in APPLICATIONS.rows:
        out.append(r.label if not r.size else row_text(r.label, FIGURES[r.label]))
    return out


FORMS = {
    "layout": lambda: "\n".join(
        ["          申请人情况", HEADER, *_lines(lambda lab, f: f"  {lab}      " + "    ".join(map(str, f)))]
    ),
    "pipes": lambda: "\n".join(
        [
            "|" + HEADER + "|Col2|Col3|",
            "|---|---|---|",
            *_lines(lambda lab, f: f"|{lab}|{lab}|" + "|".join(map(str, f)) + "|"),
        ]
    ),
    "ocr": lambda: "\n".join(
        [HEADER, *[cell for line in _lines(lambda lab, f: "\n".join([lab, *map(str, f)])) for cell in line.split("\n")]]
    ),
    "fused": lambda: HEADER + "".join(_lines(lambda lab, f: lab + "".join(map(str, f)))),
    "html": lambda: (
        "<table><tr><td>"
        + HEADER
        + "</td></tr>"
        + "".join(
            "<tr>" + "".join(f"<td>{c}</td>" for c in line.split("\t")) + "</tr>"
            for line in _lines(lambda lab, f: "\t".join([lab, *map(str, f)]))
        )
        + "</table>"
    ),
}


def table_rows(markdown: str) -> dict[str, list[str]]:
    table = lxml_html.fromstring(re.search(r"<table.*?</table>", markdown, re.S)[0])
    found = {}
    for tr in table.iter("tr"):
        cells = [c.text_content() for c in tr]
        if len(cells) > 1 and tr[0].tag == "th" and tr[1].tag == "td":
            found[cells[0]] = cells[1:]
    return found


def normalized(text: str) -> Document:
    return normalize(Document("x", __import__("pathlib").Path("x.md"), text.encode(), "UTF-8", text))


@pytest.mark.parametrize("form", sorted(FORMS))
def test_every_form_gives_the_same_table(form):
    heading = "# 某县2024年政府信息公开工作年度报告\n\n三、收到和处理政府信息公开申请情况\n\n"
    doc = normalized(heading + FORMS[form]() + "\n")
    rows = table_rows(doc.markdown)
    assert rows == {label: [str(v) for v in figures] for label, figures in FIGURES.items()}
    assert accounting.problems(doc) == []
    assert not [w for w in doc.warnings if "对不上" in w.message]


def test_spaced_digits_of_the_review_table():
    head = "行政复议行政诉讼结果维持结果纠正其他结果尚未审结总计未经复议直接起诉复议后起诉\n"
    text = head + " ".join(map(str, REVIEW))
    built = rebuild(text, "review-litigation")
    assert built is not None and built.warnings == []
    assert re.findall(r"<td>(\d+)</td>", built.html) == [str(v) for v in REVIEW]


def test_fused_review_row_split_by_its_group_sums():
    built = rebuild("行政复议行政诉讼结果维持总计" + "".join(map(str, REVIEW)), "review-litigation")
    assert re.findall(r"<td>(\d+)</td>", built.html) == [str(v) for v in REVIEW]


def test_a_run_with_several_splits_stays_whole_and_is_flagged():
    text = (
        "第二十条第（一）项信息内容本年制发件数本年废止件数现行有效件数规章000行政规范性文件6233440"
        "第二十条第（五）项信息内容本年处理决定数量行政许可4529"
    )
    doc = normalized("# 某区2024年政府信息公开工作年度报告\n\n二、主动公开政府信息情况\n\n" + text + "\n")
    assert '<td colspan="3" class="unsplit">6233440</td>' in doc.markdown  # 62|334|40? 6|233|440? not decided
    assert any("6233440" in w.message for w in doc.warnings)
    assert "<td>0</td><td>0</td><td>0</td>" in doc.markdown and '<td colspan="3">4529</td>' in doc.markdown


def test_fit_places_only_what_fits():
    row = Row("（一）予以公开", "予以公开", 7)
    assert fit(["71", "0", "0", "0", "0", "0", "71"], row) == (["71", "0", "0", "0", "0", "0", "71"], [])
    assert fit(["710000071"], row) == (["71", "0", "0", "0", "0", "0", "71"], [])  # the sum decides the split
    assert fit(["50", "0", "0", "0", "50"], row) == (None, [])  # two cells lost: which two is not known
    single = Row("行政许可", "行政许可", 1, summed=False, span=3)
    assert fit(["9487", "9487", "9487"], single) == (["9487"], ["9487", "9487"])  # a merged cell's copies


def test_one_report_through_three_converters_gives_the_same_figures():
    """c1-04 (pymupdf4llm), c1-05 (pdftotext -layout) and c1-08 (OCR) are one PDF: where a row is
    placed in more than one, the figures agree."""
    tables = {p: table_rows(normalized_corpus(p)) for p in ("04-", "05-")}
    shared = set(tables["04-"]) & set(tables["05-"])
    placed = [label for label in shared if all(len(t[label]) == 7 for t in tables.values())]
    assert len(placed) >= 20
    assert all(tables["04-"][label] == tables["05-"][label] for label in placed)


def normalized_corpus(prefix: str) -> str:
    from pipeline.ingest.read import read_document

    applications = normalize(read_document(corpus_file(prefix), "x")).markdown
    return applications[applications.index('data-statutory="applications"') - 30 :]
