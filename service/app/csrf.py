"""CSRF tokens for the review pages' forms.

The session cookie is SameSite=Strict and HttpOnly; forms also carry a token. The token
is an HMAC keyed with the API key itself, so only a page served to the key's holder can
know it, and it changes when the key does. Nothing is stored on the server.
"""

from __future__ import annotations

import hashlib
import hmac

CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"
_PURPOSE = b"tarjama review form"


def csrf_token(api_key: str) -> str:
    """The form token for a session holding `api_key`."""
    return hmac.new(api_key.encode(), _PURPOSE, hashlib.sha256).hexdigest()


def csrf_valid(api_key: str, token: str | None) -> bool:
    return bool(token) and hmac.compare_digest(csrf_token(api_key), token)
