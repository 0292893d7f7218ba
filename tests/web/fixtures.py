"""Fixtures for the review pages in a real browser: the app served by uvicorn on localhost,
a migrated SQLite database of its own, articles translated by a real worker, and Chromium.

Import the fixtures a test module needs from here; they run on SQLite only.
"""

from __future__ import annotations

import socket
import threading
import time
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest
import uvicorn
from sqlalchemy import update

from service.config import Settings
from service.app.main import create_app
from service.storage.articles import create_article
from service.storage.db import create_engine, migrate, session_factory, transaction
from service.storage.keys import create_key
from service.domain.types import ArticleStatus, KeyRole
from service.storage.tables import Article, Batch
from tests.conftest import REPO_DIR, make_settings, run_worker_burst, sample_text

__all__ = ["browser", "keys", "live_server", "seeded", "web_settings"]

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
ARTIFACTS_DIR = REPO_DIR / "test-artifacts"
SERVER_START_TIMEOUT_S = 20
XSS_SCRIPT = "<script>window.__xss=1</script>"
XSS_IMG = '<img src=x onerror="window.__xss=2">'
XSS_TEXT = (
    f"عنوان تجريبي {XSS_SCRIPT}\n\n"
    f"قال الوزير إن الحكومة ستدعم المزارعين {XSS_IMG} في الموسم المقبل.\n\n"
    "وأضاف أن الخطة تشمل جميع المحافظات."
)
PENDING_TEXT = "مقال ينتظر دوره\n\nقال المتحدث إن الاجتماع سيعقد غدا في العاصمة."


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


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def web_settings(tmp_path_factory, tiny_model_dir: Path) -> Settings:
    """A database of its own, so that list pages show only this module's articles."""
    url = f"sqlite+aiosqlite:///{tmp_path_factory.mktemp('web-db') / 'tarjama.db'}"
    migrate(url)
    return make_settings(url, tiny_model_dir)


async def set_status(settings: Settings, article_id: str, status: ArticleStatus) -> None:
    """Move an article on, as a worker would, for the pages' live progress."""
    engine = create_engine(settings.database_url)
    try:
        async with transaction(session_factory(engine)) as session:
            await session.execute(
                update(Article).where(Article.id == article_id).values(status=status)
            )
    finally:
        await engine.dispose()


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
    engine = create_engine(web_settings.database_url)
    try:
        async with transaction(session_factory(engine)) as session:
            submit = (await create_key(session, "newsdesk", KeyRole.submit))[1]
            review = (await create_key(session, "Rana Haddad", KeyRole.review))[1]
    finally:
        await engine.dispose()
    return Keys(submit=submit, review=review, names={"submit": "newsdesk", "review": "Rana Haddad"})


@pytest.fixture(scope="module")
async def seeded(live_server: str, web_settings: Settings, keys: Keys) -> Seeded:
    """SY24, an article with multi-sentence paragraphs and one full of markup, translated by a real worker through the HTTP API;
    then a queued article and a half-finished batch that no worker will pick up."""
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
    engine = create_engine(settings.database_url)
    try:
        async with transaction(session_factory(engine)) as session:
            batch = Batch(name="Morning wires", priority="bulk")
            session.add(batch)
            await session.flush()
            ids = [
                (
                    await create_article(
                        session,
                        text=PENDING_TEXT,
                        priority="bulk",
                        batch_id=batch.id,
                        external_id=f"wire-{n}",
                    )
                ).id
                for n in range(3)
            ]
            await session.execute(
                update(Article)
                .where(Article.id == ids[0])
                .values(status=ArticleStatus.failed, error="model crashed")
            )
            return batch.id, ids
    finally:
        await engine.dispose()


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
