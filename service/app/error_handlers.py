"""Error answers that must hold whatever the request held.

A 422 echoes the input it refuses. JSON can carry a lone UTF-16 surrogate as an escape
(`"\\ud800"`), which Python decodes but UTF-8 cannot encode, so the echo is escaped before
it is sent: the answer names the field and never fails to render.

A JSON body whose bytes do not decode, or that nests too deeply for the parser, is
malformed JSON like any other: FastAPI answers that 422 (`json_invalid`), but 400 when
parsing fails other than by a decode error, so those cases are answered with the same 422.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exception_handlers import http_exception_handler
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, Response
from sqlalchemy.exc import DBAPIError, InterfaceError, OperationalError
from starlette.exceptions import HTTPException


def escape_surrogates(text: str) -> str:
    """`text` with each lone surrogate written as its escape (`\\ud800`), encodable as UTF-8."""
    return text.encode("utf-8", "backslashreplace").decode("utf-8")


def encodable(value: Any) -> Any:
    """A JSON-ready value with every string in it, keys included, made encodable."""
    if isinstance(value, str):
        return escape_surrogates(value)
    if isinstance(value, dict):
        return {encodable(k): encodable(v) for k, v in value.items()}
    if isinstance(value, list):
        return [encodable(v) for v in value]
    return value


async def request_validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    """FastAPI's 422, with the echoed input made encodable."""
    detail = encodable(jsonable_encoder(exc.errors()))
    return JSONResponse(status_code=422, content={"detail": detail})


def undecodable(exc: UnicodeDecodeError) -> str:
    """What is wrong with bytes that do not decode, without the bytes themselves."""
    byte = exc.object[exc.start]
    encoding = exc.encoding.upper()
    return f"not valid {encoding}: byte 0x{byte:02x} at position {exc.start} ({exc.reason})"


async def http_error(request: Request, exc: HTTPException) -> Response:
    """FastAPI's answer, except for a body that does not parse: 422, as for malformed JSON."""
    cause = exc.__cause__  # FastAPI raises its 400 from the parser's error
    if exc.status_code == 400 and isinstance(cause, UnicodeDecodeError | RecursionError):
        if isinstance(cause, UnicodeDecodeError):
            where, why = cause.start, undecodable(cause)
        else:
            where, why = 0, "nested too deeply"
        error = {
            "type": "json_invalid",
            "loc": ["body", where],
            "msg": "JSON decode error",
            "input": {},
            "ctx": {"error": why},
        }
        return JSONResponse(status_code=422, content={"detail": [error]})
    return await http_exception_handler(request, exc)


# Seconds a client is asked to wait while the database restarts.
DATABASE_RETRY_AFTER_S = 2


# SQLSTATE classes of a database that cannot be reached now: 08 connection exception,
# 57 operator intervention (shutting down, starting up).
UNAVAILABLE_SQLSTATE_CLASSES = ("08", "57")


def _unreachable(exc: BaseException) -> bool:
    """Whether `exc`, or an error it wraps, says the database cannot be reached."""
    seen: set[int] = set()
    error: BaseException | None = exc
    while error is not None and id(error) not in seen:
        seen.add(id(error))
        if isinstance(error, OperationalError | InterfaceError | OSError):
            return True
        if getattr(error, "connection_invalidated", False):
            return True
        if str(getattr(error, "sqlstate", "") or "")[:2] in UNAVAILABLE_SQLSTATE_CLASSES:
            return True
        error = getattr(error, "orig", None) or error.__cause__
    return False


async def database_unavailable(request: Request, exc: Exception) -> Response:
    """503 with Retry-After while the database cannot be reached (a restart, a failover);
    any other database error is a bug, and stays a 500."""
    if not _unreachable(exc):
        raise exc
    return JSONResponse(
        status_code=503,
        content={"detail": "the database is unavailable; retry shortly"},
        headers={"Retry-After": str(DATABASE_RETRY_AFTER_S)},
    )


def install(app: FastAPI) -> None:
    # The decorator form: Starlette types add_exception_handler's handler as taking any
    # Exception, which no handler of one exception class satisfies.
    app.exception_handler(RequestValidationError)(request_validation_error)
    app.exception_handler(HTTPException)(http_error)
    for error in (DBAPIError, OSError):
        app.exception_handler(error)(database_unavailable)


__all__ = ["install", "undecodable"]
