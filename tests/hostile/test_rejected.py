"""Hostile input that must be refused with a clear 4xx, storing nothing (never a 500)."""

from __future__ import annotations

import json

import pytest

from service.app.csrf import CSRF_FIELD, csrf_token
from service.app.main import create_app
from tests.conftest import http_client

VALID = "قال الوزير إن الحكومة ستدعم المزارعين."
FIVE_MB = 5 * 1024 * 1024
SMALL_BATCH_BYTES = 64 * 1024
JSON = {"content-type": "application/json"}
NDJSON = {"content-type": "application/x-ndjson"}


async def stored_count(client) -> int:
    return len((await client.get("/v1/articles", params={"limit": 200})).json()["items"])


@pytest.mark.parametrize(
    ("body", "fragment"),
    [
        pytest.param({"text": ""}, "text is empty", id="empty"),
        pytest.param({"text": " \n\t\r\n "}, "text is empty", id="whitespace"),
        pytest.param({"text": "\u00a0\u2003\u3000\u2028"}, "text is empty", id="unicode-spaces"),
        pytest.param({"text": "\u200b\u200d\u202e\ufeff"}, "no Arabic", id="invisibles-only"),
        pytest.param({"text": "The minister said on Monday."}, "no Arabic", id="english"),
        pytest.param({"text": "2026 12345 3.14"}, "no Arabic", id="digits"),
        pytest.param({"text": "١٢٣٤ ٥٦٧"}, "no Arabic", id="arabic-indic-digits"),
        pytest.param({"text": "😀🇸🇾🔥 👍🏽"}, "no Arabic", id="emoji"),
        pytest.param({"text": "Привет мир 你好"}, "no Arabic", id="other-scripts"),
        pytest.param({"text": "قال\x00الوزير"}, "NUL", id="nul-in-text"),
        pytest.param({"text": VALID, "title": "عنوان\x00"}, "NUL", id="nul-in-title"),
        pytest.param({"text": VALID, "external_id": "a\x00b"}, "NUL", id="nul-in-external-id"),
        pytest.param({"text": VALID, "source_url": "https://x\x00"}, "NUL", id="nul-in-url"),
        pytest.param({"text": None}, "string", id="text-null"),
        pytest.param({"text": {"ar": VALID}}, "string", id="text-object"),
        pytest.param({"text": True}, "string", id="text-bool"),
        pytest.param({"text": VALID, "title": 7}, "string", id="title-number"),
        pytest.param({"text": VALID, "summary_sentences": "many"}, "integer", id="count-string"),
        pytest.param({"text": VALID, "summary_sentences": 2.5}, "integer", id="count-fraction"),
        pytest.param({"text": VALID, "priority": 1}, "interactive", id="priority-number"),
        pytest.param({"text": VALID, "force": "perhaps"}, "boolean", id="force-string"),
        pytest.param({"text": VALID, "owner_key": "someone"}, "Extra inputs", id="extra-owner"),
        pytest.param({"text": VALID, "status": "done"}, "Extra inputs", id="extra-status"),
        pytest.param({"text": VALID, "external_id": "x" * 201}, "at most", id="long-id"),
    ],
)
async def test_invalid_fields_are_422(client, body, fragment):
    before = await stored_count(client)
    response = await client.post("/v1/articles", json=body)
    assert response.status_code == 422, response.text
    assert fragment in json.dumps(response.json()["detail"])
    assert await stored_count(client) == before


@pytest.mark.parametrize(
    "raw",
    [
        pytest.param(b"[1, 2]", id="list"),
        pytest.param(b'"just a string"', id="string"),
        pytest.param(b"null", id="null"),
        pytest.param(b"", id="no-body"),
        pytest.param(b'{"text": "\xd9\x82', id="truncated"),
        pytest.param(b'{"text": "a", "text": 3}', id="duplicate-key"),
    ],
)
async def test_malformed_bodies_are_422(client, raw):
    response = await client.post(
        "/v1/articles", content=raw, headers={"content-type": "application/json"}
    )
    assert response.status_code == 422, response.text
    assert response.json()["detail"]


def ascii_json(value) -> bytes:
    """JSON as a client may send it: ASCII, a lone surrogate written as its escape."""
    return json.dumps(value).encode()


@pytest.fixture
async def admin(app, make_key):
    async with http_client(app, await make_key("admin")) as admin:
        yield admin


