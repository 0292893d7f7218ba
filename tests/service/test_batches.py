"""Batches: NDJSON ingest, progress, cancel, idempotency, not_before, exports."""

from __future__ import annotations

import csv
import io
import json
import uuid
import xml.etree.ElementTree as ET
from datetime import UTC, datetime, timedelta

from tests.conftest import run_worker_burst

NDJSON = {"content-type": "application/x-ndjson"}


def article_line(n: int, **extra) -> str:
    text = f"خبر رقم {n}: قال المتحدث إن الاجتماع انتهى. وأضاف أن النتائج ستعلن غدا."
    return json.dumps({"text": text, "external_id": f"x{n}", **extra}, ensure_ascii=False)


async def test_ingest_stores_valid_lines_and_reports_invalid_ones(client, settings):
    lines = [
        article_line(1),
        "{not json",
        "",
        json.dumps({"text": "English only"}),
        article_line(2, title="عنوان"),
        json.dumps([1, 2]),
        json.dumps({"text": "نص", "bogus": True}),
        article_line(3),
    ]
    response = await client.post(
        "/v1/batches", params={"name": "nightly"}, content="\n".join(lines), headers=NDJSON
    )
    assert response.status_code == 202, response.text
    body = response.json()
    assert body["accepted"] == 3
    assert [(r["line"], r["error"].split(":")[0]) for r in body["rejected"]] == [
        (2, "invalid JSON"),
        (4, "text"),
        (6, "each line must be a JSON object"),
        (7, "bogus"),
    ]
    batch = (await client.get(f"/v1/batches/{body['id']}")).json()
    assert batch["name"] == "nightly" and batch["priority"] == "bulk"
    assert batch["total"] == 3 and batch["counts"]["queued"] == 3 and batch["progress"] == 0
    assert batch["finished_at"] is None

    await run_worker_burst(settings)
    batch = (await client.get(f"/v1/batches/{body['id']}")).json()
    assert batch["counts"]["done"] == 3 and batch["finished"] and batch["progress"] == 1
    assert batch["articles_per_minute"] > 0 and batch["eta_seconds"] == 0
    articles = [json.loads(line) for line in
                (await client.get(f"/v1/batches/{body['id']}/export")).text.splitlines()]
    assert batch["finished_at"] == max(a["finished_at"] for a in articles)
    listed = (await client.get("/v1/batches")).json()["items"]
    assert body["id"] in [b["id"] for b in listed]


async def test_wrong_content_type_is_415(client):
    response = await client.post("/v1/batches", json={"text": "نص"})
    assert response.status_code == 415


async def test_cancel_leaves_nothing_queued_and_is_harmless_twice(client, settings):
    body = "\n".join(article_line(n) for n in range(5))
    batch_id = (await client.post("/v1/batches", content=body, headers=NDJSON)).json()["id"]
    first = (await client.post(f"/v1/batches/{batch_id}/cancel")).json()
    second = (await client.post(f"/v1/batches/{batch_id}/cancel")).json()
    assert first["counts"]["cancelled"] == 5 == second["counts"]["cancelled"]
    assert first["cancelled_at"] is not None and first["finished"]
    await run_worker_burst(settings)
    after = (await client.get(f"/v1/batches/{batch_id}")).json()
    assert after["counts"]["cancelled"] == 5 and after["counts"]["done"] == 0


async def test_idempotency_key_returns_the_original_batch(client):
    key = f"retry-{uuid.uuid4()}"
    headers = {**NDJSON, "Idempotency-Key": key}
    body = "\n".join([article_line(1), "oops"])
    first = (await client.post("/v1/batches", content=body, headers=headers)).json()
    again = (await client.post("/v1/batches", content=body, headers=headers)).json()
    assert again == first
    listed = [b["id"] for b in (await client.get("/v1/batches")).json()["items"]]
    assert listed.count(first["id"]) == 1 and len(listed) == 1


