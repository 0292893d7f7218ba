"""The review pages over HTTP (no browser): sign-in, redirects, headers, CSRF, search."""

from __future__ import annotations

from datetime import timedelta
from urllib.parse import quote

import httpx
import pytest
from sqlalchemy import select, update

from service.app.auth import SESSION_COOKIE
from service.app.web.security import CONTENT_SECURITY_POLICY
from service.storage.review_sessions import hash_token
from service.storage.tables import ReviewSession, utcnow
from tests.conftest import REPO_DIR, http_client, sign_in


def browser_client(app, token: str | None = None, base_url: str = "http://tarjama.test"):
    """A client holding a session token in the cookie, as a signed-in browser does."""
    cookies = {SESSION_COOKIE: token} if token else {}
    return httpx.AsyncClient(
        transport=httpx.ASGITransport(app=app), base_url=base_url, cookies=cookies
    )


async def signed_in(app, key: str):
    """A browser client signed in with `key`."""
    return browser_client(app, await sign_in(app, key))


@pytest.mark.parametrize(
    "path", ["/review", "/review/articles/abc?x=1", "/review/progress?article=abc"]
)
async def test_pages_send_strangers_to_the_login_form(app, path):
    async with browser_client(app) as browser:
        response = await browser.get(path)
    assert response.status_code == 303
    assert response.headers["location"] == f"/review/login?next={quote(path, safe='/')}"


async def test_a_made_up_session_or_a_raw_key_in_the_cookie_is_sent_to_the_login_form(
    app, make_key
):
    for cookie in ("made-up", await make_key("review")):
        async with browser_client(app, cookie) as browser:
            response = await browser.get("/review")
        assert response.status_code == 303


async def test_signing_in_sets_a_strict_httponly_cookie(app, make_key):
    key = await make_key("review")
    async with browser_client(app) as browser:
        response = await browser.post(
            "/review/login", data={"key": f" {key} ", "next": "/review/articles/abc"}
        )
    assert response.status_code == 303
    assert response.headers["location"] == "/review/articles/abc"
    cookie = response.headers["set-cookie"]
    token = response.cookies[SESSION_COOKIE]
    # The cookie holds a random session token, never the key.
    assert cookie.startswith(f"{SESSION_COOKIE}={token};")
    assert key not in cookie and len(token) >= 43
    assert "Max-Age=" in cookie
    assert "HttpOnly" in cookie
    assert "SameSite=strict" in cookie
    assert "Path=/" in cookie
    assert "Secure" not in cookie


async def test_the_cookie_is_secure_over_https(app, make_key):
    key = await make_key("review")
    async with browser_client(app, base_url="https://tarjama.test") as browser:
        response = await browser.post("/review/login", data={"key": key})
    assert response.headers["location"] == "/review"
    assert "Secure" in response.headers["set-cookie"]


@pytest.mark.parametrize(
    "next_",
    ["//evil.example/x", "https://evil.example/", "/\\evil.example", "javascript:alert(1)", ""],
)
async def test_sign_in_never_redirects_off_site(app, make_key, next_):
    key = await make_key("review")
    async with browser_client(app) as browser:
        response = await browser.post("/review/login", data={"key": key, "next": next_})
    assert response.headers["location"] == "/review"


async def test_a_wrong_key_is_refused_with_a_message(app):
    async with browser_client(app) as browser:
        response = await browser.post("/review/login", data={"key": "tj_wrong", "next": "/x"})
    assert response.status_code == 401
    assert "not valid or has been revoked" in response.text
    assert "set-cookie" not in response.headers


async def test_signing_out_clears_the_cookie_and_ends_the_session(app, make_key):
    token = await sign_in(app, await make_key("review"))
    async with browser_client(app, token) as browser:
        assert (await browser.get("/review")).status_code == 200
        response = await browser.post("/review/logout")
    assert response.status_code == 303
    assert response.headers["location"] == "/review/login"
    assert f'{SESSION_COOKIE}=""' in response.headers["set-cookie"]
    assert "Max-Age=0" in response.headers["set-cookie"]
    # A copy of the cookie kept elsewhere opens nothing any more.
    async with browser_client(app, token) as stolen:
        assert (await stolen.get("/review")).status_code == 303
        assert (await stolen.get("/v1/articles")).status_code == 401


async def test_revoking_the_key_ends_its_sessions(app, make_key):
    key = await make_key("review", "to-revoke")
    token = await sign_in(app, key)
    async with browser_client(app, token) as browser:
        assert (await browser.get("/review")).status_code == 200
        async with http_client(app, await make_key("admin")) as admin:
            prefix = key[:10]
            assert (await admin.delete(f"/v1/keys/{prefix}")).status_code == 204
        assert (await browser.get("/review")).status_code == 303
        assert (await browser.get("/v1/articles")).status_code == 401


