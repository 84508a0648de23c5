"""The free 仿宋, 楷体 and 黑体 designs: the Fandol fonts, installed without TeX.

GB/T 9704 asks for a 仿宋 body, 黑体 and 楷体 headings. Debian has no 仿宋 font package; the
Fandol fonts (FandolFang, FandolKai, FandolHei, FandolSong; GPL-3 with the font exception, so
embedding in a PDF is allowed; CID-keyed CFF, all 6,763 GB2312 hanzi) ship inside Debian's
``texlive-lang-chinese``. This module fetches that one package file with ``apt-get download``
(into a cache folder: no network after the first run), unpacks only the Fandol ``.otf`` files
and their licence, checks each against the SHA-256 pinned here, puts them in a folder of the
project's own and makes sure fontconfig sees it. Nothing of TeX is installed.

    python -m pipeline.pdf.freefonts [--dest DIR] [--cache DIR]   # what make run / make test do

Idempotent: with the files in place and verified it only checks that fontconfig lists them.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from pipeline.archive.fixity import sha256_file

PACKAGE = "texlive-lang-chinese"
DEST = Path("/usr/local/share/fonts/gov-doc-pipeline")
CACHE = Path("/var/cache/gov-doc-pipeline")

# The files taken from the package (Fandol 0.3, 2015-07-18) and their SHA-256.
FILES = {
    "FandolFang-Regular.otf": "d838ad32ce2244d8144f408c37fe71065aba6fbbc80759a4d2aa2033948d5bc9",
    "FandolKai-Regular.otf": "ea7e7fb4f9b3ac694a68d43946e04d21deed6e8c29a7c2d3081e1a4138f2f827",
    "FandolHei-Regular.otf": "4afa97aa8751e0118617df88272b58d43691b5cffb7ea024c4580496e9f34d28",
    "FandolHei-Bold.otf": "42ca2de27b45e16a284768673b6205a5add9e17871ee0e7db9c0d03f061d96fd",
    "FandolSong-Regular.otf": "a3820003227d4abe31fe28b493200d94a849ccfd078b50a019264f70353020b0",
    "FandolSong-Bold.otf": "ffa76a70e128947a4dd22151d5ee829b23e24ce3cb6fe8ad49891cd1c2d9e9b9",
    "COPYING.gz": "b94928591ae23ad41681fe34991e5d95d793666e751af505453a0152e6bc1a10",  # GPL-3
    "README": "32537e063f4c7d4aebf016d5c8279cbce13f34fc8970f24b2578a3c04d0f8ca6",  # names the font exception
}
_PATTERNS = ("*/fonts/opentype/public/fandol/Fandol[FHKS]*.otf", "*/doc/texlive-doc/fonts/fandol/*")
CONF_NAME = "09-gov-doc-pipeline-fonts.conf"


class InstallError(RuntimeError):
    pass


def installed(dest: Path = DEST) -> bool:
    return all((dest / name).is_file() and sha256_file(dest / name) == digest for name, digest in FILES.items())


def install(dest: Path = DEST, cache: Path = CACHE, conf_dir: Path | None = None) -> list[str]:
    """Put the verified Fandol files in ``dest`` and make sure fontconfig sees them (a snippet in
    ``conf_dir``, by default the system's as root, else the user's); returns what was done."""
    done = []
    if not installed(dest):
        deb = _package_file(cache)
        with tempfile.TemporaryDirectory(dir=cache) as tmp:
            found = _unpack(deb, Path(tmp))
            dest.mkdir(parents=True, exist_ok=True)
            for name, digest in FILES.items():
                if name not in found:
                    raise InstallError(f"{deb.name} 中没有 {name}。处理建议：删除 {cache} 中的软件包文件后重试。")
                if sha256_file(found[name]) != digest:
                    raise InstallError(f"{name} 的 SHA-256 与预期不符（来自 {deb.name}）。"
                                       f"处理建议：删除 {cache} 中的软件包文件后重试。")  # fmt: skip
                shutil.copyfile(found[name], dest / f".{name}.tmp")
                os.replace(dest / f".{name}.tmp", dest / name)
        done.append(f"已安装 Fandol 字体到 {dest}（取自 {deb.name}）")
    if not _visible(dest):
        done.append(f"已登记字体目录：{_register(dest, conf_dir or _conf_dir())}")
    if done:
        subprocess.run(["fc-cache", str(dest)], check=False, capture_output=True)
    return done


def _package_file(cache: Path) -> Path:
    """The package's .deb in the cache, downloaded with apt-get (verified by apt) if absent."""
    cache.mkdir(parents=True, exist_ok=True)
    for attempt in range(2):
        debs = sorted(cache.glob(f"{PACKAGE}_*.deb"))
        if debs:
            return debs[-1]
        if attempt:  # the package lists may be missing or stale on a fresh machine
            subprocess.run(["apt-get", "update", "-q"], check=False)
        subprocess.run(["apt-get", "download", "-q", PACKAGE], cwd=cache, check=False)
    raise InstallError(f"无法下载 {PACKAGE}。处理建议：检查软件源（apt-get update），或把该 .deb 文件放入 {cache}。")


