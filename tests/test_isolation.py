"""Tests keep to a Redis database of their own and leave nothing in it."""

from __future__ import annotations

import json
import os
from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis

from service.app.main import create_app
from service.config import DEFAULT_REDIS_URL
from service.domain.types import KeyRole
from service.storage.db import create_engine, session_factory, transaction
from service.storage.keys import create_key
from tests.conftest import (
    REDIS_URL,
    http_client,
    make_settings,
    remove_test_keys,
    run_worker_burst,
)


def test_tests_use_a_redis_database_other_than_the_services():
    if "TARJAMA_TEST_REDIS_URL" not in os.environ:
        assert Redis.from_url(REDIS_URL).connection_pool.connection_kwargs["db"] == 15
    assert REDIS_URL != DEFAULT_REDIS_URL


async def test_a_test_leaves_no_key_in_redis(database_url, tiny_model_dir):
    settings = make_settings(database_url, tiny_model_dir)
    engine = create_engine(settings.database_url)
    async with transaction(session_factory(engine)) as session:
        row, key = await create_key(session, "isolation", KeyRole.submit)
        key_id = row.id
    await engine.dispose()
    later = (datetime.now(UTC) + timedelta(days=1)).isoformat()
    app = create_app(settings)
    async with app.router.lifespan_context(app), http_client(app, key) as client:
        made = [key_id, settings.queue_name]
        for priority in ("interactive", "bulk"):  # an interactive one counts for the rate limit
            response = await client.post(
                "/v1/articles", json={"text": f"خبر عن {priority}.", "priority": priority}
            )
            assert response.status_code == 202, response.text
        lines = "\n".join(
            json.dumps({"text": f"خبر مؤجل {i}."}, ensure_ascii=False) for i in range(3)
        )
        batch = await client.post(
            "/v1/batches",
            params={"not_before": later},
            content=lines,
            headers={"content-type": "application/x-ndjson"},
        )
        assert batch.status_code == 202 and batch.json()["accepted"] == 3, batch.text
        listed = (await client.get("/v1/articles")).json()
        made += [a["id"] for a in listed["items"]]
        assert len(made) == 2 + 5
        # One job runs; the rest stay queued or deferred, their keys kept for 60 days.
        await run_worker_burst(settings, max_burst_jobs=1)
    redis = Redis.from_url(REDIS_URL)
    try:

        async def leftovers() -> list[str]:
            return [
                k.decode()
                async for k in redis.scan_iter(count=1000)
                if any(m in k.decode() for m in made)
            ]

        assert len(await leftovers()) >= 3  # the queue, a job and a rate-limit counter
        await remove_test_keys(settings, [key_id])
        assert await leftovers() == []
    finally:
        await redis.aclose()
