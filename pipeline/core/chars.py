"""Character classes shared by the rules and by the text-preservation checks."""

from __future__ import annotations

import re
from collections import Counter

HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff\U00020000-\U0003134f"
# Full-width and CJK punctuation, quotes, dashes and ellipsis as used in Chinese text.
CJK_PUNCT = (
    "\u3000-\u303f\uff01-\uff0f\uff1a-\uff20\uff3b-\uff40\uff5b-\uff65\u2018\u2019\u201c\u201d\u2014\u2026\u00b7"
)
CJK = HAN + CJK_PUNCT

# Closing punctuation that may hang past the right edge of a full line (Word's and WPS's
# "允许标点溢出边界", on by default for Chinese): one mark, after a Chinese character.
HANGING = set("，。、；：？！”’）》〕】")
CLOSING = set("，、；：。）》”’〕】〉」』")  # marks whose blank half trails their ink
OPENING = set("（《“‘〔【〈「『")  # marks whose blank half precedes their ink
HAN_RE = re.compile(f"[{HAN}]")
CJK_RE = re.compile(f"[{CJK}]")
# Everything between significant characters (full-width digits are kept, then folded).
_INSIGNIFICANT_RE = re.compile(f"[^{HAN}0-9\uff10-\uff19]+")


def is_cjk(ch: str) -> bool:
    return bool(ch) and bool(CJK_RE.match(ch))


def is_han(ch: str) -> bool:
    return bool(ch) and bool(HAN_RE.match(ch))


_FOLD_DIGITS = str.maketrans("０１２３４５６７８９", "0123456789")


_TAG_RE = re.compile(r"</?[A-Za-z][A-Za-z0-9]*(\s[^<>]*)?/?>")


def significant(text: str) -> str:
    """The characters no stage may lose: Han characters and digits (full-width folded).

    HTML tags are markup, not text: the digits in ``colspan="3"`` do not count.
    """
    # (translate only the short result: str.translate is slow on long non-ASCII text)
    return _INSIGNIFICANT_RE.sub("", _TAG_RE.sub("", text)).translate(_FOLD_DIGITS)


def lost_characters(before: str, after: str) -> Counter[str]:
    """Significant characters present in ``before`` more often than in ``after``."""
    return Counter(significant(before)) - Counter(significant(after))
