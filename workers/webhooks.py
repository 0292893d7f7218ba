"""Signed batch events. The receiver checks the signature like this:

    expected = "sha256=" + hmac.new(secret, body, hashlib.sha256).hexdigest()
    hmac.compare_digest(expected, request.headers["X-Tarjama-Signature"])

where `body` is the raw request body (bytes) and `secret` the shared TARJAMA_WEBHOOK_SECRET.
"""

from __future__ import annotations

import hashlib
import hmac
import json

SIGNATURE_HEADER = "X-Tarjama-Signature"
EVENT_HEADER = "X-Tarjama-Event"
DELIVERY_HEADER = "X-Tarjama-Delivery"


def sign(secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


def verify(secret: str, body: bytes, signature: str) -> bool:
    return hmac.compare_digest(sign(secret, body), signature or "")


def encode_event(event: dict) -> bytes:
    return json.dumps(event, ensure_ascii=False, sort_keys=True, default=str).encode()
