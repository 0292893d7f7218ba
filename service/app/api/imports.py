"""XLIFF files back from CAT tools: POST /v1/articles/{id}/import and
/v1/batches/{id}/import. Each changed target is a reviewer's correction."""

from __future__ import annotations

import asyncio
from enum import StrEnum

from fastapi import APIRouter, HTTPException, Request, status

from service.app.api.batches import owned_batch
from service.app.api.edits import CsrfDep
from service.app.auth import Principal, ReviewerDep
from service.app.deps import SessionDep, visible_article
from service.app.schemas import (
    MAX_REJECTIONS_SHOWN,
    RejectedUnit,
    TranslationsImported,
    clean_sentence_text,
)
from service.app.xliff import UNIT_ID_RE, read_units
from service.app.xml_safe import XmlFileError, parse_upload
from service.storage.corrections import Correction, apply_corrections

router = APIRouter(tags=["imports"])


class ImportFormat(StrEnum):
    xliff = "xliff"


def _read_xliff(data: bytes) -> tuple[list[Correction], list[tuple[int, str, str]]]:
    """The units of an XLIFF file as corrections, and those refused before the database
    is asked: (position, unit id, reason)."""
    corrections, rejected = [], []
    for unit in read_units(parse_upload(data, "XLIFF")):
        match = UNIT_ID_RE.match(unit.id)
        if match is None:
            rejected.append((unit.position, unit.id, "the unit id is not one tarjama exported"))
            continue
        if unit.target is None:
            rejected.append((unit.position, unit.id, "the unit has no target"))
            continue
        try:
            target = clean_sentence_text(unit.target)
        except ValueError as exc:
            rejected.append((unit.position, unit.id, f"the target: {exc}"))
            continue
        corrections.append(
            Correction(
                position=unit.position,
                unit=unit.id,
                article_id=match["article"],
                paragraph=int(match["paragraph"]),
                sentence=int(match["sentence"]),
                source=unit.source,
                target=target,
            )
        )
    return corrections, rejected


async def _import(
    request: Request, session, principal: Principal, **scope: str
) -> TranslationsImported:
    try:
        corrections, refused = await asyncio.to_thread(_read_xliff, await request.body())
    except XmlFileError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from None
    if not corrections and not refused:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, "the XLIFF file has no units")
    async with session.begin():
        outcome = await apply_corrections(session, corrections, principal.name, **scope)
    rejected = sorted(refused + outcome.rejected)
    return TranslationsImported(
        updated=outcome.updated,
        unchanged=outcome.unchanged,
        rejected=[RejectedUnit(unit=u, error=e) for _, u, e in rejected[:MAX_REJECTIONS_SHOWN]],
        rejected_total=len(rejected),
    )


@router.post("/v1/articles/{article_id}/import", response_model=TranslationsImported)
async def import_article(
    article_id: str,
    request: Request,
    session: SessionDep,
    principal: ReviewerDep,
    _: CsrfDep,
    format: ImportFormat = ImportFormat.xliff,
) -> TranslationsImported:
    """Apply an XLIFF file of this article's sentences (the body is the file): each
    changed target becomes a correction by this key."""
    found = (await visible_article(session, article_id, principal, with_results=False)).id
    await session.rollback()  # end the lookup's transaction; the import opens its own
    return await _import(request, session, principal, article_id=found)


@router.post("/v1/batches/{batch_id}/import", response_model=TranslationsImported)
async def import_batch(
    batch_id: str,
    request: Request,
    session: SessionDep,
    principal: ReviewerDep,
    _: CsrfDep,
    format: ImportFormat = ImportFormat.xliff,
) -> TranslationsImported:
    """Apply an XLIFF file of the batch's articles (the body is the file)."""
    found = (await owned_batch(session, batch_id, principal)).id
    await session.rollback()
    return await _import(request, session, principal, batch_id=found)
