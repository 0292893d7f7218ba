"""/v1/batches: NDJSON ingest, progress, cancel, list."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from datetime import UTC, datetime

from fastapi import APIRouter, Header, HTTPException, Query, Request, Response, status
from pydantic import AnyHttpUrl, ValidationError
from sqlalchemy.exc import IntegrityError

from service.app.auth import Principal, SubmitterDep, visible
from service.app.deps import RedisDep, SessionDep, SettingsDep, usable_glossary
from service.app.error_handlers import undecodable
from service.app.json_body import declared_charset, not_utf8, unsupported
from service.app.schemas import (
    ArticleCreate,
    BatchCreated,
    BatchList,
    BatchPublic,
    RejectedLine,
    StorableStr,
    batch_public,
)
from service.domain.types import ArticleStatus, Priority
from service.queue import (
    dequeue_articles,
    enqueue_articles,
    enqueue_batch_event,
    queued_later_if_redis_fails,
)
from service.storage import batches as batch_store
from service.storage import idempotency
from service.storage.db import committing

router = APIRouter(prefix="/v1/batches", tags=["batches"])
INSERT_CHUNK = 500
MAX_REPORTED_REJECTIONS = 1000
MAX_LINE_BYTES = 1024 * 1024
NDJSON_TYPES = ("application/x-ndjson", "application/ndjson", "application/jsonl")


class BatchIngestError(HTTPException):
    pass


async def ndjson_lines(request: Request) -> AsyncIterator[tuple[int, bytes]]:
    """(line number, bytes) of the body, read as it streams in; blank lines skipped."""
    buffer = b""
    number = 0
    async for chunk in request.stream():
        buffer += chunk
        *lines, buffer = buffer.split(b"\n")
        for line in lines:
            number += 1
            if line.strip():
                yield number, line
        if len(buffer) > MAX_LINE_BYTES:
            raise BatchIngestError(
                413,
                f"line {number + 1} is longer than {MAX_LINE_BYTES} bytes",
            )
    if buffer.strip():
        yield number + 1, buffer


def parse_line(raw: bytes) -> ArticleCreate:
    encoding = not_utf8(raw)
    if encoding is not None:
        raise ValueError(f"invalid JSON: not UTF-8 but {encoding} (JSON is UTF-8, RFC 8259)")
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise ValueError(f"invalid JSON: {exc}") from None
    except UnicodeDecodeError as exc:
        raise ValueError(f"invalid JSON: {undecodable(exc)}") from None
    except RecursionError:
        raise ValueError("invalid JSON: nested too deeply") from None
    if not isinstance(data, dict):
        raise ValueError("each line must be a JSON object")
    try:
        return ArticleCreate.model_validate(data)
    except ValidationError as exc:
        raise ValueError(
            "; ".join(f"{'.'.join(map(str, e['loc'])) or 'line'}: {e['msg']}" for e in exc.errors())
        ) from None


@router.post("", status_code=status.HTTP_202_ACCEPTED, response_model=BatchCreated)
async def submit_batch(
    request: Request,
    session: SessionDep,
    redis: RedisDep,
    settings: SettingsDep,
    principal: SubmitterDep,
    response: Response,
    name: StorableStr | None = Query(None, max_length=200),
    priority: Priority = Query(Priority.bulk),
    not_before: datetime | None = Query(None, description="ISO time; hold the batch until then"),
    callback_url: AnyHttpUrl | None = Query(None, description="POSTed a signed event when done"),
    glossary: StorableStr | None = Query(
        None, max_length=32, description="glossary id for lines that name none"
    ),
    idempotency_key: StorableStr | None = Header(None, max_length=200),
) -> BatchCreated:
    """Ingest NDJSON (one article object per line), stream-parsed; all valid lines are
    stored in one transaction and queued, invalid ones reported with their line number."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip()
    if content_type not in NDJSON_TYPES:
        raise HTTPException(
            status.HTTP_415_UNSUPPORTED_MEDIA_TYPE, "send the articles as application/x-ndjson"
        )
    charset = declared_charset(request.headers["content-type"])
    if charset is not None:
        raise unsupported(f"declared as charset={charset}")
    if callback_url is not None and not settings.webhook_secret:
        raise HTTPException(
            422,
            "callback_url needs the server's TARJAMA_WEBHOOK_SECRET to be set, to sign events",
        )
    if not_before is not None and not_before.tzinfo is None:
        not_before = not_before.replace(tzinfo=UTC)
    default_glossary = await usable_glossary(session, glossary, principal)
    glossaries = _Glossaries(session, principal, default_glossary)
    if idempotency_key:
        existing = await idempotency.recall(session, idempotency_key, "batch", principal.key_id)
        if existing:
            return await _replay(session, existing, response)

    try:
        created = await _ingest(request, session, settings, principal, idempotency_key, priority,
                                glossaries, name=name, not_before=not_before,
                                callback_url=callback_url)
    except IntegrityError:  # a concurrent request with the same Idempotency-Key won
        await session.rollback()
        if not idempotency_key:
            raise
        existing = await idempotency.recall(session, idempotency_key, "batch", principal.key_id)
        if existing is None:
            raise
        return await _replay(session, existing, response)
    batch_id, result, queued = created
    # Stored first, then queued: if Redis fails here, the reconciler queues them later.
    with queued_later_if_redis_fails(f"batch {batch_id}"):
        for line_priority, ids in queued.items():
            await enqueue_articles(redis, ids, line_priority, not_before=not_before)
    response.headers["Location"] = f"/v1/batches/{batch_id}"
    return result


