"""The translation memory learns: a reviewer's correction is what the next article with the
same sentence gets, marked `edited`, without a model call. Through the API and a real worker."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from types import SimpleNamespace

import httpx
import pytest
from sqlalchemy import select

from service.storage.db import create_engine, session_factory
from service.storage.tables import Article, ReviewedMemory
from tests.conftest import arabic_word, http_client, run_worker_burst
from tests.web.test_review_pages import signed_in

FIX = "The minister said the government would support farmers next season."


@pytest.fixture
def words() -> SimpleNamespace:
    """This test's sentences: one to correct, one shared by its articles, the first article."""
    word = arabic_word()
    corrected = f"قال الوزير {word} إن الحكومة ستدعم المزارعين في الموسم المقبل."
    shared = f"وأضاف {word} أن الخطة تشمل جميع المحافظات."
    first = f"الحكومة تعلن خطة لدعم المزارعين\n\n{corrected}\n\n{shared} وختم بالقول إن العمل بدأ."
    return SimpleNamespace(word=word, corrected=corrected, shared=shared, first=first)


@dataclass
class Desk:
    submitter: httpx.AsyncClient
    reviewer: httpx.AsyncClient
    settings: object

    async def translate(self, text: str) -> dict:
        response = await self.submitter.post("/v1/articles", json={"text": text})
        assert response.status_code == 202, response.text
        await run_worker_burst(self.settings)
        article = (await self.submitter.get(f"/v1/articles/{response.json()['id']}")).json()
        assert article["status"] == "done", article
        return article


@pytest.fixture
async def desk(app, make_key, settings) -> AsyncIterator[Desk]:
    async with (
        http_client(app, await make_key("submit", "newsdesk")) as submitter,
        http_client(app, await make_key("review", "Omar Khalil")) as reviewer,
    ):
        yield Desk(submitter, reviewer, settings)


def sentences(article: dict) -> dict[str, dict]:
    return {s["ar"]: s for p in article["paragraphs"] for s in p["sentences"]}


async def stored_counts(settings, article_id: str) -> tuple[int, int]:
    engine = create_engine(settings.database_url)
    try:
        async with session_factory(engine)() as session:
            row = (
                await session.execute(
                    select(Article.unit_count, Article.memory_hits).where(Article.id == article_id)
                )
            ).one()
    finally:
        await engine.dispose()
    return tuple(row)


async def test_a_correction_is_reused_by_the_next_article(desk, words):
    w = words
    first = await desk.translate(w.first)
    assert sentences(first)[w.corrected]["provenance"] == "machine"
    response = await desk.reviewer.patch(
        f"/v1/articles/{first['id']}/paragraphs/0/sentences/0", json={"en": FIX}
    )
    assert response.status_code == 200, response.text

    # Another article: the corrected sentence, one the model translated before, a new one.
    second = await desk.translate(
        f"أخبار المحافظات\n\nوصلت الأمطار {w.word} إلى الشمال. {w.corrected}\n\n{w.shared}"
    )
    assert second["reused_from"] is None
    found = sentences(second)
    reused = found[w.corrected]
    assert (reused["en"], reused["provenance"], reused["edited"]) == (FIX, "edited", True)
    assert reused["confidence"] is None
    assert found[w.shared]["provenance"] == "memory"
    assert found[w.shared]["en"] == sentences(first)[w.shared]["machine_en"]
    assert found[f"وصلت الأمطار {w.word} إلى الشمال."]["provenance"] == "machine"
    assert FIX in second["paragraphs"][0]["en"]
    # Reusing a reviewed entry is no correction of this article: its audit trail is empty.
    trail = await desk.reviewer.get(f"/v1/articles/{second['id']}/edits")
    assert trail.json()["items"] == []


async def test_an_article_of_corrected_sentences_needs_no_model_call(desk, words):
    w = words
    first = await desk.translate(w.first)
    await desk.reviewer.patch(
        f"/v1/articles/{first['id']}/paragraphs/0/sentences/0", json={"en": FIX}
    )
    only = await desk.translate(f"{w.corrected}\n\n{w.corrected}")
    assert [s["en"] for p in only["paragraphs"] for s in p["sentences"]] == [FIX, FIX]
    units, hits = await stored_counts(desk.settings, only["id"])
    assert units == hits == 2  # every unit came from the memory: nothing was translated


