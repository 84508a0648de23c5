"""The portal's annual-report pages (pipeline.portal.compare): audit findings on a report's page,
one organ's reports compared year over year, and the statistics dataset's downloads.

The quick tests serve hand-made bags and a hand-made statistics.json (a hostile organ name, a
missing dataset, unsafe files); the slow one converts two years of a real report with the real
pipeline and drives the pages in real headless Chromium.
"""

from __future__ import annotations

import json
import re
import shutil
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import quote

import pytest

from pipeline.archive.recordschema import RECORD_NS
from pipeline.portal.sections import Section, heading_key, section_changes
from tests.webserver import get, serving

ARTIFACTS = Path(__file__).parent / "artifacts"
CHROMIUM = "/usr/bin/chromium"
HOSTILE = '<script>alert("x")</script>机关&amp;"\'/../'
XHTML = "http://www.w3.org/1999/xhtml"


# --- hand-made bags (quick) ----------------------------------------------------------------------


def fake_bag(outputs: Path, doc_id: str, title: str, audit: dict | None, sections: dict[str, str]) -> None:
    """What the portal reads of a bag: bagit.txt, a tag manifest, record.xml, check.json, XHTML."""
    data = outputs / doc_id / "data"
    data.mkdir(parents=True)
    (outputs / doc_id / "bagit.txt").write_text("BagIt-Version: 1.0\n", encoding="utf-8")
    (outputs / doc_id / "tagmanifest-sha256.txt").write_text("", encoding="utf-8")
    esc = title.replace("&", "&amp;").replace("<", "&lt;")
    (data / "record.xml").write_text(
        f'<?xml version="1.0" encoding="UTF-8"?><文件 xmlns="{RECORD_NS}"><题名>{esc}</题名>'
        "<责任者>办公室</责任者><日期>2024-03-01</日期><年度>2024</年度></文件>",
        encoding="utf-8",
    )
    (data / "check.json").write_text(json.dumps({"ok": True, **({"audit": audit} if audit else {})}), encoding="utf-8")
    body = "".join(
        f'<section class="level-1"><h2>{h.replace("&", "&amp;").replace("<", "&lt;")}</h2><p>{t}</p></section>'
        for h, t in sections.items()
    )
    (data / "document.xhtml").write_text(f'<html xmlns="{XHTML}"><body><article>{body}</article></body></html>')


def report(doc_id: str, organ: str, year: int, findings: list[dict]) -> dict:
    summary = f"勾稽关系 1 项一致、0 项不一致、0 项未核对；错误 0 项、警告 {len(findings)} 项、提示 0 项"
    return {"doc_id": doc_id, "title": f"{organ}{year}年度政府信息公开工作年度报告", "organ": organ, "year": year,
            "template": "2021", "ok": True, "counts": {"勾稽一致": 1}, "summary": summary, "findings": findings,
            "relations": []}  # fmt: skip


def row(doc_id: str, organ: str, year: int, table: str, label: str, column: str, value: int) -> dict:
    return {"doc_id": doc_id, "organ": organ, "year": year, "template": "2021", "table": table,
            "table_name": "收到和处理政府信息公开申请情况表", "row": label, "column": column, "value": value,
            "text": str(value), "status": "一致"}  # fmt: skip