class _Glossaries:
    """Which glossary each line uses: its own, checked once per id, or the batch's."""

    def __init__(self, session, principal: Principal, default: str | None) -> None:
        self.session, self.principal, self.default = session, principal, default
        self._checked: dict[str, str | None] = {}

    async def for_line(self, article: ArticleCreate) -> str | None:
        if article.glossary is None:
            return self.default
        if article.glossary not in self._checked:
            try:
                found = await usable_glossary(self.session, article.glossary, self.principal)
            except HTTPException:
                found = None
            self._checked[article.glossary] = found
        if self._checked[article.glossary] is None:
            raise ValueError(f"glossary: no glossary {article.glossary!r}")
        return self._checked[article.glossary]


async def _ingest(request, session, settings, principal, idempotency_key, priority, glossaries,
                  **options):
    """Store the batch and every valid line in one transaction."""
    accepted = 0
    rejected: list[RejectedLine] = []
    rejected_total = 0
    queued: dict[Priority, list[str]] = {}
    async with committing(session):
        callback_url = options.pop("callback_url")
        batch = await batch_store.create_batch(
            session,
            priority=priority,
            callback_url=str(callback_url) if callback_url else None,
            owner_key=principal.key_id,
            **options,
        )
        if idempotency_key:
            await idempotency.remember(
                session, idempotency_key, "batch", principal.key_id, batch.id
            )
        pending: list[dict] = []
        async for number, raw in ndjson_lines(request):
            try:
                article = parse_line(raw)
                glossary_id = await glossaries.for_line(article)
            except ValueError as exc:
                rejected_total += 1
                if len(rejected) < MAX_REPORTED_REJECTIONS:
                    rejected.append(RejectedLine(line=number, error=str(exc)))
                continue
            accepted += 1
            if accepted > settings.max_batch_articles:
                raise HTTPException(
                    413,
                    f"a batch holds at most {settings.max_batch_articles} articles",
                )
            pending.append(_article_row(article, priority) | {"glossary_id": glossary_id})
            if len(pending) >= INSERT_CHUNK:
                await _flush(session, batch, pending, queued)
        await _flush(session, batch, pending, queued)
        batch.accepted = accepted
        batch.rejected_json = json.dumps([r.model_dump() for r in rejected], ensure_ascii=False)
    created = BatchCreated(
        id=batch.id, accepted=accepted, rejected=rejected, rejected_total=rejected_total
    )
    return batch.id, created, queued


async def _flush(session, batch, pending: list[dict], queued: dict[Priority, list[str]]) -> None:
    for row, article_id in zip(
        pending, await batch_store.add_articles(session, batch, pending), strict=True
    ):
        queued.setdefault(row["priority"], []).append(article_id)
    pending.clear()


def _article_row(article: ArticleCreate, batch_priority: Priority) -> dict:
    """A line's own priority, if it names one, else the batch's."""
    return {
        "text": article.text,
        "title_ar": article.title,
        "source_url": article.source_url,
        "external_id": article.external_id,
        "summary_sentences": article.summary_sentences,
        "force": article.force,
        "priority": article.priority if "priority" in article.model_fields_set else batch_priority,
    }


async def _replay(session, batch_id: str, response: Response) -> BatchCreated:
    batch = await batch_store.get_batch(session, batch_id)
    if batch is None:  # batches are never deleted: the key's record names a stored one
        raise LookupError(f"batch {batch_id} of an idempotency key is not stored")
    response.headers["Location"] = f"/v1/batches/{batch_id}"
    rejected = [RejectedLine(**r) for r in json.loads(batch.rejected_json)]
    return BatchCreated(
        id=batch.id, accepted=batch.accepted, rejected=rejected, rejected_total=len(rejected)
    )


async def owned_batch(session, batch_id: str, principal: Principal):
    batch = await batch_store.get_batch(session, batch_id)
    if batch is None or not visible(batch, principal):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no batch {batch_id!r}")
    return batch


@router.get("/{batch_id}", response_model=BatchPublic)
async def read_batch(batch_id: str, session: SessionDep, principal: SubmitterDep) -> BatchPublic:
    """Counts by status, progress, throughput and an ETA."""
    batch = await owned_batch(session, batch_id, principal)
    return batch_public(batch, await batch_store.progress(session, batch.id))


@router.get("", response_model=BatchList)
async def list_batches(
    session: SessionDep,
    principal: SubmitterDep,
    cursor: str | None = Query(None),
    limit: int = Query(20, ge=1, le=100),
) -> BatchList:
    if cursor is not None and not cursor.isdigit():
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "invalid cursor")
    rows = await batch_store.list_batches(
        session,
        owner_key=None if principal.sees_all else principal.key_id,
        before_seq=int(cursor) if cursor else None,
        limit=limit,
    )
    items = [batch_public(b, await batch_store.progress(session, b.id)) for b in rows]
    return BatchList(items=items, next_cursor=str(rows[-1].seq) if len(rows) == limit else None)


@router.post("/{batch_id}/cancel", response_model=BatchPublic)
async def cancel_batch(
    batch_id: str, session: SessionDep, redis: RedisDep, principal: SubmitterDep
) -> BatchPublic:
    """Cancel queued articles; running ones finish. Cancelling twice is harmless."""
    batch = await owned_batch(session, batch_id, principal)
    async with committing(session):
        await batch_store.cancel_queued(session, batch.id)
    async with committing(session):
        async for ids in batch_store.article_ids(session, batch.id, ArticleStatus.cancelled):
            await dequeue_articles(redis, ids)
    await session.refresh(batch)
    progress = await batch_store.progress(session, batch.id)
    if batch.callback_url and progress.finished == progress.total:
        await enqueue_batch_event(redis, batch.id)
    return batch_public(batch, progress)
