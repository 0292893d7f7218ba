"""The only code that puts work on the queue.

arq keeps one sorted set per queue, scored by the time a job becomes eligible, and workers
take the lowest scores first. Interactive articles are scored as if enqueued
`INTERACTIVE_HEADSTART_S` earlier, so they run before every bulk article already waiting,
and stay first in, first out among themselves.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from arq.connections import ArqRedis, RedisSettings, create_pool

from service.config import Priority, Settings

TRANSLATE_JOB = "translate_article"
INTERACTIVE_HEADSTART_S = 30 * 24 * 3600
JOB_EXPIRES_S = 60 * 24 * 3600


def redis_settings(settings: Settings) -> RedisSettings:
    return RedisSettings.from_dsn(settings.redis_url)


async def connect(settings: Settings) -> ArqRedis:
    return await create_pool(redis_settings(settings), default_queue_name=settings.queue_name)


def job_id_for(article_id: str) -> str:
    """One live job per article: a second enqueue of the same article is a no-op."""
    return f"article:{article_id}"


def eligible_at(priority: Priority, not_before: datetime | None = None) -> datetime:
    """The queue score (as a time) for an article of this priority."""
    now = datetime.now(UTC)
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
