"""Parallel corpora: reading, the seeded held-out split and token-bucketed batches."""

from __future__ import annotations

import hashlib
import random
from dataclasses import dataclass
from pathlib import Path

REPO_ROOT = Path(__file__).resolve().parents[2]
DEFAULT_DATA_DIR = REPO_ROOT.parent / "shared" / "data" / "parallel"
TRAIN_CORPORA = ("tatoeba-anki", "unpc-dev")
DEV_CORPUS = "tico19-dev"
HELDOUT_FRACTION = 0.04
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


def read_training_pairs(data_dir: Path) -> list[Pair]:
    """All training corpora, in a fixed order."""
    pairs: list[Pair] = []
    for stem in TRAIN_CORPORA:
        pairs.extend(read_corpus(Path(data_dir) / "train", stem))
    return pairs


def read_dev_pairs(data_dir: Path) -> list[Pair]:
    """The TICO-19 dev set: for reporting only, never for training or model selection."""
    return read_corpus(Path(data_dir) / "dev", DEV_CORPUS)


def split_heldout(
    pairs: list[Pair], fraction: float = HELDOUT_FRACTION, seed: int = SPLIT_SEED
) -> tuple[list[Pair], list[Pair]]:
    """Deterministic (train, held-out) split, stratified by corpus.

    Pairs are grouped by source sentence so that a sentence repeated with another
    translation (common in Tatoeba) never sits on both sides of the split.
    """
    train: list[Pair] = []
    heldout: list[Pair] = []
    for corpus in sorted({p.corpus for p in pairs}):
        members = [p for p in pairs if p.corpus == corpus]
        sources = sorted({p.source for p in members}, key=_stable_key)
        random.Random(seed).shuffle(sources)
        held = set(sources[: round(len(sources) * fraction)])
        for pair in members:
            (heldout if pair.source in held else train).append(pair)
    return train, heldout


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
