"""Every status in the README's table of errors, answered as the table says.

The table is read from the README, so a row added there without a case here fails, and a
status the code answers differently from the README fails too.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI

from service.app.auth import SESSION_COOKIE
from service.app.csrf import CSRF_FIELD
from service.app.main import create_app
from tests.conftest import REPO_DIR, http_client, run_worker_burst, sign_in

VALID = "قال الوزير إن الحكومة ستدعم المزارعين."
NDJSON = {"content-type": "application/x-ndjson"}
JSON = {"content-type": "application/json"}
RATE_LIMIT = 2
BATCH_ARTICLES = 2


def documented_statuses() -> set[int]:
    readme = (REPO_DIR / "README.md").read_text(encoding="utf-8")
    table = readme.split("| status | when |", 1)[1].split("\n\n", 1)[0]
    return {int(code) for code in re.findall(r"^\| (\d{3}) \|", table, re.MULTILINE)}


@dataclass
class World:
    app: FastAPI
    client: httpx.AsyncClient
    reviewer: httpx.AsyncClient
    review_key: str
    other_key: str


@pytest.fixture
async def world(settings, make_key):
    """An app with a small rate limit and batch size, and clients of each kind."""
    app = create_app(
        settings.model_copy(
            update={"rate_limit_per_minute": RATE_LIMIT, "max_batch_articles": BATCH_ARTICLES}
        )
    )
    async with app.router.lifespan_context(app):
        submit, review = await make_key("submit"), await make_key("review")
        async with http_client(app, submit) as client, http_client(app, review) as reviewer:
            yield World(app, client, reviewer, review, await make_key("submit"))
        await run_worker_burst(settings)  # leave nothing queued in the shared database


async def cases(world: World):
    """(status, label, response) for each kind of bad request the README names."""
    app, client, reviewer = world.app, world.client, world.reviewer
    bulk = {"text": VALID, "priority": "bulk"}
    queued = (await client.post("/v1/articles", json=bulk)).json()["id"]
    sentence = f"/v1/articles/{queued}/paragraphs/0/sentences/0"
    yield 400, "cursor", await client.get("/v1/articles", params={"cursor": "abc"})
    async with http_client(app) as stranger:
        yield 401, "no key", await stranger.get("/v1/articles")
        stranger.headers["Authorization"] = "Bearer tj_unknown"
        yield 401, "unknown key", await stranger.get("/v1/articles")
        del stranger.headers["Authorization"]
        ended = await sign_in(app, world.review_key)
        stranger.cookies.set(SESSION_COOKIE, ended)
        await stranger.post("/review/logout")
        stranger.cookies.set(SESSION_COOKIE, ended)
        yield 401, "ended session", await stranger.get("/v1/articles")
    yield 403, "role", await client.patch(sentence, json={"en": "A sentence."})
    yield (
        403,
        "csrf",
        await reviewer.post(f"/review/articles/{queued}/reviewed", data={CSRF_FIELD: "0" * 64}),
    )
    yield 404, "unknown id", await client.get("/v1/articles/nope")
    async with http_client(app, world.other_key) as other:
        yield 404, "another's", await other.get(f"/v1/articles/{queued}")
    yield 409, "not done", await reviewer.patch(sentence, json={"en": "A sentence."})
    yield 413, "body", await client.post("/v1/articles", json={"text": "ق" * (3 << 20)})
    lines = "\n".join(json.dumps(bulk, ensure_ascii=False) for _ in range(BATCH_ARTICLES + 1))
    yield 413, "batch articles", await client.post("/v1/batches", content=lines, headers=NDJSON)
    utf16 = json.dumps(bulk, ensure_ascii=False).encode("utf-16")
    yield 415, "utf-16", await client.post("/v1/articles", content=utf16, headers=JSON)
    yield 415, "batch type", await client.post("/v1/batches", json=bulk)
    for label, body in [
        ("empty", {"text": " \n"}),
        ("no arabic", {"text": "English only."}),
        ("nul", {"text": VALID + "\x00"}),
        ("surrogate", {"text": VALID + "\ud800"}),
        ("over-long", {"text": "ق" * 200_001}),
        ("type", {"text": 3}),
        ("unknown field", {"text": VALID, "colour": "red"}),
    ]:
        raw = json.dumps(body).encode()  # ASCII, a lone surrogate as its escape
        yield 422, label, await client.post("/v1/articles", content=raw, headers=JSON)
    yield 422, "malformed", await client.post("/v1/articles", content=b'{"text": ', headers=JSON)
    yield (
        422,
        "not utf-8",
        await client.post("/v1/articles", content=b'{"text": "\xff"}', headers=JSON),
    )
    key = {"Idempotency-Key": "documented"}
    await client.post("/v1/articles", json=bulk, headers=key)
    yield (
        422,
        "idempotency",
        await client.post("/v1/articles", json={**bulk, "title": "آخر"}, headers=key),
    )
    for _ in range(RATE_LIMIT):
        await client.post("/v1/articles", json={"text": VALID})
    yield 429, "rate", await client.post("/v1/articles", json={"text": VALID})


async def test_every_documented_status_is_answered_as_documented(world):
    seen = set()
    async for expected, label, response in cases(world):
        assert response.status_code == expected, (label, response.status_code, response.text)
        assert response.status_code >= 400 and response.text, label
        seen.add(expected)
    assert seen == documented_statuses()
