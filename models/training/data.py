"""Parallel corpora: reading, the seeded held-out split, sampling weights and batches."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA_DIR = REPO_ROOT.parent / "shared" / "data" / "parallel"
# Training corpora and how many times each is sampled per epoch (a fraction takes a fresh
# random share each epoch). The domains are far apart: TICO-19 (COVID-19 news, Wikipedia,
# PubMed) is closest to the news the service reads and is up-weighted; the UN documents and
# Tatoeba's everyday phrases count once; the Bible's archaic English and the dialectal
# Arabic of NLLB-Seed are down-weighted so that they add vocabulary without setting the style.
CORPUS_WEIGHTS = {
    "tatoeba-anki": 1.0,
    "unpc-dev": 1.0,
    "unpc-test": 1.0,
    "tico19-test": 3.0,
    "bible-svd-kjv": 0.2,
    "nllb-seed-arz": 0.5,
    "nllb-seed-ary": 0.5,
}
TRAIN_CORPORA = tuple(CORPUS_WEIGHTS)
# The two NLLB-Seed sets translate the same English sentences: they are split on the
# English so that no English sentence is trained on in one and held out in the other.
SPLIT_ON_ENGLISH = ("nllb-seed-arz", "nllb-seed-ary")
DEV_CORPUS = "tico19-dev"
HELDOUT_FRACTION = 0.04
# At most this many held-out pairs per corpus, so that scoring stays quick; it leaves the
# Tatoeba and UN dev splits of the first model unchanged (285 and 160 pairs).
HELDOUT_MAX_PAIRS = 300
SPLIT_SEED = 13


@dataclass(frozen=True)
class Pair:
    """One aligned sentence pair and the corpus it came from."""

    source: str
    target: str
    corpus: str


def read_corpus(folder: Path, stem: str) -> list[Pair]:
    """Line-aligned `<stem>.ar` / `<stem>.en` files as pairs, skipping empty lines."""
    sources = (folder / f"{stem}.ar").read_text(encoding="utf-8").splitlines()
    targets = (folder / f"{stem}.en").read_text(encoding="utf-8").splitlines()
    if len(sources) != len(targets):
        raise ValueError(f"{folder / stem}: {len(sources)} Arabic lines, {len(targets)} English")
    return [
        Pair(s.strip(), t.strip(), stem)
        for s, t in zip(sources, targets, strict=True)
        if s.strip() and t.strip()
    ]


def read_training_pairs(data_dir: Path, corpora: tuple[str, ...] = TRAIN_CORPORA) -> list[Pair]:
    """The training corpora, in a fixed order, less any pair that shares a side with dev.

    TICO-19 dev is for early stopping and scores only: a training pair whose Arabic or
    English also occurs in it is dropped, whatever corpus it comes from.
    """
    dev = read_dev_pairs(data_dir)
    dev_sides = {p.source for p in dev} | {p.target for p in dev}
    pairs: list[Pair] = []
    for stem in corpora:
        pairs.extend(
            p
            for p in read_corpus(Path(data_dir) / "train", stem)
            if p.source not in dev_sides and p.target not in dev_sides
        )
    return pairs


def read_dev_pairs(data_dir: Path) -> list[Pair]:
    """The TICO-19 dev set: for early stopping, decoding choices and scores, never training."""
    return read_corpus(Path(data_dir) / "dev", DEV_CORPUS)


def manifest(data_dir: Path, weights: dict[str, float]) -> list[dict]:
    """Files, SHA-256, line counts and sampling weights of the data, for the model card."""
    rows = []
    for folder, stems in (("train", tuple(weights)), ("dev", (DEV_CORPUS,))):
        for stem in stems:
            for side in ("ar", "en"):
                path = Path(data_dir) / folder / f"{stem}.{side}"
                content = path.read_bytes()
                rows.append(
                    {
                        "file": f"{folder}/{path.name}",
                        "sha256": hashlib.sha256(content).hexdigest(),
                        "lines": content.count(b"\n"),
                        "weight": weights[stem] if folder == "train" else 0.0,
                        "use": "training"
                        if folder == "train"
                        else "dev: early stopping, decoding options and scores, never trained on",
                    }
                )
    return rows


def sample_epoch(
    pairs_by_corpus: dict[str, list[int]], weights: dict[str, float], rng: random.Random
) -> list[int]:
    """Indices of one epoch: each corpus repeated `weight` times, the fraction sampled."""
    chosen: list[int] = []
    for corpus, indices in pairs_by_corpus.items():
        weight = weights.get(corpus, 0.0)
        whole, part = int(weight), weight - int(weight)
        chosen.extend(indices * whole)
        chosen.extend(rng.sample(indices, round(len(indices) * part)))
    return chosen


def split_heldout(
    pairs: list[Pair], fraction: float = HELDOUT_FRACTION, seed: int = SPLIT_SEED
) -> tuple[list[Pair], list[Pair]]:
    """Deterministic (train, held-out) split, stratified by corpus.

    Pairs are grouped by source sentence so that a sentence repeated with another
    translation (common in Tatoeba) never sits on both sides of the split; the NLLB-Seed
    sets are grouped by their shared English instead.
    """
    train: list[Pair] = []
    heldout: list[Pair] = []
    for corpus in sorted({p.corpus for p in pairs}):
        members = [p for p in pairs if p.corpus == corpus]
        key = _english if corpus in SPLIT_ON_ENGLISH else _arabic
        sources = sorted({key(p) for p in members}, key=_stable_key)
        random.Random(seed).shuffle(sources)
        held = set(sources[: min(round(len(sources) * fraction), HELDOUT_MAX_PAIRS)])
        for pair in members:
            (heldout if key(pair) in held else train).append(pair)
    return train, heldout


def _arabic(pair: Pair) -> str:
    return pair.source


def _english(pair: Pair) -> str:
    return pair.target


def _stable_key(text: str) -> str:
    # Sorting by a hash first makes the shuffle independent of corpus line order.
    return hashlib.sha1(text.encode("utf-8")).hexdigest()


def make_batches(
    lengths: list[tuple[int, int]], max_tokens: int, rng: random.Random
) -> list[list[int]]:
    """Index batches of similar length whose padded size stays under `max_tokens`.

    The padded size of a batch is its sentence count times its longest side, so
    short Tatoeba sentences get large batches and long UN sentences small ones.
    """
    order = sorted(range(len(lengths)), key=lambda i: (max(lengths[i]), rng.random()))
    batches: list[list[int]] = []
    current: list[int] = []
    longest = 0
    for index in order:
        size = max(lengths[index])
        if current and max(longest, size) * (len(current) + 1) > max_tokens:
            batches.append(current)
            current, longest = [], 0
        current.append(index)
        longest = max(longest, size)
    if current:
        batches.append(current)
    rng.shuffle(batches)
    return batches
