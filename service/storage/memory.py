"""Translation memory: sentences a model has translated once are not translated again,
and a sentence a reviewer has corrected gets the reviewer's English next time.

Keys are the SHA-256 of the normalised source sentence (NFKC, whitespace collapsed), so
wire boilerplate and datelines that recur across articles hit the memory. A sentence that
holds glossary terms is keyed on those terms too (source and target): its entry is
reused only where the same terms apply, and a sentence without terms keeps its key.

Two tables: `translation_memory` holds machine translations per model, written once;
`reviewed_memory` holds one reviewer's English per sentence, whatever the model, replaced
by each later correction. A reviewed entry outranks every machine entry. The memory is
one, shared by every key: see the README ("Translation memory") for why.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import AsyncIterator, Iterable, Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from service.domain.terms import Term
from service.storage.db import is_postgres
from service.storage.tables import ReviewedMemory, TranslationMemory, utcnow

LOOKUP_CHUNK = 500
EXPORT_PAGE = 1000


def normalise(text: str) -> str:
    return " ".join(unicodedata.normalize("NFKC", text).split())


def source_key(text: str, terms: Sequence[Term] = ()) -> str:
    """The memory's key for a sentence translated with these glossary terms: a sentence
    with terms is keyed on them too, so it is only reused with the same terms."""
    key = normalise(text)
    for term in terms:
        key += f"\x00{term.ar}\x01{term.en}"
    return hashlib.sha256(key.encode()).hexdigest()


async def lookup(
    session: AsyncSession, model_name: str, keys: Iterable[str]
) -> dict[str, tuple[str, float | None]]:
    """Known translations by key."""
    keys = list(dict.fromkeys(keys))
    found: dict[str, tuple[str, float | None]] = {}
    for start in range(0, len(keys), LOOKUP_CHUNK):
        chunk = keys[start : start + LOOKUP_CHUNK]
        rows = await session.execute(
            select(
                TranslationMemory.source_hash,
                TranslationMemory.target,
                TranslationMemory.confidence,
            ).where(
                TranslationMemory.model_name == model_name,
                TranslationMemory.source_hash.in_(chunk),
            )
        )
        found.update({key: (target, conf) for key, target, conf in rows})
    return found


async def remember(
    session: AsyncSession,
    model_name: str,
    entries: Iterable[tuple[str, str, str, float | None]],
) -> None:
    """Store (key, source, target, confidence) entries; existing keys are left alone.

    Rows go in key order: two transactions storing overlapping keys then wait for each
    other in one order, never in a cycle (PostgreSQL would abort one as a deadlock).
    """
    rows = [
        {"model_name": model_name, "source_hash": k, "source": s, "target": t, "confidence": c}
        for k, s, t, c in sorted(entries)
    ]
    if not rows:
        return
    insert = pg_insert if is_postgres(session) else sqlite_insert
    for start in range(0, len(rows), LOOKUP_CHUNK):
        statement = insert(TranslationMemory).values(rows[start : start + LOOKUP_CHUNK])
        await session.execute(statement.on_conflict_do_nothing())


@dataclass(frozen=True)
class ReviewedEntry:
    """A reviewer's English for one source sentence."""

    source: str
    target: str
    editor: str
    origin: str  # a MemoryOrigin
    article_id: str | None = None

    @property
    def key(self) -> str:
        return source_key(self.source)


async def lookup_reviewed(session: AsyncSession, keys: Iterable[str]) -> dict[str, str]:
    """Reviewers' English by key, for the keys that have an entry."""
    keys = list(dict.fromkeys(keys))
    found: dict[str, str] = {}
    for start in range(0, len(keys), LOOKUP_CHUNK):
        rows = await session.execute(
            select(ReviewedMemory.source_hash, ReviewedMemory.target).where(
                ReviewedMemory.source_hash.in_(keys[start : start + LOOKUP_CHUNK])
            )
        )
        found.update(dict(rows.all()))
    return found


async def remember_reviewed(session: AsyncSession, entries: Iterable[ReviewedEntry]) -> int:
    """Store reviewed entries, each replacing any earlier entry for its sentence (within
    `entries`, the last for a sentence wins). Returns the number of sentences stored."""
    latest = {entry.key: entry for entry in entries}
    now = utcnow()
    rows = [
        {
            "source_hash": key,
            "source": e.source,
            "target": e.target,
            "editor": e.editor,
            "origin": e.origin,
            "article_id": e.article_id,
            "updated_at": now,
        }
        for key, e in sorted(latest.items())  # key order: see remember()
    ]
    insert = pg_insert if is_postgres(session) else sqlite_insert
    for start in range(0, len(rows), LOOKUP_CHUNK):
        statement = insert(ReviewedMemory).values(rows[start : start + LOOKUP_CHUNK])
        replaced = {
            column: statement.excluded[column]
            for column in ("source", "target", "editor", "origin", "article_id", "updated_at")
        }
        await session.execute(
            statement.on_conflict_do_update(index_elements=["source_hash"], set_=replaced)
        )
    return len(rows)


async def reviewed_entries(session: AsyncSession) -> AsyncIterator[ReviewedMemory]:
    """Every reviewed entry, a page at a time, in key order."""
    after = ""
    while True:
        page = (
            (
                await session.execute(
                    select(ReviewedMemory)
                    .where(ReviewedMemory.source_hash > after)
                    .order_by(ReviewedMemory.source_hash)
                    .limit(EXPORT_PAGE)
                )
            )
            .scalars()
            .all()
        )
        for row in page:
            yield row
        if len(page) < EXPORT_PAGE:
            return
        after = page[-1].source_hash
        session.expunge_all()


async def machine_entries(session: AsyncSession) -> AsyncIterator[TranslationMemory]:
    """Every machine entry of every model, a page at a time."""
    after = ("", "")
    while True:
        page = (
            (
                await session.execute(
                    select(TranslationMemory)
                    .where(
                        (TranslationMemory.model_name > after[0])
                        | (
                            (TranslationMemory.model_name == after[0])
                            & (TranslationMemory.source_hash > after[1])
                        )
                    )
                    .order_by(TranslationMemory.model_name, TranslationMemory.source_hash)
                    .limit(EXPORT_PAGE)
                )
            )
            .scalars()
            .all()
        )
        for row in page:
            yield row
        if len(page) < EXPORT_PAGE:
            return
        after = (page[-1].model_name, page[-1].source_hash)
        session.expunge_all()
