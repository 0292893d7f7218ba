"""Glossary terms highlighted on the review page, in a real browser, escaped."""

from __future__ import annotations

import httpx

from tests.conftest import run_worker_burst, sample_text
from tests.web.test_review_browser import opened

MARKUP_TERM = "Albu Kamal <b>town</b>"


async def test_applied_terms_are_highlighted_on_both_sides(
    browser, live_server, web_settings, keys
):
    headers = {"Authorization": f"Bearer {keys.submit}"}
    async with httpx.AsyncClient(base_url=live_server, headers=headers, timeout=30) as client:
        glossary = await client.post(
            "/v1/glossaries",
            json={
                "name": "places",
                "entries": [
                    {"ar": "دير الزور", "en": "Deir ez-Zor"},
                    {"ar": "البوكمال", "en": MARKUP_TERM},
                ],
            },
        )
        assert glossary.status_code == 201, glossary.text
        submitted = await client.post(
            "/v1/articles",
            json={
                "text": sample_text("sy24-deir-ez-zor.txt"),
                "glossary": glossary.json()["id"],
            },
        )
        assert submitted.status_code == 202, submitted.text
        article_id = submitted.json()["id"]
        await run_worker_burst(web_settings)
        article = (await client.get(f"/v1/articles/{article_id}")).json()
    sentences = [s for p in article["paragraphs"] for s in p["sentences"]]
    with_terms = [s for s in sentences if s["terms"]]
    assert with_terms

    async with opened(browser, live_server, keys.review) as page:
        await page.goto(f"/review/articles/{article_id}")
        for s in with_terms:
            p, i = next(
                (p["index"], x["index"])
                for p in article["paragraphs"]
                for x in p["sentences"]
                if x is s
            )
            en_marks = page.locator(f"#s-{p}-{i} mark.term")
            ar_marks = page.locator(f"#ar-{p}-{i} mark.term")
            shown = [t.strip() for t in await en_marks.all_inner_texts()]
            assert sorted(set(shown)) == sorted({t["en"] for t in s["terms"]}), s
            assert await ar_marks.count() >= len(s["terms"])
        # The term's markup is shown as text, never parsed.
        assert await page.locator("table.pairs mark.term b").count() == 0
        assert MARKUP_TERM in await page.locator("table.pairs").inner_text()
        assert page.console_errors == []
