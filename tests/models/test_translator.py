"""The translator on a real (random-weight) CTranslate2 model."""

from __future__ import annotations

import shutil

import pytest

from models.options import TranslatorOptions
from models.translator import Translator, clean_source

LONG_WORDS = 300


@pytest.fixture(scope="module")
def translator(tiny_model_dir) -> Translator:
    return Translator(tiny_model_dir, TranslatorOptions(device="cpu", intra_threads=1, beam_size=1))


def test_reports_int8_and_card_name(translator):
    assert translator.quantization == "int8"
    assert translator.name == "random-tiny"


def test_every_sentence_gets_a_translation_and_confidence(translator):
    sentences = ["قال الوزير إن الحكومة ستدعم المزارعين.", "ارتفعت الأسعار 3.5 بالمئة.", ""]
    out = translator.translate(sentences)
    assert len(out) == 3
    assert out[0].text and out[1].text
    assert all(0.0 < t.confidence <= 1.0 for t in out[:2])
    assert out[2].text == "" and out[2].parts == ()


def test_300_word_sentence_without_punctuation_is_translated_in_full(translator):
    words = [f"كلمة{i % 37}" if i % 5 else "والسوق" for i in range(LONG_WORDS)]
    sentence = " ".join(words)
    pieces = translator.split_to_fit(clean_source(sentence))
    assert len(pieces) > 1, "the sentence must exceed the tiny model's 64-token limit"
    assert all(len(p) <= translator.max_source_pieces for p in pieces)
    # The pieces cover the whole sentence: nothing is truncated.
    rejoined = "".join("".join(p) for p in pieces).replace("\u2581", "")
    assert rejoined == sentence.replace(" ", "")
    [translation] = translator.translate([sentence])
    assert len(translation.parts) == len(pieces)
    assert all(part.strip() for part in translation.parts)
    assert translation.text == " ".join(translation.parts)


def test_a_single_enormous_word_is_cut_not_dropped(translator):
    word = "ب" * 2000
    pieces = translator.split_to_fit(word)
    assert len(pieces) > 1
    assert "".join("".join(p) for p in pieces).replace("\u2581", "") == word
    [translation] = translator.translate([word])
    assert len(translation.parts) == len(pieces)


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        ("\ufefbسلام", "لاسلام"),  # presentation form of lam-alef
        ("مر\u200dحبا\u202e", "مرحبا"),  # zero-width joiner, bidi override
        ("كتـــاب", "كتاب"),  # tatweel
        ("سطر\x00أول\tو\nثان", "سطر أول و ثان"),
    ],
)
def test_clean_source_normalises(raw, clean):
    assert clean_source(raw) == clean


def test_unloaded_model_raises(tiny_model_dir):
    translator = Translator(tiny_model_dir, TranslatorOptions(device="cpu", intra_threads=1))
    translator.unload()
    with pytest.raises(RuntimeError):
        translator.translate(["نص"])


def test_a_shipped_vocabulary_map_limits_the_output_to_its_candidates(tiny_model_dir, tmp_path):
    model_dir = tmp_path / "with-vmap"
    shutil.copytree(tiny_model_dir, model_dir)
    plain = Translator(model_dir, TranslatorOptions(device="cpu", beam_size=1))
    sentence = "قال الوزير إن الحكومة ستدعم المزارعين."
    assert not plain.use_vmap
    # The empty n-gram's candidates are allowed everywhere; no source word adds any.
    target_sp = plain._target_sp
    vocabulary = [target_sp.id_to_piece(i) for i in range(target_sp.get_piece_size())]
    allowed = [p for p in vocabulary if p.strip("▁").isascii() and p.strip("▁").isalpha()][:3]
    assert len(allowed) == 3
    (model_dir / "vmap.txt").write_text("\t" + " ".join(allowed) + "\n", encoding="utf-8")
    mapped = Translator(model_dir, TranslatorOptions(device="cpu", beam_size=1))
    assert mapped.use_vmap
    [free] = plain.translate_pieces(plain.prepare(sentence))
    [output] = mapped.translate_pieces(mapped.prepare(sentence))
    assert output.text and output.text != free.text
    # Only the candidates' letters (and the unknown-token mark, always a candidate).
    assert set(output.text) <= set("".join(allowed).replace("▁", " ")) | {" ", "⁇"}
