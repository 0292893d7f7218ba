"""Query functions for articles and their results."""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Row, bindparam, case, delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from service.domain.results import ArticleResult
from service.domain.types import UNFINISHED, ArticleStatus, Priority
from service.storage.db import equals, rows_changed
from service.storage.tables import (
    Article,
    ParagraphPair,
    SentencePair,
    Summary,
    core_table,
    utcnow,
)

MAX_ERROR_CHARS = 2000


def content_hash(title: str | None, text: str) -> str:
    """Identifies an article's content: the same title and text, normalised, hash alike."""
    normalised = [
        " ".join(unicodedata.normalize("NFKC", part or "").split()) for part in (title, text)
    ]
    return hashlib.sha256("\n".join(normalised).encode()).hexdigest()


async def create_article(
    session: AsyncSession,
    *,
    text: str,
    priority: Priority,
    title_ar: str | None = None,
    source_url: str | None = None,
    external_id: str | None = None,
    summary_sentences: int | None = None,
    force: bool = False,
    owner_key: str | None = None,
    batch_id: str | None = None,
    glossary_id: str | None = None,
) -> Article:
    """A new queued article (the caller enqueues it once committed)."""
    article = Article(
        status=ArticleStatus.queued,
        text=text,
        priority=priority,
        title_ar=title_ar,
        source_url=source_url,
        external_id=external_id,
        summary_sentences=summary_sentences,
        force=force,
        glossary_id=glossary_id,
        owner_key=owner_key,
        batch_id=batch_id,
        content_hash=content_hash(title_ar, text),
    )
    session.add(article)
    await session.flush()
    return article


async def find_reusable(
    session: AsyncSession, article: Article | Row, model_name: str
) -> Article | None:
    """An earlier finished article with the same content, translated by the same model
    without a glossary (an article with a glossary is never reused, nor reuses one)."""
    if article.glossary_id is not None:
        return None
    query = (
        select(Article)
        .where(
            Article.content_hash == article.content_hash,
            Article.model_name == model_name,
            Article.status == ArticleStatus.done,
            Article.id != article.id,
            Article.glossary_id.is_(None),
        )
        .order_by(Article.seq)
        .limit(1)
        .options(selectinload(Article.paragraphs).selectinload(ParagraphPair.sentences))
    )
    return (await session.execute(query)).scalar_one_or_none()


async def get_article(session: AsyncSession, article_id: str) -> Article | None:
    """The article with its paragraphs, sentences and summary loaded."""
    query = (
        select(Article)
        .where(equals(Article.id, article_id))
        .options(
            selectinload(Article.paragraphs).selectinload(ParagraphPair.sentences),
            selectinload(Article.summary),
        )
    )
    return (await session.execute(query)).scalar_one_or_none()


async def get_articles(session: AsyncSession, article_ids: Sequence[str]) -> list[Article]:
    """Several articles with their results, in the order of `article_ids`."""
    query = (
        select(Article)
        .where(Article.id.in_(list(article_ids)))
        .options(
            selectinload(Article.paragraphs).selectinload(ParagraphPair.sentences),
            selectinload(Article.summary),
        )
    )
    found = {a.id: a for a in (await session.execute(query)).scalars()}
    return [found[i] for i in article_ids if i in found]


async def list_articles(
    session: AsyncSession,
    *,
    status: str | None = None,
    owner_key: str | None = None,
    before_seq: int | None = None,
    limit: int = 50,
) -> Sequence[Article]:
    """Newest first; `before_seq` continues a previous page."""
    query = select(Article).order_by(Article.seq.desc()).limit(limit)
    if status is not None:
        query = query.where(Article.status == status)
    if owner_key is not None:
        query = query.where(Article.owner_key == owner_key)
    if before_seq is not None:
        query = query.where(Article.seq < before_seq)
    return (await session.execute(query)).scalars().all()


