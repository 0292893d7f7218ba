"""An article given back after an outage is queued again, its attempt not counted."""

from __future__ import annotations

from service.domain.types import ArticleStatus
from service.storage import articles as article_store
from service.storage.db import transaction
from tests.database import open_sessions


async def test_a_released_article_is_queued_again_without_counting_the_attempt(
    client, settings
):
    created = await client.post("/v1/articles", json={"text": "قال الوزير إن الحكومة ستدعم."})
    assert created.status_code == 202, created.text
    article_id = created.json()["id"]
    async with open_sessions(settings.database_url) as sessions:
        async with transaction(sessions) as session:
            assert await article_store.start_article(session, article_id) is not None
        async with transaction(sessions) as session:
            await article_store.release_article(session, article_id)
        async with transaction(sessions) as session:
            article = await article_store.get_article(session, article_id)
            assert (article.status, article.attempts) == (ArticleStatus.queued, 0)
            # Only a running article is released: a finished one stays as it is.
            await article_store.fail_article(session, article_id, "test")
        async with transaction(sessions) as session:
            await article_store.release_article(session, article_id)
        async with transaction(sessions) as session:
            article = await article_store.get_article(session, article_id)
            assert article.status == ArticleStatus.failed
