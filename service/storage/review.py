"""Queries behind the review pages: searchable article lists and batch progress."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import Select, exists, false, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.domain.types import FINISHED
from service.storage.db import equals, storable
from service.storage.tables import Article, Batch, ParagraphPair

LIKE_ESCAPE = "\\"


@dataclass
class ArticlePage:
    items: Sequence[Article]
    total: int
    page: int
    per_page: int

    @property
    def pages(self) -> int:
        return max(1, -(-self.total // self.per_page))


@dataclass
class BatchProgress:
    """A batch with its articles counted by status."""

    id: str
    name: str | None
    priority: str
    created_at: datetime
    cancelled_at: datetime | None
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def finished(self) -> int:
        return sum(self.counts.get(s, 0) for s in FINISHED)

    @property
    def running(self) -> bool:
        return self.cancelled_at is None and self.finished < self.total


def _like_pattern(text: str) -> str:
    escaped = (
        text.replace(LIKE_ESCAPE, LIKE_ESCAPE * 2)
        .replace("%", LIKE_ESCAPE + "%")
        .replace("_", LIKE_ESCAPE + "_")
    )
    return f"%{escaped}%"


def _filtered(
    query: Select,
    *,
    search: str | None,
    status: str | None,
    batch_id: str | None,
    owner_key: str | None,
) -> Select:
    if status:
        query = query.where(Article.status == status)
    if batch_id:
        query = query.where(equals(Article.batch_id, batch_id))
    if owner_key is not None:
        query = query.where(Article.owner_key == owner_key)
    if search and not storable(search):
        return query.where(false())
    if search:
        pattern = _like_pattern(search)
        in_english = exists().where(
            ParagraphPair.article_id == Article.id,
            ParagraphPair.en.ilike(pattern, escape=LIKE_ESCAPE),
        )
        query = query.where(
            or_(
                Article.title_ar.ilike(pattern, escape=LIKE_ESCAPE),
                Article.title_en.ilike(pattern, escape=LIKE_ESCAPE),
                Article.external_id.ilike(pattern, escape=LIKE_ESCAPE),
                Article.text.ilike(pattern, escape=LIKE_ESCAPE),
                in_english,
            )
        )
    return query


async def search_articles(
    session: AsyncSession,
    *,
    search: str | None = None,
    status: str | None = None,
    batch_id: str | None = None,
    owner_key: str | None = None,
    page: int = 1,
    per_page: int = 25,
) -> ArticlePage:
    """Newest first; `search` matches titles, Arabic text and English translation."""
    filters = {"search": search, "status": status, "batch_id": batch_id, "owner_key": owner_key}
    total_query = _filtered(select(func.count()).select_from(Article), **filters)
    total = (await session.execute(total_query)).scalar_one()
    query = _filtered(select(Article), **filters).order_by(Article.seq.desc())
    query = query.limit(per_page).offset((page - 1) * per_page)
    items = (await session.execute(query)).scalars().all()
    return ArticlePage(items=items, total=total, page=page, per_page=per_page)


async def recent_batches(
    session: AsyncSession, *, owner_key: str | None = None, limit: int = 20
) -> list[BatchProgress]:
    """The newest batches with their progress."""
    query = select(Batch).order_by(Batch.seq.desc()).limit(limit)
    if owner_key is not None:
        query = query.where(Batch.owner_key == owner_key)
    batches = (await session.execute(query)).scalars().all()
    return await _with_counts(session, batches)


async def batches_by_id(
    session: AsyncSession, ids: Iterable[str], *, owner_key: str | None = None
) -> list[BatchProgress]:
    ids = [i for i in ids if storable(i)]
    if not ids:
        return []
    query = select(Batch).where(Batch.id.in_(ids))
    if owner_key is not None:
        query = query.where(Batch.owner_key == owner_key)
    return await _with_counts(session, (await session.execute(query)).scalars().all())


async def _with_counts(session: AsyncSession, batches: Sequence[Batch]) -> list[BatchProgress]:
    progress = {
        b.id: BatchProgress(
            id=b.id,
            name=b.name,
            priority=b.priority,
            created_at=b.created_at,
            cancelled_at=b.cancelled_at,
        )
        for b in batches
    }
    if progress:
        counts = await session.execute(
            select(Article.batch_id, Article.status, func.count())
            .where(Article.batch_id.in_(progress))
            .group_by(Article.batch_id, Article.status)
        )
        for batch_id, status, count in counts:
            if batch_id is not None:  # always, given the `in_`; says so to the type checker
                progress[batch_id].counts[status] = count
    return list(progress.values())


async def article_states(
    session: AsyncSession, ids: Iterable[str], *, owner_key: str | None = None
) -> dict[str, str]:
    """Article id -> status, for the ids the caller may see."""
    ids = [i for i in ids if storable(i)]
    if not ids:
        return {}
    query = select(Article.id, Article.status).where(Article.id.in_(ids))
    if owner_key is not None:
        query = query.where(Article.owner_key == owner_key)
    return {article_id: status for article_id, status in await session.execute(query)}
