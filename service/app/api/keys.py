"""/v1/keys: admins create, list and revoke API keys."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter, HTTPException, status
from pydantic import BaseModel, ConfigDict, Field

from service.app.auth import AdminDep
from service.app.deps import SessionDep
from service.app.schemas import StorableStr
from service.domain.types import KeyRole
from service.storage import keys as key_store
from service.storage.db import committing

router = APIRouter(prefix="/v1/keys", tags=["keys"])


class KeyCreate(BaseModel):
    model_config = ConfigDict(extra="forbid")

    name: StorableStr = Field(min_length=1, max_length=200)
    role: KeyRole = KeyRole.submit


class KeyPublic(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: str
    name: str
    role: KeyRole
    prefix: str
    created_at: datetime
    revoked_at: datetime | None


class KeyCreated(KeyPublic):
    key: str = Field(description="The key itself: shown once, store it now.")


@router.get("", response_model=list[KeyPublic])
async def list_keys(session: SessionDep, _: AdminDep) -> list[KeyPublic]:
    return [KeyPublic.model_validate(row) for row in await key_store.list_keys(session)]


@router.post("", status_code=status.HTTP_201_CREATED, response_model=KeyCreated)
async def create_key(body: KeyCreate, session: SessionDep, _: AdminDep) -> KeyCreated:
    async with committing(session):
        row, key = await key_store.create_key(session, body.name, body.role)
    return KeyCreated(**KeyPublic.model_validate(row).model_dump(), key=key)


@router.delete("/{key_id}", status_code=status.HTTP_204_NO_CONTENT)
async def revoke_key(key_id: str, session: SessionDep, _: AdminDep) -> None:
    async with committing(session):
        if not await key_store.revoke_key(session, key_id):
            raise HTTPException(status.HTTP_404_NOT_FOUND, f"no active key {key_id!r}")
