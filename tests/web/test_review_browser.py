"""The review pages in a real browser (Chromium via Playwright) against the app served on
localhost, with articles stored by a real worker."""

from __future__ import annotations

import json
from contextlib import asynccontextmanager
from pathlib import Path
from urllib.parse import quote

import httpx
from playwright.async_api import expect

from service.app.auth import SESSION_COOKIE
from service.domain.types import ArticleStatus
from tests.conftest import sign_in
from tests.factories import set_status
from tests.web.seed_data import ARTIFACTS_DIR, XSS_IMG, XSS_SCRIPT

LIVE_TIMEOUT_MS = 10_000
CORRECTION = "Russia has told its pilots to stay out of the skies over Albu Kamal."


@asynccontextmanager
async def opened(browser, base_url: str, key: str | None = None, *, javascript: bool = True):
    """A fresh browser context (signed in with `key` when given, through the login form's
    POST) and a page in it."""
    context = await browser.new_context(
        base_url=base_url,
        java_script_enabled=javascript,
        viewport={"width": 1280, "height": 900},
        locale="en-GB",
    )
    if key:
        await context.add_cookies(
            [
                {
                    "name": SESSION_COOKIE,
                    "value": await sign_in(base_url, key),
                    "url": base_url,
                    "httpOnly": True,
                    "sameSite": "Strict",
                }
            ]
        )
    page = await context.new_page()
    page.console_errors = []
    page.on("console", lambda m: m.type == "error" and page.console_errors.append(m.text))
    page.on("pageerror", lambda e: page.console_errors.append(str(e)))
    try:
        yield page
    finally:
        await context.close()


async def api_article(base_url: str, key: str, article_id: str, suffix: str = "") -> dict:
    headers = {"Authorization": f"Bearer {key}"}
    async with httpx.AsyncClient(base_url=base_url, headers=headers) as client:
        response = await client.get(f"/v1/articles/{article_id}{suffix}")
    assert response.status_code == 200, response.text
    return response.json()


async def highlighted(page) -> list[str]:
    return await page.eval_on_selector_all("table.pairs .hl", "els => els.map(e => e.id)")


async def test_pages_ask_for_a_key_and_return_where_they_were(browser, live_server, seeded, keys):
    async with opened(browser, live_server) as page:
        target = f"/review/articles/{seeded.sy24}"
        await page.goto(target)
        assert page.url == f"{live_server}/review/login?next={quote(target, safe='/')}"
        await page.get_by_label("API key").fill("tj_not-a-key")
        await page.get_by_role("button", name="Sign in").click()
        await page.get_by_role("alert").wait_for()
        assert "not valid" in await page.get_by_role("alert").inner_text()

        await page.get_by_label("API key").fill(keys.review)
        await page.get_by_role("button", name="Sign in").click()
        await page.wait_for_url(f"{live_server}{target}")
        cookie = next(c for c in await page.context.cookies() if c["name"] == SESSION_COOKIE)
        assert cookie["httpOnly"] is True
        assert cookie["sameSite"] == "Strict"
        assert cookie["path"] == "/"
        assert await page.evaluate("document.cookie") == ""

        await page.get_by_role("button", name="Sign out").click()
        await page.wait_for_url(f"{live_server}/review/login")
        await page.goto("/review")
        assert "/review/login" in page.url


async def test_paragraph_pairs_line_up_row_by_row(browser, live_server, seeded, keys):
    article = await api_article(live_server, keys.review, seeded.sy24)
    async with opened(browser, live_server, keys.review) as page:
        await page.goto(f"/review/articles/{seeded.sy24}")
        rows = page.locator("table.pairs tbody tr.pair")
        assert await rows.count() == len(article["paragraphs"]) > 3
        for i, paragraph in enumerate(article["paragraphs"]):
            row = rows.nth(i)
            en, ar = row.locator("td.en"), row.locator("td.ar")
            assert (await en.bounding_box())["y"] == (await ar.bounding_box())["y"]
            assert await ar.evaluate("el => getComputedStyle(el).direction") == "rtl"
            assert await ar.get_attribute("lang") == "ar"
            assert await ar.locator(".s").count() == len(paragraph["sentences"])
            assert await en.locator(".s").count() == len(paragraph["sentences"])
        en_box = await rows.first.locator("td.en").bounding_box()
        ar_box = await rows.first.locator("td.ar").bounding_box()
        assert en_box["x"] < ar_box["x"], "English on the left, Arabic on the right"
        assert page.console_errors == []


