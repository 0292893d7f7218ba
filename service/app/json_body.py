"""JSON request bodies are UTF-8 (RFC 8259, section 8.1).

Python's JSON parser would also read UTF-16 and UTF-32, guessing the encoding from the
first bytes; JSON exchanged between systems is UTF-8, so a body in another encoding, or
whose Content-Type names another charset, is refused with 415 rather than read by guess.
"""

from __future__ import annotations

import email.message
import json

from fastapi import HTTPException, Request, status

UTF8_NAMES = ("utf-8", "utf8")
UTF8_ENCODINGS = ("utf-8", "utf-8-sig")  # json.detect_encoding's names for UTF-8


def _media_type(content_type: str) -> email.message.Message:
    message = email.message.Message()
    message["content-type"] = content_type
    return message


def is_json(content_type: str) -> bool:
    message = _media_type(content_type)
    subtype = message.get_content_subtype()
    return message.get_content_maintype() == "application" and (
        subtype == "json" or subtype.endswith("+json")
    )


def not_utf8(raw: bytes) -> str | None:
    """The encoding `raw` JSON is in when it is not UTF-8 (judged as the parser would)."""
    encoding = json.detect_encoding(raw)
    return None if encoding in UTF8_ENCODINGS else encoding.upper()


def declared_charset(content_type: str) -> str | None:
    """The charset a Content-Type names when it is not UTF-8."""
    charset = _media_type(content_type).get_param("charset")
    if isinstance(charset, str) and charset.strip().lower() not in UTF8_NAMES:
        return charset
    return None


def unsupported(what: str) -> HTTPException:
    return HTTPException(
        status.HTTP_415_UNSUPPORTED_MEDIA_TYPE,
        f"JSON must be UTF-8 (RFC 8259); this body is {what}",
    )


async def require_utf8_json(request: Request) -> None:
    """For routes that take a JSON body: refuse one that is not UTF-8 (415)."""
    route = request.scope.get("route")
    content_type = request.headers.get("content-type", "")
    if getattr(route, "body_field", None) is None or not is_json(content_type):
        return
    charset = declared_charset(content_type)
    if charset is not None:
        raise unsupported(f"declared as charset={charset}")
    # FastAPI has read and parsed the body already; Starlette keeps the bytes.
    encoding = not_utf8(await request.body())
    if encoding is not None:
        raise unsupported(encoding)
