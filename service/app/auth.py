"""Who is calling: an API key from `Authorization: Bearer`, or the review pages' session
cookie (a random token standing for a signed-in key, never the key itself).

Roles are ordered: submit < review < admin. A submitter sees only its own articles and
batches; a reviewer reads everything and edits translations; an admin also manages keys.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, HTTPException, Request, status

from service.domain.types import KeyRole
from service.storage import keys as key_store
from service.storage import review_sessions

SESSION_COOKIE = "tarjama_session"
ROLE_RANK = {KeyRole.submit: 0, KeyRole.review: 1, KeyRole.admin: 2}


@dataclass(frozen=True)
class Principal:
    key_id: str
    name: str
    role: KeyRole

    def has(self, role: KeyRole) -> bool:
        return ROLE_RANK[self.role] >= ROLE_RANK[role]

    @property
    def sees_all(self) -> bool:
        """Reviewers and admins read every article; submitters only their own."""
        return self.has(KeyRole.review)


def visible(row, principal: Principal) -> bool:
    """Submitters see only what they submitted (others' articles and batches answer 404,
    not 403)."""
    return principal.sees_all or row.owner_key == principal.key_id


class NotAuthenticatedError(HTTPException):
    def __init__(self, detail: str = "an API key is required") -> None:
        super().__init__(
            status.HTTP_401_UNAUTHORIZED, detail, headers={"WWW-Authenticate": "Bearer"}
        )


def presented_key(request: Request) -> str | None:
    """The API key in `Authorization: Bearer`, if any."""
    header = request.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    return None


def session_token(request: Request) -> str | None:
    """The review pages' session token, from their cookie."""
    return request.cookies.get(SESSION_COOKIE) or None


async def current_principal(request: Request) -> Principal:
    key = presented_key(request)
    token = None if key else session_token(request)
    if key is None and token is None:
        raise NotAuthenticatedError()
    # Its own short session, so the route's session starts with no transaction open.
    async with request.app.state.sessions() as session:
        if key is not None:
            row = await key_store.find_active_key(session, key)
        elif token is not None:
            row = await review_sessions.find_session_key(session, token)
    if row is None:
        if key is None:
            raise NotAuthenticatedError("the session has ended; sign in again")
        raise NotAuthenticatedError("invalid or revoked API key")
    return Principal(key_id=row.id, name=row.name, role=KeyRole(row.role))


def require(role: KeyRole):
    """A dependency that admits keys of `role` or above."""

    async def dependency(
        principal: Annotated[Principal, Depends(current_principal)],
    ) -> Principal:
        if not principal.has(role):
            raise HTTPException(status.HTTP_403_FORBIDDEN, f"this needs the {role} role")
        return principal

    return dependency


SubmitterDep = Annotated[Principal, Depends(require(KeyRole.submit))]
ReviewerDep = Annotated[Principal, Depends(require(KeyRole.review))]
AdminDep = Annotated[Principal, Depends(require(KeyRole.admin))]