async def test_a_session_ends_when_it_expires(app, make_key):
    token = await sign_in(app, await make_key("review"))
    async with app.state.sessions() as session, session.begin():
        await session.execute(
            update(ReviewSession)
            .where(ReviewSession.token_hash == hash_token(token))
            .values(expires_at=utcnow() - timedelta(seconds=1))
        )
    async with browser_client(app, token) as browser:
        assert (await browser.get("/review")).status_code == 303


async def test_only_the_session_token_hash_is_stored(app, make_key):
    key = await make_key("review")
    token = await sign_in(app, key)
    async with app.state.sessions() as session:
        stored = (await session.execute(select(ReviewSession))).scalars().all()
    hashes = {row.token_hash for row in stored}
    assert hash_token(token) in hashes
    assert token not in hashes and key not in hashes


@pytest.mark.parametrize("path", ["/review/login", "/review/static/review.js"])
async def test_pages_and_their_files_carry_a_strict_policy(app, path):
    async with browser_client(app) as browser:
        response = await browser.get(path)
    assert response.status_code == 200
    assert response.headers["content-security-policy"] == CONTENT_SECURITY_POLICY
    assert "default-src 'self'" in CONTENT_SECURITY_POLICY
    assert "'unsafe-inline'" not in CONTENT_SECURITY_POLICY
    assert response.headers["x-content-type-options"] == "nosniff"


async def test_templates_have_no_inline_script_or_style(app, make_key):
    async with await signed_in(app, await make_key("review")) as browser:
        html = (await browser.get("/review")).text
    assert "<script src=" in html
    assert "<script>" not in html
    assert "style=" not in html
    assert "<style" not in html


async def test_a_form_without_its_csrf_token_is_refused(app, make_key):
    key = await make_key("review")
    async with http_client(app, key) as api, await signed_in(app, key) as browser:
        article_id = (await api.post("/v1/articles", json={"text": "خبر قصير"})).json()["id"]
        for token in ("", "0" * 64):
            response = await browser.post(
                f"/review/articles/{article_id}/reviewed", data={"csrf_token": token}
            )
            assert response.status_code == 403
            assert "expired" in response.text
        assert (await api.get(f"/v1/articles/{article_id}")).json()["reviewed_at"] is None


async def test_search_matches_titles_and_text_and_treats_wildcards_literally(app, make_key):
    key = await make_key("submit")
    texts = {
        "floods": "فيضانات في المدينة\n\nغمرت المياه الشوارع بعد أمطار غزيرة.",
        "percent": "ارتفاع الأسعار 100%\n\nارتفعت الأسعار بنسبة كبيرة هذا الشهر.",
    }
    async with http_client(app, key) as api, await signed_in(app, key) as browser:
        for name, text in texts.items():
            await api.post("/v1/articles", json={"text": text, "external_id": name})

        async def found(**params) -> str:
            response = await browser.get("/review", params=params)
            assert response.status_code == 200
            return response.text

        page = await found(q="أمطار غزيرة")
        assert "1 article matching" in page and "floods" in page and "percent" not in page
        page = await found(q="100%")
        assert "1 article matching" in page and "percent" in page
        assert "0 articles matching" in await found(q="%_%")
        page = await found(status="queued")
        assert "2 articles matching" in page
        assert "0 articles matching" in await found(status="done")
        assert "2 articles" in await found(status="not-a-status", page="x")


async def test_progress_reports_only_what_the_key_may_see(app, make_key):
    mine, theirs = await make_key("submit"), await make_key("submit")
    async with http_client(app, mine) as api:
        own = (await api.post("/v1/articles", json={"text": "خبر أول"})).json()["id"]
    async with http_client(app, theirs) as api:
        other = (await api.post("/v1/articles", json={"text": "خبر ثان"})).json()["id"]
    async with await signed_in(app, mine) as browser:
        response = await browser.get("/review/progress", params={"article": [own, other]})
    assert response.json() == {"articles": {own: "queued"}, "batches": {}}


async def test_the_readme_gives_the_review_pages_addresses_and_they_answer(app, make_key):
    readme = (REPO_DIR / "README.md").read_text(encoding="utf-8")
    assert "`/review`" in readme and "`/review/articles/{id}`" in readme
    key = await make_key("review")
    async with http_client(app, key) as api, await signed_in(app, key) as browser:
        article_id = (await api.post("/v1/articles", json={"text": "خبر قصير"})).json()["id"]
        assert (await browser.get("/review")).status_code == 200
        assert (await browser.get(f"/review/articles/{article_id}")).status_code == 200
