"""The article API end to end: HTTP submit, a real arq worker, stored aligned results."""

from __future__ import annotations

from tests.conftest import run_worker_burst, sample_text
from workers.segment import split_headline


async def test_sy24_article_is_translated_paragraph_by_paragraph(client, settings):
    text = sample_text("sy24-deir-ez-zor.txt")
    response = await client.post("/v1/articles", json={"text": text})
    assert response.status_code == 202
    body = response.json()
    assert body["status"] == "queued"
    assert response.headers["location"] == f"/v1/articles/{body['id']}"

    await run_worker_burst(settings)

    article = (await client.get(f"/v1/articles/{body['id']}")).json()
    assert article["status"] == "done", article["error"]
    title, paragraphs = split_headline(text)
    assert article["title"]["ar"] == title == text.splitlines()[0].strip()
    assert article["title"]["en"]
    assert [p["ar"] for p in article["paragraphs"]] == paragraphs
    assert [p["index"] for p in article["paragraphs"]] == list(range(len(paragraphs)))
    for paragraph in article["paragraphs"]:
        sentences = paragraph["sentences"]
        assert [s["index"] for s in sentences] == list(range(len(sentences)))
        joined = "".join(s["ar"] for s in sentences)
        assert joined.replace(" ", "") == paragraph["ar"].replace(" ", "")
        assert all(s["en"] for s in sentences)
        assert paragraph["en"] == " ".join(s["en"] for s in sentences)
    assert article["model"]["quantization"] == "int8"
    assert article["finished_at"] is not None
    summary = article["summary"]
    assert 1 <= len(summary["sentences"]) <= 5
    keys = [(s["paragraph"], s["sentence"]) for s in summary["sentences"]]
    assert keys == sorted(set(keys))
    for s in summary["sentences"]:
        assert article["paragraphs"][s["paragraph"]]["sentences"][s["sentence"]]["ar"] == s["ar"]
