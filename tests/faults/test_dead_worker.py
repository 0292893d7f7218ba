"""A worker killed with SIGKILL mid-article: its articles come back within a minute, though
the job timeout is ten minutes. Real processes, PostgreSQL, a private Redis; the lease
settings are the defaults (30 s, renewed every 5 s)."""

from __future__ import annotations

import signal
import time

import pytest
from sqlalchemy import select
from sqlalchemy.ext.asyncio import create_async_engine

from service.storage.tables import Article
from tests.faults.stack import ARTICLES, assert_done_exactly_once, submit_batch, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
# The promise: every article of a dead worker is done within a minute of its death.
RECOVERED_WITHIN_S = 60


@pytest.fixture
def stack_settings():
    return {
        "TARJAMA_JOB_TIMEOUT_S": "600",  # the default: not what brings the articles back
        "TARJAMA_RECONCILE_INTERVAL_S": "30",
        # Several long translations at once, so that the kill finds articles running.
        "TARJAMA_WORKER_MAX_JOBS": "6",
        "TARJAMA_FIXED_OUTPUT_TOKENS": "480",
        "TARJAMA_TRANSLATION_MEMORY": "false",
    }


async def running_articles(database_url: str, batch_id: str) -> dict[str, str]:
    """The batch's running articles and the worker holding each."""
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                select(Article.id, Article.lease_holder).where(
                    Article.batch_id == batch_id, Article.status == "running"
                )
            )
            return dict(rows.all())
    finally:
        await engine.dispose()


async def finished_times(database_url: str, ids) -> dict[str, tuple[str, object, int]]:
    engine = create_async_engine(database_url)
    try:
        async with engine.connect() as conn:
            rows = await conn.execute(
                select(Article.id, Article.status, Article.finished_at, Article.attempts).where(
                    Article.id.in_(list(ids))
                )
            )
            return {r.id: (r.status, r.finished_at, r.attempts) for r in rows}
    finally:
        await engine.dispose()


async def test_a_killed_workers_articles_are_done_within_a_minute(stack, postgres_url):
    batch_id = submit_batch(stack)
    victim = stack.start_worker()
    wait_for(stack, batch_id, lambda s: s["counts"]["done"] >= 2, "some articles done")
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    killed_at = time.time()
    held = await running_articles(postgres_url, batch_id)
    assert held, "the kill found no article running"
    assert all(f":{victim.pid}:" in holder for holder in held.values()), held
    stack.start_worker()
    remaining = RECOVERED_WITHIN_S - (time.time() - killed_at)
    state = wait_for(stack, batch_id, lambda s: s["finished"], "batch finished", remaining)
    assert state["counts"]["done"] == ARTICLES
    recovered = await finished_times(postgres_url, held)
    for status, finished_at, attempts in recovered.values():
        assert status == "done"
        assert finished_at.timestamp() - killed_at < RECOVERED_WITHIN_S
        assert attempts == 2  # the run that died is counted
    await assert_done_exactly_once(postgres_url, batch_id)
