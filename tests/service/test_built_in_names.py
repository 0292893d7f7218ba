"""Built-in names in translations by a real worker with the shipped model: Latin runs
copied, place names from CLDR, an article's glossary over them, and the settings that turn
each off."""

from __future__ import annotations

import pytest

from models import MODELS_DIR
from tests.conftest import arabic_word, run_worker_burst

SHIPPED = MODELS_DIR / "ar-en-small"


def _text(word: str) -> str:
    """The SY24 article's dateline and a sentence with a number and a city (and a word of
    the test's own, so that the translation memory holds nothing for it yet)."""
    return f"خاص - SY24\n\nقال {word} إن القصف استمر 12 ساعة في دمشق."


def _sentences(article: dict) -> list[dict]:
    return [s for p in article["paragraphs"] for s in p["sentences"]]


async def _translate(client, settings, text: str, **body) -> dict:
    response = await client.post("/v1/articles", json={"text": text, "title": "تقرير", **body})
    assert response.status_code == 202, response.text
    await run_worker_burst(settings)
    article = (await client.get(f"/v1/articles/{response.json()['id']}")).json()
    assert article["status"] == "done", article
    return article


@pytest.fixture
def shipped(settings):
    """The test's settings with the shipped model (its worker shares the test's queue)."""
    return settings.model_copy(update={"model": str(SHIPPED)})


async def test_latin_runs_and_place_names_come_through(client, shipped):
    article = await _translate(client, shipped, _text(arabic_word()))
    headline, sentence = _sentences(article)
    assert "SY24" in headline["en"]
    assert headline["terms"] == [{"ar": "SY24", "en": "SY24"}]
    assert "12" in sentence["en"] and "Damascus" in sentence["en"]
    assert sentence["terms"] == [{"ar": "12", "en": "12"}, {"ar": "دمشق", "en": "Damascus"}]


async def test_the_settings_turn_each_off(client, shipped):
    text = _text(arabic_word())
    no_numbers = shipped.model_copy(update={"copy_numbers": False})
    headline, sentence = _sentences(await _translate(client, no_numbers, text))
    assert "SY24" in headline["en"]
    assert sentence["terms"] == [{"ar": "دمشق", "en": "Damascus"}]

    no_latin = await _translate(
        client, shipped.model_copy(update={"copy_latin": False}), text, force=True
    )
    headline, sentence = _sentences(no_latin)
    # The shipped model invents what it cannot read ("A dog is a 244.").
    assert "SY24" not in headline["en"] and headline["terms"] == []
    assert sentence["terms"] == [{"ar": "دمشق", "en": "Damascus"}]

    off = shipped.model_copy(update={"copy_latin": False, "place_names": False})
    plain = await _translate(client, off, text, force=True)
    assert all(s["terms"] == [] for s in _sentences(plain))


async def test_the_articles_glossary_wins_over_the_place_names(client, shipped):
    entries = [{"ar": "دمشق", "en": "Dimashq"}]
    response = await client.post("/v1/glossaries", json={"name": "own", "entries": entries})
    assert response.status_code == 201, response.text
    article = await _translate(
        client, shipped, _text(arabic_word()), glossary=response.json()["id"]
    )
    headline, sentence = _sentences(article)
    assert "Dimashq" in sentence["en"] and "Damascus" not in sentence["en"]
    assert sentence["terms"] == [{"ar": "12", "en": "12"}, *entries]
    assert "SY24" in headline["en"]  # the built-in terms still hold beneath it
