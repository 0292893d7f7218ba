"""A worker that rides out a Redis outage keeps all its job slots."""

from __future__ import annotations

import pytest
from arq.connections import ArqRedis
from redis.exceptions import ConnectionError as RedisConnectionError

from cli.localstack import free_port
from workers.settings import build_worker


async def test_a_job_that_redis_fails_to_start_gives_its_slot_back(settings):
    settings = settings.model_copy(update={"worker_max_jobs": 2})
    worker = build_worker(settings, burst=True)
    # A Redis that is down: nothing listens on the port, so every command fails.
    worker._pool = ArqRedis(host="127.0.0.1", port=free_port(), socket_connect_timeout=1)
    try:
        for _ in range(3):  # more failures than slots
            with pytest.raises(RedisConnectionError):
                await worker.start_jobs([b"article:lost-in-the-outage"])
        assert worker.job_counter == 0
        assert not worker.sem.locked()
        assert worker.tasks == {}
    finally:
        await worker._pool.aclose()
        worker._pool = None
