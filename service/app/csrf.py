"""CSRF tokens for the review pages' forms.

The session cookie is SameSite=Strict and HttpOnly; forms also carry a token. The token
is an HMAC keyed with the session's secret token (or, for a caller with a bearer key, the
key), so only a page served to that session can know it, and a new sign-in gets a new one.
"""

from __future__ import annotations

import hashlib
import hmac

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
_PURPOSE = b"tarjama review form"


def csrf_token(secret: str) -> str:
    """The form token for a session whose secret (its cookie token) is `secret`."""
    return hmac.new(secret.encode(), _PURPOSE, hashlib.sha256).hexdigest()


def csrf_valid(secret: str, token: str | None) -> bool:
    if not secret or not token:
        return False
    # As bytes: compare_digest refuses str holding anything but ASCII.
    return hmac.compare_digest(csrf_token(secret).encode(), token.encode("utf-8", "replace"))