@pytest.fixture(scope="module")
def crafted(tmp_path_factory) -> Path:
    """Two years of an organ whose name is hostile markup, and a plain notice."""
    out = tmp_path_factory.mktemp("crafted")
    finding = {"code": "cells", "severity": "警告", "where": f"{HOSTILE}表", "message": "<b>数字</b>无法对应",
               "advice": "核对原件"}  # fmt: skip
    reports, rows = [], []
    for year, value, text in ((2023, 10, "旧的总体情况，" * 20), (2024, 25, "全新的总体情况表述。" * 20)):
        doc_id = f"hostile-{year}"
        audit = report(doc_id, HOSTILE, year, [finding])
        fake_bag(out, doc_id, f"{HOSTILE}{year}年度政府信息公开工作年度报告", audit,
                 {"一、总体情况": text, f"二、{HOSTILE}{year}": "正文"})  # fmt: skip
        reports.append(audit)
        rows.append(row(doc_id, HOSTILE, year, "applications", "一、本年新收政府信息公开申请数量", "总计", value))
        rows.append(row(doc_id, HOSTILE, year, "applications", f"{HOSTILE}行", "总计", value + 1))
    fake_bag(out, "notice-2024", "关于做好某项工作的通知", None, {"一、总体要求": "正文"})
    document = {"schema": "gov-doc-pipeline/statistics/1", "columns": list(rows[0]), "rows": rows, "reports": reports}
    (out / "statistics.json").write_text(json.dumps(document, ensure_ascii=False), encoding="utf-8")
    (out / "statistics.csv").write_bytes("\ufeffdoc_id,organ\nhostile-2023,机关\n".encode())
    return out


@pytest.fixture(scope="module")
def crafted_server(crafted: Path) -> Iterator[str]:
    with serving(crafted) as server:
        yield server


def test_statistics_downloads(crafted_server: str, crafted: Path):
    status, headers, body = get(crafted_server, "/data/statistics.csv")
    assert status == 200 and headers["content-type"] == "text/csv; charset=utf-8"
    assert body == (crafted / "statistics.csv").read_bytes()
    assert headers["content-disposition"].startswith('attachment; filename="statistics.csv"')
    assert headers["x-content-type-options"] == "nosniff"
    status, headers, body = get(crafted_server, "/data/statistics.json")
    assert status == 200 and headers["content-type"] == "application/json"
    assert json.loads(body)["schema"] == "gov-doc-pipeline/statistics/1"
    status, headers, body = get(crafted_server, "/data/statistics.json", method="HEAD")
    size = (crafted / "statistics.json").stat().st_size
    assert status == 200 and body == b"" and int(headers["content-length"]) == size
    status, _, body = get(crafted_server, "/data/statistics.csv", headers={"Range": "bytes=0-5"})
    assert status == 206 and body == (crafted / "statistics.csv").read_bytes()[:6]


@pytest.mark.parametrize(
    "path",
    ["/data/../pyproject.toml", "/data/%2e%2e%2fpyproject.toml", "/data/..%2Fhostile-2023%2Fbagit.txt",
     "/data/hostile-2023", "/data/bagit.txt", "/data/%2Fetc%2Fpasswd", "/data/statistics.csv%00.txt",
     "/data/linked.csv", "/data/statistics.json/"],
)  # fmt: skip
def test_statistics_paths_are_only_the_two_files(crafted_server: str, crafted: Path, path: str):
    link = crafted / "linked.csv"
    if not link.is_symlink():
        link.symlink_to("/etc/passwd")
    status, headers, body = get(crafted_server, path)
    assert status == 404 and b"root:" not in body and headers["x-frame-options"] == "DENY"


def test_symlinked_or_hard_linked_statistics_are_refused(tmp_path: Path):
    outputs = tmp_path / "out"
    outputs.mkdir()
    secret = tmp_path / "secret.json"
    secret.write_text('{"schema": "gov-doc-pipeline/statistics/1", "rows": [], "reports": []}', encoding="utf-8")
    (outputs / "statistics.json").symlink_to(secret)
    (tmp_path / "secret.csv").write_text("root:x:0:0", encoding="utf-8")
    (outputs / "statistics.csv").hardlink_to(tmp_path / "secret.csv")
    with serving(outputs) as server:
        assert get(server, "/data/statistics.json")[0] == 404
        assert get(server, "/data/statistics.csv")[0] == 404
        assert "尚未生成年度报告统计数据" in get(server, "/compare")[2].decode()


