"""Numbers of GB/T 9704-2012 that the typesetter and the checker both use (neither imports the other).

The style sheet (styles/official.css) states the same page, 版心 and grid in CSS; a test holds it
to these numbers (tests/test_typeset.py).
"""

from __future__ import annotations

from lxml import etree

XHTML = "{http://www.w3.org/1999/xhtml}"

# The page and its 版心 (§5.2.1, §7.2), in PDF points from the top-left corner.
MM = 72 / 25.4
PAGE_W, PAGE_H = 595.28, 841.89  # A4
LEFT, RIGHT, TOP, BOTTOM = 28 * MM, 184 * MM, 37 * MM, 262 * MM  # 版心 156 × 225 mm
# A table too wide for the 版心 is set on a landscape page (§8), its 版心 turned with it:
# 225 mm wide and 156 mm high (styles/official.css, @page landscape).
LANDSCAPE = (37 * MM, 262 * MM, 26 * MM, 182 * MM)
ROWS, CHARS = 22, 28  # lines a page, characters a line (§5.2.2)
PITCH = 28.95  # grid line pitch (pt): 225 mm over 22 lines
CHAR = 156 * MM / 28  # one 字 (15.79 pt)
BODY_PT, TITLE_PT, FOLIO_PT = 16.0, 22.0, 14.0  # 三号, 二号, 四号
# Tables from this many columns on are set in 小五 with cells that may wrap anywhere (§5.2.2,
# "特定情况可以作适当调整"); from LANDSCAPE_COLUMNS on, on landscape pages (§8, 横排表格).
WIDE_TABLE_COLUMNS = 10
LANDSCAPE_COLUMNS = 20
# A landscape 版心 (225 mm) holds about 30 columns two characters wide; a wider table is set as
# several, each repeating the first column.
MAX_TABLE_COLUMNS = 30


def table_columns(table: etree._Element) -> int:
    """The number of grid columns of an XHTML table (its widest row, spans counted)."""
    return max((sum(int(c.get("colspan", "1") or 1) for c in row if isinstance(c.tag, str))
                for row in table.iter(f"{XHTML}tr")), default=0)  # fmt: skip
