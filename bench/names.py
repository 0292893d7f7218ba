"""Names: Latin runs copied through and CLDR place names, measured on TICO-19 dev and the
shared news articles.

    python bench/names.py [--sentences 970] [--beam 2] [--articles] [--misfires]

TICO-19 dev is translated with the shipped model through the service's path
(`workers.batcher.SentenceBatcher`), beam `--beam` (the service's default), with each set
of built-in terms: none, Latin runs, Latin runs and numbers, place names, Latin runs and
place names, all three. Prints chrF and BLEU of all sentences and of those the set
touches (without and with it); the share of source Latin runs (with a Latin letter) and of
numbers (Western digits alone) found verbatim in the output; for place names, the share
of matches whose English is in the output, and in the reference (the rest are "false
hits"). `--articles` also translates `shared/data/articles` (no references) and prints
copy rates and sentences that changed. `--misfires` counts, per place name, matches whose
English the reference lacks over the shared parallel data (the Bible aside: its Arabic is
not news). Not a test.
"""

from __future__ import annotations

import argparse
import asyncio
import re
import sys
import time
from collections import Counter
from pathlib import Path

from common import REPO, article_units

sys.path.insert(0, str(REPO))

from sacrebleu.metrics import BLEU, CHRF

from models.options import DEFAULT_BEAM_SIZE, TranslatorOptions
from models.translator import Translator, clean_source
from service.domain.names import LatinRuns, Layers, Matcher, place_names
from workers.batcher import SentenceBatcher

SHARED = REPO.parent.parent / "shared" / "data"
if not SHARED.is_dir():
    SHARED = Path("/work/shared/data")
MISFIRE_SOURCES = [
    "dev/tico19-dev",
    "train/tico19-test",
    "train/unpc-dev",
    "train/unpc-test",
    "train/nllb-seed-arz",
    "train/nllb-seed-ary",
    "train/tatoeba-anki",
]
_NUMBER = re.compile(r"(?<![\w.,])\d+(?:[.,]\d+)*(?![\w])")


def read_pairs(name: str) -> list[tuple[str, str]]:
    folder = SHARED / "parallel"
    ar = (folder / f"{name}.ar").read_text(encoding="utf-8").splitlines()
    en = (folder / f"{name}.en").read_text(encoding="utf-8").splitlines()
    return list(zip(ar, en, strict=True))


def configurations() -> dict[str, Matcher | None]:
    return {
        "none": None,
        "latin": Layers([LatinRuns()]),
        "latin+numbers": Layers([LatinRuns(numbers=True)]),
        "places": Layers([place_names()]),
        "latin+places": Layers([LatinRuns(), place_names()]),
        "latin+numbers+places": Layers([LatinRuns(numbers=True), place_names()]),
    }


async def translate_all(translator, sentences, matcher=None) -> list[str]:
    batcher = SentenceBatcher(translator)
    try:
        return [t.text for t in await batcher.translate(sentences, glossary=matcher)]
    finally:
        await batcher.close()


def latin_runs(sentence: str) -> list[str]:
    return [m.term.en for m in LatinRuns().find(clean_source(sentence))]


def numbers(sentence: str) -> list[str]:
    return _NUMBER.findall(clean_source(sentence))


def copied(wanted: list[list[str]], outputs: list[str]) -> tuple[int, int]:
    """(found verbatim in the output, total) over every sentence's wanted strings."""
    found = sum(sum(1 for w in want if w in out) for want, out in zip(wanted, outputs, strict=True))
    return found, sum(len(w) for w in wanted)


def percent(pair: tuple[int, int]) -> str:
    return f"{100 * pair[0] / max(pair[1], 1):.1f}% of {pair[1]}"


