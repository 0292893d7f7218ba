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
  our sentences and our tokens so that they need no downloads. sumy's LSA keeps its
  vocabulary in a set, so its score moves by about 0.1-0.2 between runs (string hashing).
- Significance: against the best baseline (by ROUGE-1 + ROUGE-2), the per-article gains,
  their wins/ties/losses and a paired bootstrap 95% interval of the mean gain (fixed seed).
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

# Run as a script from the repo root: make `workers` importable without installing.
sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

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

REPO_ROOT = Path(__file__).resolve().parents[1]

DEFAULT_DATA_DIR = REPO_ROOT.parent / "shared" / "data" / "summaries" / "easc-dev"
RANDOM_SEEDS = 10
OURS = "tarjama"
# Paired comparison with the best baseline: F1 points below which a difference is a tie.
GAIN_TIE = 0.01
BOOTSTRAP_SAMPLES = 2000
BOOTSTRAP_SEED = 0
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


@dataclass(frozen=True)
class Result:
    """F1 (x100) per ROUGE type and article, and the time spent choosing."""

    per_article: dict[str, list[float]]
    ms_per_article: float

    def mean(self, rouge_type: str) -> float:
        return statistics.mean(self.per_article[rouge_type])


def score(articles: Sequence[Article], systems: Sequence[System]) -> Result:
    """Each article's F1, averaged over its references and over `systems` (random seeds)."""
    scorer = rouge_scorer.RougeScorer(list(ROUGE_TYPES), tokenizer=_ArabicTokenizer())
    per_article = {rouge_type: [0.0] * len(articles) for rouge_type in ROUGE_TYPES}
    elapsed_s = 0.0
    for system in systems:
        for index, article in enumerate(articles):
            started = time.perf_counter()
            summary = " ".join(system(article.candidates, article.k))
            elapsed_s += time.perf_counter() - started
            share = 100 / (len(article.references) * len(systems))
            for reference in article.references:
                result = scorer.score(reference, summary)
                for rouge_type in ROUGE_TYPES:
                    per_article[rouge_type][index] += share * result[rouge_type].fmeasure
    return Result(per_article, 1000 * elapsed_s / (len(systems) * len(articles)))


def paired_comparison(ours: Result, theirs: Result, rouge_type: str) -> str:
    """Per-article wins/ties/losses and a paired bootstrap 95% interval of the mean gain."""
    gains = [a - b for a, b in zip(
            ours.per_article[rouge_type], theirs.per_article[rouge_type], strict=True
        )]
    wins = sum(g > GAIN_TIE for g in gains)
    losses = sum(g < -GAIN_TIE for g in gains)
    resampler = random.Random(BOOTSTRAP_SEED)
    means = sorted(
        statistics.mean(resampler.choices(gains, k=len(gains))) for _ in range(BOOTSTRAP_SAMPLES)
    )
    low, high = means[int(0.025 * BOOTSTRAP_SAMPLES)], means[int(0.975 * BOOTSTRAP_SAMPLES) - 1]
    return (
        f"{rouge_type}: {statistics.mean(gains):+.2f} [{low:+.2f}, {high:+.2f}], "
        f"{wins} wins / {len(gains) - wins - losses} ties / {losses} losses"
    )


def main(argv: Sequence[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("data_dir", nargs="?", type=Path, default=DEFAULT_DATA_DIR)
    args = parser.parse_args(argv)

    started = time.perf_counter()
    articles = load_articles(args.data_dir)
    systems: dict[str, Sequence[System]] = {
        OURS: [tarjama],
        "LEAD-k": [lead],
        f"Random-k (mean of {RANDOM_SEEDS} seeds)": [random_choice(s) for s in range(RANDOM_SEEDS)],
        "LexRank (sumy)": [sumy_system(LexRankSummarizer)],
        "TextRank (sumy)": [sumy_system(TextRankSummarizer)],
        "LSA (sumy)": [sumy_system(LsaSummarizer)],
        "Luhn (sumy)": [sumy_system(LuhnSummarizer)],
    }
    results = {name: score(articles, runs) for name, runs in systems.items()}

    print(
        f"{len(articles)} articles from {args.data_dir.name}, "
        f"{sum(len(a.references) for a in articles)} references, "
        f"mean k = {statistics.mean(a.k for a in articles):.2f} sentences\n"
    )
    print("| system | ROUGE-1 F1 | ROUGE-2 F1 | ROUGE-L F1 | ms / article |")
    print("| --- | ---: | ---: | ---: | ---: |")
    for name, result in results.items():
        cells = " | ".join(f"{result.mean(rouge_type):.2f}" for rouge_type in ROUGE_TYPES)
        print(f"| {name} | {cells} | {result.ms_per_article:.2f} |")
    best = max(
        (name for name in results if name != OURS),
        key=lambda name: results[name].mean("rouge1") + results[name].mean("rouge2"),
    )
    print(f"\n{OURS} minus the best baseline ({best}), per article:")
    for rouge_type in ROUGE_TYPES:
        print(f"- {paired_comparison(results[OURS], results[best], rouge_type)}")
    print(f"\nwall time {time.perf_counter() - started:.1f} s")


if __name__ == "__main__":
    main()
