"""Translation memory: sentences a model has translated once are not translated again.

Keys are the SHA-256 of the normalised source sentence (NFKC, whitespace collapsed), so
wire boilerplate and datelines that recur across articles hit the memory. A sentence that
holds glossary terms is keyed on those terms too (source and target): its entry is
reused only where the same terms apply, and a sentence without terms keeps its key.
"""

from __future__ import annotations

import hashlib
import unicodedata
from collections.abc import Iterable, Sequence

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from service.domain.terms import Term
from service.storage.db import is_postgres
from service.storage.tables import TranslationMemory

LOOKUP_CHUNK = 500


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
