"""Shared fixtures: a tiny real model, real databases (SQLite and PostgreSQL), real Redis.

Each test that asks for `settings` (or `empty_database`) starts and ends with every table
empty: the databases are migrated once per session and cleared around each test.

Set TARJAMA_TEST_POSTGRES_URL / TARJAMA_TEST_REDIS_URL to point the tests elsewhere.
The tests use Redis database 15, never the service's default (0), so a test run beside a
running service cannot take its jobs; each test removes the Redis keys it made.
"""

from __future__ import annotations

import asyncio
import os
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from pathlib import Path

import httpx
import pytest
from arq.constants import (
    in_progress_key_prefix,
    job_key_prefix,
    result_key_prefix,
    retry_key_prefix,
)
from fastapi import FastAPI
from redis.asyncio import Redis
from sqlalchemy import text
from sqlalchemy.ext.asyncio import create_async_engine

from models.synthetic import build_random_model
from service.app.main import create_app
from service.app.rate_limit import KEY_PREFIX as RATE_LIMIT_PREFIX
from service.config import Settings
from service.storage.db import migrate
from service.storage.keys import find_active_key
from tests.database import clear_tables, committed
from tests.factories import create_api_key
from workers.reconcile import lock_keys
from workers.segment import split_paragraphs
from workers.settings import build_worker

REPO_DIR = Path(__file__).resolve().parent.parent
SAMPLES_DIR = REPO_DIR / "samples" / "articles"
POSTGRES_ADMIN_URL = os.environ.get(
    "TARJAMA_TEST_POSTGRES_URL", "postgresql+asyncpg://postgres@127.0.0.1:5432/postgres"
)
TEST_REDIS_DB = 15
REDIS_URL = os.environ.get("TARJAMA_TEST_REDIS_URL", f"redis://127.0.0.1:6379/{TEST_REDIS_DB}")
# What arq keeps per job besides the queue's sorted set (jobs' keys live for 60 days).
JOB_KEY_PREFIXES = (job_key_prefix, retry_key_prefix, in_progress_key_prefix, result_key_prefix)


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


async def remove_test_keys(settings: Settings, key_ids: Sequence[str] = ()) -> None:
    """Delete what a test made in Redis: its queue, the keys arq keeps for each job still
    in it, its reconciler's locks, and the rate-limit counters of its API keys."""
    redis = Redis.from_url(settings.redis_url)
    try:
        job_ids = [j.decode() for j in await redis.zrange(settings.queue_name, 0, -1)]
        keys = [prefix + j for j in job_ids for prefix in JOB_KEY_PREFIXES]
        keys += [settings.queue_name, *lock_keys(settings.queue_name)]
        for key_id in key_ids:
            keys += [k async for k in redis.scan_iter(match=f"{RATE_LIMIT_PREFIX}:{key_id}:*")]
        for start in range(0, len(keys), 1000):
            await redis.delete(*keys[start : start + 1000])
    finally:
        await redis.aclose()


@pytest.fixture
async def empty_database(database_url: str) -> AsyncIterator[str]:
    """`database_url` with every table empty; emptied again after the test."""
    await clear_tables(database_url)
    yield database_url
    await clear_tables(database_url)


@pytest.fixture
async def settings(empty_database: str, tiny_model_dir: Path) -> AsyncIterator[Settings]:
    """Settings for one test, on each database; its Redis keys are removed after it."""
    settings = make_settings(empty_database, tiny_model_dir)
    yield settings
    await remove_test_keys(settings)


@pytest.fixture
async def make_key(settings: Settings) -> AsyncIterator[Callable[..., Awaitable[str]]]:
    """make_key(role) -> a new API key of that role, stored in the test database."""
    made: list[str] = []

    async def make(role: str = "submit", name: str = "test") -> str:
        key = await create_api_key(settings.database_url, role, name)
        async with committed(settings.database_url) as session:
            row = await find_active_key(session, key)
            assert row is not None
            made.append(row.id)
        return key

    yield make
    await remove_test_keys(settings, made)


@pytest.fixture
async def app(settings: Settings) -> AsyncIterator[FastAPI]:
    """The app with its lifespan running (real database and Redis)."""
    app = create_app(settings)
    async with app.router.lifespan_context(app):
        yield app


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
