"""Corrections in bulk, as a CAT tool sends them back in an XLIFF file.

Each changed target is a correction like one made on the review page: the audit trail
records it under the importing key's name, and it teaches the reviewed memory. A unit is
applied only if its Arabic still matches what is stored; unchanged units change nothing.
All of a file's corrections are stored in one transaction.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.domain.types import ArticleStatus, MemoryOrigin
from service.storage import memory
from service.storage.edits import correct, effective_en
from service.storage.tables import Article, SentencePair

LOAD_CHUNK = 500


@dataclass(frozen=True)
class Correction:
    """A unit read back: where it points, the Arabic it carries and its (checked) English."""

    position: int  # in the file, from 1
    unit: str
    article_id: str
    paragraph: int
    sentence: int
    source: str
    target: str


@dataclass
class CorrectionOutcome:
    updated: int = 0
    unchanged: int = 0
    # (position, unit id, reason)
    rejected: list[tuple[int, str, str]] = field(default_factory=list)


def _same(a: str, b: str) -> bool:
    """Equal once whitespace is collapsed and Unicode normalised: CAT tools may reflow."""
    return memory.normalise(a) == memory.normalise(b)


async def _articles(session: AsyncSession, ids: list[str]) -> dict[str, tuple[str, str | None]]:
    found = {}
    for start in range(0, len(ids), LOAD_CHUNK):
        rows = await session.execute(
            select(Article.id, Article.status, Article.batch_id).where(
                Article.id.in_(ids[start : start + LOAD_CHUNK])
            )
        )
        found.update({a: (status, batch) for a, status, batch in rows})
    return found


async def _sentences(
    session: AsyncSession, ids: list[str]
) -> dict[tuple[str, int, int], SentencePair]:
    found = {}
    for start in range(0, len(ids), LOAD_CHUNK):
        rows = await session.execute(
            select(SentencePair).where(SentencePair.article_id.in_(ids[start : start + LOAD_CHUNK]))
        )
        found.update({(r.article_id, r.paragraph_index, r.index): r for r in rows.scalars()})
    return found


async def apply_corrections(
    session: AsyncSession,
    corrections: Sequence[Correction],
    editor: str,
    *,
    article_id: str | None = None,
    batch_id: str | None = None,
) -> CorrectionOutcome:
    """Apply the units that belong to `article_id` (or to any article of `batch_id`) and
    changed; count the unchanged; reject the rest with a reason."""
    ids = list(dict.fromkeys(c.article_id for c in corrections))
    articles = await _articles(session, ids)
    in_scope = {
        a
        for a, (_, batch) in articles.items()
        if (article_id is not None and a == article_id)
        or (batch_id is not None and batch == batch_id)
    }
    sentences = await _sentences(session, sorted(in_scope))
    scope = f"article {article_id}" if article_id is not None else f"batch {batch_id}"
    outcome = CorrectionOutcome()
    entries: list[memory.ReviewedEntry] = []
    seen: set[tuple[str, int, int]] = set()

    def reject(c: Correction, reason: str) -> None:
        outcome.rejected.append((c.position, c.unit, reason))

    for c in corrections:
        where = (c.article_id, c.paragraph, c.sentence)
        if c.article_id not in in_scope:
            reject(c, f"the unit belongs to article {c.article_id}, which is not in {scope}")
        elif articles[c.article_id][0] != ArticleStatus.done:
            reject(c, f"article {c.article_id} is {articles[c.article_id][0]}, not done")
        elif where in seen:
            reject(c, "the unit appears more than once in the file")
        elif (row := sentences.get(where)) is None:
            reject(
                c, f"article {c.article_id} has no sentence {c.sentence} in paragraph {c.paragraph}"
            )
        elif not _same(c.source, row.ar):
            reject(c, "the source no longer matches the stored Arabic")
        elif _same(c.target, effective_en(row)):
            outcome.unchanged += 1
        else:
            entry = correct(session, row, c.target, editor, MemoryOrigin.xliff)
            if entry is not None:  # always: the target differs from what is shown
                entries.append(entry)
            outcome.updated += 1
        seen.add(where)
    await memory.remember_reviewed(session, entries)
    await session.flush()
    return outcome
