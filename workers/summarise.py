"""Extractive summary: choose the sentence pairs that carry an article.

Input is every sentence pair of the article in document order; output is a subset, still
in document order, each pair keeping its paragraph and sentence indexes.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

MIN_SUMMARY_SENTENCES = 1
MAX_SUMMARY_SENTENCES = 50


@dataclass(frozen=True)
class Candidate:
    """One sentence pair as the summariser sees it."""

    paragraph: int
    sentence: int
    ar: str
    en: str


def default_length(total_sentences: int) -> int:
    """A news-sized summary: about a fifth of the article, between 1 and 5 sentences."""
    return max(MIN_SUMMARY_SENTENCES, min(5, math.ceil(total_sentences * 0.2)))


def summarise(
    candidates: Sequence[Candidate],
    *,
    sentences: int | None = None,
    ratio: float | None = None,
) -> list[Candidate]:
    """Pick `sentences` pairs (or `ratio` of them, or a default) in document order."""
    if not candidates:
        return []
    k = _target_length(len(candidates), sentences, ratio)
    return list(candidates[:k])  # lead baseline


def _target_length(total: int, sentences: int | None, ratio: float | None) -> int:
    if sentences is not None:
        k = sentences
    elif ratio is not None:
        k = math.ceil(total * ratio)
    else:
        k = default_length(total)
    return max(MIN_SUMMARY_SENTENCES, min(k, total))
