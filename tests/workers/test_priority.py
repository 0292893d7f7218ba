"""An interactive article submitted behind a bulk backlog starts at once."""

from __future__ import annotations

import asyncio
import json

from redis.asyncio import Redis

from tests.conftest import REDIS_URL, run_worker_burst

NDJSON = {"content-type": "application/x-ndjson"}


def bulk_lines(n: int) -> str:
    return "\n".join(
        json.dumps({"text": f"خبر مطول رقم {i}. " * 12, "force": True}, ensure_ascii=False)
        for i in range(n)
    )


async def test_interactive_overtakes_a_running_backlog(client, settings):
    settings = settings.model_copy(update={"worker_max_jobs": 3, "worker_interactive_slots": 1})
    response = await client.post("/v1/batches", content=bulk_lines(12), headers=NDJSON)
    batch_id = response.json()["id"]
    worker = asyncio.create_task(run_worker_burst(settings))
    try:
        while (await client.get(f"/v1/batches/{batch_id}")).json()["counts"]["running"] == 0:
            await asyncio.sleep(0.01)
        urgent = await client.post("/v1/articles", json={"text": "خبر عاجل جدا.", "force": True})
        await worker
    finally:
        worker.cancel()
    urgent = (await client.get(f"/v1/articles/{urgent.json()['id']}")).json()
    export = (await client.get(f"/v1/batches/{batch_id}/export")).text.splitlines()
    bulk = [json.loads(line) for line in export]
    assert len(bulk) == 12 and urgent["status"] == "done"
    started_after = [b for b in bulk if b["started_at"] > urgent["started_at"]]
    # Bulk work never held more than its two slots, so the urgent article started while
    # most of the backlog was still waiting.
    assert len(started_after) >= 8


async def claims(redis: Redis) -> int:
    """WATCH commands the Redis server has run: arq watches a job's key to claim it."""
    return (await redis.info("commandstats")).get("cmdstat_watch", {}).get("calls", 0)


async def test_polls_do_not_claim_the_jobs_the_worker_is_already_running(client, settings):
    # Free slots and a fast poll: each article's job spans many polls, and every poll
    # reads the running jobs again, since arq keeps them in the queue until they end.
    settings = settings.model_copy(update={"worker_max_jobs": 8, "worker_poll_delay_s": 0.002})
    response = await client.post("/v1/batches", content=bulk_lines(4), headers=NDJSON)
    batch_id = response.json()["id"]
    redis = Redis.from_url(REDIS_URL)
    try:
        before = await claims(redis)
        await run_worker_burst(settings)
        after = await claims(redis)
    finally:
        await redis.aclose()
    assert (await client.get(f"/v1/batches/{batch_id}")).json()["counts"]["done"] == 4
    assert after - before == 4  # one claim per job
