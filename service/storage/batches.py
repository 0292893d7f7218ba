"""Query functions for batches: bulk ingest, progress, cancel."""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.domain.types import FINISHED, ArticleStatus
from service.storage.articles import content_hash
from service.storage.db import equals, rows_changed
from service.storage.tables import Article, Batch, new_id, utcnow

ID_PAGE = 1000


@dataclass(frozen=True)
class BatchProgress:
    counts: dict[str, int]
    total: int
    finished: int
    first_started_at: datetime | None
    last_finished_at: datetime | None
    units: int = 0
    memory_hits: int = 0


async def create_batch(session: AsyncSession, **values) -> Batch:
    batch = Batch(**values)
    session.add(batch)
    await session.flush()
    return batch


async def add_articles(session: AsyncSession, batch: Batch, articles: Sequence[dict]) -> list[str]:
    """Insert a chunk of a batch's articles in one statement; returns their new ids."""
    if not articles:
        return []
    now = utcnow()
    rows = [
        {
            "id": new_id(),
            "status": ArticleStatus.queued,
            "batch_id": batch.id,
            "owner_key": batch.owner_key,
            "not_before": batch.not_before,
            "content_hash": content_hash(a.get("title_ar"), a["text"]),
            "created_at": now,
            **a,
        }
        for a in articles
    ]
    await session.execute(insert(Article), rows)
    return [row["id"] for row in rows]


async def get_batch(session: AsyncSession, batch_id: str) -> Batch | None:
    query = select(Batch).where(equals(Batch.id, batch_id))
    return (await session.execute(query)).scalar_one_or_none()


async def list_batches(
    session: AsyncSession, *, owner_key: str | None, before_seq: int | None, limit: int
) -> Sequence[Batch]:
    query = select(Batch).order_by(Batch.seq.desc()).limit(limit)
    if owner_key is not None:
        query = query.where(Batch.owner_key == owner_key)
    if before_seq is not None:
        query = query.where(Batch.seq < before_seq)
    return (await session.execute(query)).scalars().all()


async def progress(session: AsyncSession, batch_id: str) -> BatchProgress:
    rows = await session.execute(
        select(
            Article.status,
            func.count(),
            func.min(Article.started_at),
            func.max(Article.finished_at),
            func.coalesce(func.sum(Article.unit_count), 0),
            func.coalesce(func.sum(Article.memory_hits), 0),
        )
        .where(Article.batch_id == batch_id)
        .group_by(Article.status)
    )
    counts = {status.value: 0 for status in ArticleStatus}
    starts, ends = [], []
    units = hits = 0
    for status, count, started, finished, unit_sum, hit_sum in rows:
        counts[status] = count
        units += unit_sum or 0
        hits += hit_sum or 0
        if started is not None:
            starts.append(started)
        if finished is not None:
            ends.append(finished)
    return BatchProgress(
        counts=counts,
        total=sum(counts.values()),
        finished=sum(counts[s] for s in FINISHED),
        first_started_at=min(starts) if starts else None,
        last_finished_at=max(ends) if ends else None,
        units=units,
        memory_hits=hits,
    )


async def cancel_queued(session: AsyncSession, batch_id: str) -> int:
    """Cancel the batch's queued articles (running ones finish); returns how many."""
    await session.execute(
        update(Batch)
        .where(Batch.id == batch_id, Batch.cancelled_at.is_(None))
        .values(cancelled_at=utcnow())
    )
    return await rows_changed(
        session,
        update(Article)
        .where(Article.batch_id == batch_id, Article.status == ArticleStatus.queued)
        .values(status=ArticleStatus.cancelled, finished_at=utcnow()),
    )


async def article_ids(
    session: AsyncSession,
    batch_id: str,
    status: ArticleStatus | None = None,
    page: int = ID_PAGE,
) -> AsyncIterator[list[str]]:
    """The batch's article ids in document order, a page at a time."""
    after = 0
    while True:
        query = (
            select(Article.seq, Article.id)
            .where(Article.batch_id == batch_id, Article.seq > after)
            .order_by(Article.seq)
            .limit(page)
        )
        if status is not None:
            query = query.where(Article.status == status)
        rows = (await session.execute(query)).all()
        if not rows:
            return
        after = rows[-1][0]
        yield [article_id for _, article_id in rows]


async def mark_notified(session: AsyncSession, batch_id: str) -> None:
    await session.execute(update(Batch).where(Batch.id == batch_id).values(notified_at=utcnow()))


async def awaits_event(session: AsyncSession, batch_id: str) -> bool:
    """Whether the batch has a callback and its event has not gone out yet."""
    query = select(Batch.id).where(
        Batch.id == batch_id, Batch.callback_url.is_not(None), Batch.notified_at.is_(None)
    )
    return (await session.execute(query)).first() is not None


async def unnotified_finished(session: AsyncSession, limit: int = 100) -> list[str]:
    """Batches with a callback whose articles are all finished but no event went out."""
    unfinished = (
        select(Article.id)
        .where(Article.batch_id == Batch.id, Article.status.notin_(FINISHED))
        .exists()
    )
    query = (
        select(Batch.id)
        .where(Batch.callback_url.is_not(None), Batch.notified_at.is_(None), ~unfinished)
        .limit(limit)
    )
    return list((await session.execute(query)).scalars())