def test_a_hostile_organ_name_is_escaped_everywhere(crafted_server: str):
    encoded = quote(HOSTILE, safe="/")
    pages = {
        "/": get(crafted_server, "/")[2].decode(),
        "/compare": get(crafted_server, "/compare")[2].decode(),
        "organ": get(crafted_server, f"/compare?organ={encoded}")[2].decode(),
        "doc": get(crafted_server, "/doc/hostile-2024")[2].decode(),
    }
    for name, page in pages.items():
        assert "<script" not in page and "<b>" not in page, name
        assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;机关&amp;amp;&#34;&#39;/../" in page, name
    assert f'href="/compare?organ={encoded}"' in pages["/"] and f'href="/compare?organ={encoded}"' in pages["doc"]
    organ = pages["organ"]
    assert '<th scope="col">2023 年</th>' in organ and '<th scope="col">2024 年</th>' in organ
    assert re.search(r'<td class="num changed">25<span class="delta">（\+15）</span></td>', organ)
    assert organ.count('<rect class="bar"') == 2  # only 本年新收 is in this dataset: one bar per year
    assert "&lt;b&gt;数字&lt;/b&gt;无法对应" in pages["doc"] and "年度报告审核" in pages["doc"]
    assert "一、总体情况（相似度" in organ  # same heading, text rewritten
    assert "二、&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;机关&amp;amp;&#34;&#39;/../2024" in organ  # added


def test_an_unknown_organ_and_a_document_without_audit(crafted_server: str):
    status, headers, body = get(crafted_server, "/compare?organ=%E6%B2%A1%E6%9C%89")
    assert status == 404 and "没有找到“没有”的年度报告" in body.decode()
    assert "script-src" not in headers["content-security-policy"]
    page = get(crafted_server, "/doc/notice-2024")[2].decode()
    assert "年度报告审核" not in page and "/compare?" not in page


def test_without_a_dataset(tmp_path: Path, crafted: Path):
    """No statistics.json: the comparison says so in Chinese, the index has no data section, a
    report's page still shows the findings of its own check.json."""
    outputs = tmp_path / "out"
    outputs.mkdir()
    shutil.copytree(crafted / "hostile-2024", outputs / "hostile-2024")
    with serving(outputs) as server:
        status, _, body = get(server, "/compare?organ=x")
        assert status == 200 and "尚未生成年度报告统计数据" in body.decode()
        assert get(server, "/data/statistics.csv")[0] == 404
        assert "年度报告数据" not in get(server, "/")[2].decode()
        assert "年度报告审核" in get(server, "/doc/hostile-2024")[2].decode()
    (outputs / "statistics.json").write_text("{not json", encoding="utf-8")
    with serving(outputs) as server:
        assert "尚未生成年度报告统计数据" in get(server, "/compare")[2].decode()


def test_headings_and_section_changes():
    assert heading_key("四、政府信息公开行政复议、行政诉讼情况") == "政府信息公开行政复议、行政诉讼情况"
    assert heading_key("（一）主动公开") == "主动公开" and heading_key("第二部分 总体情况") == "总体情况"
    assert heading_key("1.总体情况：") == "总体情况" and heading_key("十分重要的事项") == "十分重要的事项"
    same = Section("同", "三、同", "同样")
    before = [Section("总体情况", "一、总体情况", "甲" * 50), Section("旧", "二、旧", "x"), same]
    after = [Section("总体情况", "一、总体情况", "乙" * 50), Section("新", "二、新", "y"), same]
    assert section_changes(before, after) == {
        "added": ["二、新"], "removed": ["二、旧"], "changed": [{"heading": "一、总体情况", "ratio": 0}], "same": 1
    }  # fmt: skip


# --- two real years, real Chromium (slow) --------------------------------------------------------


def previous_year(source: Path, target: Path) -> Path:
    """The 2024 report made into a 2023 one: years moved back, one figure changed (行政许可
    4529 → 4000), the 总体情况 rewritten and the last heading renamed."""
    text = source.read_text(encoding="utf-8").replace("2024", "2023").replace("2025", "2024")
    assert "行政许可4529" in text and "六、其他需要报告的事项" in text
    text = text.replace("行政许可4529", "行政许可4000", 1)
    text = text.replace("六、其他需要报告的事项", "六、其他需要说明的事项", 1)
    start = text.index("一、总体情况 ") + len("一、总体情况 ")
    end = text.index("二、主动公开政府信息情况")
    summary = "2023年，实验区按照上级部署推进政务公开工作，全年共办理政府信息公开申请218件，各项工作平稳有序。"
    text = text[:start] + summary + text[end:]
    target.write_text(text, encoding="utf-8")
    return target


