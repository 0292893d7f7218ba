"""Crash tests with real processes: after each fault, every accepted article ends done
exactly once. Runs against PostgreSQL with a private Redis."""

from __future__ import annotations

import signal

import pytest

from tests.database import clear_tables
from tests.faults.stack import assert_done_exactly_once, submit_batch, wait_for

pytestmark = [pytest.mark.postgres, pytest.mark.slow]


@pytest.fixture
async def stack_database_url(postgres_url):
    """The session's database, emptied before the stack starts and after it stops."""
    await clear_tables(postgres_url)
    yield postgres_url
    await clear_tables(postgres_url)


async def test_kill_9_of_a_worker_mid_batch(stack, postgres_url):
    batch_id = submit_batch(stack)
    victim = stack.start_worker()
    wait_for(stack, batch_id, lambda s: s["counts"]["done"] >= 3, "some articles done")
    victim.send_signal(signal.SIGKILL)
    victim.wait()
    stack.start_worker()
    wait_for(stack, batch_id, lambda s: s["finished"], "batch finished")
    await assert_done_exactly_once(postgres_url, batch_id)


async def test_redis_flushall_while_a_batch_is_queued(stack, postgres_url):
    import redis

    batch_id = submit_batch(stack)
    redis.Redis.from_url(stack.env["REDIS_URL"]).flushall()
    stack.start_worker()
    wait_for(stack, batch_id, lambda s: s["finished"], "batch finished after FLUSHALL")
    await assert_done_exactly_once(postgres_url, batch_id)


async def test_restart_of_api_worker_and_redis(stack, postgres_url):
    batch_id = submit_batch(stack)
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
    batch_id = submit_batch(stack)
    worker = stack.start_worker()
    wait_for(stack, batch_id, lambda s: s["counts"]["done"] >= 2, "some articles done")
    stack.stop(worker, signal.SIGTERM)
    stack.start_worker()
    wait_for(stack, batch_id, lambda s: s["finished"], "batch finished after SIGTERM")
    await assert_done_exactly_once(postgres_url, batch_id)
