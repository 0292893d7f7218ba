"""Sentence splitting: every boundary a reader sees, none inside numbers, abbreviations,
initials, URLs or e-mail addresses; nothing dropped, nothing reordered."""

from __future__ import annotations

import textwrap

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import sample_text
from workers.segment import split_headline, split_paragraphs, split_sentences

ARABIC_ALPHABET = "ابتثجحخدذرزسشصضطظعغفقكلمنهوي" + "ءآأإؤئة"
PUNCTUATION = ".!?؟؛،,:…\"'“”«»()"


def squash(text: str) -> str:
    return "".join(text.split())


def test_terminals_split_but_not_decimals_or_commas():
    paragraph = "ارتفع المؤشر 3.5 بالمئة، وفق التقرير. هل هذا صحيح؟ نعم! انتهى؛ ثم بدأ"
    assert split_sentences(paragraph) == [
        "ارتفع المؤشر 3.5 بالمئة، وفق التقرير.",
        "هل هذا صحيح؟",
        "نعم!",
        "انتهى؛ ثم بدأ",
    ]


@pytest.mark.parametrize(
    "paragraph, sentences",
    [
        # Closing quotes and brackets stay with the sentence they close.
        ('قال المتحدث: "القرار نهائي." ثم غادر.', ['قال المتحدث: "القرار نهائي."', "ثم غادر."]),
        ("وقال: «لن نتراجع.» وغادر القاعة.", ["وقال: «لن نتراجع.»", "وغادر القاعة."]),
        ("وقال: “القرار نهائي”. ولن نتراجع.", ["وقال: “القرار نهائي”.", "ولن نتراجع."]),
        (
            "انتهى الاجتماع (بعد ساعتين.) وخرج الوفد.",
            ["انتهى الاجتماع (بعد ساعتين.)", "وخرج الوفد."],
        ),
        ("هل انتهى؟» سأل الصحفي.", ["هل انتهى؟»", "سأل الصحفي."]),
        ("ثم ماذا… لا شيء.", ["ثم ماذا…", "لا شيء."]),
        (
            "ديرالزور.. روسيا تتخلى عن ميليشيات إيران!",
            ["ديرالزور..", "روسيا تتخلى عن ميليشيات إيران!"],
        ),
        ("حقا؟! نعم.", ["حقا؟!", "نعم."]),
        # A sentence may end with a number.
        (
            "وصل عدد الإصابات إلى 2005. وقال الوزير إن الوضع مستقر.",
            ["وصل عدد الإصابات إلى 2005.", "وقال الوزير إن الوضع مستقر."],
        ),
        ("بلغ العدد ١٢٣. وقال المسؤول ذلك.", ["بلغ العدد ١٢٣.", "وقال المسؤول ذلك."]),
        (
            "وقدر المعدل بنحو 5.7. ويتعافى معظم المرضى.",
            ["وقدر المعدل بنحو 5.7.", "ويتعافى معظم المرضى."],
        ),
        # A Latin letter before Arabic text is no initial.
        ("ويرتبط ببروتين S. وفقا لدراسة حديثة.", ["ويرتبط ببروتين S.", "وفقا لدراسة حديثة."]),
        # An era mark after a year ends a sentence too.
        ("ولد عام 1950 م. وتوفي بعد ذلك.", ["ولد عام 1950 م.", "وتوفي بعد ذلك."]),
    ],
)
def test_every_boundary_a_reader_sees(paragraph, sentences):
    assert split_sentences(paragraph) == sentences


@pytest.mark.parametrize(
    "paragraph",
    [
        "ارتفع السعر إلى 3.75 دولار و٢٫٥ بالمئة و1.250.000 ريال في اليوم نفسه.",
        "زوروا الموقع www.example.com/news?id=3 أو https://example.org/a.b.html للمزيد.",
        "راسلونا على info@news.example.com لمزيد من المعلومات.",
        "قالت د. أميرة حنا إن الأطفال بحاجة إلى اللعب.",
        "وقال م. أحمد إن المشروع انتهى.",
        "وصل السيد ج. ك. رولينغ إلى المدينة.",
        "التقى الوزير Mr. Smith and Dr. Jones في الرياض.",
        "أعلنت الولايات المتحدة U.S. عن خطة جديدة.",
        "يعود الأثر إلى عام 300 ق.م تقريبا حسب الباحثين.",
        "انظر الصفحة ص. 25 من التقرير.",
        "1. البند الأول من القائمة.",
    ],
)
def test_no_boundary_inside_numbers_abbreviations_urls_or_initials(paragraph):
    assert split_sentences(paragraph) == [paragraph]


