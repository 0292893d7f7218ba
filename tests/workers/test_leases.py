"""Article leases: a lapsed lease is taken back with its attempt counted, and a run whose
lease was taken gives the article up, so the run holding the lease stores the result."""

from __future__ import annotations

import asyncio

from sqlalchemy import func, select

from service.queue import job_id_for
from service.storage import articles as store
from service.storage.db import transaction
from service.storage.tables import ParagraphPair
from tests.conftest import run_worker_burst
from workers.jobs import translate_article
from workers.reconcile import take_back_lapsed
from workers.settings import shutdown, startup

LONG_TEXT = "\n".join(
    f"قال المتحدث إن الاجتماع رقم {i} انتهى، وأضاف أن النتائج ستعلن قريبا." for i in range(40)
)


async def submit(client, text: str = "قال الوزير إن الحكومة ستدعم المزارعين.") -> str:
    response = await client.post("/v1/articles", json={"text": text, "force": True})
    assert response.status_code == 202, response.text
    return response.json()["id"]


async def article_state(client, article_id: str) -> dict:
    return (await client.get(f"/v1/articles/{article_id}")).json()


async def test_a_lapsed_lease_is_taken_back_and_run_again(client, settings):
    article_id = await submit(client)
    ctx = {"settings": settings, "reconcile": False}
    await startup(ctx)
    try:
        # A worker started the article and died: its lease lapses unrenewed.
        async with transaction(ctx["sessions"]) as session:
            await store.start_article(session, article_id, holder="dead:1:0", lease_s=0)
        # Its job is gone too (as after a Redis restart): the take-back queues it again.
        await ctx["redis"].zrem(settings.queue_name, job_id_for(article_id))
        report = await take_back_lapsed(ctx)
        assert (report.requeued, report.failed) == (1, 0)
        taken = await article_state(client, article_id)
        assert (taken["status"], taken["attempts"]) == ("queued", 1)
        assert await ctx["redis"].zscore(settings.queue_name, job_id_for(article_id))
        # Taken back once only.
        assert (await take_back_lapsed(ctx)).requeued == 0
    finally:
        await shutdown(ctx)
    await run_worker_burst(settings)
    done = await article_state(client, article_id)
    assert (done["status"], done["attempts"]) == ("done", 2)


async def test_a_live_lease_is_left_alone(client, settings):
    article_id = await submit(client)
    ctx = {"settings": settings, "reconcile": False}
    await startup(ctx)
    try:
        async with transaction(ctx["sessions"]) as session:
            await store.start_article(session, article_id, holder="busy:1:0", lease_s=30)
        assert (await take_back_lapsed(ctx)).requeued == 0
    finally:
        await shutdown(ctx)
    assert (await article_state(client, article_id))["status"] == "running"


async def test_an_article_whose_workers_died_too_often_fails_with_a_reason(client, settings):
    article_id = await submit(client)
    ctx = {"settings": settings, "reconcile": False}
    await startup(ctx)
    try:
        for _ in range(settings.job_max_tries):
            async with transaction(ctx["sessions"]) as session:
                await store.start_article(session, article_id, holder="dead:1:0", lease_s=0)
            await take_back_lapsed(ctx)
    finally:
        await shutdown(ctx)
    failed = await article_state(client, article_id)
    assert failed["status"] == "failed"
    assert failed["error"] == (
        f"the worker stopped {settings.job_max_tries} times while translating this article"
    )


async def test_a_run_that_lost_its_lease_gives_the_article_up(client, settings):
    settings = settings.model_copy(update={"translation_memory": False, "fixed_output_tokens": 200})
    article_id = await submit(client, LONG_TEXT)
    hung = {"settings": settings, "reconcile": False}
    other = {"settings": settings, "reconcile": False}
    await startup(hung)
    await startup(other)
    try:
        first = asyncio.create_task(translate_article(hung, article_id))
        while not hung["leases"].holds(article_id):  # started, and translating
            await asyncio.sleep(0.005)
        # Its lease lapsed while it hung; another worker took the article back and runs it.
        async with transaction(other["sessions"]) as session:
            await store.start_article(
                session, article_id, holder=other["leases"].holder, lease_s=30
            )
        await hung["leases"].renew_once()
        assert await asyncio.wait_for(first, 30) == "skipped: lease lost"
        assert await translate_article(other, article_id) == "done"
        async with other["sessions"]() as session:
            paragraphs = await session.scalar(
                select(func.count())
                .select_from(ParagraphPair)
                .where(ParagraphPair.article_id == article_id)
            )
    finally:
        await shutdown(hung)
        await shutdown(other)
    done = await article_state(client, article_id)
    assert done["status"] == "done" and done["attempts"] == 3
    assert paragraphs == len(done["paragraphs"]) == 40
