"""Glossary matching as Arabic readers match, and terms forced in by a real model."""

from __future__ import annotations

import pytest

from models.options import TranslatorOptions
from models.translator import Translator, clean_source
from service.domain.terms import Glossary, Term
from workers.terminology import apply_terms, enforce, piece_spans

DEIR = Term("دير الزور", "Deir ez-Zor")
UN = Term("الأمم المتحدة", "the United Nations")
NATIONS = Term("الأمم", "nations")
BUKAMAL = Term("البوكمال", "Albu Kamal")
GLOSSARY = Glossary([DEIR, UN, NATIONS, BUKAMAL])


def found(text: str) -> list[tuple[str, str]]:
    return [(text[m.start : m.end], m.term.en) for m in GLOSSARY.find(text)]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("وصلوا إلى دير الزور", [("دير الزور", "Deir ez-Zor")]),
        ("وبدير الزور قتلى", [("دير الزور", "Deir ez-Zor")]),  # و + ب
        ("فلدير الزور", [("دير الزور", "Deir ez-Zor")]),  # ف + ل
        ("وَبِدِيـــرِ الزُّورِ", [("دِيـــرِ الزُّورِ", "Deir ez-Zor")]),  # tashkeel, tatweel
        ("للأمم المتحدة", [("أمم المتحدة", "the United Nations")]),  # ل + ال as لل
        ("والامم المتحده", [("الامم المتحده", "the United Nations")]),  # bare alef, ha
        ("كالأمم", [("الأمم", "nations")]),
        ("بالبوكمال", [("البوكمال", "Albu Kamal")]),
        ("البوكمال والبوكمال", [("البوكمال", "Albu Kamal")] * 2),
        ("ديرالزور.. روسيا", [("ديرالزور", "Deir ez-Zor")]),  # written without its space
    ],
)
def test_terms_are_found_through_clitics_and_spelling_variants(text, expected):
    assert found(text) == expected


def test_the_longest_entry_wins_and_others_are_not_matched():
    assert found("الأمم المتحدة والأمم") == [
        ("الأمم المتحدة", "the United Nations"),
        ("الأمم", "nations"),
    ]
    assert found("دير الزوري الزور دير") == []
    assert found("مستشفى الزور") == []


def test_ya_and_alef_maqsura_are_one_letter():
    glossary = Glossary([Term("مستشفى الرازي", "Al-Razi Hospital")])
    assert [m.term.en for m in glossary.find("في مستشفي الرازى")] == ["Al-Razi Hospital"]


def test_enforce_replaces_the_attended_words_and_keeps_clitic_english():
    # "and in Deir Zor" attending to source tokens 0 (وب) and 1..2 (the term)
    tokens = ["▁And", "▁in", "▁De", "ir", "▁Zor", "."]
    attention = [
        [0.9, 0.05, 0.05],
        [0.8, 0.1, 0.1],
        [0.1, 0.8, 0.1],
        [0.1, 0.8, 0.1],
        [0.1, 0.1, 0.8],
        [0.4, 0.3, 0.3],
    ]
    assert enforce(tokens, attention, [(1, 3, DEIR)]) == "And in Deir ez-Zor."


def test_enforce_does_not_double_the_article_and_sets_the_glossary_spelling():
    tokens = ["▁the", "▁un", "ited", "▁nations", "▁said"]
    attention = [[0.5, 0.5], [0.9, 0.1], [0.9, 0.1], [0.9, 0.1], [0.1, 0.9]]
    assert enforce(tokens, attention, [(0, 1, UN)]) == "The United Nations said"


def test_enforce_inserts_a_term_no_word_attends_to():
    tokens = ["▁They", "▁went", "▁there", "."]
    attention = [[0.1, 0.9, 0.0], [0.1, 0.9, 0.0], [0.1, 0.8, 0.1], [0.3, 0.3, 0.4]]
    out = enforce(tokens, attention, [(2, 3, BUKAMAL)])
    assert out.count("Albu Kamal") == 1


def test_every_occurrence_gets_its_term_with_a_real_model(tiny_model_dir):
    translator = Translator(tiny_model_dir, TranslatorOptions(device="cpu", beam_size=2))
    sentences = [
        "قال الأمين العام للأمم المتحدة إن الوضع في دير الزور خطير.",
        "وصلت القوات إلى البوكمال وبدير الزور أمس.",
        "البوكمال مدينة، والبوكمال قريبة من دير الزور.",
    ]
    for sentence in sentences:
        pieces = translator.prepare(sentence)
        outputs = translator.translate_pieces(pieces, attention=True)
        for piece, output in zip(pieces, outputs, strict=True):
            spans = piece_spans(piece, GLOSSARY)
            text = apply_terms(output, spans).text
            for term in {s[2] for s in spans}:
                wanted = sum(1 for s in spans if s[2] == term)
                assert text.lower().count(term.en.lower()) >= wanted, (sentence, text)


def test_two_occurrences_give_the_term_twice_even_side_by_side():
    rna = Term("الريبوزي", "RNA")
    attention = [[0.1, 0.9, 0.0], [0.1, 0.1, 0.8], [0.1, 0.1, 0.8]]
    assert enforce(["▁from", "▁R", "NA"], attention, [(1, 2, rna), (2, 3, rna)]) == "from RNA RNA"


def test_a_term_written_inside_a_hyphened_name_is_left_as_the_model_wrote_it():
    nineteen = Term("19", "19")  # the number of "كوفيد 19", written apart in the source
    attention = [[0.1, 0.9], [0.2, 0.8], [0.9, 0.1]]
    tokens = ["▁COVID", "-19", "▁cases"]
    assert enforce(tokens, attention, [(1, 2, nineteen)]) == "COVID-19 cases"
    # Not inside a longer number: "2019" does not hold "19".
    assert enforce(["▁in", "▁2019"], [[0.9, 0.1], [0.1, 0.9]], [(1, 2, nineteen)]) == "in 19"


def test_a_number_replaces_the_models_wrong_number_and_never_a_word():
    thirty = Term("30", "30")
    # The model wrote a wrong number: it gives way.
    attention = [[0.9, 0.1], [0.1, 0.9], [0.8, 0.2]]
    assert enforce(["▁for", "▁35", "▁days"], attention, [(1, 2, thirty)]) == "for 30 days"
    # It wrote none, and a word attends to the number: the number goes beside the word.
    tokens = ["▁the", "▁medical", "▁supplies"]
    assert enforce(tokens, attention, [(1, 2, thirty)]) == "the medical 30 supplies"


class _ShortInput(Translator):
    """The tiny model with an input limit short enough that sentences must be cut."""

    @property
    def max_source_pieces(self) -> int:
        return 16


def test_a_long_sentence_is_never_cut_inside_a_term(tiny_model_dir):
    translator = _ShortInput(tiny_model_dir, TranslatorOptions(device="cpu", beam_size=1))
    fda = Glossary([Term("إدارة الغذاء والدواء", "FDA")])
    sentence = "، ".join(["قالت إدارة الغذاء والدواء الأمريكية إن الدواء آمن"] * 4)
    keep = [(m.start, m.end) for m in fda.find(clean_source(sentence))]
    assert len(keep) == 4
    pieces = translator.prepare(sentence, keep)
    assert len(pieces) > 4
    assert sum(len(piece_spans(p, fda)) for p in pieces) == 4
