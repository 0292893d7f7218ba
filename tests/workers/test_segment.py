"""Segmentation invariants: nothing dropped, nothing reordered."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from tests.conftest import SAMPLES_DIR, sample_text
from workers.segment import _split_by_rules, split_headline, split_paragraphs, split_sentences

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
        "انتهى؛",
        "ثم بدأ",
    ]


def test_quotes_stay_with_their_sentence():
    paragraph = "وقال المتحدث: “القرار نهائي. ولن نتراجع”. ثم غادر."
    sentences = split_sentences(paragraph)
    assert sentences[-1] == "ثم غادر."
    assert squash("".join(sentences)) == squash(paragraph)


def test_double_dot_headline_separator_is_not_a_sentence():
    assert split_sentences("ديرالزور.. روسيا تتخلى عن ميليشيات إيران!") == [
        "ديرالزور..",
        "روسيا تتخلى عن ميليشيات إيران!",
    ]


def test_paragraphs_split_on_single_and_blank_lines():
    assert split_paragraphs("أ\nب\r\n\r\nج\u2029د\n  \n") == ["أ", "ب", "ج", "د"]


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


arabic_text = st.text(alphabet=ARABIC_ALPHABET + PUNCTUATION + "0123456789 \n\u00a0", max_size=400)


@settings(max_examples=150, deadline=None)
@given(arabic_text)
def test_every_character_lands_in_one_sentence_in_order(text):
    paragraphs = split_paragraphs(text)
    assert squash("".join(paragraphs)) == squash(text)
    for paragraph in paragraphs:
        sentences = split_sentences(paragraph)
        assert all(s and s == s.strip() for s in sentences)
        assert squash("".join(sentences)) == squash(paragraph)
        # In order: each sentence starts where the previous one ended.
        cursor = 0
        for sentence in sentences:
            found = paragraph.find(sentence, cursor)
            assert found >= cursor and not paragraph[cursor:found].strip()
            cursor = found + len(sentence)


@settings(max_examples=100, deadline=None)
@given(arabic_text)
def test_headline_and_body_cover_the_text(text):
    title, body = split_headline(text)
    assert squash((title or "") + "".join(body)) == squash(text)


no_inner_terminal = st.builds(
    lambda body, end: (body + end).strip(),
    st.text(alphabet=ARABIC_ALPHABET + "،,:\"'“”«»() 0123456789", min_size=1, max_size=200),
    st.text(alphabet=".!?؟؛…”»)\" ", max_size=4),
)


@settings(max_examples=150, deadline=None)
@given(no_inner_terminal)
def test_a_paragraph_without_an_inner_terminal_is_one_sentence_as_the_rules_say(paragraph):
    if paragraph:
        assert split_sentences(paragraph) == [paragraph] == _split_by_rules(paragraph)


def test_sample_articles_split_as_the_rules_split_them():
    texts = [f.read_text(encoding="utf-8") for f in sorted(SAMPLES_DIR.glob("*.txt"))]
    paragraphs = [p for text in texts for p in split_paragraphs(text)]
    assert paragraphs
    assert [split_sentences(p) for p in paragraphs] == [_split_by_rules(p) for p in paragraphs]
