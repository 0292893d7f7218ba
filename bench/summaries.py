"""Summary quality against human extractive summaries, with the standard baselines.

    python bench/summaries.py [DATA_DIR]

DATA_DIR (default ../shared/data/summaries/easc-dev) holds `topicNNN/article.txt` and the
human summaries `topicNNN/summary_*.txt`. Prints one markdown table.

How it scores, and why:
- Sentences: every system sees the same candidates, built with the project's segmenter
  (`split_paragraphs`, then `split_sentences`), the way the service builds them.
- Length: per article, k = the mean number of sentences of its references (by the same
  segmenter), rounded, within [1, number of candidates]. Every system picks exactly k, so
  the table compares choices of sentences, not lengths.
- ROUGE: google's `rouge-score` (ROUGE-1, ROUGE-2, and ROUGE-L as LCS over the whole
  summary), F1, on the Arabic side. Its default tokenizer drops non-ASCII tokens, so it is
  given `workers.arabic_text.tokens`: tashkeel and tatweel removed, alef forms, alef maqsura/ya
  and ta marbuta/ha unified, Arabic-Indic digits mapped, then runs of letters and digits.
  No stemming and no stop-word removal, as in standard ROUGE.
- Several references: the F1 against each reference, averaged; then averaged over articles
  (each article weighs the same). The mean rewards agreeing with the annotators as a group,
  where the max would reward matching any single one of them.
- Baselines: LEAD-k; random-k averaged over RANDOM_SEEDS seeds; sumy's LexRank, TextRank,
  LSA and Luhn in sumy's own Arabic setup (its Snowball stemmer and Arabic stop words), fed
  our sentences and our tokens so that they need no downloads.
"""

from __future__ import annotations

import argparse
import random
import statistics
import sys
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[1]
# Run as a script from the repo root: make `workers` importable without installing.
sys.path.insert(0, str(REPO_ROOT))

from rouge_score import rouge_scorer
from sumy.models.dom import ObjectDocumentModel, Paragraph, Sentence
from sumy.nlp.stemmers import Stemmer
from sumy.summarizers.lex_rank import LexRankSummarizer
from sumy.summarizers.lsa import LsaSummarizer
from sumy.summarizers.luhn import LuhnSummarizer
from sumy.summarizers.text_rank import TextRankSummarizer
from sumy.utils import get_stop_words

from workers.arabic_text import normalise, tokens
from workers.segment import split_paragraphs, split_sentences
from workers.summarise import Candidate, summarise

DEFAULT_DATA_DIR = REPO_ROOT.parent / "shared" / "data" / "summaries" / "easc-dev"
RANDOM_SEEDS = 10
ROUGE_TYPES = ("rouge1", "rouge2", "rougeL")

# A system takes the candidates and k, and returns the chosen Arabic sentences in order.
System = Callable[[Sequence[Candidate], int], list[str]]


@dataclass(frozen=True)
class Article:
    """One article of the gold set: its candidates and its human summaries."""

    name: str
    candidates: tuple[Candidate, ...]
    references: tuple[str, ...]
    k: int


def load_articles(data_dir: Path) -> list[Article]:
    """Every `topic*` folder of `data_dir`, in name order."""
    articles = []
    for folder in sorted(data_dir.glob("topic*")):
        candidates = build_candidates((folder / "article.txt").read_text(encoding="utf-8"))
        references = tuple(
            path.read_text(encoding="utf-8") for path in sorted(folder.glob("summary_*.txt"))
        )
        lengths = [len(build_candidates(reference)) for reference in references]
        k = max(1, min(len(candidates), round(statistics.mean(lengths))))
        articles.append(Article(folder.name, candidates, references, k))
    return articles


def build_candidates(text: str) -> tuple[Candidate, ...]:
    """Sentence candidates as the service builds them, with an empty English side."""
    return tuple(
        Candidate(p, s, sentence, "")
        for p, paragraph in enumerate(split_paragraphs(text))
        for s, sentence in enumerate(split_sentences(paragraph))
    )


