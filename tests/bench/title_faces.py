"""The free stand-ins for the title's 小标宋, side by side (not collected by pytest).

    .venv/bin/python tests/bench/title_faces.py [OUT.png]

Sets the seed's title at 2号 (22 pt) in each free heavy Song found here (FandolSong Bold, Noto
Serif CJK SC Bold and, where fonts-noto-cjk-extra is installed, Noto Serif CJK SC Black), each
above a line of the 仿宋 body, and writes one PNG (pdftoppm, 150 dpi); docs/pdf.md shows it and
says which one the style sheet uses and why.
"""

from __future__ import annotations

import subprocess
import sys
import tempfile
from pathlib import Path

from weasyprint import HTML

ROOT = Path(__file__).resolve().parents[2]
sys.path.insert(0, str(ROOT))

from pipeline.pdf.fonts import installed_families  # noqa: E402

TITLE = "海阳市留格庄镇人民政府<br/>2018年度政府信息公开年度报告"
BODY = "本报告根据《政府信息公开条例》要求编制。"
CANDIDATES = [("FandolSong", 700, "FandolSong Bold"), ("Noto Serif CJK SC", 700, "Noto Serif CJK SC Bold"),
              ("Noto Serif CJK SC Black", 900, "Noto Serif CJK SC Black")]  # fmt: skip


def main() -> None:
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "docs" / "img" / "title-faces.png"
    families = installed_families()
    rows = "".join(
        f'<section><p class="label">{label}</p>'
        f'<h1 style="font-family: \'{family}\'; font-weight: {weight}">{TITLE}</h1><p class="body">{BODY}</p></section>'
        for family, weight, label in CANDIDATES
        if family in families
    )
    html = f"""<html lang="zh-CN"><head><style>
      @page {{ size: 170mm 132mm; margin: 5mm }}
      section {{ border-bottom: 0.5pt solid #999; padding: 2mm 0 }}
      .label {{ font: 9pt "Noto Sans CJK SC"; color: #555; margin: 0 }}
      h1 {{ font-size: 22pt; text-align: center; line-height: 1.3; margin: 1mm 0 }}
      .body {{ font: 16pt "FandolFang", "Noto Serif CJK SC"; text-indent: 2em; margin: 0 }}
    </style></head><body>{rows}</body></html>"""
    with tempfile.TemporaryDirectory() as tmp:
        pdf = Path(tmp) / "faces.pdf"
        HTML(string=html).write_pdf(pdf)
        subprocess.run(["pdftoppm", "-png", "-r", "150", "-singlefile", pdf, out.with_suffix("")], check=True)
    print(out)


if __name__ == "__main__":
    main()
