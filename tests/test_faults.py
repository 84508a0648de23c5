"""Faults: a killed run, a full disk, a read-only output folder, two runs at once.

After each, what was finished before still verifies, no partial document folder exists, and the
next normal run completes. Real processes, real signals, a real size-limited tmpfs.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from pipeline.archive.verify import find_bags
from tests.conftest import SEED, corpus_file

pytestmark = pytest.mark.slow  # renders, subprocesses, servers or browsers: not in the quick run

BIG = corpus_file("16-")  # 58 pages: about 3 s of rendering


def convert(outputs: Path, *files: Path, **kw) -> subprocess.Popen:
    command = [sys.executable, "-m", "pipeline.cli", "convert", *map(str, files), "--outputs", str(outputs)]
    return subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, **kw)


def finish(proc: subprocess.Popen, timeout: int = 300) -> tuple[int, str, str]:
    out, err = proc.communicate(timeout=timeout)
    return proc.returncode, out, err


def all_intact(outputs: Path) -> list[str]:
    """`pipeline verify outputs/` exits 0; returns the documents it checked."""
    result = subprocess.run([sys.executable, "-m", "pipeline.cli", "verify", str(outputs)], capture_output=True,
                            text=True, timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    return sorted(b.name for b in find_bags(outputs))


def document_folders(outputs: Path) -> list[str]:
    return sorted(p.name for p in outputs.iterdir() if p.is_dir() and not p.name.startswith("."))


@pytest.fixture
def done(tmp_path: Path) -> Path:
    """An output folder holding one finished, verified document."""
    outputs = tmp_path / "outputs"
    assert finish(convert(outputs, SEED))[0] == 0
    assert all_intact(outputs) == ["seed"]
    return outputs


def kill_when(proc: subprocess.Popen, condition, timeout: float = 60) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert proc.poll() is None, "the run ended before the fault could be injected"
        assert time.monotonic() < deadline
        time.sleep(0.002)
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()


def test_sigkill_during_render(done: Path):
    proc = convert(done, BIG)
    started = time.monotonic()
    # Start-up and reading take about 1 s, rendering 1.5-3 s by the machine's load: killed at 1.3 s,
    # the run is rendering (or, on a fast machine, just before), never yet assembling the bag (2.1 s
    # for the whole conversion, measured on an idle machine).
    kill_when(proc, lambda: time.monotonic() - started > 1.3)
    assert document_folders(done) == ["seed"]
    assert not list(done.glob(".tmp-*"))
    assert all_intact(done) == ["seed"]
    assert finish(convert(done, BIG))[0] == 0
    assert all_intact(done) == sorted(["seed", BIG.stem])


def test_sigkill_during_archive(done: Path):
    proc = convert(done, BIG)
    kill_when(proc, lambda: any(done.glob(".tmp-*")))  # the bag is being assembled
    assert document_folders(done) == ["seed"]  # nothing half-written is visible
    assert all_intact(done) == ["seed"]
    code, out, err = finish(convert(done, BIG))
    assert code == 0, out + err
    assert not list(done.glob(".tmp-*"))  # the next run removed the leftovers of the killed one
    assert all_intact(done) == sorted(["seed", BIG.stem])


ROOT_ONLY = pytest.mark.skipif(os.geteuid() != 0, reason="mounting a tmpfs needs root")


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=600k", "tmpfs", str(mount)], check=True)
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


@ROOT_ONLY
def test_disk_full(small_disk: Path):
    outputs = small_disk / "outputs"
    assert finish(convert(outputs, SEED))[0] == 0
    code, out, _ = finish(convert(outputs, BIG))  # its PDF alone (~560 KB) is larger than what is left (~340 KB)
    assert code == 1
    assert "磁盘空间不足" in out and "Traceback" not in out
    assert document_folders(outputs) == ["seed"] and not list(outputs.glob(".tmp-*"))
    assert all_intact(outputs) == ["seed"]
    subprocess.run(["mount", "-o", "remount,size=40m", str(small_disk)], check=True)
    assert finish(convert(outputs, BIG))[0] == 0
    assert all_intact(outputs) == sorted(["seed", BIG.stem])


@ROOT_ONLY
def test_read_only_output_folder(small_disk: Path):
    outputs = small_disk / "outputs"
    assert finish(convert(outputs, SEED))[0] == 0
    subprocess.run(["mount", "-o", "remount,ro", str(small_disk)], check=True)
    code, out, err = finish(convert(outputs, corpus_file("10-")))
    assert code == 2 and "无法写入输出目录" in err and "Traceback" not in err + out
    assert all_intact(outputs) == ["seed"]
    # writable again, and room for the second package (the seed's leaves less than its ~300 KB)
    subprocess.run(["mount", "-o", "remount,rw,size=4m", str(small_disk)], check=True)
    code, out, err = finish(convert(outputs, corpus_file("10-")))
    assert code == 0, out + err
    assert all_intact(outputs) == sorted(["seed", corpus_file("10-").stem])


def test_two_runs_at_once(done: Path):
    first = convert(done, BIG, corpus_file("13-"))
    time.sleep(1.0)
    second = convert(done, corpus_file("10-"), SEED)
    code2, out2, err2 = finish(second)
    code1, out1, err1 = finish(first)
    assert (code1, code2) == (0, 0), out1 + err1 + out2 + err2
    assert "正被另一个任务写入" in err2 and "等待" in err2
    assert all_intact(done) == sorted(["seed", BIG.stem, corpus_file("13-").stem, corpus_file("10-").stem])


def test_second_run_gives_up_after_the_wait_limit(done: Path):
    first = convert(done, BIG, corpus_file("13-"), corpus_file("15-"))  # holds the lock for several seconds
    time.sleep(1.0)
    second = convert(done, SEED, env={**os.environ, "PIPELINE_LOCK_WAIT": "0.5"})
    code2, _, err2 = finish(second)
    assert code2 == 3 and "一直被另一个任务占用" in err2 and "未写入任何文件" in err2
    assert finish(first)[0] == 0
    assert all_intact(done) == sorted(["seed", BIG.stem, corpus_file("13-").stem, corpus_file("15-").stem])


def test_sigkill_of_a_flow_run_mid_batch(tmp_path: Path):
    """`pipeline run` (the Prefect flow, two worker processes) is killed with its workers once
    some documents are published; those verify, nothing partial is visible, and the next run
    converts the rest."""
    inputs, outputs = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    names = ["10-", "11-", "12-", "13-", "15-", "16-", "17-", "18-"]
    for prefix in names:
        (inputs / corpus_file(prefix).name).write_bytes(corpus_file(prefix).read_bytes())
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect")}
    command = [sys.executable, "-m", "pipeline.cli", "run", "--inputs", str(inputs), "--outputs", str(outputs)]
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True)
    deadline = time.monotonic() + 240
    # A bag is sealed in the ledger first and renamed into place second, so the ledger's line
    # count runs ahead of what is published: wait for two published (renamed) bags.
    while len(list(outputs.glob("[!.]*/tagmanifest-sha256.txt"))) < 2:
        assert proc.poll() is None, "the run ended before it could be killed"
        assert time.monotonic() < deadline
        time.sleep(0.05)
    os.killpg(proc.pid, signal.SIGKILL)  # the run process and its worker processes
    proc.wait()
    finished = all_intact(outputs)
    assert 2 <= len(finished) < len(names)
    assert document_folders(outputs) == finished  # no partial document folder
    rerun = subprocess.run(command, capture_output=True, text=True, env=env, timeout=600)
    assert rerun.returncode == 0, rerun.stdout + rerun.stderr
    assert all_intact(outputs) == sorted(corpus_file(p).stem for p in names)
    assert not list(outputs.glob(".tmp-*"))
    assert "跳过" in rerun.stdout  # what the killed run finished is not redone


def test_transient_errors_are_retried(tmp_path: Path, monkeypatch):
    """A file that is briefly busy (EBUSY, EAGAIN…) does not fail the document: it is tried
    again; a lasting error still fails it with its message."""
    import errno

    from pipeline.orchestrate import convert

    real = convert.read_document
    calls = []

    def busy_twice(path, doc_id):
        calls.append(path)
        if len(calls) <= 2:
            raise OSError(errno.EBUSY, "Device or resource busy", str(path))
        return real(path, doc_id)

    monkeypatch.setattr(convert, "read_document", busy_twice)
    monkeypatch.setattr(convert, "RETRY_DELAYS", (0.01, 0.01))
    outcome = convert.convert_file(SEED, "seed", tmp_path / "out")
    assert outcome.ok and len(calls) == 3

    def always_busy(path, doc_id):
        raise OSError(errno.EBUSY, "Device or resource busy", str(path))

    monkeypatch.setattr(convert, "read_document", always_busy)
    outcome = convert.convert_file(SEED, "seed2", tmp_path / "out")
    assert not outcome.ok and outcome.code == "io" and "Device or resource busy" in outcome.error


def _copies(folder: Path, count: int) -> list[Path]:
    """``count`` copies of the seed under names of one length (their bags take the same room)."""
    folder.mkdir(exist_ok=True)
    paths = [folder / f"seed-{n:02d}.md" for n in range(1, count + 1)]
    for path in paths:
        path.write_bytes(SEED.read_bytes())
    return paths


def _pages(path: Path) -> int:
    """The 4 KiB pages a folder's files take on a tmpfs."""
    return sum(-(-p.stat().st_size // 4096) for p in path.rglob("*") if p.is_file())


@ROOT_ONLY
def test_disk_full_during_the_ledger_append(tmp_path: Path):
    """The disk fills exactly when the seal is appended (the bag fits, the ledger's next page does
    not): the append is rolled back, the ten earlier packages still verify, and once space is
    freed the next conversion succeeds. A real tmpfs, a real short write."""
    mount = tmp_path / "disk"
    mount.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(mount)], check=True)
    try:
        outputs = mount / "outputs"
        sources = _copies(tmp_path / "in", 30)
        assert finish(convert(outputs, *sources[:10]))[0] == 0
        ledger = outputs / "ledger.jsonl"
        done = 10
        # The next entry must need a new page of the ledger file, or nothing is written to a full disk.
        longest = max(len(line) + 1 for line in ledger.read_bytes().splitlines())
        while ledger.stat().st_size % 4096 + longest + 32 <= 4096:
            assert finish(convert(outputs, sources[done]))[0] == 0
            done += 1
        before = ledger.read_bytes()
        filler = mount / "filler"
        with filler.open("wb") as fh:  # fill the disk to the last page
            try:
                while True:
                    fh.write(b"\0" * 65536)
                    fh.flush()
            except OSError:
                pass
        filled = filler.stat().st_size // 4096
        target = sources[done]
        bag_pages = _pages(outputs / sources[0].stem)  # what the new bag will take
        for free in range(bag_pages - 2, bag_pages + 6):
            os.truncate(filler, (filled - free) * 4096)
            code, out, err = finish(convert(outputs, target))
            assert code == 1 and "磁盘空间不足" in out and "Traceback" not in out + err, out + err
            assert ledger.read_bytes() == before  # all or nothing
            assert not (outputs / target.stem).exists() and not list(outputs.glob(".tmp-*"))
            if "ledger.jsonl" in out:  # the bag fitted, the seal did not
                break
        else:
            pytest.fail("the disk never filled during the ledger append")
        assert len(all_intact(outputs)) == done
        filler.unlink()
        assert finish(convert(outputs, target))[0] == 0
        assert len(all_intact(outputs)) == done + 1
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_torn_last_ledger_line_is_reported_and_repaired(done: Path):
    """A crash in the middle of an append leaves half a line: it is reported, the packages before
    it still verify, and the next conversion removes it and appends after the last whole entry."""
    ledger = done / "ledger.jsonl"
    whole = ledger.read_bytes()
    ledger.write_bytes(whole + whole[: len(whole) // 2])  # half an entry, no line end
    result = subprocess.run([sys.executable, "-m", "pipeline.cli", "verify", str(done)], capture_output=True,
                            text=True, timeout=300)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr
    assert "不完整" in result.stdout and "Traceback" not in result.stderr
    code, out, err = finish(convert(done, corpus_file("10-")))
    assert code == 0, out + err
    lines = ledger.read_bytes().split(b"\n")
    assert lines[0] + b"\n" == whole and lines[-1] == b"" and len(lines) == 3
    assert all_intact(done) == sorted(["seed", corpus_file("10-").stem])


def test_a_sealed_bag_left_unpublished_is_published_by_the_next_run(done: Path):
    """A run killed after sealing a bag and before renaming it into place leaves a complete bag
    that the ledger's newest entry names: the next run publishes it (verify holds a bag to that
    entry). Killed between the two renames of a swap, the old version is put back."""
    from pipeline.archive.locking import outputs_lock

    (done / "seed").rename(done / ".tmp-seed-0123abcd")
    with outputs_lock(done):
        pass
    assert document_folders(done) == ["seed"] and not list(done.glob(".tmp-*"))
    (done / "seed").rename(done / ".old-seed-0123abcd")
    with outputs_lock(done):
        pass
    assert document_folders(done) == ["seed"] and not list(done.glob(".old-*"))
    assert all_intact(done) == ["seed"]


def test_a_dataset_file_left_half_written_is_removed_by_the_next_run(done: Path):
    """A run killed while writing the statistics dataset leaves its temporary file beside the final
    one: the next run removes it and leaves the dataset and the bags as they were."""
    from pipeline.archive.locking import outputs_lock

    before = {p.name: p.read_bytes() for p in done.iterdir() if p.is_file()}
    (done / ".tmp-statistics.csv-k1ll3d").write_bytes(b"\xef\xbb\xbfdoc_id,organ\nseed,")
    with outputs_lock(done):
        pass
    assert not list(done.glob(".tmp-*"))
    assert {p.name: p.read_bytes() for p in done.iterdir() if p.is_file()} == before
    assert all_intact(done) == ["seed"]


def test_a_document_over_its_time_budget_fails_alone(tmp_path: Path):
    """A document whose layout takes longer than PIPELINE_DOC_SECONDS (here 3 s; an 80,000-character
    paragraph takes about 6 s) is stopped with a message; the next document converts."""
    slow = tmp_path / "slow.md"
    slow.write_text("# 长段落\n\n" + "政府信息公开工作稳步推进，" * 6700 + "。\n", encoding="utf-8")
    outputs = tmp_path / "outputs"
    started = time.monotonic()
    code, out, err = finish(convert(outputs, slow, SEED, env={**os.environ, "PIPELINE_DOC_SECONDS": "3"}))
    assert code == 1 and "超过时间上限（3 秒）" in out and "PIPELINE_DOC_SECONDS" in out, out + err
    assert "Traceback" not in out + err and time.monotonic() - started < 60
    assert all_intact(outputs) == ["seed"] and not list(outputs.glob(".tmp-*"))


def test_a_document_over_its_memory_budget_fails_alone(tmp_path: Path):
    """A document that grows the process by more than PIPELINE_DOC_MEMORY_MB (here 40 MB; the
    first, large document loads the fonts too, about 90 MB) is stopped; the next one converts."""
    outputs = tmp_path / "outputs"
    code, out, err = finish(convert(outputs, BIG, SEED, env={**os.environ, "PIPELINE_DOC_MEMORY_MB": "40"}))
    assert code == 1 and "内存超过上限（增加 40 MB）" in out and "PIPELINE_DOC_MEMORY_MB" in out, out + err
    assert all_intact(outputs) == ["seed"]


def _session(sid: int) -> dict[int, str]:
    """The processes of a session that are still running (zombies waiting to be reaped are gone)."""
    found = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        fields = stat[stat.rindex(")") + 2 :].split()
        if int(fields[3]) == sid and fields[0] != "Z":
            found[int(entry.name)] = cmdline[:120]
    return found


def test_no_process_of_a_run_outlives_it(tmp_path: Path):
    """SIGKILL of the `pipeline run` process alone, mid-batch: its embedded Prefect server, the fork
    server, the resource tracker and the workers are gone within 10 s, and no document is sealed
    after it died (the workers had no lock to work under)."""
    inputs, outputs = tmp_path / "in", tmp_path / "out"
    inputs.mkdir()
    names = ["10-", "11-", "12-", "13-", "15-", "16-", "17-", "18-"]
    for prefix in names:
        (inputs / corpus_file(prefix).name).write_bytes(corpus_file(prefix).read_bytes())
    env = {**os.environ, "PREFECT_HOME": str(tmp_path / "prefect")}
    env.pop("PREFECT_API_URL", None)  # the embedded server, started by the run
    command = [sys.executable, "-m", "pipeline.cli", "run", "--inputs", str(inputs), "--outputs", str(outputs)]
    proc = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env,
                            start_new_session=True)  # fmt: skip
    ledger = outputs / "ledger.jsonl"
    deadline = time.monotonic() + 300
    try:
        while not (ledger.exists() and ledger.read_bytes().count(b"\n") >= 1):
            assert proc.poll() is None, "the run ended before it could be killed"
            assert time.monotonic() < deadline
            time.sleep(0.05)
        assert len(_session(proc.pid)) >= 4, _session(proc.pid)  # run, server, fork server, workers …
        os.kill(proc.pid, signal.SIGKILL)  # the run process only
        killed = time.monotonic()
        proc.wait()
        sealed = ledger.read_bytes().count(b"\n")
        while _session(proc.pid) and time.monotonic() - killed < 10:
            time.sleep(0.1)
        print(f"children gone {time.monotonic() - killed:.2f} s after SIGKILL of the run")
        assert _session(proc.pid) == {}
        time.sleep(1)
        assert ledger.read_bytes().count(b"\n") == sealed  # nothing sealed without the run's lock
    finally:
        for pid in _session(proc.pid):
            os.kill(pid, signal.SIGKILL)


def test_a_worker_seals_nothing_once_its_run_has_lost_the_lock(tmp_path: Path, monkeypatch):
    """A worker checks, under the ledger lock, that the run it works for still holds the outputs
    lock: a real process holds it, then is killed."""
    from pipeline.archive import ledger
    from pipeline.archive.runlock import RUN_ENV, run_holds_lock

    outputs = tmp_path / "outputs"
    script = ("import time; from pathlib import Path; from pipeline.archive.locking import outputs_lock\n"
              f"with outputs_lock(Path({str(outputs)!r})):\n print('held', flush=True); time.sleep(60)")  # fmt: skip
    holder = subprocess.Popen([sys.executable, "-c", script], stdout=subprocess.PIPE, text=True)
    assert holder.stdout.readline().strip() == "held"
    monkeypatch.setenv(RUN_ENV, str(holder.pid))  # as a worker of that run
    assert run_holds_lock(outputs)
    ledger.append(outputs, "a", "0" * 64, "0" * 64, "2026-01-01T00:00:00+00:00")
    holder.kill()
    holder.wait()
    assert not run_holds_lock(outputs)
    with pytest.raises(ledger.LedgerError, match="本次运行已经结束"):
        ledger.append(outputs, "b", "0" * 64, "0" * 64, "2026-01-01T00:00:00+00:00")
    assert [e["doc_id"] for e in ledger.read(outputs)] == ["a"]
