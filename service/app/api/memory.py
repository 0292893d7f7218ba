"""/v1/memory: the translation memory in and out as TMX, for reviewers and admins.

The memory is shared by every key (see the README), so only keys that already read every
article may export it or add to it: an export holds sentences of every submitter's work.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from enum import StrEnum

from fastapi import APIRouter, HTTPException, Request, status
from fastapi.responses import StreamingResponse

from service.app.api.edits import CsrfDep
from service.app.auth import ReviewerDep
from service.app.deps import SessionDep
from service.app.schemas import MAX_REJECTIONS_SHOWN, MemoryImported, RejectedUnit
from service.app.tmx import TmxPair, memory_tmx, read_pairs, tmx_unit
from service.app.xml_safe import XmlFileError, parse_upload
from service.domain.types import MemoryOrigin
from service.storage import memory

router = APIRouter(prefix="/v1/memory", tags=["memory"])


class MemoryExportFormat(StrEnum):
    tmx = "tmx"


class MemoryScope(StrEnum):
    reviewed = "reviewed"  # reviewers' English only
    all = "all"  # and every model's machine translations


def _read_tmx(data: bytes) -> tuple[list[TmxPair], list[RejectedUnit]]:
    pairs, rejected = [], []
    for item in read_pairs(parse_upload(data, "TMX")):
        if isinstance(item, TmxPair):
            pairs.append(item)
        else:
            rejected.append(RejectedUnit(unit=str(item.number), error=item.error))
    return pairs, rejected


@router.post("/import", response_model=MemoryImported)
async def import_memory(
    request: Request, session: SessionDep, principal: ReviewerDep, _: CsrfDep
) -> MemoryImported:
    """Take a TMX file's ar->en units into the memory as reviewed entries (the body is the
    file). Each replaces the entry for its Arabic sentence; invalid units are listed."""
    try:
        pairs, rejected = await asyncio.to_thread(_read_tmx, await request.body())
    except XmlFileError as error:
        raise HTTPException(status.HTTP_422_UNPROCESSABLE_CONTENT, str(error)) from None
    entries = [memory.ReviewedEntry(p.ar, p.en, principal.name, MemoryOrigin.tmx) for p in pairs]
    async with session.begin():
        stored = await memory.remember_reviewed(session, entries)
    return MemoryImported(
        imported=len(pairs),
        entries=stored,
        rejected=rejected[:MAX_REJECTIONS_SHOWN],
        rejected_total=len(rejected),
    )


def _tmx_date(moment) -> str:
    return moment.strftime("%Y%m%dT%H%M%SZ")


@router.get("/export")
async def export_memory(
    request: Request,
    principal: ReviewerDep,
    format: MemoryExportFormat = MemoryExportFormat.tmx,
    include: MemoryScope = MemoryScope.reviewed,
) -> StreamingResponse:
    """The memory as TMX 1.4: reviewed entries (with who and when), and with
    `include=all` every model's machine entries too, marked as such."""
    sessions = request.app.state.sessions

    async def units() -> AsyncIterator[str]:
        async with sessions() as session:
            async for row in memory.reviewed_entries(session):
                yield tmx_unit(
                    row.source,
                    row.target,
                    {
                        "x-tarjama-origin": "reviewed",
                        "x-reviewed-via": row.origin,
                        "x-article-id": row.article_id,
                    },
                    {"changeid": row.editor, "changedate": _tmx_date(row.updated_at)},
                )
            if include is MemoryScope.all:
                async for machine in memory.machine_entries(session):
                    yield tmx_unit(
                        machine.source,
                        machine.target,
                        {"x-tarjama-origin": "machine", "x-model": machine.model_name},
                        {
                            "creationid": machine.model_name,
                            "creationdate": _tmx_date(machine.created_at),
                        },
                    )

    return StreamingResponse(
        memory_tmx(units()),
        media_type="application/x-tmx+xml; charset=utf-8",
        headers={"Content-Disposition": 'attachment; filename="memory.tmx"'},
    )
