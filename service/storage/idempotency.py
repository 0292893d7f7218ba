"""Idempotency-Key: a retried POST finds what its first attempt created."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.storage.tables import IdempotencyKey


@dataclass(frozen=True)
class Remembered:
    """What the first request with a key created, and the hash of its body (if kept)."""

    target_id: str
    request_hash: str | None


async def recall(session: AsyncSession, key: str, kind: str, owner_key: str) -> str | None:
    """The id created by the first request with this key, if there was one."""
    found = await recall_request(session, key, kind, owner_key)
    return found.target_id if found else None


async def recall_request(
    session: AsyncSession, key: str, kind: str, owner_key: str
) -> Remembered | None:
    """The first request with this key: what it created and its body's hash."""
    row = (
        await session.execute(
            select(IdempotencyKey.target_id, IdempotencyKey.request_hash).where(
                IdempotencyKey.key == key,
                IdempotencyKey.kind == kind,
                IdempotencyKey.owner_key == owner_key,
            )
        )
    ).one_or_none()
    return Remembered(row.target_id, row.request_hash) if row else None


async def remember(
    session: AsyncSession,
    key: str,
    kind: str,
    owner_key: str,
    target_id: str,
    request_hash: str | None = None,
) -> None:
    """Record the key in the creating transaction: a concurrent twin fails on commit."""
    session.add(
        IdempotencyKey(
            key=key,
            kind=kind,
            owner_key=owner_key,
            target_id=target_id,
            request_hash=request_hash,
        )
    )
    await session.flush()
