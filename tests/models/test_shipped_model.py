"""The shipped model: present, int8, English out, and the service's default."""

from __future__ import annotations

import re

import pytest

from models import MODELS_DIR, load_card
from models.options import TranslatorOptions
from models.translator import Translator
from service.config import DEFAULT_MODEL, Settings
from tests.conftest import sample_text
from workers.pipeline import segment_article

SHIPPED = MODELS_DIR / "ar-en-small"
MAX_MODEL_BYTES = 30 * 1024 * 1024


def test_shipped_model_is_the_default_and_small():
    assert Settings().model == DEFAULT_MODEL == "ar-en-small"
    card = load_card(SHIPPED)
    assert card.quantization == "int8"
    assert (SHIPPED / "model.bin").stat().st_size < MAX_MODEL_BYTES
    # A trained model, not a random one: its card's scores on everyday sentences it was
    # not trained on and on TICO-19 dev (the first model scored 39.8 and 24.3).
    assert card.scores["heldout:tatoeba-anki"]["chrf"] >= 35
    assert card.scores["tico19-dev"]["chrf"] >= 23
    assert card.attribution  # licences and credits travel with the model


@pytest.fixture(scope="module")
def shipped() -> Translator:
    return Translator(SHIPPED, TranslatorOptions(device="cpu", beam_size=2))


def test_translates_sy24_into_english(shipped):
    units = segment_article(sample_text("sy24-deir-ez-zor.txt"), None).units
    out = shipped.translate(units)
    text = " ".join(t.text for t in out)
    assert all(t.text.strip() for t in out)
    assert not re.search("[\u0600-\u06ff]", text), "no Arabic letters in the English"
    letters = [c for c in text if c.isalpha()]
    assert sum(c.isascii() for c in letters) / len(letters) > 0.99
    assert {"the", "of", "and"} <= set(re.findall(r"[a-z]+", text.lower()))
    assert all(0 < t.confidence <= 1 for t in out)


def test_a_runaway_translation_stops_at_the_position_table(shipped):
    shipped.card.decoding = {}  # let the output loop until the length limit
    try:
        [out] = shipped.translate([" ".join(["الحكومة"] * 250)])
    finally:
        shipped.card.decoding = load_card(SHIPPED).decoding
    assert out.text and len(out.text.split()) <= shipped.card.max_output_tokens
