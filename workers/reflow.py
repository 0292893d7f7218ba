"""Paragraphs of a plain-text article, with hard-wrapped lines joined again.

The rule:
- A blank line always separates paragraphs (U+2029 counts as one).
- A text is hard-wrapped when at least two of its line breaks, and a third of those inside
  blocks, come after a full line that does not end a sentence: a line the next line's
  first word would not have fitted on, the width being that of its longest lines (30 to
  160 columns; the longest tenth and lines with a URL-long word may overflow it). In a
  hard-wrapped text, a break after a full line is a soft wrap and the lines are joined
  with a space; a break after a line with room left is a real one.
- In any other text every line is a paragraph, as typed: one paragraph per line.
- Headlines, datelines and list items keep their own lines: a short line after a
  sentence's end with more text under it, and a line starting with a bullet or a number
  ("- ", "1. ", or an Arabic-Indic number) after a sentence's end, a colon, or another
  item. So does an indented line after a sentence's end (a paragraph's first line).
"""

from __future__ import annotations

import re

# Wrapped text is wrapped at a width in this range (e-mail and typed corpora: 60 to 80).
MIN_WRAP_COLUMNS = 30
MAX_WRAP_COLUMNS = 160
# A line this close to the width counts as full however short the next word: the width is
# estimated from the longest lines and a wrapper may count a little differently.
WRAP_SLACK_COLUMNS = 2
# The longest tenth of the lines may overflow the width, and so may a line holding a word
# longer than this (a URL): neither sets the width.
WIDTH_QUANTILE = 0.9
MAX_WORD_CHARS = 30
MIN_SOFT_BREAKS = 2
MIN_SOFT_SHARE = 1 / 3

_LINE_BREAK_RE = re.compile(r"\r\n|\r|\n|\u2028|\x85")
_SENTENCE_END_RE = re.compile(r"[.!?؟…][\"'”’»)\]}›]*$")
# "- ", "• ", "* ", "1. ", "١- ", "2) ", "أ) ": a list item's start. Not "(3)": running text
# enumerates with it, and a wrapped line may start with one.
_LIST_ITEM_RE = re.compile(r"^\s*(?:[-–—•▪◦●*·]\s|[0-9٠-٩]{1,3}[.)\-–]\s|[\u0621-\u064a][)\-]\s)")
_CLAUSE_END = (":",)


def split_paragraphs(text: str) -> list[str]:
    """The paragraphs of `text`, stripped, in order, with soft-wrapped lines joined."""
    blocks = _blocks(text)
    width = wrap_width(blocks)
    paragraphs: list[str] = []
    for block in blocks:
        if width is None:
            paragraphs += [line.strip() for line in block]
            continue
        current = [block[0]]
        for index in range(1, len(block)):
            if _is_soft_break(block, index, width, current[0]):
                current.append(block[index])
            else:
                paragraphs.append(_join(current))
                current = [block[index]]
        paragraphs.append(_join(current))
    return paragraphs


def wrap_width(blocks: list[list[str]]) -> int | None:
    """The width `blocks` are hard-wrapped at, or None if they are not wrapped."""
    lengths = sorted(
        (
            _length(line)
            for block in blocks
            for line in block
            if max(map(len, line.split())) <= MAX_WORD_CHARS
        ),
        reverse=True,
    )
    if len(lengths) < MIN_SOFT_BREAKS + 1:
        return None
    width = lengths[int(len(lengths) * (1 - WIDTH_QUANTILE))]
    if not MIN_WRAP_COLUMNS <= width <= MAX_WRAP_COLUMNS:
        return None
    breaks = [(block[i - 1], block[i]) for block in blocks for i in range(1, len(block))]
    soft = sum(
        1
        for before, after in breaks
        if _is_full(before, after, width) and not _ends_sentence(before)
    )
    if soft < MIN_SOFT_BREAKS or soft < MIN_SOFT_SHARE * len(breaks):
        return None
    return width


def _blocks(text: str) -> list[list[str]]:
    """Runs of non-blank lines (right-stripped), split at blank lines."""
    blocks: list[list[str]] = [[]]
    for line in _LINE_BREAK_RE.split(text.replace("\u2029", "\n\n")):
        if line.strip():
            blocks[-1].append(line.rstrip())
        elif blocks[-1]:
            blocks.append([])
    return [block for block in blocks if block]


def _is_soft_break(block: list[str], index: int, width: int, paragraph_start: str) -> bool:
    """Whether the break before `block[index]` is a wrap inside a paragraph."""
    before, line = block[index - 1], block[index]
    if not _is_full(before, line, width):
        return False
    ends = _ends_sentence(before)
    if ends and _indent(line) > _indent(before):  # an indented first line
        return False
    if _LIST_ITEM_RE.match(line) and (
        ends or before.rstrip().endswith(_CLAUSE_END) or _LIST_ITEM_RE.match(paragraph_start)
    ):
        return False
    # A headline or dateline under a full line that ends a sentence: short, not a sentence,
    # with more text under it.
    has_more = index + 1 < len(block)
    if (
        ends
        and has_more
        and not _ends_sentence(line)
        and not _is_full(line, block[index + 1], width)
    ):
        return False
    return True


def _is_full(line: str, next_line: str, width: int) -> bool:
    """Whether the first word of `next_line` would not have fitted at the end of `line`."""
    first_word = next_line.split(maxsplit=1)[0]
    return _length(line) + 1 + len(first_word) > width - WRAP_SLACK_COLUMNS


def _ends_sentence(line: str) -> bool:
    return bool(_SENTENCE_END_RE.search(line.rstrip()))


def _indent(line: str) -> int:
    return len(line) - len(line.lstrip())


def _length(line: str) -> int:
    return len(line.rstrip())


def _join(lines: list[str]) -> str:
    return " ".join(line.strip() for line in lines)
