"""Batch completion events reach a real local HTTP receiver, signed, with retries."""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from tests.conftest import run_worker_burst
from workers.webhooks import SIGNATURE_HEADER, verify

SECRET = "a-test-secret-of-enough-length"
NDJSON = {"content-type": "application/x-ndjson"}


class Receiver:
    """Records POSTs; answers 500 to the first `fail_first` of them."""

    def __init__(self, fail_first: int = 0) -> None:
        self.requests: list[tuple[dict, bytes]] = []
        self.fail_first = fail_first
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self) -> None:
                body = self.rfile.read(int(self.headers["Content-Length"]))
                receiver.requests.append((dict(self.headers), body))
                failing = len(receiver.requests) <= receiver.fail_first
                self.send_response(500 if failing else 204)
                self.end_headers()

            def log_message(self, *args) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/hook"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def __enter__(self) -> Receiver:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"webhook_secret": SECRET})


def lines(n: int) -> str:
    return "\n".join(
        json.dumps({"text": f"نبأ {i}: انتهى الاجتماع بنجاح."}, ensure_ascii=False)
        for i in range(n)
    )


async def test_finished_batch_posts_a_signed_event_once(client, settings):
    with Receiver(fail_first=1) as receiver:
        response = await client.post(
            "/v1/batches", params={"callback_url": receiver.url}, content=lines(3), headers=NDJSON
        )
        batch_id = response.json()["id"]
        await run_worker_burst(settings)
    # The first delivery failed with a 500 and was retried.
    assert len(receiver.requests) == 2
    headers, body = receiver.requests[-1]
    assert verify(SECRET, body, headers[SIGNATURE_HEADER])
    assert not verify("another-secret-entirely", body, headers[SIGNATURE_HEADER])
    event = json.loads(body)
    assert event["event"] == "batch.finished"
    assert event["batch"]["id"] == batch_id and event["batch"]["counts"]["done"] == 3
    batch = (await client.get(f"/v1/batches/{batch_id}")).json()
    assert batch["notified_at"] is not None


async def test_cancelled_batch_is_announced(client, settings):
    with Receiver() as receiver:
        response = await client.post(
            "/v1/batches", params={"callback_url": receiver.url}, content=lines(2), headers=NDJSON
        )
        batch_id = response.json()["id"]
        await client.post(f"/v1/batches/{batch_id}/cancel")
        await run_worker_burst(settings)
    [(_, body)] = receiver.requests
    assert json.loads(body)["batch"]["cancelled"] is True


async def test_callback_needs_a_configured_secret(client, settings, app):
    app.state.settings = settings.model_copy(update={"webhook_secret": None})
    response = await client.post(
        "/v1/batches",
        params={"callback_url": "http://127.0.0.1:9/x"},
        content=lines(1),
        headers=NDJSON,
    )
    assert response.status_code == 422
    assert "TARJAMA_WEBHOOK_SECRET" in response.json()["detail"]
