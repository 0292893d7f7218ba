"""Terminology: glossary terms enforced in translations, and what it costs in quality.

    python bench/terminology.py [--model shipped|tiny|all] [--sentences 970] [--beam 2]

A glossary is built from the shared parallel data (the train folder's TICO-19 test and UN
sets, and the TICO-19 dev set itself, as a user's glossary would hold the names of their
domain): whole English names (runs of capitalised words joined by "of", "for", "and" or
"the", at most 5 words; acronyms such as COVID-19 too) are aligned to the Arabic n-gram
(1-3 words, read as matching reads them, without function words or punctuation) that
co-occurs with them most, by the Dice coefficient over sentence pairs. Pairs seen together
at least MIN_PAIR_COUNT times, with Dice >= MIN_DICE and about as many words on each side
(an acronym may stand for up to four Arabic words) are kept, each Arabic term once.

TICO-19 dev is then translated, beam `--beam`, with each method:
- none: the model alone;
- attention: the service's path (`workers.batcher.SentenceBatcher` with the glossary),
  attention-guided replacement (`workers.terminology`);
- placeholder: each term's Arabic replaced by its English in the source, for the model to
  copy (no repair when it does not);
- placeholder+attention: the placeholder output where every term came through, else the
  attention method's.
Prints term success (share of source-term occurrences whose English appears in the
output, as often as the term occurs), chrF of the sentences with terms and of those
without, and seconds. Not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import sys
import tempfile
import time
from collections import Counter
from pathlib import Path

from common import REPO

sys.path.insert(0, str(REPO))

from sacrebleu.metrics import CHRF

from models.options import TranslatorOptions
from models.synthetic import build_random_model
from models.translator import Translator, clean_source
from service.domain.terms import Glossary, Term, normalise, term_key, words_of
from workers.batcher import SentenceBatcher

DATA = REPO.parent.parent / "shared" / "data" / "parallel"
if not DATA.is_dir():
    DATA = Path("/work/shared/data/parallel")
GLOSSARY_SOURCES = ["train/tico19-test", "train/unpc-dev", "train/unpc-test", "dev/tico19-dev"]
MIN_COUNT = 3
MIN_PAIR_COUNT = 4
MIN_DICE = 0.6
CONNECTORS = frozenset(["of", "for", "and", "the"])
# Function words that do not begin or end a name.
STOP_AR = frozenset(
    normalise(w)
    for w in [
        "من",
        "في",
        "على",
        "إلى",
        "عن",
        "مع",
        "أن",
        "إن",
        "التي",
        "الذي",
        "الذين",
        "ذلك",
        "هذا",
        "هذه",
        "تلك",
        "بين",
        "وذلك",
        "كما",
        "قد",
        "لا",
        "ما",
        "لم",
        "لن",
        "هو",
        "هي",
        "هم",
        "كان",
        "كانت",
        "يكون",
        "أو",
        "ثم",
        "حيث",
        "عند",
        "بعد",
        "قبل",
        "خلال",
    ]
)
STOP_EN = frozenset(
    [
        "The",
        "A",
        "An",
        "In",
        "On",
        "It",
        "This",
        "These",
        "That",
        "Those",
        "And",
        "But",
        "For",
        "Of",
        "To",
        "As",
        "At",
        "By",
        "If",
    ]
)


def read_pairs(name: str) -> list[tuple[str, str]]:
    ar = (DATA / f"{name}.ar").read_text(encoding="utf-8").splitlines()
    en = (DATA / f"{name}.en").read_text(encoding="utf-8").splitlines()
    return list(zip(ar, en, strict=True))


def english_names(sentence: str) -> set[str]:
    """Whole names: runs of capitalised words ("COVID-19" too) joined by "of", "for",
    "and" or "the" ("International Court of Justice"), at most 5 words; the sentence's
    first word only if it is all capitals."""
    names = set()
    run: list[str] = []
    for i, raw in enumerate([*sentence.split(), ""]):
        word = raw.strip(".,;:()\"'")
        capital = word[:1].isupper() and (i > 0 or word.isupper()) and word not in STOP_EN
        if capital and len(word) > 1:
            run.append(word)
            if raw == word:
                continue
        elif run and word in CONNECTORS and raw == word:
            run.append(word)
            continue
        while run and run[-1] in CONNECTORS:
            run.pop()
        if 0 < len(run) <= 5:
            names.add(" ".join(run))
        run = []
    return names


def arabic_ngrams(sentence: str) -> dict[str, str]:
    """Arabic n-grams (1-3 words) by the key matching compares them as; the surface form
    with the article dropped from clitics (its first word's clitics are cut by matching)."""
    words = [w for w in words_of(sentence) if any("\u0621" <= c <= "\u064a" for c in w.norm)]
    found = {}
    for n in range(1, 4):
        for i in range(len(words) - n + 1):
            if any(w.norm in STOP_AR for w in words[i : i + n]):
                continue
            surface = sentence[words[i].start : words[i + n - 1].end]
            if any(ch in surface for ch in '،,.؛;:()"«»'):
                continue
            key = term_key(surface)
            if len(key) >= 3:
                found.setdefault(key, surface)
    return found


def similar_length(ar_key: str, en: str) -> bool:
    """A name and its translation have about as many words; an acronym may stand for
    up to four Arabic words ("منظمة الصحة العالمية" = "WHO")."""
    ar_words = len(ar_key.split())
    en_words = [w for w in en.split() if w not in CONNECTORS]
    if len(en_words) == 1 and en_words[0].isupper():
        return ar_words <= 4
    return abs(ar_words - len(en_words)) <= 1


def build_glossary(pairs: list[tuple[str, str]]) -> list[Term]:
    """Aligned (Arabic, English) names: Dice over sentence co-occurrence."""
    en_count, ar_count, both = Counter(), Counter(), Counter()
    surfaces: dict[str, Counter] = {}
    per_pair = []
    for ar, en in pairs:
        names = english_names(en)
        grams = arabic_ngrams(ar)
        en_count.update(names)
        ar_count.update(grams.keys())
        for key, surface in grams.items():
            surfaces.setdefault(key, Counter())[surface] += 1
        per_pair.append((names, grams))
    for names, grams in per_pair:
        names = [e for e in names if en_count[e] >= MIN_COUNT]
        grams = [a for a in grams if ar_count[a] >= MIN_COUNT]
        both.update((a, e) for e in names for a in grams)
    best: dict[str, tuple[float, int, str]] = {}
    for (a, e), c in both.items():
        if c < MIN_PAIR_COUNT or not similar_length(a, e):
            continue
        dice = 2 * c / (ar_count[a] + en_count[e])
        if dice >= MIN_DICE and (e not in best or (dice, len(a)) > best[e][:2]):
            best[e] = (dice, len(a), a)
    by_arabic: dict[str, tuple[float, str]] = {}
    for e, (dice, _, a) in best.items():
        # One English per Arabic term: the most strongly aligned, then the longest name.
        if a not in by_arabic or (dice, len(e)) > (by_arabic[a][0], len(by_arabic[a][1])):
            by_arabic[a] = (dice, e)
    terms = []
    for a, (_, e) in sorted(by_arabic.items()):
        surface = surfaces[a].most_common(1)[0][0]
        terms.append(Term(surface, e))
    return terms


def occurrences(glossary: Glossary, sentence: str) -> Counter:
    return Counter(m.term for m in glossary.find(clean_source(sentence)))


def succeeded(terms: Counter, output: str) -> int:
    low = output.lower()
    return sum(min(n, low.count(t.en.lower())) for t, n in terms.items())


def placeholder_source(glossary: Glossary, sentence: str) -> str:
    text = clean_source(sentence)
    for m in reversed(glossary.find(text)):
        text = f"{text[: m.start]} {m.term.en} {text[m.end :]}"
    return " ".join(text.split())


async def translate_all(translator, sentences, glossary=None) -> list[str]:
    batcher = SentenceBatcher(translator)
    try:
        return [t.text for t in await batcher.translate(sentences, glossary=glossary)]
    finally:
        await batcher.close()


def evaluate(label: str, translator: Translator, pairs, glossary: Glossary) -> None:
    sources = [ar for ar, _ in pairs]
    refs = [en for _, en in pairs]
    terms = [occurrences(glossary, s) for s in sources]
    with_terms = [i for i, t in enumerate(terms) if t]
    without = [i for i, t in enumerate(terms) if not t]
    total = sum(sum(t.values()) for t in terms)
    print(
        f"\n{label}: {len(pairs)} sentences, {len(with_terms)} with terms, {total} term occurrences"
    )
    runs: dict[str, tuple[list[str], float]] = {}
    for method in ("none", "attention", "placeholder"):
        started = time.perf_counter()
        if method == "none":
            out = asyncio.run(translate_all(translator, sources))
        elif method == "attention":
            out = asyncio.run(translate_all(translator, sources, glossary))
        else:
            out = list(runs["none"][0])
            todo = [placeholder_source(glossary, sources[i]) for i in with_terms]
            translated = asyncio.run(translate_all(translator, todo))
            for i, text in zip(with_terms, translated, strict=True):
                out[i] = text
        runs[method] = (out, time.perf_counter() - started)
    hybrid = [
        p if succeeded(terms[i], p) == sum(terms[i].values()) else a
        for i, (p, a) in enumerate(zip(runs["placeholder"][0], runs["attention"][0], strict=True))
    ]
    runs["placeholder+attention"] = (hybrid, runs["placeholder"][1] + runs["attention"][1])
    chrf = CHRF()

    def score(out, idx):
        return chrf.corpus_score([out[i] for i in idx], [[refs[i] for i in idx]]).score

    print("| method | term success | chrF, sentences with terms | chrF, without terms | s |")
    print("|---|---:|---:|---:|---:|")
    for method, (out, seconds) in runs.items():
        success = sum(succeeded(terms[i], out[i]) for i in with_terms) / max(total, 1)
        print(
            f"| {method} | {100 * success:.1f}% | {score(out, with_terms):.2f} | "
            f"{score(out, without):.2f} | {seconds:.1f} |"
        )
    for i in with_terms[:3]:
        print(
            f"  e.g. { {t.ar: t.en for t in terms[i]} }\n    none: {runs['none'][0][i]}"
            f"\n    attention: {runs['attention'][0][i]}\n    ref: {refs[i]}"
        )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--model", choices=["shipped", "tiny", "all"], default="all")
    parser.add_argument("--sentences", type=int, default=970, help="TICO-19 dev sentences")
    parser.add_argument("--beam", type=int, default=2)
    args = parser.parse_args()

    started = time.perf_counter()
    terms = build_glossary([p for name in GLOSSARY_SOURCES for p in read_pairs(name)])
    glossary = Glossary(terms)
    print(
        f"glossary: {len(terms)} terms built in {time.perf_counter() - started:.1f} s, e.g. "
        + "; ".join(f"{t.ar} = {t.en}" for t in terms[:: max(1, len(terms) // 8)])
    )
    dev = read_pairs("dev/tico19-dev")[: args.sentences]
    if args.model in ("shipped", "all"):
        translator = Translator(
            REPO / "models" / "ar-en-small", TranslatorOptions(beam_size=args.beam)
        )
        evaluate(f"ar-en-small, beam {args.beam}", translator, dev, glossary)
    if args.model in ("tiny", "all"):
        with tempfile.TemporaryDirectory() as tmp:
            texts = [ar for ar, _ in dev] + [en for _, en in dev]
            model_dir = build_random_model(Path(tmp) / "tiny", texts)
            translator = Translator(model_dir, TranslatorOptions(beam_size=args.beam))
            evaluate(f"random tiny model, beam {args.beam}", translator, dev[:300], glossary)


if __name__ == "__main__":
    main()
