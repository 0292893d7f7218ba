"""Reviewers' corrections through the JSON API: edit a sentence, read the audit trail, sign
an article off; bad input, unknown targets, unfinished articles and wrong roles refused."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest

from service.app.auth import SESSION_COOKIE
from service.app.csrf import CSRF_HEADER, csrf_token
from tests.conftest import http_client, run_worker_burst, sign_in

TEXT = (
    "الحكومة تعلن خطة لدعم المزارعين\n\n"
    "قال الوزير إن الحكومة ستدعم المزارعين في الموسم المقبل.\n\n"
    "وأضاف أن الخطة تشمل جميع المحافظات. وختم بالقول إن العمل بدأ."
)
FIX = "The minister said the government would support farmers next season."


@dataclass
class Finished:
    id: str
    submitter: httpx.AsyncClient
    reviewer: httpx.AsyncClient

    def sentence_url(self, paragraph: int = 0, sentence: int = 0) -> str:
        return f"/v1/articles/{self.id}/paragraphs/{paragraph}/sentences/{sentence}"


@pytest.fixture
async def finished(app, make_key, settings) -> AsyncIterator[Finished]:
    """An article translated by a real worker, a submitter who owns it and a reviewer."""
    async with (
        http_client(app, await make_key("submit", "newsdesk")) as submitter,
        http_client(app, await make_key("review", "Omar Khalil")) as reviewer,
    ):
        response = await submitter.post("/v1/articles", json={"text": TEXT})
        assert response.status_code == 202
        await run_worker_burst(settings)
        yield Finished(response.json()["id"], submitter, reviewer)


async def test_a_reviewer_corrects_a_sentence(finished):
    before = (await finished.reviewer.get(f"/v1/articles/{finished.id}")).json()
    machine = before["paragraphs"][0]["sentences"][0]["en"]

    response = await finished.reviewer.patch(finished.sentence_url(), json={"en": f"  {FIX} "})
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["paragraph"], body["index"], body["en"]) == (0, 0, FIX)
    assert (body["machine_en"], body["edited"]) == (machine, True)
    assert body["edited_at"] is not None

    article = (await finished.submitter.get(f"/v1/articles/{finished.id}")).json()
    sentence = article["paragraphs"][0]["sentences"][0]
    assert (sentence["en"], sentence["machine_en"], sentence["edited"]) == (FIX, machine, True)
    assert article["paragraphs"][0]["en"].startswith(FIX)

    trail = (await finished.submitter.get(f"/v1/articles/{finished.id}/edits")).json()["items"]
    assert [
        (e["paragraph"], e["sentence"], e["editor"], e["before"], e["after"]) for e in trail
    ] == [(0, 0, "Omar Khalil", machine, FIX)]


async def test_each_change_is_audited_and_a_repeat_is_not(finished):
    await finished.reviewer.patch(finished.sentence_url(1, 0), json={"en": "First try."})
    await finished.reviewer.patch(finished.sentence_url(1, 0), json={"en": "First try."})
    await finished.reviewer.patch(finished.sentence_url(1, 0), json={"en": "Second try."})
    trail = (await finished.reviewer.get(f"/v1/articles/{finished.id}/edits")).json()["items"]
    assert [(e["before"], e["after"]) for e in trail][1:] == [("First try.", "Second try.")]
    assert len(trail) == 2


@pytest.mark.parametrize(
    ("en", "fragment"),
    [
        ("", "the sentence is empty"),
        ("  \t ", "the sentence is empty"),
        ("x" * 5001, "longer than 5000 characters"),
        ("nul\x00here", "U+0000"),
        ("line\nbreak", "U+000A"),
        ("delete\x7f", "U+007F"),
        ("\u202eevil", "U+202E"),
        ("\u2066isolated\u2069", "U+2066"),
    ],
)
async def test_bad_corrections_are_422_and_change_nothing(finished, en, fragment):
    response = await finished.reviewer.patch(finished.sentence_url(), json={"en": en})
    assert response.status_code == 422
    assert fragment in str(response.json()["detail"])
    article = (await finished.reviewer.get(f"/v1/articles/{finished.id}")).json()
    assert not article["paragraphs"][0]["sentences"][0]["edited"]


async def test_only_the_sentence_text_can_be_sent(finished):
    response = await finished.reviewer.patch(
        finished.sentence_url(), json={"en": FIX, "machine_en": "x"}
    )
    assert response.status_code == 422
    assert "Extra inputs" in str(response.json()["detail"])


@pytest.mark.parametrize(
    ("path", "fragment"),
    [
        ("/v1/articles/nope/paragraphs/0/sentences/0", "no article 'nope'"),
        ("{article}/paragraphs/9/sentences/0", "no sentence 0 in paragraph 9"),
        ("{article}/paragraphs/0/sentences/9", "no sentence 9 in paragraph 0"),
    ],
)
async def test_unknown_targets_are_404(finished, path, fragment):
    url = path.format(article=f"/v1/articles/{finished.id}")
    response = await finished.reviewer.patch(url, json={"en": FIX})
    assert response.status_code == 404
    assert fragment in response.json()["detail"]


async def test_unfinished_articles_cannot_be_corrected_or_signed_off(app, make_key):
    async with http_client(app, await make_key("review", "Omar Khalil")) as reviewer:
        article_id = (await reviewer.post("/v1/articles", json={"text": TEXT})).json()["id"]
        response = await reviewer.patch(
            f"/v1/articles/{article_id}/paragraphs/0/sentences/0", json={"en": FIX}
        )
        assert response.status_code == 409
        assert "queued, not done" in response.json()["detail"]
        assert (await reviewer.post(f"/v1/articles/{article_id}/reviewed")).status_code == 409


async def test_submitters_cannot_correct_or_sign_off(finished):
    response = await finished.submitter.patch(finished.sentence_url(), json={"en": FIX})
    assert response.status_code == 403
    assert "review role" in response.json()["detail"]
    assert (
        await finished.submitter.post(f"/v1/articles/{finished.id}/reviewed")
    ).status_code == 403


async def test_others_cannot_read_the_audit_trail_of_an_article_they_cannot_see(
    app, make_key, finished
):
    async with http_client(app, await make_key("submit", "other desk")) as other:
        response = await other.get(f"/v1/articles/{finished.id}/edits")
    assert response.status_code == 404


async def test_a_reviewer_signs_an_article_off(finished):
    response = await finished.reviewer.post(f"/v1/articles/{finished.id}/reviewed")
    assert response.status_code == 200
    assert response.json()["reviewed_by"] == "Omar Khalil"
    article = (await finished.submitter.get(f"/v1/articles/{finished.id}")).json()
    assert article["reviewed_by"] == "Omar Khalil"
    assert article["reviewed_at"] is not None


async def test_changes_made_with_the_browser_cookie_need_the_csrf_header(app, make_key, finished):
    token = await sign_in(app, await make_key("review", "Omar Khalil"))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://tarjama.test", cookies={SESSION_COOKIE: token}
    ) as browser:
        response = await browser.patch(finished.sentence_url(), json={"en": FIX})
        assert response.status_code == 403
        assert CSRF_HEADER in response.json()["detail"]
        response = await browser.patch(
            finished.sentence_url(), json={"en": FIX}, headers={CSRF_HEADER: csrf_token(token)}
        )
        assert response.status_code == 200
