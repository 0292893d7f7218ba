"""Checks on a saved model: its card, its vocabulary, and that it translates."""

from __future__ import annotations

import json
from pathlib import Path

import sentencepiece as spm

from models.card import load_card
from models.errors import ConversionError
from models.options import TranslatorOptions
from models.translator import Translator

# Share of the source tokenizer's pieces that must be in the model's source vocabulary.
# Marian and NLLB vocabularies hold every piece of their tokenizers; a tokenizer that
# belongs to another model shares little more than punctuation with it.
MIN_VOCABULARY_COVERAGE = 0.5
SMOKE_SENTENCE = "قال الوزير إن الاجتماع سيعقد يوم الاثنين."


def validate_model(model_dir: Path) -> None:
    """Check a saved model: valid card, tokens in the vocabulary, and it translates."""
    card = load_card(model_dir)
    source_vocab, target_vocab = _vocabularies(model_dir)
    unknown = [t for t in card.source_prefix + card.source_suffix if t not in source_vocab]
    unknown += [t for t in card.target_prefix if t not in target_vocab]
    if unknown:
        raise ConversionError(
            f"special tokens {unknown} of the card are not in the model's vocabulary"
        )
    pieces = spm.SentencePieceProcessor(model_file=str(model_dir / card.tokenizer["source"]))
    vocab = [pieces.id_to_piece(i) for i in range(pieces.get_piece_size())]
    coverage = sum(p in source_vocab for p in vocab) / max(1, len(vocab))
    if coverage < MIN_VOCABULARY_COVERAGE:
        raise ConversionError(
            f"only {coverage:.0%} of the source tokenizer's pieces are in the model's "
            "vocabulary: the tokenizer does not belong to this model"
        )
    options = TranslatorOptions(device="cpu", intra_threads=1, beam_size=1)
    translator = Translator(model_dir, options)
    try:
        translator.translate([SMOKE_SENTENCE])
    except RuntimeError as exc:
        raise ConversionError(f"the converted model fails to translate: {exc}") from exc


def _vocabularies(model_dir: Path) -> tuple[set[str], set[str]]:
    def load(stem: str) -> set[str] | None:
        if (model_dir / f"{stem}.json").is_file():
            return set(json.loads((model_dir / f"{stem}.json").read_text(encoding="utf-8")))
        if (model_dir / f"{stem}.txt").is_file():
            return set((model_dir / f"{stem}.txt").read_text(encoding="utf-8").split("\n"))
        return None

    shared = load("shared_vocabulary")
    source, target = load("source_vocabulary"), load("target_vocabulary")
    if shared is None and (source is None or target is None):
        raise ConversionError(f"{model_dir} has no vocabulary files beside model.bin")
    return source or shared or set(), target or shared or set()
