"""Prometheus metrics, computed when scraped from the database and Redis.

The API and the workers are separate processes (often many of each), so no process holds
the figures in memory: each scrape reads them from where they live. `gather(...)` takes
one `Snapshot` (the database's figures are queried in `service.storage.stats`);
`render(snapshot)` turns it into the Prometheus text format through a custom collector.

Families (all prefixed `tarjama_`):
- `queue_jobs{priority}`: jobs waiting in Redis, `interactive`, `bulk` or `deferred`
  (held by `not_before` or a retry's backoff).
- `articles{status}`: articles in the database by status.
- `translation_units_per_second`: title and sentence units over translation time, for
  articles finished in the last hour that were translated (not reused).
- `job_latency_seconds{priority}`: histogram of finished_at - created_at of articles
  finished in the last hour (a held batch's wait counts).
- `translation_units_total`, `translation_memory_hits_total`,
  `translation_memory_hit_ratio`: over every article done by translation (an article
  reused whole from an identical one is not counted again).
- `article_failures{reason}`: failed articles by reason, the text of their error before
  the first ':' (the exception's name, or the job's own reason).
- `dependency_up{dependency}`: 1 when the database or Redis answered this scrape.
"""

from __future__ import annotations

import logging
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import timedelta

from prometheus_client import CollectorRegistry, generate_latest
from prometheus_client.core import (
    CounterMetricFamily,
    GaugeMetricFamily,
    HistogramMetricFamily,
    Metric,
)
from redis.exceptions import RedisError
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession

from service.queue import INTERACTIVE_HEADSTART_S
from service.storage.stats import (
    LATENCY_BUCKETS_S,
    Latency,
    article_counts,
    failure_reasons,
    job_latency,
    memory_totals,
    throughput,
)
from service.storage.tables import utcnow

log = logging.getLogger("tarjama.api")
RECENT_S = 3600
QUEUE_CLASSES = ("interactive", "bulk", "deferred")


@dataclass
class Snapshot:
    database_up: bool = False
    redis_up: bool = False
    queue: dict[str, int] = field(default_factory=dict)
    articles: dict[str, int] = field(default_factory=dict)
    units_per_second: float | None = None
    latency: dict[str, Latency] = field(default_factory=dict)
    units_total: int = 0
    memory_hits_total: int = 0
    failures: dict[str, int] = field(default_factory=dict)


async def queue_depth(redis, queue_name: str, now_s: float) -> dict[str, int]:
    """Jobs in arq's sorted set, split by score (eligible time in ms).

    Interactive jobs are scored INTERACTIVE_HEADSTART_S in the past, so anything older
    than half of it is interactive; a score in the future is deferred; the rest is bulk.
    """
    now_ms = int(now_s * 1000)
    interactive_before_ms = now_ms - INTERACTIVE_HEADSTART_S * 1000 // 2
    async with redis.pipeline(transaction=False) as pipe:
        pipe.zcount(queue_name, "-inf", f"({interactive_before_ms}")
        pipe.zcount(queue_name, interactive_before_ms, now_ms)
        pipe.zcount(queue_name, f"({now_ms}", "+inf")
        counts = await pipe.execute()
    return dict(zip(QUEUE_CLASSES, counts, strict=True))


async def gather(session: AsyncSession, redis, queue_name: str) -> Snapshot:
    """Read every figure; a source that does not answer is reported down, not raised."""
    snapshot = Snapshot()
    now_s = time.time()
    try:
        snapshot.queue = await queue_depth(redis, queue_name, now_s)
        snapshot.redis_up = True
    except (RedisError, OSError) as exc:
        log.warning("metrics: Redis unavailable: %s", exc)
    since = utcnow() - timedelta(seconds=RECENT_S)
    try:
        snapshot.articles = await article_counts(session)
        snapshot.latency = await job_latency(session, since)
        snapshot.units_per_second = await throughput(session, since)
        snapshot.units_total, snapshot.memory_hits_total = await memory_totals(session)
        snapshot.failures = await failure_reasons(session)
        snapshot.database_up = True
    except (SQLAlchemyError, OSError) as exc:
        log.warning("metrics: database unavailable: %s", exc)
    return snapshot


class SnapshotCollector:
    """A prometheus_client collector that yields the families of one snapshot."""

    def __init__(self, snapshot: Snapshot) -> None:
        self.snapshot = snapshot

    def collect(self) -> Iterator[Metric]:
        s = self.snapshot
        up = GaugeMetricFamily(
            "tarjama_dependency_up", "1 if the dependency answered this scrape",
            labels=["dependency"],
        )
        up.add_metric(["database"], int(s.database_up))
        up.add_metric(["redis"], int(s.redis_up))
        yield up
        if s.redis_up:
            queue = GaugeMetricFamily(
                "tarjama_queue_jobs", "Jobs waiting in the queue", labels=["priority"]
            )
            for name, count in s.queue.items():
                queue.add_metric([name], count)
            yield queue
        if not s.database_up:
            return
        yield from self._database_families(s)

    def _database_families(self, s: Snapshot) -> Iterator[Metric]:
        articles = GaugeMetricFamily("tarjama_articles", "Articles by status", labels=["status"])
        for status, count in s.articles.items():
            articles.add_metric([status], count)
        yield articles
        if s.units_per_second is not None:
            yield GaugeMetricFamily(
                "tarjama_translation_units_per_second",
                "Title and sentence units per second of translation, last hour",
                value=s.units_per_second,
            )
        latency = HistogramMetricFamily(
            "tarjama_job_latency_seconds",
            "Time from submission to result of articles finished in the last hour",
            labels=["priority"],
        )
        bounds = [str(float(b)) for b in LATENCY_BUCKETS_S] + ["+Inf"]
        for priority, histogram in s.latency.items():
            latency.add_metric(
                [priority], list(zip(bounds, histogram.buckets, strict=True)), histogram.sum_s
            )
        yield latency
        yield CounterMetricFamily(
            "tarjama_translation_units", "Units of finished articles", value=s.units_total
        )
        yield CounterMetricFamily(
            "tarjama_translation_memory_hits",
            "Units of finished articles found in the translation memory",
            value=s.memory_hits_total,
        )
        if s.units_total:
            yield GaugeMetricFamily(
                "tarjama_translation_memory_hit_ratio",
                "Share of units found in the translation memory",
                value=s.memory_hits_total / s.units_total,
            )
        failures = GaugeMetricFamily(
            "tarjama_article_failures", "Failed articles by reason", labels=["reason"]
        )
        for reason, count in s.failures.items():
            failures.add_metric([reason], count)
        yield failures


def render(snapshot: Snapshot) -> bytes:
    """The snapshot in the Prometheus text exposition format."""
    registry = CollectorRegistry(auto_describe=False)
    registry.register(SnapshotCollector(snapshot))
    return generate_latest(registry)
