"""The ``pipeline`` command as users run it, in a real subprocess."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from tests.conftest import SEED, SEED_ID

pytestmark = pytest.mark.slow  # renders, subprocesses, servers or browsers: not in the quick run


def run(*args: str, cwd: Path, env: dict | None = None, timeout: int = 300) -> subprocess.CompletedProcess:
    return subprocess.run(
        [sys.executable, "-m", "pipeline.cli", *args],
        cwd=cwd,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
        timeout=timeout,
    )


def test_convert_never_starts_prefect(tmp_path: Path):
    # If `convert` touched Prefect it would need an API: point it nowhere and forbid the
    # embedded server, then check prefect was not even imported.
    script = (
        "import sys; from pipeline.cli import main; "
        f"rc = main(['convert', {str(SEED)!r}, '--outputs', {str(tmp_path / 'out')!r}]); "
        "assert 'prefect' not in sys.modules, 'prefect imported'; sys.exit(rc)"
    )
    env = {**os.environ, "PREFECT_API_URL": "http://127.0.0.1:9/api", "PREFECT_SERVER_EPHEMERAL_ENABLED": "false"}
    result = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, env=env, timeout=120)
    assert result.returncode == 0, result.stderr
    assert "成功 1 个，失败 0 个" in result.stdout
    assert (tmp_path / "out" / "seed" / "data" / "document.pdf").is_file()


def test_convert_reports_bad_files_and_exits_nonzero(tmp_path: Path):
    junk = tmp_path / "junk.md"
    junk.write_bytes(os.urandom(2048) + b"\x00")
    result = run(
        "convert", str(SEED), str(junk), str(tmp_path / "missing.md"), "--outputs", str(tmp_path / "out"), cwd=tmp_path
    )
    assert result.returncode == 1
    assert "成功 1 个，失败 2 个" in result.stdout
    assert f"{junk}：" in result.stdout and "处理建议" in result.stdout
    assert "文件不存在" in result.stdout
    assert not (tmp_path / "out" / "junk").exists()


def test_same_input_gives_byte_identical_outputs_across_processes(tmp_path: Path):
    for name in ("a", "b"):
        assert run("convert", str(SEED), "--outputs", str(tmp_path / name), cwd=tmp_path).returncode == 0
    for file in ("document.md", "document.xhtml", "document.pdf", "record.xml"):
        a = (tmp_path / "a" / "seed" / "data" / file).read_bytes()
        b = (tmp_path / "b" / "seed" / "data" / file).read_bytes()
        assert a == b, file


def test_verify_command(tmp_path: Path):
    assert run("convert", str(SEED), "--outputs", str(tmp_path), cwd=tmp_path).returncode == 0
    ok = run("verify", str(tmp_path / "seed"), cwd=tmp_path)
    assert ok.returncode == 0 and "完好 1 个" in ok.stdout
    (tmp_path / "seed" / "data" / "document.xhtml").write_text("x", encoding="utf-8")
    bad = run("verify", str(tmp_path / "seed"), cwd=tmp_path)
    assert bad.returncode == 1 and "document.xhtml" in bad.stdout


def test_run_command_uses_prefect_and_summarizes(tmp_path: Path):
    inputs = tmp_path / "inputs"
    inputs.mkdir()
    (inputs / f"{SEED_ID}.md").write_bytes(SEED.read_bytes())
    (inputs / "broken.md").write_bytes(b"\x89PNG\r\n\x1a\n" + os.urandom(512))
    env = {"PREFECT_HOME": str(tmp_path / "prefect-home")}
    env.pop("PREFECT_API_URL", None)
    result = run(
        "run", "--inputs", str(inputs), "--outputs", str(tmp_path / "outputs"), cwd=tmp_path, env=env, timeout=600
    )
    assert result.returncode == 1, result.stdout + result.stderr
    assert "成功 1 个，失败 1 个" in result.stdout
    assert "broken.md：这不是文本文件，而是PNG 图片" in result.stdout
    assert "Flow run" in result.stderr  # it really ran as a Prefect flow
    # on the one ephemeral server: the two workers use the flow's, none starts its own
    assert result.stderr.count("Starting temporary server") == 1, result.stderr
    assert (tmp_path / "outputs" / SEED_ID / "data" / "document.pdf").is_file()


def test_normalize_command_modes(tmp_path: Path):
    import json

    out = run("normalize", str(SEED), cwd=tmp_path)
    assert out.returncode == 0
    assert out.stdout.startswith("# 海阳市留格庄镇人民政府2018年度政府信息公开年度报告\n")
    diff = run("normalize", "--diff", str(SEED), cwd=tmp_path)
    assert "-#### **四、重点领域政府信息公开工作推进情况**" in diff.stdout
    assert "+## 四、重点领域政府信息公开工作推进情况" in diff.stdout
    log = json.loads(run("normalize", "--json", str(SEED), cwd=tmp_path).stdout)
    assert log["rules"]["structure/headings"] >= 10
    assert {"rule", "line", "before", "after", "removed"} <= set(log["changes"][0])
    assert run("normalize", "--check", str(SEED), cwd=tmp_path).returncode == 1
    clean = tmp_path / "clean.md"
    clean.write_text(out.stdout, encoding="utf-8")
    assert run("normalize", "--check", str(clean), cwd=tmp_path).returncode == 0


def test_normalize_command_bad_file(tmp_path: Path):
    bad = tmp_path / "bad.md"
    bad.write_bytes(b"%PDF-1.4 junk")
    result = run("normalize", str(bad), cwd=tmp_path)
    assert result.returncode == 2
    assert "这不是文本文件" in result.stderr and "Traceback" not in result.stderr


def test_convert_refuses_two_files_with_one_id(tmp_path: Path):
    for name in ("report.md", "report.txt"):
        (tmp_path / name).write_bytes(SEED.read_bytes())
    result = run("convert", str(tmp_path / "report.md"), str(tmp_path / "report.txt"), "--outputs",
                 str(tmp_path / "out"), cwd=tmp_path)  # fmt: skip
    assert result.returncode == 1 and result.stdout.count("同一个文档标识 report") == 2
    assert not (tmp_path / "out" / "report").exists()