@pytest.mark.parametrize(
    ("method", "path", "body", "field"),
    [
        pytest.param("POST", "/v1/articles", {"text": f"\ud800 {VALID}"}, "text", id="text"),
        pytest.param(
            "POST", "/v1/articles", {"text": VALID, "title": "عنوان\udfff"}, "title", id="title"
        ),
        pytest.param(
            "POST",
            "/v1/articles",
            {"text": VALID, "source_url": "https://example.com/\ud83d"},  # half an emoji
            "source_url",
            id="source-url",
        ),
        pytest.param(
            "POST",
            "/v1/articles",
            {"text": VALID, "external_id": "id-\udc00"},
            "external_id",
            id="external-id",
        ),
        pytest.param(
            "PATCH",
            "/v1/articles/any/paragraphs/0/sentences/0",
            {"en": "A fix \ud800."},
            "en",
            id="correction",
        ),
        pytest.param("POST", "/v1/keys", {"name": "\ud800"}, "name", id="key-name"),
    ],
)
async def test_a_lone_surrogate_is_422_naming_the_field(client, admin, method, path, body, field):
    before = await stored_count(client)
    keys_before = (await admin.get("/v1/keys")).json()
    sender = client if path == "/v1/articles" else admin
    response = await sender.request(method, path, content=ascii_json(body), headers=JSON)
    assert response.status_code == 422, response.text
    error = next(e for e in response.json()["detail"] if e["loc"] == ["body", field])
    assert f"{field} has an invalid character" in error["msg"]
    assert "is a lone surrogate" in error["msg"]
    assert "\\u" in error["input"]  # echoed, escaped
    assert await stored_count(client) == before
    assert (await admin.get("/v1/keys")).json() == keys_before


@pytest.mark.parametrize(
    ("raw", "loc", "fragment"),
    [
        pytest.param(
            ascii_json({"text": VALID, "\udfff": 1}), ["body"], "unicode string", id="in-a-key"
        ),
        pytest.param(ascii_json(["\ud800"]), ["body"], "dictionary", id="in-a-list"),
        pytest.param(
            b'{"text": "\xed\xa0\x80 ' + VALID.encode() + b'"}',  # U+D800 encoded as if UTF-8
            ["body", "text"],
            "U+D800 is a lone surrogate",
            id="as-bytes",
        ),
    ],
)
async def test_a_lone_surrogate_anywhere_is_echoed_escaped(client, raw, loc, fragment):
    before = await stored_count(client)
    response = await client.post("/v1/articles", content=raw, headers=JSON)
    assert response.status_code == 422, response.text
    error = response.json()["detail"][0]
    assert error["loc"] == loc
    assert fragment in error["msg"]
    assert await stored_count(client) == before


@pytest.mark.parametrize(
    ("raw", "error"),
    [
        pytest.param(
            b'{"text": "\xd9\x82\xd8\xa7\xd9\x84 \xff\xfe"}',
            "not valid UTF-8: byte 0xff at position 17 (invalid start byte)",
            id="invalid-utf8",
        ),
        pytest.param(b'{"text": "\xc0\xaf"}', "byte 0xc0 at position 10", id="overlong-utf8"),
        pytest.param(b'{"text": "\xd9', "byte 0xd9 at position 10", id="cut-in-a-character"),
    ],
)
@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("POST", "/v1/articles"),
        ("PATCH", "/v1/articles/any/paragraphs/0/sentences/0"),
        ("POST", "/v1/keys"),
    ],
)
async def test_bodies_that_are_not_utf8_are_422_like_malformed_json(
    client, admin, method, path, raw, error
):
    """The same answer FastAPI gives malformed JSON, naming the byte."""
    before = await stored_count(client)
    keys_before = (await admin.get("/v1/keys")).json()
    response = await admin.request(method, path, content=raw, headers=JSON)
    assert response.status_code == 422, response.text
    (detail,) = response.json()["detail"]
    assert (detail["type"], detail["loc"][0], detail["msg"]) == (
        "json_invalid",
        "body",
        "JSON decode error",
    )
    assert error in detail["ctx"]["error"]
    malformed = await admin.request(method, path, content=b'{"text": ', headers=JSON)
    assert malformed.status_code == 422
    assert malformed.json()["detail"][0]["type"] == detail["type"]
    assert await stored_count(client) == before
    assert (await admin.get("/v1/keys")).json() == keys_before