def test_a_lower_case_word_after_a_dot_goes_on_with_the_sentence():
    assert split_sentences("The value is approx. ten times higher.") == [
        "The value is approx. ten times higher."
    ]


def test_leading_punctuation_joins_the_first_sentence():
    assert split_sentences("!!! انتبهوا. الخبر عاجل.") == ["!!! انتبهوا.", "الخبر عاجل."]


def test_a_very_long_sentence_is_one_sentence_and_whole():
    # Splitting it to fit the model is the translator's business, and it drops nothing.
    paragraph = " ".join(["كلمة"] * 3000) + "، " + " ".join(["أخرى"] * 3000) + "."
    assert split_sentences(paragraph) == [paragraph]


def test_sy24_headline_is_detected():
    text = sample_text("sy24-deir-ez-zor.txt")
    title, body = split_headline(text)
    assert title == text.splitlines()[0].strip()
    assert body == split_paragraphs(text)[1:]


def test_hard_wrapped_first_line_is_not_a_headline():
    text = sample_text("easc-topic019.txt")
    title, body = split_headline(text)
    assert title is None
    assert body == split_paragraphs(text)
    assert body[0].startswith(text.splitlines()[0].strip() + " ")


arabic_text = st.text(alphabet=ARABIC_ALPHABET + PUNCTUATION + "0123456789 \n\u00a0", max_size=400)


def assert_covers_in_order(paragraph: str, sentences: list[str]) -> None:
    assert all(s and s == s.strip() for s in sentences)
    assert squash("".join(sentences)) == squash(paragraph)
    cursor = 0  # each sentence starts where the previous one ended
    for sentence in sentences:
        found = paragraph.find(sentence, cursor)
        assert found >= cursor and not paragraph[cursor:found].strip()
        cursor = found + len(sentence)


@settings(max_examples=200, deadline=None)
@given(arabic_text)
def test_every_character_lands_in_one_sentence_in_order(text):
    paragraphs = split_paragraphs(text)
    assert squash("".join(paragraphs)) == squash(text)
    for paragraph in paragraphs:
        assert_covers_in_order(paragraph, split_sentences(paragraph))


sentence = st.builds(
    lambda words, end: " ".join(words) + end,
    st.lists(st.text(alphabet=ARABIC_ALPHABET, min_size=1, max_size=9), min_size=1, max_size=25),
    st.sampled_from([".", "!", "؟", "?", "…", '."', ".»", "؟»", ".)", "", "..."]),
)


@settings(max_examples=150, deadline=None)
@given(
    st.lists(st.lists(sentence, min_size=1, max_size=6), min_size=1, max_size=6),
    st.integers(min_value=60, max_value=100),
)
def test_wrapped_articles_give_back_their_paragraphs_and_text(paragraphs, width):
    """Hard-wrapped or not, joining the sentences gives each paragraph, and joining the
    paragraphs gives the document."""
    texts = [" ".join(p) for p in paragraphs]
    for document in ("\n\n".join(texts), "\n\n".join(textwrap.fill(t, width) for t in texts)):
        found = split_paragraphs(document)
        assert squash("".join(found)) == squash(document)
        for paragraph in found:
            assert_covers_in_order(paragraph, split_sentences(paragraph))
        assert len(found) >= len(texts)  # blank lines always separate paragraphs


@settings(max_examples=100, deadline=None)
@given(arabic_text)
def test_headline_and_body_cover_the_text(text):
    title, body = split_headline(text)
    assert squash((title or "") + "".join(body)) == squash(text)
