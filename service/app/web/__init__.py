"""The review pages, server-rendered: `install(app)` adds them to the API's app."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from service.app.web.pages import LoginRequiredError, login_redirect, router
from service.app.web.security import PageHeaders

STATIC_DIR = Path(__file__).resolve().parent / "static"


def install(app: FastAPI) -> None:
    """Mount the pages, their static files, the login redirect and the page headers."""
    app.include_router(router)
    app.mount("/review/static", StaticFiles(directory=STATIC_DIR), name="review-static")
    app.exception_handler(LoginRequiredError)(login_redirect)  # typed, unlike add_exception_handler
    app.add_middleware(PageHeaders, prefix="/review")


__all__ = ["install"]
