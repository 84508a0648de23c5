"""The free 仿宋, 楷 and 黑 faces: installed from Debian's package without TeX, verified by their
digests, seen by fontconfig; each role held to its design by the checker, on this machine and on
one without them (a fontconfig set-up that hides the Fandol folder)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from pipeline.conformance.check import check_pdf
from pipeline.conformance.fontroles import chosen, resolved
from pipeline.conformance.reader import read_pdf
from pipeline.ingest.read import read_document
from pipeline.normalize import normalize
from pipeline.pdf import fonts, freefonts
from pipeline.pdf.render import render_pdf
from pipeline.pdf.styles import STYLESHEET
from pipeline.xhtml.build import to_xhtml
from tests.conftest import SEED

ROOT = Path(__file__).resolve().parents[1]


def fandol_dir() -> Path:
    path = fonts.font_file("FandolFang")
    assert path is not None and path.name == "FandolFang-Regular.otf", "run make test: it installs the Fandol fonts"
    return path.parent


def render(tmp_path: Path, text: str, stylesheet: Path = STYLESHEET):
    source = tmp_path / "doc.md"
    source.write_text(text, encoding="utf-8")
    return render_pdf(to_xhtml(normalize(read_document(source, "doc"))), stylesheet=stylesheet)


def test_the_installed_files_are_the_pinned_ones():
    assert freefonts.installed(fandol_dir())


def test_each_role_resolves_to_its_design():
    roles = {r.role: r for r in fonts.role_fonts(STYLESHEET, coverage=False)}
    assert {role: (r.family, r.design) for role, r in roles.items()} == {
        "body": ("FandolFang", "仿宋"),
        "heading-1": ("FandolHei", "黑"),
        "heading-2": ("FandolKai", "楷"),
        "title": ("Noto Serif CJK SC", "substitute"),  # no free 小标宋: a heavy Song stands in
        "page-number": ("Noto Serif CJK SC", "宋"),
    }
    # the PDF names the title's face with its weight: a body glyph in Noto Serif's regular face
    # is a fallback, not the title's font
    assert chosen(resolved(STYLESHEET))["title"] == "notoserifcjkscbold"


def test_the_seed_sets_each_role_in_its_design(seed_doc):
    """Read from the PDF's font names: 仿宋 body, 黑体 一、 headings, 楷体 （一） headings."""
    roles = seed_doc.check["metrics"]["font_roles"]
    assert {role: (r["font"], r["design"]) for role, r in roles.items()} == {
        "body": ("FandolFang", "仿宋"),
        "heading-1": ("FandolHei", "黑"),
        "heading-2": ("FandolKai", "楷"),
        "title": ("Noto-Serif-CJK-SC-Bold", "substitute"),
        "page-number": ("Noto-Serif-CJK-SC", "宋"),
    }
    assert seed_doc.check["findings"] == []


@pytest.mark.slow
def test_digits_latin_phone_numbers_and_addresses_are_set_in_the_body_face(tmp_path: Path):
    text = ("# 测试文件\n\n2018年度报告。咨询电话：0535-3661003，传真（0535）3661004；网址 http://www.haiyang.gov.cn/"
            "，邮箱 hyzfxxgk@yt.shandong.cn；Excel、PDF、No.5、40%、1.5亿元。\n")  # fmt: skip
    doc = render(tmp_path, text)
    glyphs = [g for ln in read_pdf(doc.pdf).lines if ln.size == 16 for g in ln.glyphs if g.text.strip()]
    assert "".join(g.text for g in glyphs).count("0535") == 2
    assert {g.font for g in glyphs} == {"FandolFang"}
    report = check_pdf(doc.pdf, doc.xhtml)
    assert report.metrics["fallback_glyphs"] == [] and report.ok


@pytest.mark.slow
def test_a_rare_name_falls_back_and_is_listed(tmp_path: Path):
    """勠 is outside GB2312 and FandolFang: drawn in Noto Serif CJK on the same line box (the page
    keeps 22 rows), listed in check.json, not a finding (仿宋_GB2312 lacks it too)."""
    doc = render(tmp_path, "# 测试文件\n\n全体中华儿女勠力同心，奋力实现中华民族伟大复兴。\n")
    report = check_pdf(doc.pdf, doc.xhtml)
    assert report.metrics["fallback_glyphs"] == ["勠 U+52E0 CJK UNIFIED IDEOGRAPH-52E0"]
    assert not [f for f in report.findings if f.rule in ("glyphs", "font-roles")]
    lines = [ln for ln in read_pdf(doc.pdf).lines if "勠" in ln.text]
    assert lines and {g.font for g in lines[0].glyphs} == {"FandolFang", "Noto-Serif-CJK-SC"}