@pytest.mark.parametrize(
    "encoding", ["utf-16", "utf-16-le", "utf-16-be", "utf-32", "utf-32-le", "utf-32-be"]
)
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/v1/articles", {"text": VALID}),
        ("PATCH", "/v1/articles/any/paragraphs/0/sentences/0", {"en": "A sentence."}),
        ("POST", "/v1/keys", {"name": "utf16"}),
    ],
)
async def test_json_that_is_not_utf8_is_415(client, admin, method, path, body, encoding):
    """RFC 8259: JSON between systems is UTF-8. The parser would guess UTF-16 and UTF-32."""
    before = await stored_count(client)
    keys_before = (await admin.get("/v1/keys")).json()
    raw = json.dumps(body, ensure_ascii=False).encode(encoding)
    response = await admin.request(method, path, content=raw, headers=JSON)
    assert response.status_code == 415, response.text
    assert "JSON must be UTF-8" in response.json()["detail"]
    assert await stored_count(client) == before
    assert (await admin.get("/v1/keys")).json() == keys_before


async def test_a_charset_other_than_utf8_is_415(client):
    before = await stored_count(client)
    raw = json.dumps({"text": VALID}, ensure_ascii=False).encode()
    for charset in ("utf-16", "iso-8859-1"):
        response = await client.post(
            "/v1/articles",
            content=raw,
            headers={"content-type": f"application/json; charset={charset}"},
        )
        assert response.status_code == 415, response.text
        assert f"charset={charset}" in response.json()["detail"]
    for charset in ("utf-8", "UTF-8", "utf8"):
        response = await client.post(
            "/v1/articles",
            content=raw,
            headers={"content-type": f"application/json; charset={charset}"},
        )
        assert response.status_code == 202, response.text
    assert await stored_count(client) == before + 3


async def test_batch_lines_that_are_not_utf8_are_rejected_by_line(client):
    good = json.dumps({"text": VALID}, ensure_ascii=False).encode()
    utf32 = json.dumps({"text": VALID}, ensure_ascii=False).encode("utf-32-le")
    response = await client.post("/v1/batches", content=good + b"\n" + utf32, headers=NDJSON)
    assert response.status_code == 202, response.text
    created = response.json()
    assert created["accepted"] == 1
    (rejected,) = created["rejected"]
    assert rejected["line"] == 2 and "not UTF-8" in rejected["error"]
    declared = await client.post(
        "/v1/batches",
        content=good,
        headers={"content-type": "application/x-ndjson; charset=utf-16"},
    )
    assert declared.status_code == 415


async def test_json_too_deep_to_parse_is_refused(client):
    before = await stored_count(client)
    raw = b"[" * 100_000 + b"]" * 100_000
    response = await client.post("/v1/articles", content=raw, headers=JSON)
    # The parser gives up (RecursionError): malformed JSON, as any other.
    assert response.status_code == 422, response.text
    detail = response.json()["detail"][0]
    assert (detail["type"], detail["ctx"]["error"]) == ("json_invalid", "nested too deeply")
    assert await stored_count(client) == before