class _ArabicTokenizer:
    """The `tokenize` object rouge-score accepts, and the `to_words` one sumy does."""

    def tokenize(self, text: str) -> list[str]:
        return tokens(text)

    def to_words(self, text: str) -> list[str]:
        return tokens(text)


def tarjama(candidates: Sequence[Candidate], k: int) -> list[str]:
    return [c.ar for c in summarise(candidates, sentences=k)]


def lead(candidates: Sequence[Candidate], k: int) -> list[str]:
    return [c.ar for c in candidates[:k]]


def random_choice(seed: int) -> System:
    def choose(candidates: Sequence[Candidate], k: int) -> list[str]:
        picked = sorted(random.Random(seed).sample(range(len(candidates)), k))
        return [candidates[i].ar for i in picked]

    return choose


def sumy_system(summarizer_class: type) -> System:
    tokenizer = _ArabicTokenizer()
    summarizer = summarizer_class(Stemmer("arabic"))
    summarizer.stop_words = [normalise(word) for word in get_stop_words("arabic")]

    def choose(candidates: Sequence[Candidate], k: int) -> list[str]:
        paragraphs: dict[int, list[Sentence]] = {}
        for c in candidates:
            paragraphs.setdefault(c.paragraph, []).append(Sentence(c.ar, tokenizer))
        document = ObjectDocumentModel([Paragraph(p) for p in paragraphs.values()])
        chosen = summarizer(document, k)
        return [str(sentence) for sentence in chosen]

    return choose


def score(articles: Sequence[Article], systems: Sequence[System]) -> tuple[dict[str, float], float]:
    """Mean F1 (x100) of each ROUGE type over articles, and milliseconds per article.

    With several `systems` (random seeds), their scores are averaged.
    """
    scorer = rouge_scorer.RougeScorer(list(ROUGE_TYPES), tokenizer=_ArabicTokenizer())
    totals = dict.fromkeys(ROUGE_TYPES, 0.0)
    elapsed_s = 0.0
    for system in systems:
        for article in articles:
            started = time.perf_counter()
            summary = " ".join(system(article.candidates, article.k))
            elapsed_s += time.perf_counter() - started
            for reference in article.references:
                result = scorer.score(reference, summary)
                for rouge_type in ROUGE_TYPES:
                    totals[rouge_type] += result[rouge_type].fmeasure / len(article.references)
    runs = len(systems) * len(articles)
    means = {rouge_type: 100 * total / runs for rouge_type, total in totals.items()}
    return means, 1000 * elapsed_s / runs


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=DEFAULT_DATA_DIR)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    articles = load_articles(args.data_dir)
    systems: dict[str, Sequence[System]] = {
        "tarjama": [tarjama],
        "LEAD-k": [lead],
        f"Random-k (mean of {RANDOM_SEEDS} seeds)": [random_choice(s) for s in range(RANDOM_SEEDS)],
        "LexRank (sumy)": [sumy_system(LexRankSummarizer)],
        "TextRank (sumy)": [sumy_system(TextRankSummarizer)],
        "LSA (sumy)": [sumy_system(LsaSummarizer)],
        "Luhn (sumy)": [sumy_system(LuhnSummarizer)],
    }
    print(
        f"{len(articles)} articles from {args.data_dir.name}, "
        f"{sum(len(a.references) for a in articles)} references, "
        f"mean k = {statistics.mean(a.k for a in articles):.2f} sentences\n"
    )
    print("| system | ROUGE-1 F1 | ROUGE-2 F1 | ROUGE-L F1 | ms / article |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, runs in systems.items():
        means, ms = score(articles, runs)
        print(
            f"| {name} | {means['rouge1']:.2f} | {means['rouge2']:.2f} "
            f"| {means['rougeL']:.2f} | {ms:.2f} |"
        )
    print(f"\nwall time {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
