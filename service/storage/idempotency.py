"""Idempotency-Key: a retried POST finds what its first attempt created."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession

from service.storage.tables import IdempotencyKey


async def recall(session: AsyncSession, key: str, kind: str, owner_key: str) -> str | None:
    """The id created by the first request with this key, if there was one."""
    return (
        await session.execute(
            select(IdempotencyKey.target_id).where(
                IdempotencyKey.key == key,
                IdempotencyKey.kind == kind,
                IdempotencyKey.owner_key == owner_key,
            )
        )
    ).scalar_one_or_none()


async def remember(
    session: AsyncSession, key: str, kind: str, owner_key: str, target_id: str
) -> None:
    """Record the key in the creating transaction: a concurrent twin fails on commit."""
    session.add(IdempotencyKey(key=key, kind=kind, owner_key=owner_key, target_id=target_id))
    await session.flush()
