"""The level-1 sections of published documents and what changed between two years: added, removed,
or the same heading with a text that differs.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from lxml import etree

from pipeline.portal.catalog import Catalog, FileCache

CHANGED_BELOW = 0.6  # difflib ratio under which a section with the same heading is "changed"


_RATIO_CHARS = 20_000  # each side of a ratio is cut to this many characters (bounded work)


_X = "{http://www.w3.org/1999/xhtml}"


_NUMBERING = re.compile(
    r"^\s*(?:第[一二三四五六七八九十百零〇\d]+(?:部分|章|节)|[（(][一二三四五六七八九十百零〇\d]+[)）]"
    r"|[一二三四五六七八九十百零〇\d]+[、.．])[、.．:：\s]*"
)


_PARSER = etree.XMLParser(resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False)


def heading_key(heading: str) -> str:
    """A heading without its numbering and blanks: ``四、政府信息公开行政复议、行政诉讼情况`` →
    ``政府信息公开行政复议、行政诉讼情况``."""
    return re.sub(r"\s+", "", _NUMBERING.sub("", heading, count=1)).rstrip("。：:")


@dataclass(frozen=True)
class Section:
    key: str
    heading: str
    text: str


class Sections:
    """The level-1 sections of published documents, read from their XHTML when it changes."""

    def __init__(self, catalog: Catalog, max_bytes: Callable[[], int]) -> None:
        self.catalog, self.max_bytes = catalog, max_bytes
        self._read: FileCache[list[Section] | None] = FileCache()

    def of(self, doc_id: str) -> list[Section] | None:
        path = self.catalog.path(doc_id, "document.xhtml")
        return None if path is None else self._read.get(doc_id, path, lambda st: self._sections(path, st.st_size))

    def _sections(self, path: Path, size: int) -> list[Section] | None:
        if size > 2 * self.max_bytes():
            return None
        try:
            return read_sections(etree.parse(str(path), _PARSER).getroot())
        except (OSError, etree.XMLSyntaxError):
            return None


def _text(section: etree._Element) -> str:
    """The section's text without blanks, its headings of level 1 and its tables left out."""
    texts = section.xpath(".//text()[not(ancestor::x:table)][not(ancestor::x:h2)]", namespaces={"x": _X[1:-1]})
    return re.sub(r"\s+", "", "".join(texts))


def read_sections(root: etree._Element) -> list[Section]:
    """Heading and text (headings and tables left out) of every ``section.level-1``."""
    out = []
    for section in root.iter(f"{_X}section"):
        if "level-1" not in (section.get("class") or "").split():
            continue
        heading = section.find(f"{_X}h2")
        if heading is None:
            continue
        title = " ".join("".join(heading.itertext()).split())
        out.append(Section(heading_key(title), title, _text(section)))
    return out


def similarity(a: str, b: str) -> float:
    a, b = a[:_RATIO_CHARS], b[:_RATIO_CHARS]
    if a == b:
        return 1.0
    matcher = difflib.SequenceMatcher(None, a, b)
    return matcher.ratio() if matcher.quick_ratio() >= CHANGED_BELOW else matcher.quick_ratio()


def section_changes(before: list[Section], after: list[Section]) -> dict:
    old = {s.key: s for s in before}
    new = {s.key: s for s in after}
    changed, same = [], 0
    for s in after:
        if s.key in old:
            ratio = similarity(old[s.key].text, s.text)
            if ratio < CHANGED_BELOW:
                changed.append({"heading": s.heading, "ratio": round(ratio * 100)})
            else:
                same += 1
    return {
        "added": [s.heading for s in after if s.key not in old],
        "removed": [s.heading for s in before if s.key not in new],
        "changed": changed,
        "same": same,
    }