# The worker's statements, built once: each runs once per article, and building a
# statement costs more Python than executing its cached compiled form.
_ARTICLES = core_table(Article)
_UNFINISHED = _ARTICLES.c.status.in_(UNFINISHED)
_START = (
    update(_ARTICLES)
    .where(_ARTICLES.c.id == bindparam("article_id"), _UNFINISHED)
    .values(
        status=ArticleStatus.running,
        started_at=bindparam("now"),
        attempts=_ARTICLES.c.attempts + 1,
        lease_holder=bindparam("holder"),
        lease_expires_at=bindparam("lease_until"),
    )
    .returning(*_ARTICLES.c)
)
# The SET clause comes from the parameters given.
_MARK_DONE = update(_ARTICLES).where(_ARTICLES.c.id == bindparam("article_id"), _UNFINISHED)


async def start_article(
    session: AsyncSession, article_id: str, *, holder: str = "", lease_s: float = 0
) -> Row | None:
    """Mark a queued (or interrupted) article running, leased to `holder` for `lease_s`
    seconds, and return its row (the article's columns); None if it is finished or
    unknown. A running article is taken over: its earlier run lost its lease."""
    now = utcnow()
    params = {
        "article_id": article_id,
        "now": now,
        "holder": holder or None,
        "lease_until": now + timedelta(seconds=lease_s) if holder else None,
    }
    return (await session.execute(_START, params)).one_or_none()


async def save_result(
    session: AsyncSession, article_id: str, result: ArticleResult, *, replace: bool = False
) -> bool:
    """Store `result` and mark the article done. False, storing nothing, if the article is
    no longer queued or running: another run of its job finished it first.

    Results are written only here, in the transaction that marks the article done, and the
    service never queues a finished article again. `replace` deletes earlier results first,
    for an article that finished once and was put back by hand.
    """
    # Core statements on the tables, not the ORM: nothing here needs the unit of work or
    # the identity map, and this runs once per article on the worker's event loop.
    sentences, paragraphs = core_table(SentencePair), core_table(ParagraphPair)
    summaries = core_table(Summary)
    marked = await rows_changed(
        session,
        _MARK_DONE,
        {
            "article_id": article_id,
            "status": ArticleStatus.done,
            "title_ar": result.title_ar,
            "title_en": result.title_en,
            "title_detected": result.title_detected,
            "model_name": result.model_name,
            "model_quantization": result.model_quantization,
            "translate_ms": result.translate_ms,
            "unit_count": result.unit_count,
            "memory_hits": result.memory_hits,
            "reused_from": result.reused_from,
            "error": None,
            "finished_at": utcnow(),
            "lease_holder": None,
            "lease_expires_at": None,
        },
    )
    if marked == 0:
        return False
    if replace:
        for table in (sentences, paragraphs, summaries):
            await session.execute(delete(table).where(table.c.article_id == article_id))
    # Bulk inserts (executemany): an article may have 10,000 paragraphs.
    paragraph_pks: dict[int, int] = {}
    if result.paragraphs:
        inserted = await session.execute(
            insert(paragraphs).returning(paragraphs.c.index, paragraphs.c.pk),
            [{"article_id": article_id, "index": p.index, "ar": p.ar, "en": p.en}
             for p in result.paragraphs],
        )
        paragraph_pks = dict(inserted.all())
    sentence_rows = [
        {
            "article_id": article_id,
            "paragraph_pk": paragraph_pks[p.index],
            "paragraph_index": p.index,
            "index": s.index,
            "ar": s.ar,
            "en": s.en,
            "confidence": s.confidence,
            "in_summary": s.in_summary,
            "terms_json": s.terms_json,
        }
        for p in result.paragraphs
        for s in p.sentences
    ]
    if sentence_rows:
        await session.execute(insert(sentences), sentence_rows)
    await session.execute(
        insert(summaries),
        {
            "article_id": article_id,
            "text_en": result.summary_en,
            "text_ar": result.summary_ar,
            "sentence_count": sum(s.in_summary for p in result.paragraphs for s in p.sentences),
            "method": result.summary_method,
        },
    )
    return True


