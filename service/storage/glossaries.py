"""Query functions for glossaries and their entries."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import delete, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import selectinload

from service.domain.terms import Term
from service.storage.db import equals
from service.storage.tables import Article, Glossary, GlossaryEntry, utcnow

INSERT_CHUNK = 1000


async def _store_entries(session: AsyncSession, glossary_id: str, terms: Sequence[Term]) -> None:
    rows = [
        {"glossary_id": glossary_id, "index": i, "ar": t.ar, "en": t.en}
        for i, t in enumerate(terms)
    ]
    for start in range(0, len(rows), INSERT_CHUNK):
        await session.execute(insert(GlossaryEntry), rows[start : start + INSERT_CHUNK])


async def create_glossary(
    session: AsyncSession, name: str, terms: Sequence[Term], owner_key: str | None
) -> Glossary:
    glossary = Glossary(name=name, owner_key=owner_key, entry_count=len(terms))
    session.add(glossary)
    await session.flush()
    await _store_entries(session, glossary.id, terms)
    return glossary


async def replace_glossary(
    session: AsyncSession, glossary: Glossary, name: str, terms: Sequence[Term]
) -> Glossary:
    """Give `glossary` a new name and entries; articles translated later use them."""
    await session.execute(delete(GlossaryEntry).where(GlossaryEntry.glossary_id == glossary.id))
    await _store_entries(session, glossary.id, terms)
    glossary.name = name
    glossary.entry_count = len(terms)
    glossary.updated_at = utcnow()
    await session.flush()
    return glossary


async def get_glossary(
    session: AsyncSession, glossary_id: str, *, with_entries: bool = False
) -> Glossary | None:
    query = select(Glossary).where(equals(Glossary.id, glossary_id))
    if with_entries:
        query = query.options(selectinload(Glossary.entries))
    return (await session.execute(query)).scalar_one_or_none()


async def list_glossaries(
    session: AsyncSession, *, owner_key: str | None, before_seq: int | None, limit: int
) -> Sequence[Glossary]:
    """Newest first; `owner_key` None lists everyone's."""
    query = select(Glossary).order_by(Glossary.seq.desc()).limit(limit)
    if owner_key is not None:
        query = query.where(Glossary.owner_key == owner_key)
    if before_seq is not None:
        query = query.where(Glossary.seq < before_seq)
    return (await session.execute(query)).scalars().all()


async def delete_glossary(session: AsyncSession, glossary_id: str) -> None:
    """Delete a glossary; articles not yet translated with it are translated without."""
    await session.execute(
        update(Article).where(Article.glossary_id == glossary_id).values(glossary_id=None)
    )
    await session.execute(delete(GlossaryEntry).where(GlossaryEntry.glossary_id == glossary_id))
    await session.execute(delete(Glossary).where(Glossary.id == glossary_id))


async def glossary_terms(session: AsyncSession, glossary_id: str) -> list[Term]:
    """A glossary's terms, in order (none if it was deleted)."""
    rows = await session.execute(
        select(GlossaryEntry.ar, GlossaryEntry.en)
        .where(GlossaryEntry.glossary_id == glossary_id)
        .order_by(GlossaryEntry.index)
    )
    return [Term(ar, en) for ar, en in rows]


async def glossary_version(session: AsyncSession, glossary_id: str) -> datetime | None:
    """When the glossary last changed (None if it is gone): its matcher's cache key."""
    return await session.scalar(select(Glossary.updated_at).where(Glossary.id == glossary_id))
