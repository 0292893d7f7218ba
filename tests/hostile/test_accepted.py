"""Hostile input that is valid: stored verbatim, translated by a real worker, and every
character of it accounted for in the result (never a 500, never a stuck job)."""

from __future__ import annotations

import time
import unicodedata

import pytest

from models.options import TranslatorOptions
from models.translator import Translator, clean_source
from tests.conftest import run_worker_burst
from tests.hostile.accounting import assert_accounted_for
from workers.segment import split_paragraphs

SENTENCE = "قال الوزير إن الحكومة ستدعم المزارعين."
WORDS = "الحكومة تدعم المزارعين في المناطق الريفية مع بداية الموسم الزراعي الجديد حسب الخطة"
LONG_SENTENCE = " ".join(WORDS.split()[i % len(WORDS.split())] for i in range(2000))
PARAGRAPHS_MANY = 10_000
# A letter's presentation form (FB50-FDFF, FE70-FEFF) for each standard letter that has one.
PRESENTATION_FORM = {}
for _code in [*range(0xFB50, 0xFE00), *range(0xFE70, 0xFF00)]:
    _standard = unicodedata.normalize("NFKC", chr(_code))
    if len(_standard) == 1 and unicodedata.category(_standard).startswith("L"):
        PRESENTATION_FORM.setdefault(_standard, chr(_code))


def in_presentation_forms(text: str) -> str:
    return "".join(PRESENTATION_FORM.get(ch, ch) for ch in text)


async def translate(client, settings, body: dict) -> dict:
    response = await client.post("/v1/articles", json=body)
    assert response.status_code == 202, response.text
    await run_worker_burst(settings)
    article = await client.get(f"/v1/articles/{response.json()['id']}")
    assert article.status_code == 200
    return article.json()


CASES = {
    "control-characters": (
        "قال الوزير\x01 إن\x07 الحكومة\x1b ستدعم\x7f المزارعين\x9b والصيادين\x0b معا.\x0c"
        " وأضاف\x1f أن الدعم\x08 سيبدأ\x85قريبا.\nفقرة\x1c ثانية\x1e هنا."
    ),
    "zero-width-and-bidi": (
        "قال\u200b الوزير\u202e إن الحكومة\u200f ستدعم\u2066 المزارعين\u2069.\ufeff"
        " وأضاف\u200d أن الدعم\u202d سيبدأ\u061c قريبا.\n\u202e\u200b\n\u2067خبر\u2069 آخر."
    ),
    "presentation-forms": in_presentation_forms(SENTENCE) + "\n\ufdf2 \ufefb \ufdfa أكبر.",
    "html-and-script": (
        '<p onclick="alert(1)">قال الوزير <b>إن</b> الحكومة</p>\n'
        "<script>fetch('/v1/keys').then(r => r.text())</script> ستدعم المزارعين.\n"
        "<img src=x onerror=alert(document.cookie)> &lt;تم&gt; &amp; انتهى"
    ),
    "sql-injection": (
        "قال الوزير'); DROP TABLE articles; -- إن الحكومة\n"
        "\" OR 1=1 -- ستدعم ' UNION SELECT key_hash FROM api_keys -- المزارعين;\n"
        "Robert'); DELETE FROM sentence_pairs WHERE ('1'='1 انتهى"
    ),
    "line-separators": "سطر أول\r\nسطر ثان\rسطر ثالث\u2028سطر رابع\u2029سطر خامس\x85سطر سادس",
    "mixed-scripts-digits-emoji": (
        "😀 قال 12 وزيرا ١٢ 🇸🇾 إن English words و 3.14 %!\n\n🔥🔥\nانتهى."
    ),
    "punctuation-storm": "!!!؟؟؟...،،،؛؛؛ قال.........الوزير؟!؟! «إن» (الحكومة) [ستدعم] ...\n.....",
    "one-letter": "ق",
    "long-word": "ق" * 5000 + " " + "ب" * 3000,
}


@pytest.mark.parametrize("name", list(CASES))
async def test_accepted_hostile_text_is_translated_whole(client, settings, name):
    text = CASES[name]
    article = await translate(client, settings, {"text": text})
    assert_accounted_for(text, article, title_given=False)


async def test_fields_are_stored_and_returned_verbatim(client, settings):
    title = "<script>alert('عنوان')</script> ' OR '1'='1"
    text = CASES["html-and-script"]
    body = {
        "text": text,
        "title": title,
        "external_id": "1' OR '1'='1; --",
        "source_url": "javascript:alert(document.cookie)//'><script>",
    }
    article = await translate(client, settings, body)
    assert article["title"]["ar"] == title
    assert article["external_id"] == body["external_id"]
    assert article["source_url"] == body["source_url"]
    assert [p["ar"] for p in article["paragraphs"]] == split_paragraphs(text)
    assert_accounted_for(text, article, title_given=True)
    # Still everything there: the tables were not dropped by anyone.
    listed = await client.get("/v1/articles", params={"limit": 200})
    assert article["id"] in {a["id"] for a in listed.json()["items"]}


async def test_presentation_forms_are_kept_as_sent_and_normalised_for_the_model(client, settings):
    text = in_presentation_forms(SENTENCE)
    assert text != SENTENCE
    assert clean_source(text) == clean_source(SENTENCE) == SENTENCE
    assert clean_source("\ufdf2 \ufefb") == "الله لا"
    article = await translate(client, settings, {"text": text, "title": "عنوان"})
    assert article["paragraphs"][0]["ar"] == text  # the Arabic stays as it was sent


def test_the_translator_strips_invisibles_and_controls():
    dirty = "قال\u200b الوزير\u202e إن\u2066 الحكومة\u2069\ufeff\x07 ستدعم\u00ad\u0640 المزارعين"
    assert clean_source(dirty) == "قال الوزير إن الحكومة ستدعم المزارعين"
    assert clean_source("\u202e\u200b\x01") == ""


async def test_a_2000_word_sentence_is_translated_in_pieces(client, settings, tiny_model_dir):
    article = await translate(client, settings, {"text": LONG_SENTENCE, "title": "عنوان"})
    assert_accounted_for(LONG_SENTENCE, article, title_given=True)
    (paragraph,) = article["paragraphs"]
    (sentence,) = paragraph["sentences"]
    assert sentence["ar"] == LONG_SENTENCE
    options = TranslatorOptions(device="cpu", intra_threads=1, beam_size=1)
    translator = Translator(tiny_model_dir, options)
    pieces = translator.split_to_fit(clean_source(LONG_SENTENCE))
    assert len(pieces) > 1
    assert all(len(p) <= translator.max_source_pieces for p in pieces)
    tokens = translator._source_sp.encode(clean_source(LONG_SENTENCE))
    assert sum(len(p) for p in pieces) == len(tokens)


@pytest.mark.slow
async def test_ten_thousand_one_word_paragraphs(client, settings):
    text = "\n".join(f"كلمة{n}" for n in range(PARAGRAPHS_MANY))
    started = time.monotonic()
    article = await translate(client, settings, {"text": text, "title": "عنوان"})
    elapsed_s = time.monotonic() - started
    assert len(article["paragraphs"]) == PARAGRAPHS_MANY
    assert [p["ar"] for p in article["paragraphs"]] == split_paragraphs(text)
    assert_accounted_for(text, article, title_given=True)
    assert elapsed_s < 120, f"{PARAGRAPHS_MANY} paragraphs took {elapsed_s:.0f} s"
