"""The machine-readable model card of the trained model."""

from __future__ import annotations

import json
from pathlib import Path

from models.card import CARD_FILENAME, ModelCard, sha256_file
from models.training import architecture, vocab

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
    "CC BY-SA 4.0, the most restrictive licence of its training data (the STEPBible Arabic "
    "Bible and NLLB-Seed are CC BY-SA 4.0; TICO-19's Wikipedia and Wikinews segments CC BY-SA "
    "3.0 and 2.5, which allow later versions; Tatoeba CC BY 2.0 FR); United Nations Parallel "
    "Corpus data used under its free-use terms. Keep the attributions below with any copy"
)
ATTRIBUTION = [
    "Tatoeba (tatoeba.org) contributors, sentence pairs via the manythings.org Anki "
    "export, CC BY 2.0 FR",
    "United Nations: United Nations Parallel Corpus v1.0 (dev and test sets). Ziemski, M., "
    "Junczys-Dowmunt, M. and Pouliquen, B. (2016). The United Nations Parallel Corpus "
    "v1.0. In Proceedings of LREC 2016",
    "TICO-19 test set: the TICO-19 project, Anastasopoulos, A. et al. (2020). TICO-19: the "
    "Translation Initiative for COvid-19. The set is CC0; its segments come from PubMed "
    "(CC BY 4.0), Wikipedia (CC BY-SA 3.0), Wikinews (CC BY-SA 2.5), Wikisource and CMU",
    "The Bible, Arabic Smith & Van Dyck translation (1865): The original work by "
    "STEPBible.org, and Arabic Bible Outreach Ministry, is available for free at "
    '"STEPBible Arabic Bibles" https://github.com/STEPBible/STEPBible-Data/tree/master/'
    "Tagged-Bibles/Arabic%20Bibles. CC BY-SA 4.0; changed: diacritics and tatweel removed, "
    "alef wasla written as alef, whitespace normalised, six postscripts and some verses left "
    "out, some verses joined (see the model's README); the changed text stays CC BY-SA 4.0",
    "The Bible, English King James Version: public domain (Crown copyright in the UK); verse "
    "files from the aruljohn/Bible-kjv repository, MIT licence, Copyright (c) 2019 Arul John",
    "NLLB-Seed (Seed dataset v2.0, Open Language Data Initiative, openlanguagedata/seed), "
    "Egyptian and Moroccan Arabic with English Wikipedia sentences, CC BY-SA 4.0. Maillard, "
    "J. et al. (2023). Small Data, Big Impact: Leveraging Minimal Data for Effective Machine "
    "Translation. ACL 2023; NLLB Team et al. (2022). No Language Left Behind; Doumbouya, M. "
    "et al. (2023), WMT 2023, for the realigned v2.0 files",
    "TICO-19 dev set (CC0), used for early stopping and decoding choices, never trained on",
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
        "scores": {
            name: {key: row[key] for key in ("bleu", "chrf", "sentences")}
            for name, row in scores.items()
        },
        "training": {
            key: training[key]
            for key in (
                "command",
                "wall_time_minutes",
                "steps",
                "parameters",
                "init_from",
                "wise_ft",
                "data",
            )
            if key in training
        },
    }
    previous = Path(model_dir) / CARD_FILENAME
    fields = json.loads(previous.read_text()) if previous.is_file() else {}
    card = ModelCard.from_dict({**fields, **owned})
    card.save(model_dir)
    return card
