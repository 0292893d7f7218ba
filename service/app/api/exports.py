"""Streamed exports of one article or a whole batch: JSONL, TMX or CSV."""

from __future__ import annotations

from collections.abc import AsyncIterator

from fastapi import APIRouter, HTTPException, Query, Request, status
from fastapi.responses import StreamingResponse

from service.app.api.batches import owned_batch
from service.app.auth import SubmitterDep
from service.app.deps import SessionDep, visible_article
from service.app.export_formats import MEDIA_TYPES, ExportFormat, export_stream
from service.app.schemas import ArticlePublic, article_public
from service.domain.types import ArticleStatus
from service.storage import articles as article_store
from service.storage import batches as batch_store

router = APIRouter(tags=["exports"])
EXPORT_PAGE = 50  # articles loaded at a time while streaming a batch


def _response(export_format: ExportFormat, name: str, articles) -> StreamingResponse:
    extension = export_format.value
    return StreamingResponse(
        export_stream(export_format, articles),
        media_type=MEDIA_TYPES[export_format] + "; charset=utf-8",
        headers={"Content-Disposition": f'attachment; filename="{name}.{extension}"'},
    )


@router.get("/v1/articles/{article_id}/export")
async def export_article(
    article_id: str,
    session: SessionDep,
    principal: SubmitterDep,
    format: ExportFormat = Query(ExportFormat.jsonl),
) -> StreamingResponse:
    article = await visible_article(session, article_id, principal)
    if article.status != ArticleStatus.done:
        raise HTTPException(status.HTTP_409_CONFLICT, f"article is {article.status}, not done")
    public = article_public(article)

    async def one() -> AsyncIterator[ArticlePublic]:
        yield public

    return _response(format, f"article-{article_id}", one())


@router.get("/v1/batches/{batch_id}/export")
async def export_batch(
    batch_id: str,
    request: Request,
    session: SessionDep,
    principal: SubmitterDep,
    format: ExportFormat = Query(ExportFormat.jsonl),
) -> StreamingResponse:
    """The batch's finished articles in submission order; unfinished ones are left out."""
    batch = await owned_batch(session, batch_id, principal)
    sessions = request.app.state.sessions

    async def articles() -> AsyncIterator[ArticlePublic]:
        # Its own session: the request's closes before the stream is sent.
        async with sessions() as stream_session:
            async for ids in batch_store.article_ids(
                stream_session, batch.id, ArticleStatus.done, page=EXPORT_PAGE
            ):
                for article in await article_store.get_articles(stream_session, ids):
                    yield article_public(article)
                stream_session.expunge_all()

    return _response(format, f"batch-{batch_id}", articles())