async def test_hovering_or_focusing_a_sentence_highlights_exactly_its_pair(
    browser, live_server, seeded, keys
):
    article = await api_article(live_server, keys.review, seeded.multi)
    p = next(p["index"] for p in article["paragraphs"] if len(p["sentences"]) >= 2)
    async with opened(browser, live_server, keys.review) as page:
        await page.goto(f"/review/articles/{seeded.multi}")
        assert await highlighted(page) == []
        await page.hover(f"#s-{p}-1")
        assert await highlighted(page) == [f"s-{p}-1", f"ar-{p}-1"]
        await page.hover(f"#ar-{p}-0")
        assert await highlighted(page) == [f"s-{p}-0", f"ar-{p}-0"]
        await page.mouse.move(0, 0)
        assert await highlighted(page) == []
        await page.focus(f"#ar-{p}-1")
        assert await highlighted(page) == [f"s-{p}-1", f"ar-{p}-1"]
        outline = await page.eval_on_selector(
            f"#ar-{p}-1", "el => getComputedStyle(el).outlineStyle"
        )
        assert outline != "none", "a focused sentence shows a visible focus ring"


async def test_summary_sentences_link_to_their_place_in_the_text(
    browser, live_server, seeded, keys
):
    article = await api_article(live_server, keys.review, seeded.sy24)
    first = article["summary"]["sentences"][0]
    async with opened(browser, live_server, keys.review) as page:
        await page.goto(f"/review/articles/{seeded.sy24}")
        links = page.locator(".summary li a")
        assert await links.count() == len(article["summary"]["sentences"])
        assert await links.first.get_attribute("href") == (
            f"#s-{first['paragraph']}-{first['sentence']}"
        )
        await links.first.click()
        assert page.url.endswith(f"#s-{first['paragraph']}-{first['sentence']}")


async def test_a_correction_made_in_place_survives_reload_and_reaches_the_api(
    browser, live_server, seeded, keys
):
    before = await api_article(live_server, keys.review, seeded.sy24)
    machine = before["paragraphs"][0]["sentences"][0]["machine_en"]
    async with opened(browser, live_server, keys.review) as page:
        await page.goto(f"/review/articles/{seeded.sy24}")
        await page.focus("#s-0-0")
        await page.keyboard.press("Enter")
        editor = page.get_by_label("Corrected English sentence")
        await editor.fill(CORRECTION)
        await page.get_by_role("button", name="Save", exact=True).click()
        await page.locator("#s-0-0.edited").wait_for()
        assert await page.locator("#s-0-0 .t").inner_text() == CORRECTION

        await page.reload()
        sentence = page.locator("#s-0-0")
        assert await sentence.locator(".t").inner_text() == CORRECTION
        assert "edited" in await sentence.get_attribute("class")
        assert await sentence.get_attribute("title") == f"Machine translation: {machine}"
        assert "corrected by a reviewer" in await sentence.inner_text()
        audit = page.locator(".audit tbody tr").filter(has_text=CORRECTION)
        assert await audit.count() == 1

    after = await api_article(live_server, keys.review, seeded.sy24)
    edited = after["paragraphs"][0]["sentences"][0]
    assert (edited["en"], edited["edited"], edited["machine_en"]) == (CORRECTION, True, machine)
    trail = (await api_article(live_server, keys.review, seeded.sy24, "/edits"))["items"]
    assert [(e["editor"], e["before"], e["after"]) for e in trail][-1] == (
        keys.names["review"],
        machine,
        CORRECTION,
    )


