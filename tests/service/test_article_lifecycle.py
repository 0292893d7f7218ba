"""Listing, idempotent jobs and failures, through the API and a real worker."""

from __future__ import annotations

import asyncio
import uuid

from sqlalchemy import func, select

from service.queue import connect, enqueue_article
from service.storage.tables import Article, ParagraphPair, SentencePair
from tests.conftest import run_worker_burst
from workers.jobs import translate_article
from workers.settings import shutdown, startup

TEXT = (
    "عنوان قصير\n\nقال الوزير إن الحكومة ستدعم المزارعين. وأضاف أن الدعم سيبدأ قريبا.\n"
    "انتهى الاجتماع مساء أمس."
)


async def submit(client, **extra) -> str:
    response = await client.post("/v1/articles", json={"text": TEXT, **extra})
    assert response.status_code == 202, response.text
    return response.json()["id"]


async def _count(table, session, article_id: str) -> int:
    """Rows of `table` (paragraph or sentence pairs) stored for one article."""
    query = select(func.count()).select_from(table).where(table.article_id == article_id)
    return await session.scalar(query)


async def test_list_filters_by_status_and_paginates(client, settings):
    ids = [await submit(client, external_id=f"e{i}") for i in range(3)]
    page = (await client.get("/v1/articles", params={"limit": 2})).json()
    assert [a["id"] for a in page["items"]] == ids[::-1][:2]
    params = {"limit": 2, "cursor": page["next_cursor"]}
    rest = (await client.get("/v1/articles", params=params)).json()
    assert rest["items"][0]["id"] == ids[0]

    await run_worker_burst(settings)
    done = (await client.get("/v1/articles", params={"status": "done", "limit": 200})).json()
    assert set(ids) <= {a["id"] for a in done["items"]}
    queued = (await client.get("/v1/articles", params={"status": "queued", "limit": 200})).json()
    assert not set(ids) & {a["id"] for a in queued["items"]}


async def test_summary_sentences_is_honoured(client, settings):
    article_id = await submit(client, summary_sentences=2, title="عنوان")
    await run_worker_burst(settings)
    article = (await client.get(f"/v1/articles/{article_id}")).json()
    assert article["title"]["ar"] == "عنوان"
    # With an explicit title, the first paragraph stays in the body.
    assert article["paragraphs"][0]["ar"] == "عنوان قصير"
    assert len(article["summary"]["sentences"]) == 2


async def test_rerunning_the_job_leaves_one_set_of_results(client, settings):
    article_id = await submit(client, force=True)
    await run_worker_burst(settings)
    first = (await client.get(f"/v1/articles/{article_id}")).json()

    ctx = {"settings": settings}
    await startup(ctx)
    try:
        # A finished article is skipped; one put back to running is redone cleanly.
        assert await translate_article(ctx, article_id) == "skipped: not queued"
        async with ctx["sessions"]() as session, session.begin():
            query = select(Article).where(Article.id == article_id)
            row = (await session.execute(query)).scalar_one()
            row.status = "running"
        assert await translate_article(ctx, article_id) == "done"
        async with ctx["sessions"]() as session:
            paragraphs = await _count(ParagraphPair, session, article_id)
            sentences = await _count(SentencePair, session, article_id)
    finally:
        await shutdown(ctx)
    assert paragraphs == len(first["paragraphs"])
    assert sentences == sum(len(p["sentences"]) for p in first["paragraphs"])
    again = (await client.get(f"/v1/articles/{article_id}")).json()
    assert [p["ar"] for p in again["paragraphs"]] == [p["ar"] for p in first["paragraphs"]]


async def test_two_runs_of_one_job_store_one_result(client, settings):
    article_id = await submit(client, force=True)
    ctx = {"settings": settings, "reconcile": False}
    await startup(ctx)
    try:
        # Both runs start (a running article may be taken over); the later one to finish
        # finds it done and stores nothing.
        outcomes = await asyncio.gather(
            translate_article(ctx, article_id), translate_article(ctx, article_id)
        )
        async with ctx["sessions"]() as session:
            paragraphs = await _count(ParagraphPair, session, article_id)
    finally:
        await shutdown(ctx)
    assert sorted(outcomes) == ["done", "skipped: finished meanwhile"]
    article = (await client.get(f"/v1/articles/{article_id}")).json()
    assert article["status"] == "done"
    assert paragraphs == len(article["paragraphs"]) == 2


async def test_a_model_error_ends_failed_with_a_reason(client, settings):
    unique = f"{TEXT}\nرقم المرجع {uuid.uuid4().int % 10**12}."  # not in the translation memory
    response = await client.post("/v1/articles", json={"text": unique})
    article_id = response.json()["id"]
    ctx = {"settings": settings}
    await startup(ctx)
    try:
        ctx["translator"].unload()  # a real engine error: the model is gone
        assert await translate_article(ctx, article_id) == "failed"
    finally:
        await shutdown(ctx)
    article = (await client.get(f"/v1/articles/{article_id}")).json()
    assert article["status"] == "failed"
    assert "RuntimeError" in article["error"] and "unloaded" in article["error"]
    assert article["finished_at"] is not None


async def test_enqueueing_twice_runs_once(client, settings):
    article_id = await submit(client)
    redis = await connect(settings)
    try:
        assert await enqueue_article(redis, article_id, "interactive") is False
    finally:
        await redis.aclose()
    await run_worker_burst(settings)
    article = (await client.get(f"/v1/articles/{article_id}")).json()
    assert article["status"] == "done" and article["attempts"] == 1


async def test_identical_article_reuses_the_stored_result(client, settings):
    first_id = await submit(client, external_id="original", force=True)
    await run_worker_burst(settings)
    second_id = await submit(client, external_id="copy")
    forced_id = await submit(client, external_id="forced", force=True)
    await run_worker_burst(settings)
    first, second, forced = [
        (await client.get(f"/v1/articles/{i}")).json() for i in (first_id, second_id, forced_id)
    ]
    assert second["status"] == "done" and second["reused_from"] == first_id
    assert forced["reused_from"] is None
    assert [p["en"] for p in second["paragraphs"]] == [p["en"] for p in first["paragraphs"]]
    assert second["summary"]["text"] == first["summary"]["text"]
