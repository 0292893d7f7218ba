"""PostgreSQL restarts in the middle of a batch: jobs retry with backoff meanwhile, and
every accepted article ends done exactly once.

The test runs its own PostgreSQL cluster (initdb into a temporary folder, a free port,
trust authentication), so stopping it touches nothing else; with a private Redis, the API
and a worker as real processes.
"""

from __future__ import annotations

import asyncio
import signal

import httpx
import pytest

from cli.localpostgres import PrivatePostgres, postgres_bin_dir
from service.storage.db import migrate
from tests.faults.stack import (
    ARTICLES,
    Stack,
    assert_done_exactly_once,
    submit_batch,
    wait_for,
)

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
DOWNTIME_S = 4


@pytest.fixture
def private_postgres():
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        pytest.skip("needs PostgreSQL's server programs (initdb, pg_ctl) installed")
    cluster = PrivatePostgres(bin_dir)
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture
async def stack_database_url(private_postgres):
    url = private_postgres.create_database("tarjama")
    await asyncio.to_thread(migrate, url)  # alembic runs its own event loop
    return url


def api_ready(stack: Stack) -> tuple[int, dict]:
    response = httpx.get(f"{stack.api_url}/readyz", timeout=10)
    return response.status_code, response.json()


async def test_postgres_restart_in_the_middle_of_a_batch(stack, private_postgres, tmp_path):
    batch_id = submit_batch(stack)
    worker = stack.start_worker()
    wait_for(stack, batch_id, lambda s: 3 <= s["counts"]["done"], "some articles done")

    private_postgres.stop("immediate")  # as if it crashed
    status, checks = api_ready(stack)
    assert status == 503 and checks["database"].startswith("error"), checks
    await asyncio.sleep(DOWNTIME_S)  # the worker's jobs fail meanwhile and are retried with backoff
    private_postgres.start()

    state = wait_for(stack, batch_id, lambda s: s["finished"], "batch finished after restart")
    assert state["counts"]["done"] == ARTICLES, state
    assert api_ready(stack) == (200, {"database": "ok", "redis": "ok", "model": "ok"})
    await assert_done_exactly_once(stack.database_url, batch_id)
    assert worker.poll() is None, "the worker must ride out the outage, not exit"
    log = (tmp_path / "worker-0.log").read_text(errors="replace")
    assert "transient error, retry in" in log, "no job met the outage: the test proved nothing"
    stack.stop(worker, signal.SIGTERM)