async def fail_article(session: AsyncSession, article_id: str, error: str) -> None:
    """Record a final failure with a readable reason."""
    await session.execute(
        update(Article)
        .where(Article.id == article_id, Article.status != ArticleStatus.done)
        .values(
            status=ArticleStatus.failed, error=error[:MAX_ERROR_CHARS], finished_at=utcnow(),
            lease_holder=None, lease_expires_at=None,
        )
    )


@dataclass(frozen=True)
class PendingArticle:
    seq: int
    id: str
    status: str
    priority: str
    not_before: datetime | None
    attempts: int
    created_at: datetime


_PENDING_COLUMNS = (
    Article.seq, Article.id, Article.status, Article.priority, Article.not_before,
    Article.attempts, Article.created_at,
)


async def pending_articles(
    session: AsyncSession,
    *,
    queued_before: datetime,
    after_seq: int = 0,
    limit: int = 1000,
) -> list[PendingArticle]:
    """Accepted articles still queued, created before `queued_before` (old enough that
    their job should be visible), from `after_seq` on."""
    query = (
        select(*_PENDING_COLUMNS)
        .where(
            Article.seq > after_seq,
            Article.status == ArticleStatus.queued,
            Article.created_at < queued_before,
        )
        .order_by(Article.seq)
        .limit(limit)
    )
    return [PendingArticle(*row) for row in await session.execute(query)]


def _lapsed(now: datetime):
    """Running articles whose lease has lapsed (or that never had one: started by a
    version without leases, `lease_s` ago)."""
    return (Article.status == ArticleStatus.running) & (
        (Article.lease_expires_at < now)
        | (Article.lease_expires_at.is_(None) & (Article.started_at < now - _NO_LEASE_GRACE))
    )


# An article started by a version without leases is taken back as that version did: after
# the default job timeout and half a minute.
_NO_LEASE_GRACE = timedelta(seconds=630)


async def lapsed_articles(
    session: AsyncSession, now: datetime, limit: int = 1000
) -> list[PendingArticle]:
    """Running articles whose worker stopped renewing their lease before `now`."""
    query = select(*_PENDING_COLUMNS).where(_lapsed(now)).order_by(Article.seq).limit(limit)
    return [PendingArticle(*row) for row in await session.execute(query)]


async def take_back_article(session: AsyncSession, article_id: str, now: datetime) -> bool:
    """Put a running article whose lease lapsed before `now` back in the queued state, its
    attempt counted; False if it was finished, or its lease renewed or taken, meanwhile."""
    changed = await rows_changed(
        session,
        update(Article)
        .where(Article.id == article_id, _lapsed(now))
        .values(status=ArticleStatus.queued, lease_holder=None, lease_expires_at=None)
    )
    return changed == 1


async def renew_leases(
    session: AsyncSession, holder: str, article_ids: Sequence[str], lease_s: float
) -> set[str]:
    """Extend `holder`'s leases on these running articles by `lease_s` from now; the ids
    whose lease it still held (the others were taken back or finished)."""
    if not article_ids:
        return set()
    result = await session.execute(
        update(Article)
        .where(
            Article.id.in_(list(article_ids)),
            Article.lease_holder == holder,
            Article.status == ArticleStatus.running,
        )
        .values(lease_expires_at=utcnow() + timedelta(seconds=lease_s))
        .returning(Article.id)
    )
    return set(result.scalars())


async def release_article(session: AsyncSession, article_id: str) -> None:
    """Give a running article back to the queue after an outage, not counting the attempt:
    the reconciler queues it again."""
    await session.execute(
        update(Article)
        .where(Article.id == article_id, Article.status == ArticleStatus.running)
        .values(
            status=ArticleStatus.queued,
            attempts=case((Article.attempts > 0, Article.attempts - 1), else_=0),
            lease_holder=None,
            lease_expires_at=None,
        )
    )