def evaluate_dev(translator: Translator, pairs, beam: int) -> None:
    sources = [ar for ar, _ in pairs]
    refs = [en for _, en in pairs]
    runs = [latin_runs(s) for s in sources]
    nums = [numbers(s) for s in sources]
    places = [[m.term.en for m in place_names().find(clean_source(s))] for s in sources]
    place_refs = copied(places, refs)
    print(
        f"TICO-19 dev, {len(pairs)} sentences, beam {beam}: {sum(map(len, runs))} Latin runs "
        f"in {sum(1 for r in runs if r)} sentences, {sum(map(len, nums))} numbers, "
        f"{sum(map(len, places))} place-name matches in {sum(1 for p in places if p)} "
        f"sentences ({percent(place_refs)} with their English in the reference)"
    )
    print(f"numbers found verbatim in the reference: {percent(copied(nums, refs))}")
    chrf, bleu = CHRF(), BLEU()

    def score(out, idx):
        if not idx:
            return "-"
        hyp, ref = [out[i] for i in idx], [[refs[i] for i in idx]]
        return f"{chrf.corpus_score(hyp, ref).score:.2f}, {bleu.corpus_score(hyp, ref).score:.2f}"

    print(
        "| terms | chrF, BLEU | touched sentences: without, with the terms | Latin runs "
        "copied | numbers copied | place names in output | COVID-19 in output | s |"
    )
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    outputs: dict[str, list[str]] = {}
    for label, matcher in configurations().items():
        started = time.perf_counter()
        out = asyncio.run(translate_all(translator, sources, matcher))
        seconds = time.perf_counter() - started
        outputs[label] = out
        touched = [i for i, s in enumerate(sources) if matcher and matcher.find(clean_source(s))]
        print(
            f"| {label} | {score(out, range(len(out)))} | "
            f"{len(touched)}: {score(outputs['none'], touched)}; {score(out, touched)} | "
            f"{percent(copied(runs, out))} | {percent(copied(nums, out))} | "
            f"{percent(copied(places, out))} | {sum(o.count('COVID-19') for o in out)} | "
            f"{seconds:.0f} |"
        )
    touched = [i for i in range(len(pairs)) if runs[i] or places[i]]
    shown = [i for i in touched if outputs["none"][i] != outputs["latin+places"][i]][:6]
    for i in shown:
        print(
            f"\n  ar: {sources[i]}\n  none: {outputs['none'][i]}\n"
            f"  latin+places: {outputs['latin+places'][i]}\n  ref: {refs[i]}"
        )


def evaluate_articles(translator: Translator) -> None:
    paths = sorted((SHARED / "articles").glob("*.txt"))
    units = [u for path in paths for u in article_units(path.read_text(encoding="utf-8"))]
    runs = [latin_runs(u) for u in units]
    nums = [numbers(u) for u in units]
    places = [[m.term.en for m in place_names().find(clean_source(u))] for u in units]
    print(
        f"\narticles: {len(units)} sentences, {sum(map(len, runs))} Latin runs, "
        f"{sum(map(len, nums))} numbers, {sum(map(len, places))} place-name matches: "
        + str(dict(Counter(p for ps in places for p in ps).most_common(12)))
    )
    print("| terms | Latin runs copied | numbers copied | place names in output |")
    print("|---|---:|---:|---:|")
    outputs = {}
    for label in ("none", "latin+places", "latin+numbers+places"):
        layers = [LatinRuns(numbers="numbers" in label), place_names()]
        out = asyncio.run(
            translate_all(translator, units, Layers(layers) if label != "none" else None)
        )
        outputs[label] = out
        print(
            f"| {label} | {percent(copied(runs, out))} | {percent(copied(nums, out))} | "
            f"{percent(copied(places, out))} |"
        )
    before, after = outputs["none"], outputs["latin+places"]
    changed = [i for i in range(len(units)) if before[i] != after[i]]
    # every sentence with a Latin run (the SY24 article's), then a few others
    shown = [i for i in changed if runs[i]] + [i for i in changed if not runs[i]][:6]
    for i in shown:
        print(f"\n  ar: {units[i]}\n  none: {before[i]}\n  latin+places: {after[i]}")


def misfires() -> None:
    hit, miss = Counter(), Counter()
    for name in MISFIRE_SOURCES:
        for ar, en in read_pairs(name):
            for m in place_names().find(clean_source(ar)):
                (hit if m.term.en.lower() in en.lower() else miss)[m.term] += 1
    print(f"\nplace names over {', '.join(MISFIRE_SOURCES)}:")
    print(
        f"{sum(hit.values())} matches with their English in the reference, "
        f"{sum(miss.values())} without"
    )
    for term, n in miss.most_common(15):
        print(f"  {term.ar} = {term.en}: {n} without, {hit[term]} with")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--sentences", type=int, default=970, help="TICO-19 dev sentences")
    parser.add_argument("--beam", type=int, default=DEFAULT_BEAM_SIZE)
    parser.add_argument("--articles", action="store_true")
    parser.add_argument("--misfires", action="store_true")
    parser.add_argument("--skip-dev", action="store_true")
    args = parser.parse_args()
    started = time.perf_counter()
    glossary = place_names()
    print(f"place names: {len(glossary.terms)} built in {time.perf_counter() - started:.2f} s")
    if args.misfires:
        misfires()
    translator = Translator(REPO / "models" / "ar-en-small", TranslatorOptions(beam_size=args.beam))
    if not args.skip_dev:
        evaluate_dev(translator, read_pairs("dev/tico19-dev")[: args.sentences], args.beam)
    if args.articles:
        evaluate_articles(translator)


if __name__ == "__main__":
    main()
