"""The machine-readable model card of the trained model."""

from __future__ import annotations

import json
from pathlib import Path

from models.card import CARD_FILENAME, ModelCard, sha256_file
from models.training import architecture, data, vocab

MODEL_NAME = "ar-en-small"
# Counts every source token the model sees, the </s> suffix included: the service
# subtracts the card's prefix and suffix from it to get the pieces a sentence may have.
MAX_INPUT_TOKENS = architecture.MAX_POSITIONS_TOKENS
ARCHITECTURE = (
    f"MarianMT transformer (post-norm), {architecture.ENCODER_LAYERS} encoder and "
    f"{architecture.DECODER_LAYERS} decoder layers, d_model {architecture.D_MODEL}, "
    f"{architecture.ATTENTION_HEADS} heads, FFN {architecture.FFN_DIM}, swish, shared tied "
    f"embeddings, {vocab.VOCAB_SIZE_PIECES}-piece shared SentencePiece unigram vocabulary"
)
LICENCE = (
    "CC BY 2.0 FR, as its Tatoeba training data; United Nations Parallel Corpus data "
    "used under its free-use terms, with the attribution below"
)
ATTRIBUTION = [
    "Tatoeba (tatoeba.org) contributors, sentence pairs via the manythings.org Anki "
    "export, CC BY 2.0 FR",
    "United Nations: United Nations Parallel Corpus v1.0 (dev set). Ziemski, M., "
    "Junczys-Dowmunt, M. and Pouliquen, B. (2016). The United Nations Parallel Corpus "
    "v1.0. In Proceedings of LREC 2016",
    "TICO-19 dev set (CC0), used only for evaluation, not for training",
]


def write_card(model_dir: Path, scores: dict, training: dict) -> ModelCard:
    """Write `model_card.json` beside the converted model.

    Fields that training does not own (such as the service's decoding options) are kept
    from an earlier card in the same directory.
    """
    owned = {
        "name": MODEL_NAME,
        "source_language": "ar",
        "target_language": "en",
        "quantization": "int8",
        "architecture": ARCHITECTURE,
        "tokenizer": {"source": "source.spm", "target": "target.spm"},
        "source_prefix": [],
        "source_suffix": ["</s>"],
        "target_prefix": [],
        "max_input_tokens": MAX_INPUT_TOKENS,
        "licence": LICENCE,
        "attribution": ATTRIBUTION,
        "origin": "trained locally by models/training/train.py",
        "sha256": {"model.bin": sha256_file(Path(model_dir) / "model.bin")},
        "scores": {name: {key: scores[name][key] for key in ("bleu", "chrf", "sentences")}
                   for name in ("heldout", data.DEV_CORPUS)},
        "training": {key: training[key] for key in
                     ("command", "wall_time_minutes", "steps", "parameters")},
    }
    previous = Path(model_dir) / CARD_FILENAME
    fields = json.loads(previous.read_text()) if previous.is_file() else {}
    card = ModelCard.from_dict({**fields, **owned})
    card.save(model_dir)
    return card
