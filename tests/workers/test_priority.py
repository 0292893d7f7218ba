"""An interactive article submitted behind a bulk backlog starts at once."""

from __future__ import annotations

import asyncio
import json
import uuid
from collections import Counter

from arq.constants import in_progress_key_prefix as IN_PROGRESS_PREFIX
from redis.asyncio import Redis
from redis.asyncio.client import Monitor

from service.queue import job_id_for
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


async def watched_keys(monitor: Monitor, until: str) -> list[str]:
    """The keys of the WATCH commands the Redis server runs (arq watches a job's
    in-progress key to claim it), up to the command `ECHO until`."""
    keys: list[str] = []
    while (command := (await monitor.next_command())["command"]) != f"ECHO {until}":
        if command.startswith("WATCH "):
            keys.extend(command.split()[1:])
    return keys


async def test_polls_do_not_claim_the_jobs_the_worker_is_already_running(client, settings):
    # Free slots and a fast poll: each article's job spans many polls, and every poll
    # reads the running jobs again, since arq keeps them in the queue until they end.
    settings = settings.model_copy(update={"worker_max_jobs": 8, "worker_poll_delay_s": 0.002})
    response = await client.post("/v1/batches", content=bulk_lines(4), headers=NDJSON)
    batch_id = response.json()["id"]
    listed = (await client.get("/v1/articles")).json()["items"]
    jobs = {job_id_for(a["id"]) for a in listed}
    redis = Redis.from_url(REDIS_URL)
    end = f"end-of-test-{uuid.uuid4().hex}"
    try:
        # MONITOR sees every client's commands: only this batch's job keys are counted, so
        # another client of the same server cannot disturb the count.
        async with redis.monitor() as monitor:
            watching = asyncio.create_task(watched_keys(monitor, end))
            await run_worker_burst(settings)
            await redis.echo(end)
            watched = await asyncio.wait_for(watching, 30)
    finally:
        await redis.aclose()
    assert (await client.get(f"/v1/batches/{batch_id}")).json()["counts"]["done"] == 4
    claims = Counter(k for k in watched if k.removeprefix(IN_PROGRESS_PREFIX) in jobs)
    assert sorted(claims.values()) == [1] * 4  # one claim per job
