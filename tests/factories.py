"""Test data, built in one place: API keys, articles, batches, and changes of state."""

from __future__ import annotations

from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession

from service.domain.types import ArticleStatus, KeyRole, Priority
from service.storage import articles as article_store
from service.storage.keys import create_key
from service.storage.tables import Article, Batch
from tests.database import committed

ARTICLE_TEXT = "قال الوزير إن الحكومة ستدعم المزارعين في الموسم المقبل."


async def create_api_key(
    database_url: str, role: KeyRole | str = KeyRole.submit, name: str = "test"
) -> str:
    """A new API key of `role`, stored in that database; the key itself."""
    async with committed(database_url) as session:
        return (await create_key(session, name, KeyRole(role)))[1]


async def make_article(
    session: AsyncSession,
    *,
    text: str = ARTICLE_TEXT,
    priority: Priority = Priority.bulk,
    status: ArticleStatus | None = None,
    error: str | None = None,
    **fields,
) -> Article:
    """A stored article, queued unless `status` says otherwise (and never enqueued)."""
    article = await article_store.create_article(session, text=text, priority=priority, **fields)
    if status is not None:
        await session.execute(
            update(Article).where(Article.id == article.id).values(status=status, error=error)
        )
    return article


async def make_batch(
    session: AsyncSession, *, name: str | None = None, priority: Priority = Priority.bulk
) -> Batch:
    """A stored batch with no articles yet."""
    batch = Batch(name=name, priority=priority)
    session.add(batch)
    await session.flush()
    return batch


async def set_status(database_url: str, article_id: str, status: ArticleStatus) -> None:
    """Move an article on, as a worker would."""
    async with committed(database_url) as session:
        await session.execute(update(Article).where(Article.id == article_id).values(status=status))
