"""/v1/glossaries: terms enforced in translations, as JSON, CSV or TBX."""

from __future__ import annotations

import json

from fastapi import APIRouter, HTTPException, Query, Request, Response, status
from pydantic import ValidationError

from service.app.auth import Principal, SubmitterDep, visible
from service.app.deps import SessionDep
from service.app.error_handlers import undecodable
from service.app.glossary_files import (
    CSV_TYPES,
    TBX_TYPES,
    GlossaryFileError,
    checked_terms,
    read_csv,
    read_tbx,
)
from service.app.schemas import (
    GlossaryCreate,
    GlossaryDetail,
    GlossaryList,
    GlossaryPublic,
    StorableStr,
    glossary_detail,
    glossary_public,
)
from service.domain.terms import Term
from service.storage import glossaries as store
from service.storage.db import committing

router = APIRouter(prefix="/v1/glossaries", tags=["glossaries"])
MAX_PAGE_SIZE = 200
NAME_QUERY = Query(None, min_length=1, max_length=200, description="for CSV and TBX uploads")
# The body is read by content type, so the schema says what each type holds.
UPLOAD_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["name", "entries"],
                    "properties": {
                        "name": {"type": "string", "minLength": 1, "maxLength": 200},
                        "entries": {
                            "type": "array",
                            "items": {
                                "type": "object",
                                "required": ["ar", "en"],
                                "properties": {"ar": {"type": "string"}, "en": {"type": "string"}},
                            },
                        },
                    },
                }
            },
            "text/csv": {"schema": {"type": "string", "description": "header row: ar,en"}},
            "application/x-tbx+xml": {"schema": {"type": "string", "description": "TBX"}},
        },
    }
}


async def _upload(request: Request, name: str | None) -> tuple[str, list[Term]]:
    """The glossary's name and checked terms from a JSON, CSV or TBX body; 4xx if bad."""
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    raw = await request.body()
    try:
        if content_type == "application/json":
            return _from_json(raw)
        if content_type in CSV_TYPES or content_type in TBX_TYPES:
            if not name:
                raise GlossaryFileError("a CSV or TBX upload needs the glossary's name as ?name=")
            pairs = read_csv(raw) if content_type in CSV_TYPES else read_tbx(raw)
            return name, checked_terms(pairs)
    except GlossaryFileError as exc:
        raise HTTPException(422, str(exc)) from None
    raise HTTPException(
        status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
        "send a glossary as application/json, text/csv (header ar,en) or TBX "
        "(application/x-tbx+xml)",
    )


def _from_json(raw: bytes) -> tuple[str, list[Term]]:
    try:
        data = json.loads(raw)
    except json.JSONDecodeError as exc:
        raise GlossaryFileError(f"invalid JSON: {exc}") from None
    except UnicodeDecodeError as exc:
        raise GlossaryFileError(f"invalid JSON: {undecodable(exc)}") from None
    except RecursionError:
        raise GlossaryFileError("invalid JSON: nested too deeply") from None
    try:
        body = GlossaryCreate.model_validate(data)
    except ValidationError as exc:
        raise GlossaryFileError(
            "; ".join(
                f"{'.'.join(map(str, e['loc'])) or 'body'}: {e['msg']}" for e in exc.errors()[:5]
            )
        ) from None
    return body.name, checked_terms((e.ar, e.en) for e in body.entries)


async def visible_glossary(session, glossary_id: str, principal: Principal, **options):
    """The glossary if `principal` may see it; else 404, alike for missing and others'."""
    glossary = await store.get_glossary(session, glossary_id, **options)
    if glossary is None or not visible(glossary, principal):
        raise HTTPException(status.HTTP_404_NOT_FOUND, f"no glossary {glossary_id!r}")
    return glossary


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=GlossaryPublic,
    openapi_extra=UPLOAD_BODY,
)
async def create_glossary(
    request: Request,
    session: SessionDep,
    principal: SubmitterDep,
    response: Response,
    name: StorableStr | None = NAME_QUERY,
) -> GlossaryPublic:
    """Store a glossary from JSON `{name, entries: [{ar, en}]}`, a CSV file or a TBX file."""
    name, terms = await _upload(request, name)
    async with committing(session):
        glossary = await store.create_glossary(session, name, terms, principal.key_id)
    response.headers["Location"] = f"/v1/glossaries/{glossary.id}"
    return glossary_public(glossary)


@router.get("", response_model=GlossaryList)
async def list_glossaries(
    session: SessionDep,
    principal: SubmitterDep,
    cursor: str | None = Query(None, description="next_cursor of the previous page"),
    limit: int = Query(50, ge=1, le=MAX_PAGE_SIZE),
) -> GlossaryList:
    if cursor is not None and not cursor.isdigit():
        raise HTTPException(status.HTTP_400_BAD_REQUEST, "invalid cursor")
    rows = await store.list_glossaries(
        session,
        owner_key=None if principal.sees_all else principal.key_id,
        before_seq=int(cursor) if cursor else None,
        limit=limit,
    )
    next_cursor = str(rows[-1].seq) if len(rows) == limit else None
    return GlossaryList(items=[glossary_public(g) for g in rows], next_cursor=next_cursor)


@router.get("/{glossary_id}", response_model=GlossaryDetail)
async def read_glossary(
    glossary_id: str, session: SessionDep, principal: SubmitterDep
) -> GlossaryDetail:
    return glossary_detail(
        await visible_glossary(session, glossary_id, principal, with_entries=True)
    )


@router.put("/{glossary_id}", response_model=GlossaryPublic, openapi_extra=UPLOAD_BODY)
async def replace_glossary(
    glossary_id: str,
    request: Request,
    session: SessionDep,
    principal: SubmitterDep,
    name: StorableStr | None = NAME_QUERY,
) -> GlossaryPublic:
    """Replace the name and every entry (same bodies as POST); later translations use them."""
    glossary = await visible_glossary(session, glossary_id, principal)
    name, terms = await _upload(request, name)
    async with committing(session):
        await store.replace_glossary(session, glossary, name, terms)
    return glossary_public(glossary)


@router.delete("/{glossary_id}", status_code=status.HTTP_204_NO_CONTENT)
async def delete_glossary(glossary_id: str, session: SessionDep, principal: SubmitterDep) -> None:
    glossary = await visible_glossary(session, glossary_id, principal)
    async with committing(session):
        await store.delete_glossary(session, glossary.id)
