"""The only code that puts work on the queue.

arq keeps one sorted set per queue, scored by the time a job becomes eligible, and workers
take the lowest scores first. Interactive articles are scored as if enqueued
`INTERACTIVE_HEADSTART_S` earlier, so they run before every bulk article already waiting,
and stay first in, first out among themselves.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta

from arq.connections import ArqRedis, RedisSettings, create_pool
from arq.constants import job_key_prefix
from arq.jobs import serialize_job
from redis.exceptions import RedisError

from service.config import Settings
from service.domain.types import Priority

log = logging.getLogger("tarjama.api")

TRANSLATE_JOB = "translate_article"
BATCH_EVENT_JOB = "deliver_batch_event"
INTERACTIVE_HEADSTART_S = 30 * 24 * 3600
JOB_EXPIRES_S = 60 * 24 * 3600
ENQUEUE_CHUNK = 1000


def redis_settings(settings: Settings) -> RedisSettings:
    return RedisSettings.from_dsn(settings.redis_url)


async def connect(settings: Settings) -> ArqRedis:
    return await create_pool(redis_settings(settings), default_queue_name=settings.queue_name)


@contextmanager
def queued_later_if_redis_fails(what: str) -> Iterator[None]:
    """For work already stored: if Redis fails while it is queued, log it and carry on
    (the client gets its answer); the reconciler queues the stored work later."""
    try:
        yield
    except RedisError as exc:
        log.warning("could not queue %s now, the reconciler queues it later: %s", what, exc)


def job_id_for(article_id: str) -> str:
    """One live job per article: a second enqueue of the same article is a no-op."""
    return f"article:{article_id}"


def eligible_at(
    priority: Priority, not_before: datetime | None = None, *, queued_at: datetime | None = None
) -> datetime:
    """The queue score (as a time) for an article of this priority, first queued at
    `queued_at` (now by default): an article queued again keeps its place in line."""
    now = queued_at or datetime.now(UTC)
    if priority == Priority.interactive:
        return now - timedelta(seconds=INTERACTIVE_HEADSTART_S)
    return max(now, not_before) if not_before else now


async def enqueue_article(
    redis: ArqRedis,
    article_id: str,
    priority: Priority,
    *,
    not_before: datetime | None = None,
) -> bool:
    """Queue the translation of one article; False if a job for it is already queued."""
    job = await redis.enqueue_job(
        TRANSLATE_JOB,
        article_id,
        _job_id=job_id_for(article_id),
        _defer_until=eligible_at(priority, not_before),
        _expires=timedelta(seconds=JOB_EXPIRES_S),
    )
    return job is not None


def _ms(moment: datetime) -> int:
    return int(moment.timestamp() * 1000)


async def enqueue_articles(
    redis: ArqRedis,
    article_ids: Sequence[str],
    priority: Priority,
    *,
    not_before: datetime | None = None,
    queue_name: str | None = None,
    queued_at: datetime | None = None,
) -> None:
    """Queue many articles in pipelined round trips, first in, first out.

    Scores step by one millisecond so the batch keeps its order (arq breaks ties by job
    id). An article whose job already exists keeps it (NX), as `enqueue_article` does.
    Articles queued again (taken back from a dead worker, or lost with Redis) pass the
    time they were first queued as `queued_at`, to keep their place ahead of later work.
    """
    queue = queue_name or redis.default_queue_name
    base = _ms(eligible_at(priority, not_before, queued_at=queued_at))
    enqueued = _ms(datetime.now(UTC))
    for start in range(0, len(article_ids), ENQUEUE_CHUNK):
        async with redis.pipeline(transaction=False) as pipe:
            for offset, article_id in enumerate(article_ids[start : start + ENQUEUE_CHUNK]):
                job_id = job_id_for(article_id)
                payload = serialize_job(
                    TRANSLATE_JOB,
                    (article_id,),
                    {},
                    None,
                    enqueued,
                    serializer=redis.job_serializer,
                )
                pipe.set(job_key_prefix + job_id, payload, px=JOB_EXPIRES_S * 1000, nx=True)
                pipe.zadd(queue, {job_id: base + start + offset}, nx=True)
            await pipe.execute()


async def dequeue_articles(
    redis: ArqRedis, article_ids: Sequence[str], queue_name: str | None = None
) -> None:
    """Take queued jobs of these articles off the queue (they have been cancelled)."""
    queue = queue_name or redis.default_queue_name
    for start in range(0, len(article_ids), ENQUEUE_CHUNK):
        job_ids = [job_id_for(a) for a in article_ids[start : start + ENQUEUE_CHUNK]]
        async with redis.pipeline(transaction=False) as pipe:
            pipe.zrem(queue, *job_ids)
            pipe.delete(*(job_key_prefix + j for j in job_ids))
            await pipe.execute()


async def enqueue_batch_event(redis: ArqRedis, batch_id: str) -> bool:
    """Queue the delivery of a batch's completion event (once per batch)."""
    job = await redis.enqueue_job(
        BATCH_EVENT_JOB,
        batch_id,
        _job_id=f"batch-event:{batch_id}",
        # Ahead of bulk work: an event waits for no backlog.
        _defer_until=eligible_at(Priority.interactive),
        _expires=timedelta(seconds=JOB_EXPIRES_S),
    )
    return job is not None
