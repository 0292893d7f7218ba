"""Light Arabic text normalisation, tokenisation and stemming.

Shared by the summariser (to compare sentences) and the summary benchmark (to score them),
so that both see the same words.

- `normalise` removes tashkeel and tatweel, unifies alef forms to bare alef, alef maqsura to
  ya and ta marbuta to ha, maps Arabic-Indic digits to ASCII and casefolds Latin letters:
  the spelling variation that typists (and annotators re-typing a text) introduce freely.
- `tokens` are the maximal runs of letters and digits of the normalised text.
- `light_stem` is Larkey's light10 stemmer (Larkey, Ballesteros & Connell, 2007): strip one
  conjunction/article prefix and suffixes of the definite list, never below two letters.
  It merges "الحكومة", "والحكومة" and "حكومات" without the over-merging of root stemmers.
"""

from __future__ import annotations

import re
from functools import lru_cache

# Harakat, Quranic marks, superscript alef and tatweel: absent from most typed text.
_TASHKEEL_RE = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_LETTER_MAP = str.maketrans(
    {
        "\u0622": "\u0627",  # آ -> ا
        "\u0623": "\u0627",  # أ -> ا
        "\u0625": "\u0627",  # إ -> ا
        "\u0671": "\u0627",  # ٱ -> ا
        "\u0649": "\u064a",  # ى -> ي
        "\u0629": "\u0647",  # ة -> ه
        **{chr(0x0660 + d): str(d) for d in range(10)},  # Arabic-Indic digits
        **{chr(0x06F0 + d): str(d) for d in range(10)},  # Extended (Persian) digits
    }
)
# Letters and digits only: `\w` without the underscore.
_TOKEN_RE = re.compile(r"[^\W_]+")

# light10, written on normalised text (so "ة" is already "ه"). Longest affixes first.
_PREFIXES = ("وال", "بال", "كال", "فال", "لل", "ال")
# light10 also lists "ية" and "ة"; normalised, they are "يه" and "ه".
_SUFFIXES = ("ها", "ان", "ات", "ون", "ين", "يه", "ه", "ي")
_MIN_STEM_CHARS = 2
_CONJUNCTION = "و"


def normalise(text: str) -> str:
    """`text` with tashkeel removed and alef, ya, ta marbuta and digits unified."""
    return _TASHKEEL_RE.sub("", text).translate(_LETTER_MAP).casefold()


def tokens(text: str) -> list[str]:
    """Words of `text` after `normalise`: maximal runs of letters and digits."""
    return _TOKEN_RE.findall(normalise(text))


@lru_cache(maxsize=1 << 16)  # word forms are few next to word occurrences
def light_stem(token: str) -> str:
    """light10 stem of one normalised token; non-Arabic tokens come back unchanged."""
    word = token
    if len(word) >= 4 and word.startswith(_CONJUNCTION):
        word = word[1:]
    for prefix in _PREFIXES:
        if word.startswith(prefix) and len(word) - len(prefix) >= _MIN_STEM_CHARS:
            word = word[len(prefix) :]
            break
    for suffix in _SUFFIXES:
        if word.endswith(suffix) and len(word) - len(suffix) >= _MIN_STEM_CHARS:
            word = word[: -len(suffix)]
    return word
