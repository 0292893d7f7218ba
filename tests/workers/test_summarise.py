"""Summariser invariants (a subset of the candidates, in order, of the asked length) and choices."""

from __future__ import annotations

import math
import time

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from workers.arabic_text import light_stem, normalise, tokens
from workers.segment import split_paragraphs, split_sentences
from workers.summarise import (
    MAX_SUMMARY_SENTENCES,
    Candidate,
    default_length,
    summarise,
)

ARTICLE = """\
عمان - الرأي - أعلنت وزارة المياه اليوم خطة جديدة لتوزيع المياه على المحافظات خلال فصل الصيف.
وقالت الوزارة إن خطة توزيع المياه تشمل حفر آبار جديدة وإصلاح شبكات المياه القديمة.
وأضاف الوزير أن الخطة تهدف إلى تقليل الفاقد من المياه في الشبكات.
الطقس معتدل.
وتعاني المحافظات الشمالية من نقص حاد في المياه منذ سنوات بسبب قلة الأمطار.
وكانت الحكومة قد خصصت مبلغا كبيرا لمشاريع المياه في موازنة العام الحالي.
Share on Facebook
"""

WORDS = [
    "الحكومة", "المياه", "خطة", "وزارة", "أعلنت", "جديدة", "المحافظات", "الشبكات",
    "السوق", "الأسهم", "ارتفع", "المؤشر", "في", "من", "على", "إلى", "2024", "بيتهوفن",
]  # fmt: skip


def build(text: str, en: str = "") -> list[Candidate]:
    return [
        Candidate(p, s, sentence, en)
        for p, paragraph in enumerate(split_paragraphs(text))
        for s, sentence in enumerate(split_sentences(paragraph))
    ]


def keys(chosen: list[Candidate]) -> list[tuple[int, int]]:
    return [(c.paragraph, c.sentence) for c in chosen]


sentence_text = st.lists(st.sampled_from(WORDS), max_size=12).map(" ".join)
english_text = st.sampled_from(["", "water plan", "the government announced"])
candidate_lists = st.lists(st.tuples(sentence_text, english_text), max_size=40).map(
    lambda rows: [Candidate(i // 3, i % 3, ar, en) for i, (ar, en) in enumerate(rows)]
)


@settings(max_examples=200, deadline=None)
@given(candidate_lists, st.integers(min_value=1, max_value=60))
def test_a_subset_of_the_asked_length_in_document_order(candidates, sentences):
    chosen = summarise(candidates, sentences=sentences)
    positions = [candidates.index(c) for c in chosen]
    assert len(chosen) == min(sentences, len(candidates), MAX_SUMMARY_SENTENCES)
    assert positions == sorted(set(positions))  # unique, in document order
    assert summarise(candidates, sentences=sentences) == chosen  # deterministic


@settings(max_examples=100, deadline=None)
@given(candidate_lists, st.floats(min_value=0.01, max_value=1.0))
def test_ratio_rounds_up_to_at_least_one_sentence(candidates, ratio):
    chosen = summarise(candidates, ratio=ratio)
    expected = min(max(1, math.ceil(len(candidates) * ratio)), MAX_SUMMARY_SENTENCES)
    assert len(chosen) == (expected if candidates else 0)


def test_sentences_wins_over_ratio_and_default_is_a_fifth_up_to_five():
    candidates = build(ARTICLE)
    assert len(summarise(candidates, sentences=2, ratio=1.0)) == 2
    assert len(summarise(candidates)) == default_length(len(candidates)) == 2
    assert [default_length(n) for n in (0, 1, 5, 6, 25, 100)] == [1, 1, 1, 2, 5, 5]


def test_empty_and_single_sentence_input():
    assert summarise([]) == []
    only = Candidate(0, 0, "جملة واحدة فقط.", "")
    assert summarise([only], sentences=3) == [only]


@pytest.mark.parametrize("bad", [{"sentences": 0}, {"ratio": 0.0}, {"ratio": 1.5}])
def test_nonsense_lengths_are_refused(bad):
    with pytest.raises(ValueError):
        summarise(build(ARTICLE), **bad)


def test_picks_the_lede_and_skips_fragments_and_page_furniture():
    candidates = build(ARTICLE)
    chosen = summarise(candidates, sentences=3)
    assert chosen[0] == candidates[0]  # the lede, dateline and all
    texts = [c.ar for c in chosen]
    assert "الطقس معتدل." not in texts
    assert "Share on Facebook" not in texts


def test_fragments_still_fill_the_length_when_nothing_else_is_left():
    candidates = build("عاجل.\nخاص - SY24\nتحديث.")
    assert summarise(candidates, sentences=3) == candidates


def test_near_duplicates_are_not_chosen_twice():
    lede = "أعلنت وزارة المياه اليوم خطة جديدة لتوزيع المياه على المحافظات."
    retyped = "أَعلنت وزارة المياة اليوم خطّة جديدة لتوزيع المياه على المحافظات."
    other = "وتعاني المحافظات الشمالية من نقص حاد في المياه منذ سنوات."
    candidates = [
        Candidate(0, 0, lede, ""),
        Candidate(0, 1, retyped, ""),
        Candidate(1, 0, other, ""),
    ]
    assert keys(summarise(candidates, sentences=2)) == [(0, 0), (1, 0)]


def test_english_side_is_used_when_present():
    # Two late sentences with the same Arabic words: only the English tells that the second
    # is on the lede's topic. Content outweighs position only between near neighbours, and
    # the fragments before them are chosen last.
    lede = Candidate(
        0, 0, "أعلنت الحكومة خطة جديدة للمياه اليوم.", "Government announces new water plan today."
    )
    fillers = [Candidate(1, s, "تحديث.", "Update.") for s in range(20)]
    body = "نص عربي يكفي ليكون جملة"
    off_topic = Candidate(2, 0, body + ".", "Weekend football league results.")
    on_topic = Candidate(2, 1, body + "!", "Government announces new water plan.")
    candidates = [lede, *fillers, off_topic, on_topic]
    assert summarise(candidates, sentences=2) == [lede, on_topic]
    arabic_only = [Candidate(c.paragraph, c.sentence, c.ar, "") for c in candidates]
    assert keys(summarise(arabic_only, sentences=2)) == [(0, 0), (2, 0)]


def test_a_long_article_takes_milliseconds():
    candidates = build(ARTICLE * 60)
    started = time.perf_counter()
    summarise(candidates, sentences=10)
    assert time.perf_counter() - started < 1.0


def test_normalisation_unifies_what_typists_vary():
    assert normalise("أَحْمَد إلى مكتبةٍ ٢٠٢٤") == "احمد الي مكتبه 2024"
    assert tokens("السوق-المالية، Share!") == ["السوق", "الماليه", "share"]
    assert {light_stem(t) for t in tokens("الحكومة والحكومة حكومات للحكومة")} == {"حكوم"}