async def test_the_latest_correction_wins_and_outranks_a_reused_article(desk, words):
    w = words
    first = await desk.translate(w.first)
    url = f"/v1/articles/{first['id']}/paragraphs/0/sentences/0"
    await desk.reviewer.patch(url, json={"en": "A first attempt."})
    await desk.reviewer.patch(url, json={"en": FIX})

    # The identical article reuses the first one's result, with the reviewer's English.
    again = await desk.translate(w.first)
    assert again["reused_from"] == first["id"]
    reused = sentences(again)[w.corrected]
    assert (reused["en"], reused["provenance"]) == (FIX, "edited")

    # ...and `force`, which translates again, still does not undo a reviewer's work.
    response = await desk.submitter.post("/v1/articles", json={"text": w.first, "force": True})
    await run_worker_burst(desk.settings)
    forced = (await desk.submitter.get(f"/v1/articles/{response.json()['id']}")).json()
    assert sentences(forced)[w.corrected]["en"] == FIX


async def test_the_correction_is_stored_as_a_reviewed_entry(desk, words):
    w = words
    first = await desk.translate(w.first)
    await desk.reviewer.patch(
        f"/v1/articles/{first['id']}/paragraphs/0/sentences/0", json={"en": FIX}
    )
    engine = create_engine(desk.settings.database_url)
    try:
        async with session_factory(engine)() as session:
            entries = (
                (
                    await session.execute(
                        select(ReviewedMemory).where(ReviewedMemory.article_id == first["id"])
                    )
                )
                .scalars()
                .all()
            )
    finally:
        await engine.dispose()
    assert [(e.source, e.target, e.editor, e.origin) for e in entries] == [
        (w.corrected, FIX, "Omar Khalil", "edit")
    ]


async def test_the_review_page_marks_a_reused_correction_as_edited(app, desk, make_key, words):
    w = words
    first = await desk.translate(w.first)
    await desk.reviewer.patch(
        f"/v1/articles/{first['id']}/paragraphs/0/sentences/0", json={"en": FIX}
    )
    second = await desk.translate(f"عنوان آخر {w.word}\n\n{w.corrected}")
    async with await signed_in(app, await make_key("review")) as browser:
        page = (await browser.get(f"/review/articles/{second['id']}")).text
        corrected_page = (await browser.get(f"/review/articles/{first['id']}")).text
    assert 'data-provenance="edited"' in page
    assert "from-memory" in page
    assert "(edited: a reviewer's English from the translation memory)" in page
    # In the article corrected, the sentence is a correction, not a reuse.
    assert "from-memory" not in corrected_page.split("<tbody>")[1]
    assert "(corrected by a reviewer)" in corrected_page


async def test_a_correction_outranks_the_glossary(desk, words):
    """A reviewer's English is human-checked: it is used as written under a glossary whose
    term the sentence holds, while the article's other sentences get the term enforced."""
    w = words
    first = await desk.translate(w.first)
    response = await desk.reviewer.patch(
        f"/v1/articles/{first['id']}/paragraphs/0/sentences/0", json={"en": FIX}
    )
    assert response.status_code == 200, response.text
    term = {"ar": "المزارعين", "en": "smallholders"}  # in the corrected sentence
    created = await desk.submitter.post(
        "/v1/glossaries", json={"name": "farming", "entries": [term]}
    )
    assert created.status_code == 201, created.text

    other = f"وصلت المساعدات {w.word} إلى المزارعين في الجنوب."
    response = await desk.submitter.post(
        "/v1/articles",
        json={"text": f"{w.corrected}\n\n{other}", "glossary": created.json()["id"]},
    )
    assert response.status_code == 202, response.text
    await run_worker_burst(desk.settings)
    article = (await desk.submitter.get(f"/v1/articles/{response.json()['id']}")).json()
    assert article["status"] == "done", article
    found = sentences(article)
    reused = found[w.corrected]
    assert (reused["en"], reused["provenance"], reused["terms"]) == (FIX, "edited", [])
    enforced = found[other]
    assert enforced["provenance"] == "machine" and enforced["terms"] == [term]
    assert "smallholders" in enforced["en"].lower()
    units, hits = await stored_counts(desk.settings, article["id"])
    assert (units, hits) == (2, 1)  # the reviewed sentence needed no model call
