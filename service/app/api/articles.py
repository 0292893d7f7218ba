"""/v1/articles: submit one article, read it back, list them."""

from __future__ import annotations

from fastapi import APIRouter, HTTPException, Query, Response, status

from service.app.auth import SubmitterDep
from service.storage.db import committing
from service.app.deps import RedisDep, SessionDep, SettingsDep, visible_article
from service.app.html_input import HtmlArticleError, article_fields
from service.queue import enqueue_article
from service.app.rate_limit import limit_interactive_submits
from service.app.schemas import (
    ArticleCreate,
    ArticleList,
    ArticlePublic,
    ArticleSource,
    article_list_item,
    article_public,
)
from service.storage import articles as article_store
from service.domain.types import ArticleStatus

router = APIRouter(prefix="/v1/articles", tags=["articles"])
MAX_PAGE_SIZE = 200


@router.post("", status_code=status.HTTP_202_ACCEPTED, response_model=ArticlePublic)
async def submit_article(
    body: ArticleCreate,
    session: SessionDep,
    redis: RedisDep,
    response: Response,
    principal: SubmitterDep,
    settings: SettingsDep,
) -> ArticlePublic:
    """Store the article, queue its translation and answer at once."""
    await limit_interactive_submits(redis, settings, principal.key_id, body.priority)
    try:
        fields = await article_fields(body)
    except HtmlArticleError as exc:
        raise HTTPException(422, str(exc)) from None
    async with committing(session):
        article = await article_store.create_article(
            session,
            **fields,
            source_url=body.source_url,
            external_id=body.external_id,
            priority=body.priority,
            summary_sentences=body.summary_sentences,
            force=body.force,
            owner_key=principal.key_id,
        )
    # Stored first, then queued: if Redis is down the reconciler queues it later.
    await enqueue_article(redis, article.id, body.priority)
    response.headers["Location"] = f"/v1/articles/{article.id}"
    stored = await article_store.get_article(session, article.id)
    return article_public(stored)


@router.get("/{article_id}", response_model=ArticlePublic)
async def read_article(
    article_id: str, session: SessionDep, principal: SubmitterDep
) -> ArticlePublic:
    return article_public(await visible_article(session, article_id, principal))


@router.get("/{article_id}/source", response_model=ArticleSource)
async def read_article_source(
    article_id: str, session: SessionDep, principal: SubmitterDep
) -> ArticleSource:
    """The article as it was sent: the HTML page as it came, or the text."""
    article = await visible_article(session, article_id, principal)
    return ArticleSource(
        id=article.id, format=article.source_format, source=article.source_html or article.text
    )


@router.get("", response_model=ArticleList)
async def list_articles(
    session: SessionDep,
    principal: SubmitterDep,
    status_: ArticleStatus | None = Query(None, alias="status"),
    cursor: str | None = Query(None, description="next_cursor of the previous page"),
    limit: int = Query(50, ge=1, le=MAX_PAGE_SIZE),
) -> ArticleList:
    """Newest first, a page at a time."""
    before = None
    if cursor is not None:
        if not cursor.isdigit():
            raise HTTPException(status.HTTP_400_BAD_REQUEST, "invalid cursor")
        before = int(cursor)
    owner = None if principal.sees_all else principal.key_id
    rows = await article_store.list_articles(
        session, status=status_, owner_key=owner, before_seq=before, limit=limit
    )
    next_cursor = str(rows[-1].seq) if len(rows) == limit else None
    return ArticleList(items=[article_list_item(a) for a in rows], next_cursor=next_cursor)