async def test_not_before_holds_the_batch(client, settings):
    later = (datetime.now(UTC) + timedelta(hours=6)).isoformat()
    body = "\n".join(article_line(n) for n in range(2))
    batch_id = (
        await client.post("/v1/batches", params={"not_before": later}, content=body, headers=NDJSON)
    ).json()["id"]
    response = await client.post("/v1/articles", json={"text": "خبر عاجل عن الاجتماع."})
    urgent = response.json()["id"]
    await run_worker_burst(settings, max_burst_jobs=1)
    batch = (await client.get(f"/v1/batches/{batch_id}")).json()
    assert batch["counts"]["queued"] == 2
    assert (await client.get(f"/v1/articles/{urgent}")).json()["status"] == "done"


async def test_exports_validate(client, settings):
    body = "\n".join(article_line(n) for n in range(3))
    batch_id = (await client.post("/v1/batches", content=body, headers=NDJSON)).json()["id"]
    await run_worker_burst(settings)
    articles = [
        (await client.get(f"/v1/articles/{a}")).json()
        for a in [json.loads(line)["id"] for line in (
            await client.get(f"/v1/batches/{batch_id}/export", params={"format": "jsonl"})
        ).text.splitlines()]
    ]
    assert [a["external_id"] for a in articles] == ["x0", "x1", "x2"]

    tmx = await client.get(f"/v1/batches/{batch_id}/export", params={"format": "tmx"})
    assert tmx.headers["content-type"].startswith("application/x-tmx+xml")
    root = ET.fromstring(tmx.content)
    assert root.tag == "tmx" and root.attrib["version"] == "1.4"
    assert root.find("header").attrib["srclang"] == "ar"
    units = root.findall("body/tu")
    sentences = [s for a in articles for p in a["paragraphs"] for s in p["sentences"]]
    assert len(units) == len(sentences)
    xml_lang = "{http://www.w3.org/XML/1998/namespace}lang"
    first = units[0]
    assert [t.attrib[xml_lang] for t in first.findall("tuv")] == ["ar", "en"]
    assert first.find("tuv/seg").text == sentences[0]["ar"]
    assert {p.attrib["type"] for p in first.findall("prop")} >= {"x-article-id", "x-paragraph"}

    rows = list(csv.reader(io.StringIO(
        (await client.get(f"/v1/batches/{batch_id}/export", params={"format": "csv"})).text
    )))
    assert rows[0] == ["article_id", "external_id", "paragraph", "ar", "en", "edited"]
    assert len(rows) - 1 == sum(len(a["paragraphs"]) for a in articles)
    assert rows[1][3] == articles[0]["paragraphs"][0]["ar"]

    one = await client.get(f"/v1/articles/{articles[0]['id']}/export", params={"format": "tmx"})
    assert len(ET.fromstring(one.content).findall("body/tu")) == sum(
        len(p["sentences"]) for p in articles[0]["paragraphs"]
    )


async def test_export_of_unfinished_article_is_409(client):
    response = await client.post("/v1/articles", json={"text": "خبر لم يترجم بعد."})
    article_id = response.json()["id"]
    response = await client.get(f"/v1/articles/{article_id}/export")
    assert response.status_code == 409


async def test_other_submitters_cannot_see_a_batch(client, app, make_key):
    from tests.conftest import http_client

    batch_id = (
        await client.post("/v1/batches", content=article_line(1), headers=NDJSON)
    ).json()["id"]
    async with http_client(app, await make_key("submit")) as stranger:
        assert (await stranger.get(f"/v1/batches/{batch_id}")).status_code == 404
        assert (await stranger.get(f"/v1/batches/{batch_id}/export")).status_code == 404
    async with http_client(app, await make_key("review")) as reviewer:
        assert (await reviewer.get(f"/v1/batches/{batch_id}")).status_code == 200


async def test_translation_memory_hit_rate_is_reported(client, settings):
    shared = "وكالة الأنباء - عاجل."  # wire boilerplate repeated in every article
    body = "\n".join(
        json.dumps(
            {"text": f"{shared}\nتفاصيل الخبر رقم {n} {uuid.uuid4().hex[:6]}."}, ensure_ascii=False
        )
        for n in range(4)
    )
    batch_id = (await client.post("/v1/batches", content=body, headers=NDJSON)).json()["id"]
    await run_worker_burst(settings)
    batch = (await client.get(f"/v1/batches/{batch_id}")).json()
    # 4 articles x 2 units; the boilerplate is translated once, then found 3 times (bulk
    # articles run one at a time, so each finds what the one before stored).
    assert batch["translation_memory_hit_rate"] == 3 / 8