async def test_five_megabytes_is_413(client):
    before = await stored_count(client)
    response = await client.post("/v1/articles", json={"text": "ق" * FIVE_MB})
    assert response.status_code == 413
    assert "larger than" in response.json()["detail"]
    # Without a Content-Length, the limit holds as the body streams in.

    async def chunks():
        yield b'{"text": "'
        for _ in range(FIVE_MB // 65536):
            yield "ق".encode() * 32768
        yield b'"}'

    streamed = await client.post(
        "/v1/articles", content=chunks(), headers={"content-type": "application/json"}
    )
    assert "content-length" not in streamed.request.headers
    assert streamed.status_code == 413, streamed.text
    assert "larger than" in streamed.json()["detail"]
    assert await stored_count(client) == before


@pytest.fixture
async def small_batch_client(settings, make_key):
    """A client of an app whose batch limit is 64 KiB, so a test can exceed it cheaply."""
    app = create_app(settings.model_copy(update={"max_batch_bytes": SMALL_BATCH_BYTES}))
    async with app.router.lifespan_context(app), http_client(app, await make_key()) as client:
        yield client
        await app.state.redis.delete(settings.queue_name)


@pytest.mark.parametrize("chunked", [False, True], ids=["content-length", "chunked"])
async def test_a_batch_over_its_limit_is_413(small_batch_client, chunked):
    client = small_batch_client
    line = json.dumps({"text": VALID}, ensure_ascii=False).encode() + b"\n"
    body = line * (SMALL_BATCH_BYTES // len(line) + 1)

    async def chunks():
        for start in range(0, len(body), 4096):
            yield body[start : start + 4096]

    before = (await client.get("/v1/batches")).json()["items"]
    response = await client.post(
        "/v1/batches",
        content=chunks() if chunked else body,
        headers={"content-type": "application/x-ndjson"},
    )
    assert ("content-length" in response.request.headers) is not chunked
    assert response.status_code == 413, response.text
    assert response.json()["detail"] == f"request body is larger than {SMALL_BATCH_BYTES} bytes"
    assert (await client.get("/v1/batches")).json()["items"] == before


async def test_wrong_content_type_is_refused(client):
    form = await client.post("/v1/articles", data={"text": VALID})
    assert form.status_code == 422
    batch = await client.post("/v1/batches", json={"text": VALID})
    assert batch.status_code == 415


async def test_nul_in_any_stored_string_is_422(client, admin):
    """PostgreSQL text cannot hold NUL: every string that would be stored refuses it."""
    batches_before = (await client.get("/v1/batches")).json()["items"]
    keys_before = (await admin.get("/v1/keys")).json()
    line = json.dumps({"text": VALID}).encode()
    named = await client.post(
        "/v1/batches", params={"name": "night\x00ly"}, content=line, headers=NDJSON
    )
    keyed = await client.post(
        "/v1/batches", content=line, headers=NDJSON | {"idempotency-key": "k\x00"}
    )
    key = await admin.post("/v1/keys", json={"name": "desk\x00"})
    for response, loc in [
        (named, ["query", "name"]),
        (keyed, ["header", "idempotency-key"]),
        (key, ["body", "name"]),
    ]:
        assert response.status_code == 422, response.text
        error = response.json()["detail"][0]
        assert error["loc"] == loc
        assert "must not contain NUL characters" in error["msg"]
    assert (await client.get("/v1/batches")).json()["items"] == batches_before
    assert (await admin.get("/v1/keys")).json() == keys_before


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("GET", "/v1/articles/%00"),
        ("GET", "/v1/articles/%00/edits"),
        ("GET", "/v1/articles/%00/export"),
        ("PATCH", "/v1/articles/%00/paragraphs/0/sentences/0"),
        ("POST", "/v1/articles/%00/reviewed"),
        ("GET", "/v1/batches/%00"),
        ("GET", "/v1/batches/%00/export"),
        ("POST", "/v1/batches/%00/cancel"),
        ("DELETE", "/v1/keys/%00"),
        ("GET", "/review/articles/%00"),
        ("POST", "/review/articles/%00/sentences/0/0"),
        ("POST", "/review/articles/%00/reviewed"),
    ],
)
async def test_an_id_with_nul_is_404(admin, method, path):
    key = admin.headers["authorization"].removeprefix("Bearer ")
    if path.startswith("/review/") and method == "POST":
        sent = {"data": {"en": "A fix.", CSRF_FIELD: csrf_token(key)}}
    else:
        sent = {"json": {"en": "A fix."}} if method == "PATCH" else {}
    response = await admin.request(method, path, **sent)
    assert response.status_code == 404, response.text


async def test_review_searches_with_nul_find_nothing(admin):
    for params in [{"q": "\x00"}, {"q": "قال\x00"}, {"batch": "\x00"}]:
        page = await admin.get("/review", params=params)
        assert page.status_code == 200, page.text
        assert "No articles match these filters." in page.text
    progress = await admin.get("/review/progress", params={"article": "\x00", "batch": "\x00"})
    assert progress.status_code == 200
    assert progress.json() == {"articles": {}, "batches": {}}


@pytest.mark.parametrize(
    ("params", "status"),
    [
        ({"status": "done' OR '1'='1"}, 422),
        ({"cursor": "1; DROP TABLE articles"}, 400),
        ({"limit": "-1"}, 422),
        ({"limit": "100000"}, 422),
    ],
)
async def test_hostile_query_parameters(client, params, status):
    response = await client.get("/v1/articles", params=params)
    assert response.status_code == status, response.text


async def test_hostile_path_parameters_are_404(client):
    for article_id in ["' OR 1=1 --", "..%2F..%2Fetc%2Fpasswd", "ق" * 300, "%01%7F"]:
        response = await client.get(f"/v1/articles/{article_id}")
        assert response.status_code == 404, (article_id, response.text)
