"""Split an article into paragraphs and each paragraph into sentences.

Paragraphs are separated by line breaks (blank lines or single newlines). Sentences come
from pysbd's Arabic rules, then segments that do not end a sentence (pysbd also breaks at
the Arabic comma and at colons) are merged back into the next one. Every sentence is an
exact, stripped substring of its paragraph, in order, so joining them gives back the
paragraph modulo whitespace.
"""

from __future__ import annotations

import re
from functools import lru_cache

import pysbd

# A sentence ends at one of these, possibly followed by closing quotes or brackets.
SENTENCE_TERMINALS = ".!?؟؛…"
CLOSERS = "\"'”’»)]}›"
_TERMINAL_RE = re.compile(f"[{re.escape(SENTENCE_TERMINALS)}][{re.escape(CLOSERS)}]*$")
# A terminal with more text after it than closers, terminals and spaces: only then can a
# paragraph hold more than one sentence.
_INNER_TERMINAL_RE = re.compile(
    f"[{re.escape(SENTENCE_TERMINALS)}](?![{re.escape(SENTENCE_TERMINALS + CLOSERS)}\\s]*$)"
)
# pysbd's Arabic rules do not break at the Arabic semicolon; news uses it between sentences.
_EXTRA_BREAK_RE = re.compile(r"(?<=؛)(?=\s)")
_LINE_BREAK_RE = re.compile(r"\r\n|\r|\n|\u2028|\u2029|\x85")


@lru_cache(maxsize=1)
def _segmenter() -> pysbd.Segmenter:
    return pysbd.Segmenter(language="ar", clean=False)


def split_paragraphs(text: str) -> list[str]:
    """Non-empty lines of `text`, stripped, in order."""
    return [line.strip() for line in _LINE_BREAK_RE.split(text) if line.strip()]


def split_sentences(paragraph: str) -> list[str]:
    """Sentences of one paragraph: stripped substrings that cover it in order."""
    paragraph = paragraph.strip()
    if not paragraph:
        return []
    if not _INNER_TERMINAL_RE.search(paragraph):
        # A sentence ends only at a terminal, so this is one sentence whatever the rules
        # would say; most news paragraphs are, and the rules are the pipeline's costliest
        # step in Python.
        return [paragraph]
    return _split_by_rules(paragraph)


def _split_by_rules(paragraph: str) -> list[str]:
    """pysbd's sentences of a stripped, non-empty paragraph, merged and located."""
    sentences: list[str] = []  # raw spans, stripped only at the end
    pending = ""
    # The processor's sentences, not `Segmenter.segment`: that would also find each
    # sentence in the text again with a regex of its own (compiled per sentence, and
    # quadratic in the paragraph's length); `_locate` does the same in one linear pass.
    spans = _locate(paragraph, _segmenter().processor(paragraph).process())
    for piece in (part for span in spans for part in _EXTRA_BREAK_RE.split(span)):
        pending += piece
        if _TERMINAL_RE.search(pending.rstrip()):
            _append_sentence(sentences, pending)
            pending = ""
    if pending.strip():
        _append_sentence(sentences, pending)
    return [s.strip() for s in sentences]


def _append_sentence(sentences: list[str], span: str) -> None:
    # A span of bare punctuation (the second dot of "..") belongs to the sentence before it.
    if sentences and not any(ch.isalnum() for ch in span):
        sentences[-1] += span
    else:
        sentences.append(span)


def _locate(paragraph: str, segments: list[str]) -> list[str]:
    """Map pysbd's segments back onto exact spans of `paragraph`.

    Each span runs from the end of the previous one to the end of this segment, so
    whitespace between segments is kept and nothing is dropped even if pysbd altered text.
    """
    spans: list[str] = []
    cursor = 0
    for segment in segments:
        needle = segment.strip()
        if not needle:
            continue
        found = paragraph.find(needle, cursor)
        if found < 0:
            break  # pysbd changed the text; the rest becomes one span below
        end = found + len(needle)
        spans.append(paragraph[cursor:end])
        cursor = end
    if cursor < len(paragraph):
        rest = paragraph[cursor:]
        if spans and not rest.strip():
            spans[-1] += rest
        else:
            spans.append(rest)
    return spans


HEADLINE_MAX_WORDS = 20
# A headline set apart only by a newline must be clearly shorter than the text after it.
HEADLINE_MAX_LENGTH_RATIO = 0.6


def split_headline(text: str) -> tuple[str | None, list[str]]:
    """The article's headline, if its first paragraph is one, and the body paragraphs.

    A headline is short, does not end like a sentence ("." or a comma; ".." is a
    headline separator in Arabic news), and stands apart: a blank line follows it, or it
    is much shorter than the next paragraph (hard-wrapped text has lines of equal length).
    """
    paragraphs = split_paragraphs(text)
    if len(paragraphs) < 2:
        return None, paragraphs
    first = paragraphs[0]
    ends_like_sentence = first.endswith((".", "،", ",", ":", "؛")) and not first.endswith("..")
    if len(first.split()) > HEADLINE_MAX_WORDS or ends_like_sentence:
        return None, paragraphs
    lines = _LINE_BREAK_RE.split(text.strip())
    blank_after = len(lines) > 1 and not lines[1].strip()
    if blank_after or len(first) < HEADLINE_MAX_LENGTH_RATIO * len(paragraphs[1]):
        return first, paragraphs[1:]
    return None, paragraphs
