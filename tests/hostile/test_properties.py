"""Property tests on hostile text: segmentation and alignment lose, add and reorder nothing.

The alphabet mixes Arabic with everything the API accepts that could confuse a splitter:
control characters, every kind of line break, zero-width and bidi controls, presentation
forms, emoji, digits and punctuation of both scripts.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from models.translator import Translation
from workers.pipeline import ModelInfo, assemble_result, segment_article
from workers.segment import split_paragraphs, split_sentences

ARABIC = "ابتثجحخدذرزسشصضطظعغفقكلمنهويءآأإؤئةى"
HOSTILE = (
    ARABIC
    + ".!?؟؛،,:;…\"'“”«»()[]<>&%$#*-_=+/\\|"
    + "0123456789٠١٢٣٤٥٦٧٨٩"
    + " \t\n\r\x0b\x0c\x1c\x1d\x1e\x1f\x85\u2028\u2029\u00a0\u3000"
    + "\x01\x07\x1b\x7f\x9b"
    + "\u200b\u200c\u200d\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
    + "\ufeff\u061c\u0640\u00ad"
    + "\ufe8d\ufe91\ufedf\ufefb\ufdf2\ufb50\ufc5e"
    + "😀🇸🇾👍🏽"
    + "abcXYZ"
)
hostile_text = st.text(alphabet=HOSTILE, max_size=300) | st.text(max_size=120)
MODEL = ModelInfo("property-model", "int8")


def squash(text: str) -> str:
    return "".join(text.split())


def assert_ordered_cover(whole: str, parts: list[str]) -> None:
    """`parts` are stripped, non-empty substrings of `whole`, in order, covering it all
    but whitespace."""
    cursor = 0
    for part in parts:
        assert part and part == part.strip()
        found = whole.find(part, cursor)
        assert found >= cursor, (part, whole)
        assert not whole[cursor:found].strip()
        cursor = found + len(part)
    assert not whole[cursor:].strip()


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(hostile_text)
def test_segmenter_covers_hostile_text_in_order(text):
    paragraphs = split_paragraphs(text)
    assert squash("".join(paragraphs)) == squash(text)
    for paragraph in paragraphs:
        sentences = split_sentences(paragraph)
        assert sentences
        assert_ordered_cover(paragraph, sentences)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    hostile_text,
    st.one_of(st.none(), st.text(alphabet=HOSTILE, min_size=1, max_size=40)),
    st.one_of(st.none(), st.integers(1, 50)),
)
def test_every_sentence_lands_in_one_pair_with_its_translation(text, title, summary_size):
    segmented = segment_article(text, title)
    units = segmented.units
    translations = [Translation(text=f"T{i}", confidence=0.5) for i in range(len(units))]
    result = assemble_result(
        segmented, translations, summary_sentences=summary_size, model=MODEL, translate_ms=1.0
    )

    offset = 1 if segmented.title else 0
    assert result.title_ar == segmented.title
    assert result.title_en == ("T0" if segmented.title else None)
    # Paragraph pairs, in order, each holding exactly its sentences.
    assert [p.index for p in result.paragraphs] == list(range(len(result.paragraphs)))
    assert [p.ar for p in result.paragraphs] == segmented.paragraphs
    flat = [s for p in result.paragraphs for s in p.sentences]
    assert [s.ar for s in flat] == units[offset:]
    # Each sentence's translation is the one made for it: same position, nothing shifted.
    assert [s.en for s in flat] == [f"T{i}" for i in range(offset, len(units))]
    for paragraph in result.paragraphs:
        assert [s.index for s in paragraph.sentences] == list(range(len(paragraph.sentences)))
        assert_ordered_cover(paragraph.ar, [s.ar for s in paragraph.sentences])
        assert paragraph.en == " ".join(s.en for s in paragraph.sentences)
    # Nothing of the text is lost: headline (if detected) and paragraphs cover it.
    covered = (segmented.title if segmented.title_detected else "") + "".join(segmented.paragraphs)
    assert squash(covered) == squash(text)
    # The summary is made of the article's own sentences, in document order.
    chosen = [(p.index, s.index) for p in result.paragraphs for s in p.sentences if s.in_summary]
    assert len(chosen) == sum(s.in_summary for s in flat)
    if summary_size is not None:
        assert len(chosen) <= summary_size