def _unpack(deb: Path, into: Path) -> dict[str, Path]:
    """Only the Fandol files of the package, by name (no TeX, nothing else written)."""
    data = subprocess.Popen(["dpkg-deb", "--fsys-tarfile", str(deb)], stdout=subprocess.PIPE)
    tar = subprocess.run(["tar", "-x", "-C", str(into), "--wildcards", *_PATTERNS], stdin=data.stdout,
                         capture_output=True, text=True)  # fmt: skip
    if data.stdout is not None:
        data.stdout.close()
    if data.wait() != 0 or tar.returncode != 0:
        raise InstallError(f"无法解开 {deb}：{tar.stderr.strip()[:200]}。处理建议：删除该文件后重试。")
    return {p.name: p for p in into.rglob("*") if p.is_file() and p.name in FILES}


def _visible(dest: Path) -> bool:
    try:
        out = subprocess.run(["fc-list", ":", "file"], capture_output=True, text=True, timeout=60).stdout
    except (OSError, subprocess.TimeoutExpired):
        return False
    return str(dest / "FandolFang-Regular.otf") in out


def _conf_dir() -> Path:
    if os.geteuid() == 0:
        return Path("/etc/fonts/conf.d")
    return Path(os.environ.get("XDG_CONFIG_HOME") or Path.home() / ".config") / "fontconfig" / "conf.d"


def _register(dest: Path, conf_dir: Path) -> Path:
    """A fontconfig snippet naming ``dest``."""
    conf_dir.mkdir(parents=True, exist_ok=True)
    conf = conf_dir / CONF_NAME
    conf.write_text('<?xml version="1.0"?>\n<!DOCTYPE fontconfig SYSTEM "urn:fontconfig:fonts.dtd">\n'
                    f"<fontconfig>\n  <dir>{dest}</dir>\n</fontconfig>\n", encoding="utf-8")  # fmt: skip
    return conf


def main(argv: list[str] | None = None) -> int:
    about = "安装免费的仿宋、楷体、黑体字体（Fandol，取自 Debian 软件包，不安装 TeX）"
    parser = argparse.ArgumentParser(prog="python -m pipeline.pdf.freefonts", description=about)
    parser.add_argument("--dest", type=Path, default=DEST, help=f"字体目录（默认 {DEST}）")
    parser.add_argument("--cache", type=Path, default=CACHE, help=f"软件包缓存目录（默认 {CACHE}）")
    args = parser.parse_args(argv)
    try:
        done = install(args.dest, args.cache)
    except (InstallError, OSError) as exc:
        print(f"字体安装失败：{exc}", file=sys.stderr)
        return 1
    for line in done:
        print(line)
    return 0


if __name__ == "__main__":
    sys.exit(main())
