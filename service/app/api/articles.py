"""/v1/articles: submit one article, read it back, list them."""

from __future__ import annotations

import hashlib
import json

from fastapi import APIRouter, Header, HTTPException, Query, Response, status
from sqlalchemy.exc import IntegrityError

from service.app.auth import SubmitterDep
from service.app.deps import (
    RedisDep,
    SessionDep,
    SettingsDep,
    usable_glossary,
    visible_article,
)
from service.app.rate_limit import limit_interactive_submits
from service.app.schemas import (
    ArticleCreate,
    ArticleList,
    ArticlePublic,
    StorableStr,
    article_list_item,
    article_public,
)
from service.domain.types import ArticleStatus
from service.queue import enqueue_article, queued_later_if_redis_fails
from service.storage import articles as article_store
from service.storage import idempotency
from service.storage.db import committing

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
    idempotency_key: StorableStr | None = Header(
        None,
        max_length=200,
        description="A retry with the same key and body gets the first article back; "
        "another body with the same key gets 422.",
    ),
) -> ArticlePublic:
    """Store the article, queue its translation and answer at once. A retry with the same
    Idempotency-Key (and the same body) answers with the article the first one created."""
    request_hash = body_hash(body)
    if idempotency_key:
        replayed = await _replay(session, idempotency_key, request_hash, principal, response)
        if replayed is not None:
            return replayed
    glossary_id = await usable_glossary(session, body.glossary, principal)
    await limit_interactive_submits(redis, settings, principal.key_id, body.priority)
    try:
        async with committing(session):
            article = await article_store.create_article(
                session,
                text=body.text,
                title_ar=body.title,
                source_url=body.source_url,
                external_id=body.external_id,
                priority=body.priority,
                summary_sentences=body.summary_sentences,
                force=body.force,
                owner_key=principal.key_id,
                glossary_id=glossary_id,
            )
            if idempotency_key:
                await idempotency.remember(
                    session, idempotency_key, "article", principal.key_id, article.id,
                    request_hash=request_hash,
                )
    except IntegrityError:
        if not idempotency_key:
            raise
        # A concurrent request with the same key stored its article first: answer with it.
        replayed = await _replay(session, idempotency_key, request_hash, principal, response)
        if replayed is None:
            raise
        return replayed
    # Stored first, then queued: if Redis is down the reconciler queues it later.
    with queued_later_if_redis_fails(f"article {article.id}"):
        await enqueue_article(redis, article.id, body.priority)
    response.headers["Location"] = f"/v1/articles/{article.id}"
    stored = await article_store.get_article(session, article.id)
    return article_public(stored)


def body_hash(body: ArticleCreate) -> str:
    """The request as parsed, so that key order, spacing and defaults spelt out or left
    out do not make a retry look different."""
    canonical = json.dumps(body.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


async def _replay(session, key: str, request_hash: str, principal, response: Response):
    """The article an earlier request with `key` created, or None if there was none;
    422 when that request's body was not this one."""
    first = await idempotency.recall_request(session, key, "article", principal.key_id)
    await session.rollback()  # end the read, so a later write starts cleanly
    if first is None:
        return None
    if first.request_hash != request_hash:
        raise HTTPException(
            422,
            f"Idempotency-Key {key!r} was already used for article {first.target_id} with a "
            "different body; send a new key for a different article",
        )
    response.headers["Location"] = f"/v1/articles/{first.target_id}"
    return article_public(await article_store.get_article(session, first.target_id))


@router.get("/{article_id}", response_model=ArticlePublic)
async def read_article(
    article_id: str, session: SessionDep, principal: SubmitterDep
) -> ArticlePublic:
    return article_public(await visible_article(session, article_id, principal))


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
