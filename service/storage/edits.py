"""Reviewers' corrections of machine-translated sentences, and the audit trail they leave.

The machine translation in `SentencePair.en` is never overwritten: a correction goes to
`edited_en`, and every change writes a `SentenceEdit` row (who, when, before, after).
"""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.domain.errors import (
    ArticleNotDoneError,
    ArticleNotFoundError,
    SentenceNotFoundError,
)
from service.domain.types import ArticleStatus
from service.storage.db import equals
from service.storage.tables import Article, SentenceEdit, SentencePair, utcnow


def effective_en(sentence: SentencePair) -> str:
    """The English a reader sees: the correction when there is one."""
    return sentence.edited_en if sentence.edited_en is not None else sentence.en


async def find_sentence(
    session: AsyncSession, article_id: str, paragraph: int, sentence: int
) -> SentencePair:
    """The sentence to correct; raises an EditError when it cannot be corrected."""
    article = (
        await session.execute(select(Article.status).where(equals(Article.id, article_id)))
    ).scalar_one_or_none()
    if article is None:
        raise ArticleNotFoundError(f"no article {article_id!r}")
    if article != ArticleStatus.done:
        raise ArticleNotDoneError(f"article {article_id!r} is {article}, not done")
    row = (
        await session.execute(
            select(SentencePair).where(
                SentencePair.article_id == article_id,
                SentencePair.paragraph_index == paragraph,
                SentencePair.index == sentence,
            )
        )
    ).scalar_one_or_none()
    if row is None:
        raise SentenceNotFoundError(
            f"article {article_id!r} has no sentence {sentence} in paragraph {paragraph}"
        )
    return row


async def edit_sentence(
    session: AsyncSession, article_id: str, paragraph: int, sentence: int, text: str, editor: str
) -> SentencePair:
    """Store `text` as the sentence's English and audit the change (a no-op if unchanged)."""
    row = await find_sentence(session, article_id, paragraph, sentence)
    before = effective_en(row)
    if text == before:
        return row
    row.edited_en = text
    row.edited_at = utcnow()
    session.add(
        SentenceEdit(
            article_id=article_id,
            sentence_pk=row.pk,
            paragraph_index=paragraph,
            sentence_index=sentence,
            editor=editor,
            before=before,
            after=text,
            created_at=row.edited_at,
        )
    )
    await session.flush()
    return row


async def article_row(session: AsyncSession, article_id: str) -> Article | None:
    """The article alone, without its results."""
    query = select(Article).where(equals(Article.id, article_id))
    return (await session.execute(query)).scalar_one_or_none()


async def list_edits(session: AsyncSession, article_id: str) -> Sequence[SentenceEdit]:
    """The article's audit trail, oldest first."""
    query = (
        select(SentenceEdit)
        .where(SentenceEdit.article_id == article_id)
        .order_by(SentenceEdit.created_at, SentenceEdit.pk)
    )
    return (await session.execute(query)).scalars().all()


async def mark_reviewed(session: AsyncSession, article_id: str, reviewer: str) -> Article:
    """Record that `reviewer` has reviewed the finished article."""
    status = (
        await session.execute(select(Article.status).where(equals(Article.id, article_id)))
    ).scalar_one_or_none()
    if status is None:
        raise ArticleNotFoundError(f"no article {article_id!r}")
    if status != ArticleStatus.done:
        raise ArticleNotDoneError(f"article {article_id!r} is {status}, not done")
    await session.execute(
        update(Article)
        .where(Article.id == article_id)
        .values(reviewed_at=utcnow(), reviewed_by=reviewer)
    )
    return (await session.execute(select(Article).where(Article.id == article_id))).scalar_one()