@pytest.mark.slow
def test_a_song_body_fails_while_a_fangsong_is_installed(tmp_path: Path):
    styles = tmp_path / "styles"
    styles.mkdir()
    css = styles / "official.css"
    css.write_text(STYLESHEET.read_text(encoding="utf-8").replace('"FandolFang", ', ""), encoding="utf-8")
    seed = to_xhtml(normalize(read_document(SEED, "seed")))
    report = check_pdf(render_pdf(seed, stylesheet=css).pdf, seed.xhtml, stylesheet=css)
    [finding] = [f for f in report.findings if f.rule == "font-roles"]
    assert finding.severity == "fail" and not report.ok
    assert finding.message.startswith("正文应为仿宋体，实为 Noto-Serif-CJK-SC（宋体），而本机已安装仿宋字体 FandolFang")


def hiding_fandol(tmp_path: Path) -> dict[str, str]:
    """An environment whose fontconfig has every font of this machine but the Fandol folder."""
    conf = tmp_path / "fonts.conf"
    conf.write_text(
        '<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n<fontconfig>\n'
        '  <include ignore_missing="yes">/etc/fonts/fonts.conf</include>\n'
        f"  <selectfont><rejectfont><glob>{fandol_dir()}/*</glob></rejectfont></selectfont>\n</fontconfig>\n",
        encoding="utf-8",
    )
    return {**os.environ, "FONTCONFIG_FILE": str(conf)}


@pytest.mark.slow
def test_without_the_free_faces_the_check_warns_and_names_what_to_install(tmp_path: Path):
    env = hiding_fandol(tmp_path)
    out = tmp_path / "out"
    run = subprocess.run([sys.executable, "-m", "pipeline.cli", "convert", str(SEED), "--outputs", str(out)],
                         capture_output=True, text=True, env=env, cwd=ROOT, timeout=300)  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    [check] = out.glob("*/data/check.json")
    report = json.loads(check.read_text(encoding="utf-8"))
    [warning] = [f for f in report["findings"] if f["rule"] == "font-roles"]
    assert warning["severity"] == "warn" and report["ok"]
    assert warning["message"] == ("正文应为仿宋体，本机没有仿宋字体，暂用 Noto-Serif-CJK-SC（宋体）。处理建议："
                                  "安装仿宋字体 FandolFang"
                                  "（make run 会自动安装；或运行 python -m pipeline.pdf.freefonts）")
    roles = report["metrics"]["font_roles"]
    assert roles["body"]["design"] == "宋" and roles["heading-1"]["design"] == "黑"
    assert roles["heading-2"] == {"font": "AR-PL-UKai-CN", "design": "楷", "wanted": "楷"}
    fonts_cmd = subprocess.run([sys.executable, "-m", "pipeline.cli", "fonts"], capture_output=True, text=True,
                               env=env, cwd=ROOT, timeout=120)  # fmt: skip
    assert "仿宋（body）→ Noto Serif CJK SC  [设计：宋（应为仿宋，请安装 FandolFang）" in fonts_cmd.stdout


@pytest.mark.slow
def test_install_is_idempotent_and_verified(tmp_path: Path):
    """From the cached package (as make left it): the files land verified, fontconfig is told
    about a folder it does not already scan, a second run installs nothing, a damaged file is
    replaced, and a broken package is refused with a message."""
    if not sorted(freefonts.CACHE.glob(f"{freefonts.PACKAGE}_*.deb")):
        pytest.skip("no cached package (make run or make test downloads it)")
    dest, conf = tmp_path / "fonts", tmp_path / "conf.d"
    done = freefonts.install(dest, freefonts.CACHE, conf)
    assert done[0].startswith("已安装 Fandol 字体") and freefonts.installed(dest)
    assert sorted(p.name for p in dest.iterdir()) == sorted(freefonts.FILES)
    assert f"<dir>{dest}</dir>" in (conf / freefonts.CONF_NAME).read_text(encoding="utf-8")
    assert not any(line.startswith("已安装") for line in freefonts.install(dest, freefonts.CACHE, conf))
    (dest / "FandolKai-Regular.otf").write_bytes(b"damaged")
    assert freefonts.install(dest, freefonts.CACHE, conf)[0].startswith("已安装") and freefonts.installed(dest)

    broken = tmp_path / "cache"
    broken.mkdir()
    (broken / f"{freefonts.PACKAGE}_0_all.deb").write_bytes(b"not a package")
    with pytest.raises(freefonts.InstallError, match="无法解开"):
        freefonts.install(tmp_path / "other", broken, conf)
