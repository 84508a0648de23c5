"""Numbers of GB/T 9704-2012 that the typesetter and the checker both use (neither imports the other)."""

from __future__ import annotations

from lxml import etree

XHTML = "{http://www.w3.org/1999/xhtml}"
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
