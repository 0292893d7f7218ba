"""Crash tests with real processes: after each fault, every accepted article ends done
exactly once. Runs against PostgreSQL with a private Redis."""

from __future__ import annotations

import json
import signal
import time
import uuid

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from service.storage.tables import Article, ParagraphPair, Summary
from tests.faults.stack import Stack

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
ARTICLES = 30
FINISH_TIMEOUT_S = 180


@pytest.fixture
async def stack(postgres_url, tiny_model_dir, tmp_path, make_key_for):
    env = {
        "DATABASE_URL": postgres_url,
        "TARJAMA_MODEL": str(tiny_model_dir),
        "TARJAMA_QUEUE_NAME": f"tarjama-faults:{uuid.uuid4().hex}",
        "TARJAMA_JOB_TIMEOUT_S": "10",
        "TARJAMA_RECONCILE_INTERVAL_S": "1",
        "TARJAMA_WORKER_MAX_JOBS": "2",
        "TARJAMA_TRANSLATE_THREADS": "1",
        "TARJAMA_BEAM_SIZE": "1",
    }
    stack = Stack(env, tmp_path)
    stack.key = await make_key_for(postgres_url)
    stack.start_redis()
    stack.start_api()
    try:
        yield stack
    finally:
        stack.stop_all()


@pytest.fixture
def make_key_for():
    from service.storage.db import create_engine, session_factory, transaction
    from service.storage.keys import create_key
    from service.storage.tables import KeyRole

    async def make(url: str) -> str:
        engine = create_engine(url)
        try:
            async with transaction(session_factory(engine)) as session:
                return (await create_key(session, "faults", KeyRole.submit))[1]
        finally:
            await engine.dispose()

    return make


def submit_batch(stack: Stack, n: int = ARTICLES) -> tuple[str, list[str]]:
    """A batch of n distinct articles (distinct so no result is reused)."""
    run = uuid.uuid4().hex[:8]
    lines = [
        json.dumps(
            {"text": f"خبر {run} رقم {i}.\nقال المتحدث إن الاجتماع {i} انتهى. وأضاف أن النتائج ستعلن.",
             "external_id": f"{run}-{i}"},
            ensure_ascii=False,
        )
        for i in range(n)
    ]
    with httpx.Client(base_url=stack.api_url, headers={"Authorization": f"Bearer {stack.key}"}) as c:
        response = c.post("/v1/batches", content="\n".join(lines),
                          headers={"content-type": "application/x-ndjson"})
        response.raise_for_status()
        batch_id = response.json()["id"]
        ids = [json.loads(line)["id"] for line in c.get(
            f"/v1/batches/{batch_id}/export", params={"format": "jsonl"}).text.splitlines()]
    return batch_id, ids


def batch_state(stack: Stack, batch_id: str) -> dict:
    with httpx.Client(base_url=stack.api_url, headers={"Authorization": f"Bearer {stack.key}"}) as c:
        return c.get(f"/v1/batches/{batch_id}").json()


def wait_for(stack: Stack, batch_id: str, predicate, what: str) -> dict:
    deadline = time.monotonic() + FINISH_TIMEOUT_S
    while time.monotonic() < deadline:
        state = batch_state(stack, batch_id)
        if predicate(state):
            return state
        time.sleep(0.2)
    raise AssertionError(f"{what} not reached: {batch_state(stack, batch_id)}")


async def assert_done_exactly_once(postgres_url: str, batch_id: str) -> None:
    engine = create_async_engine(postgres_url)
    try:
        async with engine.connect() as conn:
            statuses = (await conn.execute(
                select(Article.status, func.count()).where(Article.batch_id == batch_id)
                .group_by(Article.status)
            )).all()
            paragraph_counts = (await conn.execute(
                select(ParagraphPair.article_id, func.count(), func.count(func.distinct(ParagraphPair.index)))
                .join(Article, Article.id == ParagraphPair.article_id)
                .where(Article.batch_id == batch_id)
                .group_by(ParagraphPair.article_id)
            )).all()
            summaries = await conn.scalar(
                select(func.count()).select_from(Summary).join(Article, Article.id == Summary.article_id)
                .where(Article.batch_id == batch_id)
            )
    finally:
        await engine.dispose()
    assert dict(statuses) == {"done": ARTICLES}
    assert len(paragraph_counts) == ARTICLES
    # Each article: its 2 paragraphs (its first line ends like a sentence, so it is no
    # headline), each stored once.
    assert all(total == distinct == 2 for _, total, distinct in paragraph_counts), paragraph_counts
    assert summaries == ARTICLES


async def test_kill_9_of_a_worker_mid_batch(stack, postgres_url):
    batch_id, _ = submit_batch(stack)
    victim = stack.start_worker()
    wait_for(stack, batch_id, lambda s: s["counts"]["done"] >= 3, "some articles done")
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    stack.start_worker()
    wait_for(stack, batch_id, lambda s: s["finished"], "batch finished")
    await assert_done_exactly_once(postgres_url, batch_id)


async def test_redis_flushall_while_a_batch_is_queued(stack, postgres_url):
    import redis

    batch_id, _ = submit_batch(stack)
    redis.Redis.from_url(stack.env["REDIS_URL"]).flushall()
    stack.start_worker()
    wait_for(stack, batch_id, lambda s: s["finished"], "batch finished after FLUSHALL")
    await assert_done_exactly_once(postgres_url, batch_id)


async def test_restart_of_api_worker_and_redis(stack, postgres_url):
    batch_id, _ = submit_batch(stack)
    worker = stack.start_worker()
    wait_for(stack, batch_id, lambda s: s["counts"]["done"] >= 3, "some articles done")
    stack.stop(worker, signal.SIGKILL)
    stack.stop(stack.api)
    stack.stop(stack.redis)  # no persistence: the queue is gone with it
    stack.start_redis()
    stack.start_api()
    stack.start_worker()
    wait_for(stack, batch_id, lambda s: s["finished"], "batch finished after restarts")
    await assert_done_exactly_once(postgres_url, batch_id)


async def test_sigterm_lets_a_worker_hand_back_its_work(stack, postgres_url):
    batch_id, _ = submit_batch(stack)
    worker = stack.start_worker()
    wait_for(stack, batch_id, lambda s: s["counts"]["done"] >= 2, "some articles done")
    stack.stop(worker, signal.SIGTERM)
    stack.start_worker()
    wait_for(stack, batch_id, lambda s: s["finished"], "batch finished after SIGTERM")
    await assert_done_exactly_once(postgres_url, batch_id)
