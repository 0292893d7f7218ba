"""API keys and session tokens never appear in logs, error messages or exports.

A whole run with real processes (the API and a worker, logging at DEBUG): submissions,
a batch, failed authentication with a made-up and a revoked key, a failed and a good
sign-in on the review pages, a correction, every export. Then every log line, every
answer but the one that creates a key, and every export are searched for each secret.
"""

from __future__ import annotations

import secrets
import time

import httpx
import pytest

from service.app.auth import SESSION_COOKIE
from service.domain.types import KeyRole
from service.storage.db import migrate, run_in_transaction
from service.storage.keys import create_key
from tests.conftest import sample_text
from tests.faults.stack import Stack, stack_env

FINISH_TIMEOUT_S = 120


def new_key(url: str, role: KeyRole, name: str) -> str:
    return run_in_transaction(url, lambda session: create_key(session, name, role))[1]


@pytest.fixture
def stack(tmp_path, tiny_model_dir):
    url = f"sqlite+aiosqlite:///{tmp_path / 'leaks.db'}"
    migrate(url)
    env = stack_env(url, tiny_model_dir) | {"TARJAMA_LOG_LEVEL": "DEBUG"}
    running = Stack(env, tmp_path / "logs")
    try:
        running.start_redis()
        running.start_api()
        running.start_worker()
        yield running
    finally:
        running.stop_all()


def wait_done(client: httpx.Client, path: str) -> dict:
    deadline = time.monotonic() + FINISH_TIMEOUT_S
    while time.monotonic() < deadline:
        body = client.get(path).json()
        if body.get("status") in ("done", "failed") or body.get("finished_at"):
            return body
        time.sleep(0.2)
    raise AssertionError(f"{path} did not finish")


def test_no_key_or_session_token_reaches_logs_errors_or_exports(stack):
    admin_key = new_key(stack.database_url, KeyRole.admin, "admin")
    submit_key = new_key(stack.database_url, KeyRole.submit, "newsdesk")
    review_key = new_key(stack.database_url, KeyRole.review, "Rana Haddad")
    doomed_key = new_key(stack.database_url, KeyRole.submit, "to-revoke")
    made_up = "tj_" + secrets.token_urlsafe(32)
    secrets_ = [admin_key, submit_key, review_key, doomed_key, made_up]
    seen: list[str] = []  # every answer and export, to search

    def keep(response: httpx.Response) -> httpx.Response:
        seen.append(f"{response.status_code} {dict(response.headers)} {response.text}")
        return response

    def as_(key: str | None) -> httpx.Client:
        headers = {"Authorization": f"Bearer {key}"} if key else {}
        return httpx.Client(base_url=stack.api_url, headers=headers, timeout=30)

    with as_(admin_key) as admin, as_(submit_key) as submit, as_(review_key) as review:
        created = admin.post("/v1/keys", json={"name": "made here", "role": "review"})
        assert created.status_code == 201  # the one answer that shows a key, once
        secrets_.append(created.json()["key"])
        keep(admin.get("/v1/keys"))

        article = keep(
            submit.post("/v1/articles", json={"text": sample_text("sy24-deir-ez-zor.txt")})
        )
        article_id = article.json()["id"]
        batch = keep(
            submit.post(
                "/v1/batches?name=nightly",
                content='{"text": "قال الوزير إن الاجتماع انتهى."}\n{"text": "no arabic"}\n',
                headers={"content-type": "application/x-ndjson"},
            )
        )
        batch_id = batch.json()["id"]

        # Failing authentication: a made-up key, then a revoked one.
        with as_(made_up) as stranger:
            assert keep(stranger.get("/v1/articles")).status_code == 401
            assert keep(stranger.post("/v1/articles", json={"text": "خبر"})).status_code == 401
        assert keep(admin.delete(f"/v1/keys/{doomed_key[:10]}")).status_code == 204
        with as_(doomed_key) as revoked:
            assert keep(revoked.get(f"/v1/articles/{article_id}")).status_code == 401
        keep(submit.post("/v1/articles", json={"text": "English only"}))  # a 422

        # The review pages: a refused sign-in, then a good one.
        with as_(None) as browser:
            refused = keep(browser.post("/review/login", data={"key": made_up}))
            assert refused.status_code == 401
            signed_in = keep(browser.post("/review/login", data={"key": review_key}))
            assert signed_in.status_code == 303
            # Its cookie holds a session token, never the key (which `seen` now checks);
            # the token itself may appear in this one answer only.
            token = browser.cookies[SESSION_COOKIE]
            token_shown_in = len(seen) - 1
            assert not any(key in token for key in secrets_)
            assert wait_done(submit, f"/v1/articles/{article_id}")["status"] == "done"
            wait_done(submit, f"/v1/batches/{batch_id}")
            keep(browser.get("/review"))
            keep(browser.get(f"/review/articles/{article_id}"))
            keep(browser.get("/review/logout"))

        keep(
            review.patch(
                f"/v1/articles/{article_id}/paragraphs/0/sentences/0", json={"en": "Corrected."}
            )
        )
        for fmt in ("jsonl", "tmx", "csv"):
            assert keep(submit.get(f"/v1/articles/{article_id}/export?format={fmt}")).is_success
            assert keep(submit.get(f"/v1/batches/{batch_id}/export?format={fmt}")).is_success
        keep(review.get("/metrics"))

    stack.stop_all()
    logs = {path.name: path.read_text(errors="replace") for path in stack.log_dir.glob("*.log")}
    assert {"api.log", "worker-0.log"} <= set(logs)
    assert article_id in logs["worker-0.log"]  # the logs did record the run
    assert "/review/login" in logs["api.log"] and "401" in logs["api.log"]
    for secret in [*secrets_, token]:
        for name, text in logs.items():
            assert secret not in text, f"a key or session token in {name}"
        for n, answer in enumerate(seen):
            if secret == token and n == token_shown_in:
                continue
            assert secret not in answer, f"a key or session token in an answer: {answer[:300]}"
