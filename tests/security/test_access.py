"""Only the right people get in: every route of the app, enumerated from `app.routes`.

A route added later is checked without anyone remembering to: with no key, a garbage key
or a revoked key it must answer 401 (JSON routes) or send the browser to the login page
(review pages), unless it is on the explicit OPEN list; and a key below the route's role
must get 403. Roles other than submit are listed in REQUIRED_ROLE; a new reviewer- or
admin-only route fails `test_the_right_role_gets_in` until it is listed there.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass

import httpx
import pytest
from fastapi import FastAPI
from fastapi.routing import APIRoute
from starlette.routing import Mount, Route

try:
    from fastapi.routing import iter_route_contexts
except ImportError:  # older FastAPI: app.routes already lists every route, flat

    def iter_route_contexts(routes):
        return iter(routes)


from service.app.auth import ROLE_RANK, SESSION_COOKIE
from service.app.csrf import CSRF_FIELD, csrf_token
from service.domain.types import KeyRole
from tests.conftest import http_client, run_worker_burst, sign_in

VALID_TEXT = "قال الوزير إن الحكومة ستدعم المزارعين. وأضاف أن الدعم سيبدأ قريبا."
LOGIN_PAGE = "/review/login"
HTML_PREFIX = "/review"
# Open to anyone: probes, API docs, static files and signing in and out.
OPEN = {
    ("GET", "/healthz"),
    ("GET", "/readyz"),
    ("GET", "/docs"),
    ("GET", "/docs/oauth2-redirect"),
    ("GET", "/redoc"),
    ("GET", "/openapi.json"),
    ("GET", "/review/login"),
    ("POST", "/review/login"),
    # Signing out only clears the caller's own cookie.
    ("GET", "/review/logout"),
    ("POST", "/review/logout"),
}
OPEN_MOUNTS = {"/review/static"}
# Everything not listed needs the submit role (the lowest).
REQUIRED_ROLE = {
    ("GET", "/metrics"): KeyRole.review,
    ("PATCH", "/v1/articles/{article_id}/paragraphs/{paragraph}/sentences/{sentence}"): (
        KeyRole.review
    ),
    ("POST", "/v1/articles/{article_id}/reviewed"): KeyRole.review,
    ("POST", "/review/articles/{article_id}/sentences/{paragraph}/{sentence}"): KeyRole.review,
    ("POST", "/review/articles/{article_id}/reviewed"): KeyRole.review,
    ("GET", "/v1/keys"): KeyRole.admin,
    ("POST", "/v1/keys"): KeyRole.admin,
    ("DELETE", "/v1/keys/{key_id}"): KeyRole.admin,
}
DUMMY_ID = "0" * 32


@dataclass(frozen=True)
class Endpoint:
    method: str
    path: str  # the route's template, e.g. /v1/articles/{article_id}

    @property
    def is_page(self) -> bool:
        return self.path == HTML_PREFIX or self.path.startswith(HTML_PREFIX + "/")

    @property
    def role(self) -> KeyRole:
        return REQUIRED_ROLE.get((self.method, self.path), KeyRole.submit)


def endpoints(app: FastAPI) -> list[Endpoint]:
    """Every (method, path) the app answers, HEAD aside (it mirrors GET)."""
    found = []
    for route in iter_route_contexts(app.routes):
        kind = getattr(route, "original_route", route)
        if isinstance(kind, APIRoute | Route):
            found += [Endpoint(m, route.path) for m in sorted(route.methods - {"HEAD"})]
        elif isinstance(kind, Mount):
            assert route.path in OPEN_MOUNTS, f"mounted app {route.path} is not checked"
        else:
            raise TypeError(f"unknown kind of route {route!r}")
    return found


def guarded(app: FastAPI) -> list[Endpoint]:
    return [e for e in endpoints(app) if (e.method, e.path) not in OPEN]


@dataclass
class World:
    """Real ids to put in paths, and a key of each role."""

    article_id: str
    batch_id: str
    keys: dict[KeyRole, str]

    def url(self, endpoint: Endpoint) -> str:
        values = {"article_id": self.article_id, "batch_id": self.batch_id, "key_id": DUMMY_ID}
        return re.sub(r"\{(\w+)(?::\w+)?\}", lambda m: values.get(m[1], "0"), endpoint.path)


@pytest.fixture
async def world(app, settings, make_key):
    keys = {role: await make_key(role.value, name=f"access-{role.value}") for role in KeyRole}
    async with http_client(app, keys[KeyRole.submit]) as c:
        article = await c.post("/v1/articles", json={"text": VALID_TEXT})
        batch = await c.post(
            "/v1/batches",
            content=json.dumps({"text": VALID_TEXT}, ensure_ascii=False),
            headers={"content-type": "application/x-ndjson"},
        )
    assert article.status_code == batch.status_code == 202
    yield World(article.json()["id"], batch.json()["id"], keys)
    await run_worker_burst(settings)  # what the tests submitted ends done, not queued


async def call(client: httpx.AsyncClient, world: World, endpoint: Endpoint, key: str | None):
    """The request, with a body that would be accepted, so only the key can refuse it."""
    kwargs: dict = {}
    if endpoint.path == "/v1/articles" and endpoint.method == "POST":
        kwargs["json"] = {"text": VALID_TEXT, "priority": "bulk"}
    elif endpoint.path == "/v1/batches" and endpoint.method == "POST":
        kwargs["content"] = json.dumps({"text": VALID_TEXT}, ensure_ascii=False)
        kwargs["headers"] = {"content-type": "application/x-ndjson"}
    elif endpoint.path == "/v1/keys" and endpoint.method == "POST":
        kwargs["json"] = {"name": "made-by-access-test"}
    elif endpoint.method == "PATCH":
        kwargs["json"] = {"en": "A corrected sentence."}
    elif endpoint.is_page and endpoint.method == "POST":
        kwargs["data"] = {"en": "A corrected sentence.", CSRF_FIELD: csrf_token(key or "")}
    return await client.request(endpoint.method, world.url(endpoint), **kwargs)


def assert_unauthenticated(endpoint: Endpoint, response: httpx.Response) -> None:
    where = f"{endpoint.method} {endpoint.path}"
    if endpoint.is_page:
        assert response.status_code in (303, 307), (where, response.status_code, response.text)
        assert response.headers["location"].startswith(LOGIN_PAGE), where
    else:
        assert response.status_code == 401, (where, response.status_code, response.text)
        assert response.headers["www-authenticate"] == "Bearer", where
        assert response.json()["detail"], where


async def test_the_app_has_routes_to_check(app):
    checked = guarded(app)
    paths = {e.path for e in checked}
    assert {"/v1/articles", "/v1/batches", "/v1/keys", "/metrics"} <= paths
    assert len(checked) >= 20
    present = {(e.method, e.path) for e in endpoints(app)}
    assert OPEN <= present, f"stale OPEN entries: {OPEN - present}"
    assert set(REQUIRED_ROLE) <= present, f"stale REQUIRED_ROLE: {set(REQUIRED_ROLE) - present}"


async def test_no_key_is_refused_everywhere(app, world):
    async with http_client(app) as anonymous:
        for endpoint in guarded(app):
            assert_unauthenticated(endpoint, await call(anonymous, world, endpoint, None))


@pytest.mark.parametrize("key", ["tj_not-a-key", "Bearer", "' OR '1'='1", "x" * 5000])
async def test_a_garbage_key_is_refused_everywhere(app, world, key):
    async with http_client(app, key) as stranger:
        for endpoint in guarded(app):
            assert_unauthenticated(endpoint, await call(stranger, world, endpoint, key))


async def test_a_revoked_key_is_refused_everywhere(app, world, make_key):
    victim = await make_key("admin", name="to-revoke")
    token = await sign_in(app, victim)
    async with http_client(app, world.keys[KeyRole.admin]) as admin:
        listed = (await admin.get("/v1/keys")).json()
        (row,) = [k for k in listed if victim.startswith(k["prefix"]) and k["name"] == "to-revoke"]
        assert (await admin.delete(f"/v1/keys/{row['id']}")).status_code == 204
    async with http_client(app, victim) as revoked:
        for endpoint in guarded(app):
            assert_unauthenticated(endpoint, await call(revoked, world, endpoint, victim))
    # The review pages' session, begun before the key was revoked, is refused the same way.
    async with http_client(app) as browser:
        browser.cookies.set(SESSION_COOKIE, token)
        for endpoint in guarded(app):
            assert_unauthenticated(endpoint, await call(browser, world, endpoint, victim))


async def test_a_lower_role_is_forbidden(app, world):
    checked = 0
    for role in KeyRole:
        key = world.keys[role]
        async with http_client(app, key) as client:
            for endpoint in guarded(app):
                if ROLE_RANK[role] >= ROLE_RANK[endpoint.role]:
                    continue
                response = await call(client, world, endpoint, key)
                where = (role.value, endpoint.method, endpoint.path)
                assert response.status_code == 403, (where, response.status_code, response.text)
                checked += 1
    assert checked >= len(REQUIRED_ROLE)


async def test_the_right_role_gets_in(app, world):
    """A key with the route's role (or above) passes the gate: no 401, 403 or 5xx."""
    for role in KeyRole:
        key = world.keys[role]
        async with http_client(app, key) as client:
            for endpoint in guarded(app):
                if ROLE_RANK[role] < ROLE_RANK[endpoint.role]:
                    continue
                response = await call(client, world, endpoint, key)
                where = (role.value, endpoint.method, endpoint.path)
                assert response.status_code not in (401, 403), (where, response.text)
                assert response.status_code < 500, (where, response.status_code, response.text)
                if endpoint.is_page and response.status_code in (303, 307):
                    assert not response.headers["location"].startswith(LOGIN_PAGE), where


async def test_open_routes_need_no_key(app):
    async with http_client(app) as anonymous:
        for method, path in sorted(OPEN):
            if method != "GET":
                continue
            response = await anonymous.get(path)
            expected = 303 if path == "/review/logout" else 200  # back to the login form
            assert response.status_code == expected, (path, response.status_code, response.text)
        for mount in OPEN_MOUNTS:
            response = await anonymous.get(f"{mount}/review.css")
            assert response.status_code == 200, mount
        login = await anonymous.post("/review/login", data={"key": "tj_wrong"})
        assert login.status_code == 401
        assert SESSION_COOKIE not in login.cookies