async def test_exports_download_with_the_corrections(browser, live_server, seeded, keys):
    async with opened(browser, live_server, keys.review) as page:
        await page.goto(f"/review/articles/{seeded.sy24}")
        links = page.get_by_role("list", name="Export this article").get_by_role("link")
        assert await links.all_text_contents() == ["JSONL", "TMX", "CSV"]
        async with page.expect_download() as download_info:
            await links.first.click()
        download = await download_info.value
        exported = json.loads(Path(await download.path()).read_text(encoding="utf-8"))
    assert exported["id"] == seeded.sy24
    assert exported["paragraphs"][0]["sentences"][0]["en"] == CORRECTION


async def test_corrections_work_without_javascript(browser, live_server, seeded, keys):
    async with opened(browser, live_server, keys.review, javascript=False) as page:
        await page.goto(f"/review/articles/{seeded.sy24}")
        await page.get_by_text("Correct sentences in paragraph 2").click()
        field = page.locator("#edit-1-0")
        await field.fill("   ")
        await page.get_by_role("button", name="Save sentence 1").first.click()
        alert = page.get_by_role("alert")
        assert "the sentence is empty" in await alert.inner_text()
        assert await page.locator("#edit-1-0").get_attribute("aria-invalid") == "true"

        await page.locator("#edit-1-0").fill("A sentence corrected without scripts.")
        await page.locator("#edit-1-0 ~ button").click()
        await page.get_by_text("Correction saved.").wait_for()
        assert "?saved=s-1-0" in page.url
        text = await page.locator("#s-1-0 .t").inner_text()
        assert text == "A sentence corrected without scripts."

        await page.get_by_role("button", name="Mark as reviewed").click()
        assert "reviewed by Rana Haddad" in await page.locator("dl.meta").inner_text()


async def test_markup_in_an_article_stays_inert_text(browser, live_server, seeded, keys):
    async with opened(browser, live_server, keys.review) as page:
        await page.goto(f"/review/articles/{seeded.xss}")
        await page.locator("table.pairs").wait_for()
        assert await page.evaluate("typeof window.__xss") == "undefined"
        arabic = await page.locator("table.pairs").inner_text()
        assert XSS_IMG in arabic
        assert XSS_SCRIPT in await page.locator(".title-ar").inner_text()
        assert await page.locator("main img, main script").count() == 0
        # A javascript: source is shown, never linked.
        assert await page.locator('a[href^="javascript"]').count() == 0
        await page.goto(f"/review?q={quote('<script>')}")
        assert await page.evaluate("typeof window.__xss") == "undefined"
        assert XSS_SCRIPT in await page.locator("table.articles").inner_text()


async def test_the_list_filters_by_status_and_search(browser, live_server, seeded, keys):
    async with opened(browser, live_server, keys.review) as page:
        await page.goto("/review")
        rows = page.locator("table.articles tbody tr")
        assert await rows.count() == 7
        ARTIFACTS_DIR.mkdir(exist_ok=True)
        await page.screenshot(path=ARTIFACTS_DIR / "review-list.png", full_page=True)

        await page.get_by_label("Status").select_option("queued")
        await page.get_by_role("button", name="Filter").click()
        await page.wait_for_url("**/review?*status=queued*")
        statuses = await page.locator("table.articles .status").all_text_contents()
        assert statuses == ["queued"] * 3

        await page.get_by_label("Status").select_option("")
        await page.get_by_label("Search titles and text").fill("البوكمال")
        await page.get_by_role("button", name="Filter").click()
        await page.wait_for_url("**/review?q=*")
        links = page.locator("table.articles .titles a")
        assert await links.count() == 1
        assert await links.get_attribute("href") == f"/review/articles/{seeded.sy24}"

        await page.goto(f"/review?batch={seeded.batch}")
        assert await rows.count() == 3
        bar = page.locator(f'svg.bar[data-bar-of="{seeded.batch}"]')
        assert await bar.get_attribute("aria-label") == ("1 of 3 finished: 1 failed, 2 queued")
        failed_width = await bar.locator('rect[data-seg="failed"]').get_attribute("width")
        assert abs(float(failed_width) - 100 / 3) < 0.01


