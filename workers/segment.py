"""Split an article into paragraphs and each paragraph into sentences.

Paragraphs come from `workers.reflow`: blank lines separate them, and hard-wrapped lines
are joined again. A sentence ends where a reader sees one end: at `.` `!` `?` `؟` `…` (or
a run of them), with any closing quotes or brackets after it, followed by a space and the
start of another sentence. Not inside numbers, URLs or e-mail addresses (no space follows
their dots), nor after an abbreviation or an initial ("د.", "U.S.", "Dr."), nor after a
list item's number. Every sentence is an exact, stripped substring of its paragraph, in
order, so joining them gives back the paragraph modulo whitespace.
"""

from __future__ import annotations

import re

from workers.reflow import split_paragraphs

__all__ = ["split_headline", "split_paragraphs", "split_sentences"]

SENTENCE_TERMINALS = ".!?؟…"
CLOSERS = "\"'”’»)]}›"
# A run of terminals, the closers after it, then a space: a candidate sentence end.
_END_RE = re.compile(f"[{re.escape(SENTENCE_TERMINALS)}]+[{re.escape(CLOSERS)}]*(?=\\s)")
# What may start a sentence: a letter, a digit, an opening quote or bracket, a bullet.
_STARTERS = frozenset("\"'“‘«([{‹-–—•")
# Latin abbreviations that stand before a name or a number, never at a sentence's end.
LATIN_ABBREVIATIONS = frozenset(
    "mr mrs ms dr prof st jr sr mt ft gen col lt sgt capt gov sen rep rev hon vs no nos "
    "vol fig figs pp approx dept jan feb mar apr jun jul aug sep sept oct nov dec".split()
)
# Era marks after a year ("1950 م.", "1420 هـ.", "300 ق.م."): there the dot may end a sentence.
ERA_MARKS = frozenset(["م", "هـ", "ه", "ق.م", "ب.م"])
_DOTTED_ABBREVIATION_RE = re.compile(r"^(?:[^\W\d_]\.)+[^\W\d_]$")  # letters, not "5.7"
_NUMBER_RE = re.compile(r"^[(\[]?[0-9٠-٩]+[)\]]?$")
_OPENERS = "\"'“‘«([{‹"


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of one paragraph: stripped substrings that cover it in order."""
    paragraph = paragraph.strip()
    if not paragraph:
        return []
    sentences: list[str] = []
    start = 0
    for match in _END_RE.finditer(paragraph):
        if _ends_sentence(paragraph, match):
            _append_sentence(sentences, paragraph[start : match.end()])
            start = match.end()
    if paragraph[start:].strip():
        _append_sentence(sentences, paragraph[start:])
    return [s.strip() for s in sentences if s.strip()]


def _ends_sentence(paragraph: str, match: re.Match) -> bool:
    """Whether the terminal run `match` (followed by a space) ends a sentence."""
    rest = paragraph[match.end() :].lstrip()
    if not rest:
        return False  # the paragraph's end: nothing to split
    first = rest[0]
    if not (first.isalnum() or first in _STARTERS) or ("a" <= first <= "z"):
        return False  # a comma, a closer or a lower-case word goes on with the sentence
    if match.group().rstrip(CLOSERS) != ".":
        return True  # "!", "?", "؟", "…", "..": only a single dot may be an abbreviation
    before = paragraph[: match.start()].split()
    if not before:
        return True
    word = before[-1].lstrip(_OPENERS)
    after_number = len(before) > 1 and bool(_NUMBER_RE.match(before[-2]))
    if word in ERA_MARKS and after_number:
        return True
    if len(word) == 1 and word.isalpha():
        # An initial or a one-letter abbreviation ("د.", "J.") comes before a name in its
        # own script; a Latin letter before Arabic ends a sentence ("بروتين S. وفقا").
        return first.isalpha() and word.isascii() != first.isascii()
    if word == "هـ" or _DOTTED_ABBREVIATION_RE.match(word) or word.lower() in LATIN_ABBREVIATIONS:
        return False
    if _NUMBER_RE.match(word) and len(before) == 1:
        return False  # a numbered list item: "1. "
    return True


def _append_sentence(sentences: list[str], span: str) -> None:
    # A span of bare punctuation ("!!" at a paragraph's start) joins its neighbour.
    bare = not any(ch.isalnum() for ch in span)
    if sentences and (bare or not any(ch.isalnum() for ch in sentences[-1])):
        sentences[-1] += span
    else:
        sentences.append(span)


HEADLINE_MAX_WORDS = 20
# A headline set apart only by a newline must be clearly shorter than the text after it.
HEADLINE_MAX_LENGTH_RATIO = 0.6
_LINE_BREAK_RE = re.compile(r"\r\n|\r|\n|\u2028|\u2029|\x85")


def split_headline(text: str) -> tuple[str | None, list[str]]:
    """The article's headline, if its first paragraph is one, and the body paragraphs.

    A headline is short, does not end like a sentence ("." or a comma; ".." is a
    headline separator in Arabic news), and stands apart: a blank line follows it, or it
    is much shorter than the next paragraph (a wrapped line joined to the next is never one).
    """
    paragraphs = split_paragraphs(text)
    if len(paragraphs) < 2:
        return None, paragraphs
    first = paragraphs[0]
    ends_like_sentence = first.endswith((".", "،", ",", ":", "؛")) and not first.endswith("..")
    if len(first.split()) > HEADLINE_MAX_WORDS or ends_like_sentence:
        return None, paragraphs
    lines = _LINE_BREAK_RE.split(text.strip())
    if lines[0].strip() != first:
        return None, paragraphs  # the first paragraph is several wrapped lines
    blank_after = len(lines) > 1 and not lines[1].strip()
    if blank_after or len(first) < HEADLINE_MAX_LENGTH_RATIO * len(paragraphs[1]):
        return first, paragraphs[1:]
    return None, paragraphs