@pytest.fixture(scope="module")
def two_years(tmp_path_factory) -> Path:
    from pipeline.audit.dataset import rebuild
    from pipeline.orchestrate.convert import convert_file
    from tests.conftest import corpus_file

    out = tmp_path_factory.mktemp("two-years")
    source = corpus_file("07-")
    older = previous_year(source, tmp_path_factory.mktemp("sources") / "07-annual-2023-pingtan.md")
    for path, doc_id in ((source, "pingtan-2024"), (older, "pingtan-2023")):
        outcome = convert_file(path, doc_id, out)
        assert outcome.ok, outcome.error
    assert rebuild(out) > 0 and (out / "statistics.json").is_file()
    return out


@pytest.mark.slow
def test_browser_compare_two_years(two_years: Path):
    from playwright.sync_api import sync_playwright

    ARTIFACTS.mkdir(exist_ok=True)
    blocked: list[str] = []
    with serving(two_years) as server, sync_playwright() as p:
        browser = p.chromium.launch(
            executable_path=CHROMIUM,
            args=["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                  "--disable-background-networking", "--disable-component-update", "--disable-sync"],
        )  # fmt: skip
        page = browser.new_context(viewport={"width": 1000, "height": 900}).new_page()
        page.on("console", lambda m: blocked.append(m.text) if "Content Security Policy" in m.text else None)
        page.goto(f"http://{server}/")
        page.click("section#annual a:has-text('平潭综合实验区')")
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == "平潭综合实验区政府信息公开工作年度报告比较"
        headers = page.locator("table.figures thead th").all_inner_texts()
        assert headers == ["项目", "2023 年", "2024 年"]
        permits = page.locator("table.figures tr", has=page.locator("th", has_text="行政许可"))
        assert permits.locator("td").all_inner_texts() == ["4000", "4529（+529）"]
        assert permits.locator("td.changed").count() == 1
        assert page.locator("table.figures td.changed").count() >= 1
        bars = page.locator("svg.chart rect.bar")
        assert bars.count() == 10  # five key figures, two years
        assert all(float(bars.nth(i).get_attribute("width")) > 0 for i in range(2))
        assert page.locator("svg.chart").bounding_box()["height"] > 100
        sections = page.locator("table.sections")
        assert "六、其他需要报告的事项" in sections.locator("tr", has_text="新增的部分").inner_text()
        assert "六、其他需要说明的事项" in sections.locator("tr", has_text="删去的部分").inner_text()
        assert "一、总体情况" in sections.locator("tr", has_text="内容变化较大的部分").inner_text()
        page.screenshot(path=str(ARTIFACTS / "portal-compare.png"), full_page=True)
        page.click("a:has-text('只看有变化的数字')")
        page.wait_for_load_state()
        assert 0 < page.locator("table.figures tbody th[scope=row]").count() < 10
        page.click("ul.reports a:has-text('2024年度')")
        page.wait_for_load_state()
        audit = page.locator("section.audit")
        assert "勾稽关系 42 项一致" in audit.locator("p.summary").inner_text()
        severities = audit.locator("table.findings td .severity").all_inner_texts()
        assert "警告" in severities and "提示" in severities  # the cross-year notes come from the dataset
        assert "主动公开政府信息情况表" in audit.locator("table.findings").inner_text()
        page.screenshot(path=str(ARTIFACTS / "portal-document-audit.png"), full_page=True)
        audit.locator("a.compare").click()
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == "平潭综合实验区政府信息公开工作年度报告比较"
        browser.close()
    assert not blocked, blocked
