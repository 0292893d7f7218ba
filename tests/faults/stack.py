"""The fault tests' stack (the service's real processes, with an API key to call them with)
and the batch they all run: submit it, wait for it through the API, check what is stored."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path

import httpx
from sqlalchemy import func, select

from cli.localstack import ServiceProcesses
from service.storage.tables import Article, ParagraphPair, SentencePair, Summary
from tests.database import open_sessions

ARTICLES = 30
FINISH_TIMEOUT_S = 180


def stack_env(database_url: str, model_dir: Path) -> dict[str, str]:
    """Settings for the API and workers: a queue of their own, short timeouts, a small worker."""
    return {
        "DATABASE_URL": database_url,
        "TARJAMA_MODEL": str(model_dir),
        "TARJAMA_QUEUE_NAME": f"tarjama-faults:{uuid.uuid4().hex}",
        "TARJAMA_JOB_TIMEOUT_S": "10",
        "TARJAMA_RECONCILE_INTERVAL_S": "1",
        "TARJAMA_WORKER_MAX_JOBS": "2",
        "TARJAMA_TRANSLATE_THREADS": "1",
        "TARJAMA_BEAM_SIZE": "1",
    }


class Stack(ServiceProcesses):
    """The service's processes, and what the tests reach them with."""

    key: str  # an API key, for api_client


def api_client(stack: Stack) -> httpx.Client:
    return httpx.Client(base_url=stack.api_url, headers={"Authorization": f"Bearer {stack.key}"})


def submit_batch(stack: Stack) -> str:
    """A batch of ARTICLES distinct articles (distinct so no result is reused); its id."""
    run = uuid.uuid4().hex[:8]
    lines = [
        json.dumps(
            {
                "text": f"خبر {run} رقم {i}.\n"
                f"قال المتحدث إن الاجتماع {i} انتهى. وأضاف أن النتائج ستعلن.",
                "external_id": f"{run}-{i}",
            },
            ensure_ascii=False,
        )
        for i in range(ARTICLES)
    ]
    with api_client(stack) as c:
        response = c.post(
            "/v1/batches",
            content="\n".join(lines),
            headers={"content-type": "application/x-ndjson"},
        )
    response.raise_for_status()
    assert response.json()["accepted"] == ARTICLES
    return response.json()["id"]


def wait_for(
    stack: Stack, batch_id: str, predicate, what: str, timeout_s: float = FINISH_TIMEOUT_S
) -> dict:
    """Poll the batch through the API, riding out answers given while a service is down."""
    deadline = time.monotonic() + timeout_s
    state: dict = {}
    with api_client(stack) as c:
        while time.monotonic() < deadline:
            try:
                response = c.get(f"/v1/batches/{batch_id}", timeout=10)
                if response.status_code == 200:
                    state = response.json()
                    if predicate(state):
                        return state
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
    raise AssertionError(f"{what} not reached: {state}")


async def assert_done_exactly_once(database_url: str, batch_id: str) -> None:
    """Every article of the batch is done, and its results are stored once."""
    in_batch = Article.batch_id == batch_id
    async with open_sessions(database_url) as sessions, sessions() as conn:
        statuses = dict(
            (
                await conn.execute(
                    select(Article.status, func.count()).where(in_batch).group_by(Article.status)
                )
            ).all()
        )
        paragraphs = (
            await conn.execute(
                select(
                    ParagraphPair.article_id,
                    func.count(),
                    func.count(func.distinct(ParagraphPair.index)),
                )
                .join(Article, Article.id == ParagraphPair.article_id)
                .where(in_batch)
                .group_by(ParagraphPair.article_id)
            )
        ).all()
        sentences = await conn.scalar(
            select(func.count())
            .select_from(SentencePair)
            .join(Article, Article.id == SentencePair.article_id)
            .where(in_batch)
        )
        summaries = await conn.scalar(
            select(func.count())
            .select_from(Summary)
            .join(Article, Article.id == Summary.article_id)
            .where(in_batch)
        )
    assert statuses == {"done": ARTICLES}
    assert len(paragraphs) == ARTICLES
    # Each article: its 2 paragraphs (its first line ends like a sentence, so it is no
    # headline), each stored once.
    assert all(total == distinct == 2 for _, total, distinct in paragraphs), paragraphs
    assert sentences == ARTICLES * 3  # one sentence, then two, in each article
    assert summaries == ARTICLES
