"""Bad input gets a clear 4xx naming the problem, and nothing is stored."""

from __future__ import annotations

import pytest

from service.config import MAX_TEXT_CHARS

VALID = "قال الوزير إن الحكومة ستدعم المزارعين."


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        ({"text": ""}, "text is empty"),
        ({"text": "   \n\t  "}, "text is empty"),
        ({"text": "Only English here."}, "no Arabic letters"),
        ({"text": "12345 😀"}, "no Arabic letters"),
        ({"text": "نص\x00مع صفر"}, "NUL"),
        ({"text": 42}, "string"),
        ({"text": ["قائمة"]}, "string"),
        ({}, "Field required"),
        ({"text": VALID, "priority": "urgent"}, "interactive"),
        ({"text": VALID, "summary_sentences": 0}, "greater than or equal to 1"),
        ({"text": VALID, "summary_sentences": 51}, "less than or equal to 50"),
        ({"text": VALID, "unexpected": 1}, "Extra inputs"),
        ({"text": "ا" * (MAX_TEXT_CHARS + 1)}, "at most"),
    ],
)
async def test_invalid_articles_are_rejected(client, body, fragment):
    before = (await client.get("/v1/articles", params={"limit": 200})).json()["items"]
    response = await client.post("/v1/articles", json=body)
    assert response.status_code == 422
    detail = response.json()["detail"]
    assert fragment in str(detail)
    # Each problem is reported once.
    assert len({str(error) for error in detail}) == len(detail)
    after = (await client.get("/v1/articles", params={"limit": 200})).json()["items"]
    assert len(after) == len(before)


async def test_malformed_json_is_422(client):
    response = await client.post(
        "/v1/articles",
        content=b'{"text": "unterminated',
        headers={"content-type": "application/json"},
    )
    assert response.status_code == 422
    assert "JSON" in str(response.json()["detail"])


async def test_body_over_the_limit_is_413(client, settings):
    response = await client.post(
        "/v1/articles", json={"text": "ا" * (settings.max_body_bytes + 10)}
    )
    assert response.status_code == 413
    assert "larger than" in response.json()["detail"]


async def test_unknown_article_is_404(client):
    response = await client.get("/v1/articles/does-not-exist")
    assert response.status_code == 404
    assert "does-not-exist" in response.json()["detail"]


async def test_bad_cursor_is_400(client):
    response = await client.get("/v1/articles", params={"cursor": "abc"})
    assert response.status_code == 400
