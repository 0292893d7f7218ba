"""The database's figures for the Prometheus metrics (`service.app.prometheus`).

Every query runs on SQLite and PostgreSQL; the few expressions that differ are built per
dialect.
"""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Float, and_, case, cast, func, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.domain.types import ArticleStatus, Priority
from service.storage.db import is_postgres
from service.storage.tables import Article

LATENCY_BUCKETS_S = (1, 2, 5, 10, 30, 60, 120, 300, 600, 1800, 3600, 7200, 21600, 86400)
MAX_FAILURE_REASONS = 50
MAX_REASON_CHARS = 80


@dataclass
class Latency:
    """Cumulative counts per bucket bound (LATENCY_BUCKETS_S, then +Inf) and their sum."""

    buckets: list[int]
    sum_s: float


def _elapsed_s(session: AsyncSession, start, end):
    """SQL for the seconds between two timestamp columns, on SQLite or PostgreSQL."""
    if is_postgres(session):
        return func.extract("epoch", end - start)
    return (func.julianday(end) - func.julianday(start)) * 86400.0


def _error_reason(session: AsyncSession, error):
    """SQL for the text of `error` before its first ':' (all of it if there is none)."""
    position = func.strpos(error, ":") if is_postgres(session) else func.instr(error, ":")
    return case((position > 0, func.substr(error, 1, position - 1)), else_=error)


async def article_counts(session: AsyncSession) -> dict[str, int]:
    rows = await session.execute(select(Article.status, func.count()).group_by(Article.status))
    counts = {s.value: 0 for s in ArticleStatus}
    counts.update({status: n for status, n in rows})
    return counts


async def job_latency(session: AsyncSession, since) -> dict[str, Latency]:
    """Histogram of finished - created for articles finished since `since`, by priority."""
    elapsed = _elapsed_s(session, Article.created_at, Article.finished_at)
    bucket_columns = [
        func.sum(case((elapsed <= bound, 1), else_=0)) for bound in LATENCY_BUCKETS_S
    ]
    query = (
        select(Article.priority, func.count(), func.sum(elapsed), *bucket_columns)
        .where(Article.status == ArticleStatus.done, Article.finished_at >= since)
        .group_by(Article.priority)
    )
    latency = {p.value: Latency([0] * (len(LATENCY_BUCKETS_S) + 1), 0.0) for p in Priority}
    for priority, count, total, *buckets in await session.execute(query):
        latency[priority] = Latency([int(b or 0) for b in buckets] + [count], float(total or 0))
    return latency


async def throughput(session: AsyncSession, since) -> float | None:
    """Units per second of translation time over recently finished, translated articles."""
    query = select(
        func.sum(Article.unit_count), func.sum(cast(Article.translate_ms, Float))
    ).where(
        Article.status == ArticleStatus.done,
        Article.finished_at >= since,
        Article.reused_from.is_(None),
        Article.translate_ms > 0,
    )
    units, ms = (await session.execute(query)).one()
    return units / (ms / 1000) if units and ms else None


async def memory_totals(session: AsyncSession) -> tuple[int, int]:
    query = select(
        func.coalesce(func.sum(Article.unit_count), 0),
        func.coalesce(func.sum(Article.memory_hits), 0),
    ).where(and_(Article.status == ArticleStatus.done, Article.reused_from.is_(None)))
    units, hits = (await session.execute(query)).one()
    return int(units or 0), int(hits or 0)


async def failure_reasons(session: AsyncSession) -> dict[str, int]:
    reason = _error_reason(session, func.coalesce(Article.error, "unknown")).label("reason")
    query = (
        select(reason, func.count())
        .where(Article.status == ArticleStatus.failed)
        .group_by(reason)
        .order_by(func.count().desc())
        .limit(MAX_FAILURE_REASONS)
    )
    failures: dict[str, int] = {}
    for text, count in await session.execute(query):
        label = (text or "unknown").strip()[:MAX_REASON_CHARS] or "unknown"
        failures[label] = failures.get(label, 0) + count
    return failures
