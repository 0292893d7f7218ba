"""API keys: created with a random secret, stored as a SHA-256 hash only."""

from __future__ import annotations

import hashlib
import secrets
from collections.abc import Sequence

from sqlalchemy import delete, select, update
from sqlalchemy.ext.asyncio import AsyncSession

from service.domain.types import KeyRole
from service.storage.db import equals
from service.storage.tables import ApiKey, ReviewSession, utcnow

KEY_PREFIX = "tj_"
KEY_SECRET_BYTES = 32
SHOWN_PREFIX_CHARS = 10


def hash_key(key: str) -> str:
    """Keys are 256-bit random secrets, so a plain SHA-256 is enough to store them."""
    return hashlib.sha256(key.encode()).hexdigest()


async def create_key(session: AsyncSession, name: str, role: KeyRole) -> tuple[ApiKey, str]:
    """A new key row and the key itself, which is shown once and never stored."""
    key = KEY_PREFIX + secrets.token_urlsafe(KEY_SECRET_BYTES)
    row = ApiKey(name=name, role=role, prefix=key[:SHOWN_PREFIX_CHARS], key_hash=hash_key(key))
    session.add(row)
    await session.flush()
    return row, key


async def find_active_key(session: AsyncSession, key: str) -> ApiKey | None:
    row = (
        await session.execute(select(ApiKey).where(ApiKey.key_hash == hash_key(key)))
    ).scalar_one_or_none()
    if row is None or row.revoked_at is not None:
        return None
    return row


async def list_keys(session: AsyncSession) -> Sequence[ApiKey]:
    return (await session.execute(select(ApiKey).order_by(ApiKey.created_at))).scalars().all()


async def revoke_key(session: AsyncSession, key_id: str) -> bool:
    """Revoke by id or by shown prefix, ending its review sessions; False when no active
    key matches."""
    matching = (
        await session.execute(
            select(ApiKey.id).where(
                equals(ApiKey.id, key_id) | equals(ApiKey.prefix, key_id),
                ApiKey.revoked_at.is_(None),
            )
        )
    ).scalars().all()
    if not matching:
        return False
    await session.execute(
        update(ApiKey).where(ApiKey.id.in_(matching)).values(revoked_at=utcnow())
    )
    await session.execute(delete(ReviewSession).where(ReviewSession.key_id.in_(matching)))
    return True
