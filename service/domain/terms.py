"""Glossary terms: find them in Arabic text as a reader would.

Matching ignores tashkeel and tatweel, unifies alef, ya and ta marbuta spellings, and
looks through the clitics written attached to a word: a conjunction (و ف), a preposition
(ب ل ك) and the article (ال, or the ل left of it after ل). "وبدير الزور" and "للأمم
المتحدة" match the entries "دير الزور" and "الأمم المتحدة", and so does a name of several
words written without its spaces ("ديرالزور"). The longest entry wins.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache

_TASHKEEL = re.compile("[\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed\u0640]")
_UNIFY = str.maketrans({"أ": "ا", "إ": "ا", "آ": "ا", "ٱ": "ا", "ى": "ي", "ة": "ه"})
# A word: letters and digits with any tashkeel or tatweel inside.
_WORD = re.compile("[\\w\u0610-\u061a\u064b-\u065f\u0670\u06d6-\u06ed]+")
_CONJUNCTIONS = ("", "و", "ف")
_PREPOSITIONS = ("", "ب", "ل", "ك")
MIN_STEM_CHARS = 2
# Words whose clitic readings are kept: the most frequent cover most of any article (a
# few MB at most).
STEM_CACHE_WORDS = 8_192
_ARABIC_LETTER = re.compile("[\u0621-\u064a\u066e-\u06d3\u06fa-\u06ff]")


def normalise(text: str) -> str:
    """Arabic as matching sees it: no tashkeel or tatweel, one alef, ya and ta marbuta."""
    return _TASHKEEL.sub("", text).translate(_UNIFY)


def _core(word: str) -> str:
    """A normalised word without its article."""
    return word[2:] if word.startswith("ال") and len(word) - 2 >= MIN_STEM_CHARS else word


@lru_cache(maxsize=STEM_CACHE_WORDS)
def _stems(word: str) -> tuple[tuple[int, str], ...]:
    """(clitic length, core) for each way of reading `word` as clitics + a word (kept for
    the words seen most: every article matches each of its words)."""
    return tuple(_readings(word))


def _readings(word: str) -> Iterable[tuple[int, str]]:
    seen = set()
    for conj in _CONJUNCTIONS:
        if not word.startswith(conj):
            continue
        for prep in _PREPOSITIONS:
            rest = word[len(conj) :]
            if not rest.startswith(prep):
                continue
            rest = rest[len(prep) :]
            cuts = [len(conj) + len(prep)]
            if prep == "ل" and rest.startswith("ل"):  # لل = ل + ال with its alef dropped
                cuts.append(cuts[0] + 1)
            for cut in cuts:
                stem = word[cut:]
                if len(stem) >= MIN_STEM_CHARS and (cut, stem) not in seen:
                    seen.add((cut, stem))
                    yield cut, _core(stem)


@dataclass(frozen=True)
class Term:
    ar: str
    en: str


@dataclass(frozen=True)
class TermMatch:
    """One occurrence of a term: `start`..`end` are character offsets of the term in the
    text, its attached clitics left out."""

    start: int
    end: int
    term: Term


@dataclass(frozen=True)
class Word:
    """A word of the text: where it is, and its letters as matching reads them."""

    start: int
    end: int
    norm: str
    # offset in the original word of each normalised character, and one past the end
    offsets: tuple[int, ...]


def words_of(text: str) -> list[Word]:
    """The words of `text` (runs of letters and digits, tashkeel and tatweel inside)."""
    words = []
    for m in _WORD.finditer(text):
        if not _TASHKEEL.search(m.group()):  # most words: every character is kept
            norm = m.group().translate(_UNIFY)
            words.append(Word(m.start(), m.end(), norm, tuple(range(len(norm) + 1))))
            continue
        chars, offsets = [], []
        for i, ch in enumerate(m.group()):
            n = normalise(ch)
            if n:
                chars.append(n)
                offsets.append(i)
        if chars:
            offsets.append(len(m.group()))
            words.append(Word(m.start(), m.end(), "".join(chars), tuple(offsets)))
    return words


class Glossary:
    """Terms to enforce, indexed for matching."""

    def __init__(self, terms: Iterable[Term]) -> None:
        self.terms = list(terms)
        # core of the first word -> (the other words, term), longest first
        self._index: dict[str, list[tuple[tuple[str, ...], Term]]] = {}
        for term in self.terms:
            words = [w.norm for w in words_of(term.ar)]
            if not words:
                continue
            self._index.setdefault(_core(words[0]), []).append((tuple(words[1:]), term))
            if len(words) > 1:  # also written as one word: "ديرالزور"
                self._index.setdefault(_core("".join(words)), []).append(((), term))
        for entries in self._index.values():
            entries.sort(key=lambda e: (-len(e[0]), -len(e[1].ar)))

    def __bool__(self) -> bool:
        return bool(self._index)

    def find(self, text: str) -> list[TermMatch]:
        """Every occurrence of a term in `text`, in order, not overlapping; where entries
        overlap, the one with the most words (then characters) wins."""
        words = words_of(text)
        found, i = [], 0
        while i < len(words):
            best = None
            for cut, core in _stems(words[i].norm):
                for rest, term in self._index.get(core, ()):
                    n = len(rest)
                    if tuple(w.norm for w in words[i + 1 : i + 1 + n]) != rest:
                        continue
                    if best is None or (n, len(term.ar)) > (best[0], len(best[2].ar)):
                        best = (n, cut, term)
                    break  # entries are sorted longest first
            if best is None:
                i += 1
                continue
            n, cut, term = best
            first, last = words[i], words[i + n]
            found.append(TermMatch(first.start + first.offsets[cut], last.end, term))
            i += n + 1
        return found


def terms_in(matches: Sequence[TermMatch]) -> list[Term]:
    """The distinct terms of `matches`, in order of first occurrence."""
    return list(dict.fromkeys(m.term for m in matches))


def has_words(text: str) -> bool:
    """True when `text` holds an Arabic word that matching can see."""
    return any(_ARABIC_LETTER.search(w.norm) for w in words_of(text))


def term_key(ar: str) -> str:
    """What matching compares a term as: two terms with one key are the same term."""
    words = [w.norm for w in words_of(ar)]
    return " ".join([_core(words[0]), *words[1:]]) if words else ""
