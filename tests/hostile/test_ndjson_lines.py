"""Malformed NDJSON lines in a batch: each reported with its number, the rest translated."""

from __future__ import annotations

import json

from tests.conftest import run_worker_burst
from tests.hostile.accounting import assert_accounted_for

VALID = "قال الوزير إن الحكومة ستدعم المزارعين. وأضاف أن الدعم سيبدأ قريبا."
HTML = "<script>alert(1)</script> قال الوزير '); DROP TABLE batches; --"
NDJSON = {"content-type": "application/x-ndjson"}


def line(value) -> bytes:
    return json.dumps(value, ensure_ascii=False).encode()


LINES: list[tuple[bytes, str | None]] = [  # (raw line, expected error fragment or None)
    (line({"text": VALID, "external_id": "ok-1"}), None),
    (b'{"text": ', "invalid JSON"),
    (b"[1, 2]", "JSON object"),
    (line({"text": 5}), "text: Input should be a valid string"),
    (line({"text": ""}), "text is empty"),
    (b'{"text": "\xd9\x82 \xff\xfe"}', "invalid JSON: not valid UTF-8: byte 0xff at position 13"),
    (line({"text": VALID, "bogus": 1}), "bogus: Extra inputs"),
    (b"   ", None),  # blank: skipped, but still counted
    (line({"text": "English only"}), "no Arabic"),
    (line({"text": "قال\u0000الوزير"}), "NUL"),
    (line({"text": VALID, "external_id": "ok\u0000"}), "external_id must not contain NUL"),
    (line({"text": VALID, "external_id": "ok-2"}) + b"\r", None),  # a CRLF file
    (b'{"text": "\\ud800 \\u0642\\u0627\\u0644"}', "text: Value error, text has an invalid"),
    (b'{"text": "\\u0642", "\\udfff": 1}', "line: Input should be a valid string"),
    (b'{"text": "\xed\xa0\x80 \xd9\x82"}', "U+D800 is a lone surrogate"),  # encoded as if UTF-8
    (line({"text": HTML, "external_id": "ok-3"}), None),
    (b'"a string"', "JSON object"),
    (line({"text": VALID, "priority": "urgent"}), "priority"),
    (b"[" * 100_000 + b"]" * 100_000, "invalid JSON: nested too deeply"),
]


async def test_each_bad_line_is_reported_and_the_rest_are_done(client, settings):
    body = b"\n".join(raw for raw, _ in LINES) + b"\n"
    response = await client.post("/v1/batches", content=body, headers=NDJSON)
    assert response.status_code == 202, response.text
    created = response.json()
    expected = {n: error for n, (raw, error) in enumerate(LINES, 1) if error}
    assert {r["line"]: r["error"] for r in created["rejected"]}.keys() == expected.keys()
    for rejected in created["rejected"]:
        assert expected[rejected["line"]] in rejected["error"], rejected
    assert created["rejected_total"] == len(expected)
    assert created["accepted"] == 3

    await run_worker_burst(settings)
    batch = (await client.get(f"/v1/batches/{created['id']}")).json()
    assert batch["finished"] and batch["counts"]["done"] == 3, batch
    export = await client.get(f"/v1/batches/{created['id']}/export", params={"format": "jsonl"})
    articles = [json.loads(row) for row in export.text.splitlines()]
    assert [a["external_id"] for a in articles] == ["ok-1", "ok-2", "ok-3"]
    for article, text in zip(articles, [VALID, VALID, HTML], strict=True):
        assert_accounted_for(text, article, title_given=False)


async def test_a_line_over_the_limit_refuses_the_batch_and_stores_nothing(client):
    before = (await client.get("/v1/batches")).json()["items"]
    body = line({"text": VALID}) + b"\n" + line({"text": "ق" * (1024 * 1024 + 10)})
    response = await client.post("/v1/batches", content=body, headers=NDJSON)
    assert response.status_code == 413
    assert "longer than" in response.json()["detail"]
    assert (await client.get("/v1/batches")).json()["items"] == before


async def test_an_empty_batch_is_accepted_and_finished(client):
    response = await client.post("/v1/batches", content=b"\n\n  \n", headers=NDJSON)
    assert response.status_code == 202
    created = response.json()
    assert created["accepted"] == 0 and created["rejected"] == []
    batch = (await client.get(f"/v1/batches/{created['id']}")).json()
    assert batch["finished"] and batch["total"] == 0