async def test_unfinished_articles_say_so_and_refresh(browser, live_server, seeded, keys):
    async with opened(browser, live_server, keys.submit) as page:
        await page.goto(f"/review/articles/{seeded.pending}")
        assert "This article is queued" in await page.get_by_role("status").inner_text()
        refresh = page.locator('meta[http-equiv="refresh"]')
        assert await refresh.get_attribute("content") == "5"
        await page.goto(f"/review/articles/{seeded.sy24}")
        assert await refresh.count() == 0


async def test_a_submitter_reads_but_cannot_correct(browser, live_server, seeded, keys):
    async with opened(browser, live_server, keys.submit) as page:
        await page.goto(f"/review/articles/{seeded.sy24}")
        await page.locator("table.pairs").wait_for()
        assert await page.locator("[data-edit-url], details.edit, .audit").count() == 0
        assert await page.get_by_role("button", name="Mark as reviewed").count() == 0
        await page.click("#s-0-0")
        assert await page.locator(".inline-editor").count() == 0

        token = await page.locator("table.pairs").get_attribute("data-csrf")
        response = await page.request.post(
            f"/review/articles/{seeded.sy24}/sentences/0/0",
            form={"en": "Sneaky change.", "csrf_token": token},
            headers={"Accept": "application/json"},
        )
        assert response.status == 403
        assert "Only reviewers" in (await response.json())["detail"]
        # The batch was not submitted with this key: its articles are not listed.
        await page.goto("/review")
        assert await page.locator("table.articles tbody tr").count() == 4
        assert await page.locator("table.batches").count() == 0


async def test_the_sy24_page_looks_right(browser, live_server, seeded, keys):
    """Saves test-artifacts/sy24-review.png to look at."""
    async with opened(browser, live_server, keys.review) as page:
        await page.goto(f"/review/articles/{seeded.sy24}")
        ARTIFACTS_DIR.mkdir(exist_ok=True)
        await page.screenshot(path=ARTIFACTS_DIR / "sy24-review-top.png")
        await page.hover("#s-2-0")
        await page.screenshot(path=ARTIFACTS_DIR / "sy24-review.png", full_page=True)
        font = await page.eval_on_selector("td.ar", "el => getComputedStyle(el).fontFamily")
        assert font.startswith('"Noto Naskh Arabic"')
        await page.emulate_media(media="print")
        assert await page.locator("header.site").is_hidden()
        assert await page.locator("form").first.is_hidden()
        assert await page.locator("td.ar").first.is_visible()
        assert page.console_errors == []


async def test_the_list_shows_progress_live(browser, live_server, seeded, keys, web_settings):
    """Runs last: it moves the batch on."""
    running, cancelled = seeded.batch_articles[1:]
    async with opened(browser, live_server, keys.review) as page:
        await page.goto(f"/review?batch={seeded.batch}")
        badge = page.locator(f'[data-status-of="{running}"]')
        assert await badge.text_content() == "queued"
        await set_status(web_settings.database_url, running, ArticleStatus.running)
        await set_status(web_settings.database_url, cancelled, ArticleStatus.cancelled)
        await expect(badge).to_have_text("running", timeout=LIVE_TIMEOUT_MS)
        assert "status-running" in await badge.get_attribute("class")
        bar = page.locator(f'svg.bar[data-bar-of="{seeded.batch}"]')
        assert await bar.get_attribute("aria-label") == (
            "2 of 3 finished: 1 failed, 1 cancelled, 1 running"
        )
        assert "2 / 3 finished" in await page.locator(".counts").inner_text()
