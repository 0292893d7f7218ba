"""Build the FastAPI application."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from fastapi import Depends, FastAPI

from service.app import error_handlers, web
from service.app.api import (
    articles,
    batches,
    edits,
    exports,
    glossaries,
    health,
    keys,
    metrics,
)
from service.app.body_limit import BodySizeLimit
from service.app.json_body import require_utf8_json
from service.config import Settings, get_settings
from service.queue import connect
from service.storage.db import create_engine, session_factory


def create_app(settings: Settings | None = None) -> FastAPI:
    """The app; database and Redis connections open with its lifespan."""
    settings = settings or get_settings()

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        engine = create_engine(settings.database_url)
        app.state.sessions = session_factory(engine)
        app.state.redis = await connect(settings)
        try:
            yield
        finally:
            await app.state.redis.aclose()
            await engine.dispose()

    app = FastAPI(
        title="tarjama",
        summary="Arabic-to-English translation and summarisation of news articles",
        version="0.1.0",
        lifespan=lifespan,
        dependencies=[Depends(require_utf8_json)],
    )
    app.state.settings = settings
    error_handlers.install(app)
    app.add_middleware(
        BodySizeLimit,
        max_bytes=settings.max_body_bytes,
        overrides={"/v1/batches": settings.max_batch_bytes},
    )
    app.include_router(health.router)
    app.include_router(articles.router)
    app.include_router(batches.router)
    app.include_router(glossaries.router)
    app.include_router(exports.router)
    app.include_router(keys.router)
    app.include_router(edits.router)
    app.include_router(metrics.router)
    web.install(app)
    return app
