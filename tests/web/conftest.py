"""Fixtures for the review pages in a real browser: the app served by uvicorn on localhost,
a migrated SQLite database of its own, articles translated by a real worker, and Chromium.

The fixtures are module-scoped and run on SQLite only.
"""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import uvicorn

from cli.localstack import free_port
from service.app.main import create_app
from service.config import Settings
from service.domain.types import ArticleStatus, KeyRole
from service.storage.db import migrate
from tests.conftest import make_settings, remove_test_keys, run_worker_burst, sample_text
from tests.database import committed
from tests.factories import create_api_key, make_article, make_batch
from tests.web.seed_data import PENDING_TEXT, XSS_TEXT

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
SERVER_START_TIMEOUT_S = 20


@dataclass
class Keys:
    submit: str
    review: str
    names: dict[str, str] = field(default_factory=dict)


@dataclass
class Seeded:
    """Ids of the stored articles the page tests read."""

    sy24: str
    multi: str
    xss: str
    pending: str
    batch: str
    batch_articles: list[str]


@pytest.fixture(scope="module")
async def web_settings(tmp_path_factory, tiny_model_dir: Path) -> AsyncIterator[Settings]:
    """A database of its own, so that list pages show only this module's articles."""
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('web-db') / 'tarjama.db'}"
    await asyncio.to_thread(migrate, url)  # alembic runs its own event loop
    settings = make_settings(url, tiny_model_dir)
    yield settings
    await remove_test_keys(settings)


@pytest.fixture(scope="module")
def live_server(web_settings: Settings) -> Iterator[str]:
    """The app served for real by uvicorn on a free localhost port; yields its base URL."""
    port = free_port()
    config = uvicorn.Config(
        create_app(web_settings),
        host="127.0.0.1",
        port=port,
        log_level="warning",
        lifespan="on",
        ws="none",
    )
    server = uvicorn.Server(config)
    thread = threading.Thread(target=server.run, name="review-server", daemon=True)
    thread.start()
    deadline = time.monotonic() + SERVER_START_TIMEOUT_S
    while not server.started:
        if not thread.is_alive() or time.monotonic() > deadline:
            pytest.fail("the review server did not start")
        time.sleep(0.05)
    yield f"http://127.0.0.1:{port}"
    server.should_exit = True
    thread.join(SERVER_START_TIMEOUT_S)


@pytest.fixture(scope="module")
async def keys(web_settings: Settings) -> Keys:
    submit = await create_api_key(web_settings.database_url, KeyRole.submit, "newsdesk")
    review = await create_api_key(web_settings.database_url, KeyRole.review, "Rana Haddad")
    return Keys(submit=submit, review=review, names={"submit": "newsdesk", "review": "Rana Haddad"})


@pytest.fixture(scope="module")
async def seeded(live_server: str, web_settings: Settings, keys: Keys) -> Seeded:
    """SY24, an article with multi-sentence paragraphs and one full of markup, translated
    by a real worker through the HTTP API; then a queued article and a half-finished batch
    that no worker will pick up."""
    headers = {"Authorization": f"Bearer {keys.submit}"}
    async with httpx.AsyncClient(base_url=live_server, headers=headers, timeout=30) as client:
        sy24 = await _submit(
            client,
            text=sample_text("sy24-deir-ez-zor.txt"),
            source_url="https://www.sy-24.com/news/deir-ez-zor",
            external_id="sy24-deir-ez-zor",
        )
        multi = await _submit(
            client, text=sample_text("easc-topic088.txt"), external_id="easc-topic088"
        )
        xss = await _submit(client, text=XSS_TEXT, source_url="javascript:alert(1)")
        await run_worker_burst(web_settings)
        pending = await _submit(client, text=PENDING_TEXT, external_id="pending-one")
    batch, batch_articles = await _stalled_batch(web_settings)
    return Seeded(
        sy24=sy24,
        multi=multi,
        xss=xss,
        pending=pending,
        batch=batch,
        batch_articles=batch_articles,
    )


async def _submit(client: httpx.AsyncClient, **body) -> str:
    response = await client.post("/v1/articles", json=body)
    assert response.status_code == 202, response.text
    return response.json()["id"]


async def _stalled_batch(settings: Settings) -> tuple[str, list[str]]:
    """A batch of three articles: one failed, two still queued (never enqueued)."""
    async with committed(settings.database_url) as session:
        batch = await make_batch(session, name="Morning wires")
        failed = await make_article(
            session,
            text=PENDING_TEXT,
            batch_id=batch.id,
            external_id="wire-0",
            status=ArticleStatus.failed,
            error="model crashed",
        )
        queued = [
            await make_article(
                session, text=PENDING_TEXT, batch_id=batch.id, external_id=f"wire-{n}"
            )
            for n in (1, 2)
        ]
        return batch.id, [failed.id, *(a.id for a in queued)]


@pytest.fixture(scope="module")
async def browser() -> AsyncIterator:
    """Debian's Chromium driven by Playwright. Missing Chromium fails, never skips."""
    if not CHROMIUM.exists():
        pytest.fail(
            f"Chromium is needed for the review page tests and is not at {CHROMIUM}: "
            "install it with `apt-get install -y chromium`"
        )
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        chromium = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        yield chromium
        await chromium.close()
