"""Job coroutines. Each receives only an article id; heavy clients live in `ctx`."""

from __future__ import annotations

import asyncio
import logging

from arq import Retry
from sqlalchemy.exc import DBAPIError, OperationalError

from service.storage import articles as store
from service.storage.db import transaction
from workers.pipeline import ModelInfo, process_article

log = logging.getLogger("tarjama.worker")
RETRY_BASE_DELAY_S = 2
RETRY_MAX_DELAY_S = 120


async def translate_article(ctx: dict, article_id: str) -> str:
    """Translate, summarise and store one article; idempotent."""
    sessions = ctx["sessions"]
    max_tries: int = ctx["max_tries"]
    try:
        async with transaction(sessions) as session:
            article = await store.start_article(session, article_id)
        if article is None:
            return "skipped: not queued"
        translator = ctx["translator"]
        try:
            result = await asyncio.to_thread(
                process_article,
                article.text,
                title=None if article.title_detected else article.title_ar,
                summary_sentences=article.summary_sentences,
                translate=translator.translate,
                model=ModelInfo(translator.name, translator.quantization),
            )
        except Exception as exc:  # a model or pipeline error is final for this article
            log.exception("article %s failed", article_id)
            async with transaction(sessions) as session:
                await store.fail_article(session, article_id, f"{type(exc).__name__}: {exc}")
            return "failed"
        async with transaction(sessions) as session:
            await store.save_result(session, article_id, result)
        return "done"
    except (OperationalError, DBAPIError, OSError) as exc:
        job_try: int = ctx.get("job_try", 1)
        if job_try >= max_tries:
            log.error("article %s: database unavailable after %d tries: %s", article_id, job_try, exc)
            await _fail_quietly(ctx, article_id, f"database unavailable: {exc}")
            raise
        delay = min(RETRY_BASE_DELAY_S * 2 ** (job_try - 1), RETRY_MAX_DELAY_S)
        log.warning("article %s: database error, retry in %ss: %s", article_id, delay, exc)
        raise Retry(defer=delay) from exc


async def _fail_quietly(ctx: dict, article_id: str, error: str) -> None:
    try:
        async with transaction(ctx["sessions"]) as session:
            await store.fail_article(session, article_id, error)
    except Exception:  # still down: the reconciler finds the article later
        log.exception("article %s: could not record failure", article_id)
