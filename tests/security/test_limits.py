"""Per-key rate limit on interactive submissions, counted in the real Redis."""

from __future__ import annotations

import asyncio
import time
import uuid

import pytest

from service.app.main import create_app
from service.app.rate_limit import WINDOW_S, count_in_window
from service.queue import connect
from tests.conftest import http_client, run_worker_burst

TEXT = "قال الوزير إن الحكومة ستدعم المزارعين."
LIMIT = 3


@pytest.fixture
async def limited_app(settings):
    app = create_app(settings.model_copy(update={"rate_limit_per_minute": LIMIT}))
    async with app.router.lifespan_context(app):
        yield app
        await app.state.redis.delete(settings.queue_name)  # the jobs no worker will run


async def away_from_window_edge(margin_s: float = 5) -> None:
    """Sleep past the next window boundary if it is close, so a test stays in one window."""
    left = WINDOW_S - time.time() % WINDOW_S
    if left < margin_s:
        await asyncio.sleep(left + 0.1)


async def test_interactive_submits_over_the_limit_get_429(limited_app, make_key):
    key, other = await make_key("submit"), await make_key("submit")
    await away_from_window_edge()
    async with http_client(limited_app, key) as client:
        for n in range(LIMIT):
            response = await client.post("/v1/articles", json={"text": f"{TEXT} {n}"})
            assert response.status_code == 202, response.text
        refused = await client.post("/v1/articles", json={"text": TEXT, "external_id": "over"})
        assert refused.status_code == 429
        assert 1 <= int(refused.headers["retry-after"]) <= WINDOW_S
        assert "interactive articles a minute" in refused.json()["detail"]
        # Nothing was stored for the refused article.
        listed = (await client.get("/v1/articles", params={"limit": 200})).json()["items"]
        assert len(listed) == LIMIT
        assert "over" not in {a["external_id"] for a in listed}
        # Bulk articles are not limited, and invalid bodies do not use up the allowance.
        bulk = await client.post("/v1/articles", json={"text": TEXT, "priority": "bulk"})
        assert bulk.status_code == 202
        invalid = await client.post("/v1/articles", json={"text": "no arabic"})
        assert invalid.status_code == 422
    async with http_client(limited_app, other) as client:  # counted per key
        assert (await client.post("/v1/articles", json={"text": TEXT})).status_code == 202


async def test_zero_means_no_limit(settings, make_key):
    app = create_app(settings.model_copy(update={"rate_limit_per_minute": 0}))
    async with app.router.lifespan_context(app):
        async with http_client(app, await make_key("submit")) as client:
            for n in range(LIMIT + 2):
                response = await client.post("/v1/articles", json={"text": f"{TEXT} {n}"})
                assert response.status_code == 202
        await run_worker_burst(settings)


async def test_the_window_is_fixed_and_expires(settings):
    redis = await connect(settings)
    key_id = uuid.uuid4().hex
    try:
        start = (time.time() // WINDOW_S + 10) * WINDOW_S  # a window no one else uses
        assert await count_in_window(redis, key_id, start + 1) == (1, WINDOW_S - 1)
        assert await count_in_window(redis, key_id, start + 59.5) == (2, 1)
        assert await count_in_window(redis, key_id, start + WINDOW_S) == (1, WINDOW_S)
        ttl = await redis.ttl(f"tarjama:ratelimit:{key_id}:{int(start // WINDOW_S)}")
        assert 0 < ttl <= 2 * WINDOW_S
    finally:
        keys = await redis.keys(f"tarjama:ratelimit:{key_id}:*")
        if keys:
            await redis.delete(*keys)
        await redis.aclose()
