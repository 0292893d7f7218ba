"""Shared fixtures: a tiny real model, real databases (SQLite and PostgreSQL), real Redis.

Each test that asks for `settings` (or `empty_database`) starts and ends with every table
empty: the databases are migrated once per session and cleared around each test.

Set TARJAMA_TEST_POSTGRES_URL / TARJAMA_TEST_REDIS_URL to point the tests elsewhere.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable
from pathlib import Path

import httpx
import pytest
from fastapi import FastAPI
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from models.synthetic import build_random_model
from service.app.main import create_app
from service.config import Settings
from service.storage.db import migrate
from tests.database import clear_tables
from tests.factories import create_api_key
from workers.segment import split_paragraphs
from workers.settings import build_worker

REPO_DIR = Path(__file__).resolve().parent.parent
SAMPLES_DIR = REPO_DIR / "samples" / "articles"
POSTGRES_ADMIN_URL = os.environ.get(
    "TARJAMA_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
REDIS_URL = os.environ.get("TARJAMA_TEST_REDIS_URL", "redis://127.0.0.1:6379/0")


def sample_text(name: str) -> str:
    return (SAMPLES_DIR / name).read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def tiny_model_dir(tmp_path_factory) -> Path:
    """A real CTranslate2 model with random weights and a tokenizer trained on the samples."""
    texts = [p for f in sorted(SAMPLES_DIR.glob("*.txt")) for p in split_paragraphs(f.read_text())]
    texts += ["This is an English sentence.", "The minister said on Monday."] * 20
    return build_random_model(tmp_path_factory.mktemp("models") / "tiny", texts)


@pytest.fixture(scope="session")
async def postgres_url() -> AsyncIterator[str]:
    """A fresh, migrated PostgreSQL database for this test session."""
    name = f"tarjama_test_{uuid.uuid4().hex[:12]}"
    admin = create_async_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    async with admin.connect() as conn:
        await conn.execute(text(f'CREATE DATABASE "{name}"'))
    url = POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + f"/{name}"
    await asyncio.to_thread(migrate, url)  # alembic runs its own event loop
    yield url
    async with admin.connect() as conn:
        await conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    await admin.dispose()


@pytest.fixture(scope="session")
def sqlite_url(tmp_path_factory) -> str:
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('db') / 'tarjama.db'}"
    migrate(url)
    return url


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def database_url(request) -> str:
    return request.getfixturevalue(f"{request.param}_url")


def make_settings(database_url: str, model_dir: Path, **overrides) -> Settings:
    """Test settings: the test Redis, a queue of their own so tests never see each other's
    jobs, and a small worker (one thread per engine replica)."""
    values = {
        "database_url": database_url,
        "redis_url": REDIS_URL,
        "queue_name": f"tarjama-test:{uuid.uuid4().hex}",
        "model": str(model_dir),
        "beam_size": 1,
        "worker_max_jobs": 2,
        "translate_threads": 1,
    }
    return Settings(**(values | overrides))


@pytest.fixture
async def empty_database(database_url: str) -> AsyncIterator[str]:
    """`database_url` with every table empty; emptied again after the test."""
    await clear_tables(database_url)
    yield database_url
    await clear_tables(database_url)


@pytest.fixture
def settings(empty_database: str, tiny_model_dir: Path) -> Settings:
    """Settings for one test, on each database."""
    return make_settings(empty_database, tiny_model_dir)


@pytest.fixture
def make_key(settings: Settings) -> Callable[..., Awaitable[str]]:
    """make_key(role) -> a new API key of that role, stored in the test database."""

    async def make(role: str = "submit", name: str = "test") -> str:
        return await create_api_key(settings.database_url, role, name)

    return make


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    """The app with its lifespan running (real database and Redis)."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app
        await app.state.redis.delete(settings.queue_name)


def http_client(app: FastAPI, key: str | None = None) -> httpx.AsyncClient:
    headers = {"Authorization": f"Bearer {key}"} if key else {}
    transport = httpx.ASGITransport(app=app)
    return httpx.AsyncClient(transport=transport, base_url="http://tarjama.test", headers=headers)


async def sign_in(app_or_url: FastAPI | str, key: str) -> str:
    """Sign in on the review pages with `key`; the session token their cookie holds."""
    from service.app.auth import SESSION_COOKIE

    if isinstance(app_or_url, str):
        options = {"base_url": app_or_url}
    else:
        options = {"transport": httpx.ASGITransport(app=app_or_url), "base_url": "http://tarjama.test"}
    async with httpx.AsyncClient(**options) as browser:
        response = await browser.post("/review/login", data={"key": key})
    assert response.status_code == 303, response.text
    return response.cookies[SESSION_COOKIE]


@pytest.fixture
async def client(app: FastAPI, make_key) -> AsyncIterator[httpx.AsyncClient]:
    """An HTTP client with a fresh submit-role key: it sees only its own articles."""
    async with http_client(app, await make_key("submit")) as c:
        yield c


async def run_worker_burst(settings: Settings, **overrides) -> None:
    """Run a real arq worker until the queue is empty (or `max_burst_jobs` have run:
    arq counts deferred jobs as queued, so a queue holding future work never empties).

    The reconciler is off: it would adopt every unfinished article in the database,
    including those a test holds back with a future `not_before`, and the burst would
    wait for them. It has its own tests in tests/faults.
    """
    worker = build_worker(settings, burst=True, **overrides)
    worker.ctx["reconcile"] = False
    try:
        await worker.main()
    finally:
        await worker.close()
