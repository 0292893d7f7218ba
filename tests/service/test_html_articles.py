"""HTML pages through the API: submitted, extracted, translated; bad ones refused with 4xx."""

from __future__ import annotations

import json

import pytest

from cli.client_commands import ndjson_body
from tests.conftest import run_worker_burst
from tests.service.test_html_input import HEADLINE, PARAGRAPHS, news_page

SCRIPTED = news_page(
    HEADLINE,
    PARAGRAPHS,
    '<p onclick="alert(1)">فقرة أخيرة &lt;script&gt;alert(2)&lt;/script&gt;.</p>',
)


async def test_an_html_article_is_translated_from_its_main_text(client, settings):
    response = await client.post("/v1/articles", json={"text": SCRIPTED, "format": "html"})
    assert response.status_code == 202, response.text
    created = response.json()
    assert created["format"] == "html"
    assert created["title"]["ar"] == HEADLINE
    assert "<" not in response.text.replace("\\u003c", "<").split('"title"')[1]

    await run_worker_burst(settings)

    article = (await client.get(f"/v1/articles/{created['id']}")).json()
    assert article["status"] == "done", article["error"]
    assert article["title"]["ar"] == HEADLINE and article["title"]["en"]
    assert [p["ar"] for p in article["paragraphs"]] == [*PARAGRAPHS, "فقرة أخيرة ."]
    stored = json.dumps(article, ensure_ascii=False)
    for executable in ("<", "script", "alert", "onclick", "الرئيسية", "محفوظة"):
        assert executable not in stored

    source = await client.get(f"/v1/articles/{created['id']}/source")
    assert source.status_code == 200
    assert source.headers["content-type"] == "application/json"
    assert source.json() == {"id": created["id"], "format": "html", "source": SCRIPTED}


async def test_a_text_article_says_so_and_its_source_is_its_text(client):
    text = "عنوان\n\nالفقرة الأولى. الفقرة الثانية."
    created = (await client.post("/v1/articles", json={"text": text})).json()
    assert created["format"] == "text"
    source = (await client.get(f"/v1/articles/{created['id']}/source")).json()
    assert source == {"id": created["id"], "format": "text", "source": text}


async def test_another_keys_article_source_is_404(client, app, make_key):
    from tests.conftest import http_client

    created = (await client.post("/v1/articles", json={"text": SCRIPTED, "format": "html"})).json()
    async with http_client(app, await make_key("submit", "other")) as other:
        assert (await other.get(f"/v1/articles/{created['id']}/source")).status_code == 404


@pytest.mark.parametrize(
    "body, fragment",
    [
        ({"text": SCRIPTED, "format": "pdf"}, "format"),
        ({"text": "نص", "format": None}, "format"),
        (
            {
                "text": "<html><head><script>var a = 'نص عربي';</script></head>"
                "<body><p>English only</p></body></html>",
                "format": "html",
            },
            "no Arabic text",
        ),
        ({"text": "<p>No Arabic at all</p>", "format": "html"}, "no Arabic letters"),
        ({"text": "   ", "format": "html"}, "empty"),
    ],
)
async def test_bad_html_articles_are_422(client, body, fragment):
    response = await client.post("/v1/articles", json=body)
    assert response.status_code == 422
    assert fragment in str(response.json()["detail"])


@pytest.mark.parametrize(
    "page",
    [
        "<html><body><div><p>فقرة <b>غير مغلقة</p><p>وفقرة ثانية منها.</div></span><!--",
        "<?xml version='1.0' encoding='latin-1'?><p>\x01قال\x0b مصدر\ufffe.</p>",
        "<p>قال &#0; &#xD800; &bogus; مصدر</p><<<>>>",
    ],
)
async def test_malformed_html_is_accepted_not_a_500(client, page):
    response = await client.post("/v1/articles", json={"text": page, "format": "html"})
    assert response.status_code == 202, response.text
    source = (await client.get(f"/v1/articles/{response.json()['id']}/source")).json()
    assert source["source"] == page


async def test_an_html_page_over_the_body_limit_is_413(client, settings):
    page = news_page(HEADLINE, PARAGRAPHS * (settings.max_body_bytes // 100))
    response = await client.post("/v1/articles", json={"text": page, "format": "html"})
    assert response.status_code == 413


async def test_batch_lines_may_be_html_and_bad_pages_are_rejected_lines(client, settings, tmp_path):
    (tmp_path / "page.html").write_text(SCRIPTED, encoding="utf-8")
    (tmp_path / "plain.txt").write_text("\n".join(PARAGRAPHS), encoding="utf-8")
    (tmp_path / "empty.htm").write_text("<p>English only</p><p>مرحبا</p>"[:-13], encoding="utf-8")
    body = b"".join(ndjson_body(sorted(tmp_path.iterdir())))
    response = await client.post(
        "/v1/batches", content=body, headers={"content-type": "application/x-ndjson"}
    )
    assert response.status_code == 202, response.text
    created = response.json()
    assert created["accepted"] == 2
    assert [r["line"] for r in created["rejected"]] == [1]
    assert "no Arabic" in created["rejected"][0]["error"]

    await run_worker_burst(settings)
    items = (await client.get("/v1/articles", params={"limit": 5})).json()["items"]
    mine = [i for i in items if i["batch_id"] == created["id"]]
    by_id = {i["external_id"]: i for i in mine}
    page = (await client.get(f"/v1/articles/{by_id['page']['id']}")).json()
    assert page["format"] == "html" and page["status"] == "done"
    assert [p["ar"] for p in page["paragraphs"]][:3] == PARAGRAPHS
    plain = (await client.get(f"/v1/articles/{by_id['plain']['id']}")).json()
    assert plain["format"] == "text" and [p["ar"] for p in plain["paragraphs"]] == PARAGRAPHS
