"""Idempotency-Key on POST /v1/articles: a retry gets the first article, never a second."""

from __future__ import annotations

import asyncio

from tests.conftest import http_client

TEXT = "قال الوزير إن الحكومة ستدعم المزارعين."


async def _articles(client) -> list[dict]:
    return (await client.get("/v1/articles", params={"limit": 200})).json()["items"]


async def test_concurrent_retries_with_one_key_make_one_article(app, settings, client):
    headers = {"Idempotency-Key": "retry-1"}
    body = {"text": TEXT, "title": "عنوان"}
    responses = await asyncio.gather(
        *(client.post("/v1/articles", json=body, headers=headers) for _ in range(8))
    )
    assert {r.status_code for r in responses} == {202}, [r.text for r in responses]
    ids = {r.json()["id"] for r in responses}
    assert len(ids) == 1
    (article_id,) = ids
    assert {r.headers["location"] for r in responses} == {f"/v1/articles/{article_id}"}
    assert [a["id"] for a in await _articles(client)] == [article_id]
    assert await app.state.redis.zcard(settings.queue_name) == 1

    # A later retry, keys in another order and a default spelt out, is the same request.
    again = await client.post(
        "/v1/articles", json={"priority": "interactive", **body}, headers=headers
    )
    assert again.status_code == 202
    assert again.json()["id"] == article_id


async def test_the_same_key_with_another_body_is_422_and_stores_nothing(client):
    first = await client.post("/v1/articles", json={"text": TEXT}, headers={"Idempotency-Key": "k"})
    assert first.status_code == 202
    other = await client.post(
        "/v1/articles", json={"text": TEXT + " أيضا"}, headers={"Idempotency-Key": "k"}
    )
    assert other.status_code == 422
    detail = other.json()["detail"]
    assert (
        "Idempotency-Key" in detail and first.json()["id"] in detail and "different body" in detail
    )
    assert [a["id"] for a in await _articles(client)] == [first.json()["id"]]


async def test_keys_belong_to_their_owner(app, client, make_key):
    headers = {"Idempotency-Key": "shared-name"}
    mine = await client.post("/v1/articles", json={"text": TEXT}, headers=headers)
    async with http_client(app, await make_key("submit")) as other:
        theirs = await other.post("/v1/articles", json={"text": TEXT}, headers=headers)
        assert theirs.status_code == 202
        assert theirs.json()["id"] != mine.json()["id"]
        assert [a["id"] for a in await _articles(other)] == [theirs.json()["id"]]


async def test_without_a_key_each_post_is_a_new_article(client):
    one = await client.post("/v1/articles", json={"text": TEXT})
    two = await client.post("/v1/articles", json={"text": TEXT})
    assert one.json()["id"] != two.json()["id"]
