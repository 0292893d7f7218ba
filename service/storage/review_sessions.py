"""Review page sign-ins: a random token in the browser's cookie, its hash in the database.

A stolen cookie is then not a stolen API key, and a session ends on its own: at
`expires_at`, on sign-out (its row is deleted), or when its key is revoked.
"""

from __future__ import annotations

import hashlib
import secrets
from datetime import timedelta

from sqlalchemy import delete, select
from sqlalchemy.ext.asyncio import AsyncSession

from service.storage.db import storable
from service.storage.tables import ApiKey, ReviewSession, utcnow

SESSION_TOKEN_BYTES = 32
REVIEW_SESSION_TTL_S = 12 * 3600


def hash_token(token: str) -> str:
    """Tokens are 256-bit random secrets: a plain SHA-256 is enough to store them."""
    return hashlib.sha256(token.encode()).hexdigest()


async def start_session(session: AsyncSession, key: ApiKey) -> str:
    """A new session for `key`; returns its token, which is never stored."""
    now = utcnow()
    # Sessions past their expiry are dropped as new ones begin.
    await session.execute(delete(ReviewSession).where(ReviewSession.expires_at < now))
    token = secrets.token_urlsafe(SESSION_TOKEN_BYTES)
    session.add(
        ReviewSession(
            token_hash=hash_token(token),
            key_id=key.id,
            created_at=now,
            expires_at=now + timedelta(seconds=REVIEW_SESSION_TTL_S),
        )
    )
    await session.flush()
    return token


async def find_session_key(session: AsyncSession, token: str) -> ApiKey | None:
    """The key behind a live session: not expired, not signed out, its key not revoked."""
    if not storable(token):
        return None
    return (
        await session.execute(
            select(ApiKey)
            .join(ReviewSession, ReviewSession.key_id == ApiKey.id)
            .where(
                ReviewSession.token_hash == hash_token(token),
                ReviewSession.expires_at > utcnow(),
                ApiKey.revoked_at.is_(None),
            )
        )
    ).scalar_one_or_none()


async def end_session(session: AsyncSession, token: str) -> None:
    """Sign out: the session's row is deleted, so its cookie opens nothing any more."""
    await session.execute(
        delete(ReviewSession).where(ReviewSession.token_hash == hash_token(token))
    )
