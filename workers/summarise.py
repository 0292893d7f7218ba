"""Extractive summary: choose the sentence pairs that carry an article.

Input is every sentence pair of the article in document order; output is a subset, still
in document order, each pair keeping its paragraph and sentence indexes.

How a sentence is scored, and why each part is there:

- Position prior, 1 / (rank + 1). News and encyclopaedic articles state their core first;
  in human extractive summaries of Arabic articles (EASC) the first sentence is chosen by two
  annotators in three, the next few by about two in five, the rest by one in four. It is
  the strongest single signal, so it leads.
- Centrality, cosine between the sentence and the article's centroid, over TF-IDF of
  light-stemmed Arabic words plus the English words when there is a translation (a second
  view of the same content; with an empty English side it simply adds nothing). IDF is
  computed over the article's own sentences, so function words that occur everywhere weigh
  little in either language without a stop list.
- They combine as prior * centrality ** CENTRALITY_EXPONENT. A quarter power lets content
  reorder sentences that stand near each other (the most central of two neighbours wins)
  without pulling a sentence from the end of a long article over the lede: centrality alone
  agrees with human choices much less than position does. Exponents from 0.1 to 0.5 score
  within a quarter of a ROUGE point of each other: the choice is not a knife edge.
- Sentences with fewer than MIN_SENTENCE_TOKENS Arabic words, after a leading dateline
  ("عمان - الرأي -") is set aside, and known page furniture ("Share on Facebook") are
  chosen last: headings, captions, datelines and the line fragments of hard-wrapped text
  rarely carry a point. They still fill the length asked for if nothing else is left.
- A sentence nearly identical to one already chosen (cosine >= DUPLICATE_COSINE) is chosen
  last too: repeated ledes and captions would waste the summary.

Everything is deterministic: ties go to the earlier sentence. Cost is linear in the number
of words, plus k comparisons per sentence for duplicates.
"""

from __future__ import annotations

import math
import re
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

from workers.arabic_text import light_stem, normalise, tokens

MIN_SUMMARY_SENTENCES = 1
MAX_SUMMARY_SENTENCES = 50
# A default summary is about a fifth of the article, and at most this many sentences.
DEFAULT_RATIO = 0.2
DEFAULT_MAX_SENTENCES = 5
MIN_SENTENCE_TOKENS = 5
CENTRALITY_EXPONENT = 0.25
DUPLICATE_COSINE = 0.8

# A place of up to three words without digits, then optionally a source of up to three words,
# each followed by a spaced dash, at the start: "عمان - الرأي - ", "الدوحة - (اف ب) - ",
# "خاص - ". Digits are excluded from the place so that "في عام 2010 - 2011" stays whole.
_DATELINE_RE = re.compile(
    r"^[^\s\d\-–—]+(?:\s+[^\s\d\-–—]+){0,2}\s+[-–—]\s*"
    r"(?:[^\s\-–—]+(?:\s+[^\s\-–—]+){0,2}\s+[-–—]\s*)?"
)
# Page furniture that scraping leaves in, matched on normalised text.
_BOILERPLATE_RE = re.compile(
    r"share on|follow us|read more|all rights reserved|"
    r"شارك علي|تابعونا|اقرا ايضا|اقرا المزيد|جميع الحقوق محفوظه"
)

Terms = dict[str, float]


@dataclass(frozen=True)
class Candidate:
    """One sentence pair as the summariser sees it."""

    paragraph: int
    sentence: int
    ar: str
    en: str


def default_length(total_sentences: int) -> int:
    """A news-sized summary: about a fifth of the article, between 1 and 5 sentences."""
    k = math.ceil(total_sentences * DEFAULT_RATIO)
    return max(MIN_SUMMARY_SENTENCES, min(DEFAULT_MAX_SENTENCES, k))


def summarise(
    candidates: Sequence[Candidate],
    *,
    sentences: int | None = None,
    ratio: float | None = None,
) -> list[Candidate]:
    """Pick `sentences` pairs (else `ratio` of them, else a default) in document order."""
    if sentences is not None and sentences < MIN_SUMMARY_SENTENCES:
        raise ValueError(f"sentences must be at least {MIN_SUMMARY_SENTENCES}, got {sentences}")
    if ratio is not None and not 0 < ratio <= 1:
        raise ValueError(f"ratio must be in (0, 1], got {ratio}")
    if not candidates:
        return []
    k = _target_length(len(candidates), sentences, ratio)
    weights = _tfidf([_terms(c) for c in candidates])
    centroid: Terms = {}
    for weight in weights:
        for term, w in weight.items():
            centroid[term] = centroid.get(term, 0.0) + w
    centre = _unit(centroid)
    vectors = [_unit(weight) for weight in weights]
    scores = [
        _dot(vector, centre) ** CENTRALITY_EXPONENT / (rank + 1)
        for rank, vector in enumerate(vectors)
    ]
    # Substantive sentences first, then by score, then the earlier one.
    order = sorted(
        range(len(candidates)),
        key=lambda i: (not _substantive(candidates[i]), -scores[i], i),
    )
    chosen: list[int] = []
    held_back: list[int] = []
    for i in order:
        if len(chosen) == k:
            break
        if any(_dot(vectors[i], vectors[j]) >= DUPLICATE_COSINE for j in chosen):
            held_back.append(i)
        else:
            chosen.append(i)
    chosen.extend(held_back[: k - len(chosen)])
    return [candidates[i] for i in sorted(chosen)]


def _target_length(total: int, sentences: int | None, ratio: float | None) -> int:
    if sentences is not None:
        k = sentences
    elif ratio is not None:
        k = math.ceil(total * ratio)
    else:
        k = default_length(total)
    return max(MIN_SUMMARY_SENTENCES, min(k, MAX_SUMMARY_SENTENCES, total))


def _body(arabic: str) -> str:
    """The sentence without a leading dateline."""
    return _DATELINE_RE.sub("", arabic.strip(), count=1)


def _substantive(candidate: Candidate) -> bool:
    body = _body(candidate.ar)
    return len(tokens(body)) >= MIN_SENTENCE_TOKENS and not _BOILERPLATE_RE.search(normalise(body))


def _terms(candidate: Candidate) -> Counter[str]:
    # light_stem leaves Latin words as they are, so the English side passes through it.
    words = tokens(_body(candidate.ar)) + tokens(candidate.en)
    return Counter(light_stem(word) for word in words)


def _tfidf(counts: Sequence[Counter[str]]) -> list[Terms]:
    """Log-scaled term frequency times smoothed IDF over the article's sentences."""
    document_frequency: Counter[str] = Counter()
    for count in counts:
        document_frequency.update(count.keys())
    n = len(counts)
    idf = {term: math.log(1 + n / df) for term, df in document_frequency.items()}
    return [
        {term: (1 + math.log(tf)) * idf[term] for term, tf in count.items()} for count in counts
    ]


def _unit(vector: Terms) -> Terms:
    norm = math.sqrt(sum(w * w for w in vector.values()))
    return {term: w / norm for term, w in vector.items()} if norm else {}


def _dot(a: Terms, b: Terms) -> float:
    """Cosine of two unit vectors."""
    if len(a) > len(b):
        a, b = b, a
    return sum(weight * b.get(term, 0.0) for term, weight in a.items())
