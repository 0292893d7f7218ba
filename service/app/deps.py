"""Dependencies, declared once as Annotated aliases, and the lookups routes share."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Annotated

from arq.connections import ArqRedis
from fastapi import Depends, HTTPException, Request, status
from sqlalchemy.ext.asyncio import AsyncSession

from service.app.auth import Principal, visible
from service.config import Settings
from service.storage import articles as article_store
from service.storage import edits as edit_store
from service.storage import glossaries as glossary_store
from service.storage.tables import Article


def get_app_settings(request: Request) -> Settings:
    return request.app.state.settings


async def get_session(request: Request) -> AsyncIterator[AsyncSession]:
    async with request.app.state.sessions() as session:
        yield session


def get_redis(request: Request) -> ArqRedis:
    return request.app.state.redis


SettingsDep = Annotated[Settings, Depends(get_app_settings)]
SessionDep = Annotated[AsyncSession, Depends(get_session)]
RedisDep = Annotated[ArqRedis, Depends(get_redis)]


async def visible_article(
    session: AsyncSession, article_id: str, principal: Principal, *, with_results: bool = True
) -> Article:
    """The article (with its results, unless told otherwise) if `principal` may see it;
    else 404, alike for a missing article and for someone else's."""
    load = article_store.get_article if with_results else edit_store.article_row
    article = await load(session, article_id)
    if article is None or not visible(article, principal):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no article {article_id!r}")
    return article


async def usable_glossary(
    session: AsyncSession, glossary_id: str | None, principal: Principal
) -> str | None:
    """`glossary_id` if `principal` may use that glossary; 422 if it is unknown or
    someone else's (alike, as for articles)."""
    if glossary_id is None:
        return None
    glossary = await glossary_store.get_glossary(session, glossary_id)
    if glossary is None or not visible(glossary, principal):
        raise HTTPException(422, f"glossary: no glossary {glossary_id!r}")
    return glossary.id
