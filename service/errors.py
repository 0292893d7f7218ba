"""Error answers that must hold whatever the request held.

A 422 echoes the input it refuses. JSON can carry a lone UTF-16 surrogate as an escape
(`"\\ud800"`), which Python decodes but UTF-8 cannot encode, so the echo is escaped before
it is sent: the answer names the field and never fails to render.
"""

from __future__ import annotations

from typing import Any

from fastapi import FastAPI, Request
from fastapi.encoders import jsonable_encoder
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse


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


def install(app: FastAPI) -> None:
    app.add_exception_handler(RequestValidationError, request_validation_error)


__all__ = ["install"]
