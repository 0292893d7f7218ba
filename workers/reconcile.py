"""The reconciler: the database is the source of truth for what was accepted.

Every `reconcile_interval_s`, one worker (a Redis lock elects it) looks for articles that
are queued or running in the database but have no job in Redis (Redis was flushed or
restarted, or an enqueue failed after the article was stored) and queues them again;
articles whose workers died too often are failed with a reason. Finished batches whose
completion event never went out get it queued.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from service.domain.types import Priority
from service.queue import enqueue_articles, enqueue_batch_event, job_id_for
from service.storage import articles as article_store
from service.storage import batches as batch_store
from service.storage.db import transaction
from service.storage.tables import utcnow

log = logging.getLogger("tarjama.worker")
LOCK_KEY = "tarjama:reconcile-lock"
# Leave the API time to enqueue what it just stored before calling an article orphaned.
QUEUED_GRACE_S = 10
RUNNING_GRACE_S = 30
PAGE = 1000


@dataclass
class ReconcileReport:
    requeued: int = 0
    failed: int = 0
    events: int = 0


async def reconcile_once(ctx: dict) -> ReconcileReport:
    """One pass over unfinished articles and unannounced batches."""
    settings, redis = ctx["settings"], ctx["redis"]
    report = ReconcileReport()
    now = utcnow()
    queued_before = now - timedelta(seconds=QUEUED_GRACE_S)
    running_before = now - timedelta(seconds=settings.job_timeout_s + RUNNING_GRACE_S)
    after = 0
    while True:
        async with transaction(ctx["sessions"]) as session:
            page = await article_store.pending_articles(
                session, queued_before=queued_before, running_before=running_before,
                after_seq=after, limit=PAGE,
            )
        if not page:
            break
        after = page[-1].seq
        async with redis.pipeline(transaction=False) as pipe:
            for article in page:
                pipe.zscore(settings.queue_name, job_id_for(article.id))
            scores = await pipe.execute()
        orphans = [a for a, score in zip(page, scores, strict=True) if score is None]
        await _recover(ctx, orphans, report)
    async with transaction(ctx["sessions"]) as session:
        batch_ids = await batch_store.unnotified_finished(session)
    for batch_id in batch_ids:
        report.events += await enqueue_batch_event(redis, batch_id)
    if report.requeued or report.failed or report.events:
        log.info("reconciler: %s", report)
    return report


async def _recover(ctx: dict, orphans, report: ReconcileReport) -> None:
    settings = ctx["settings"]
    requeue: dict[tuple[str, datetime | None], list[str]] = {}
    async with transaction(ctx["sessions"]) as session:
        for article in orphans:
            if article.status == "running" and article.attempts >= settings.job_max_tries:
                await article_store.fail_article(
                    session, article.id,
                    f"the worker stopped {article.attempts} times while translating this article",
                )
                report.failed += 1
                continue
            if article.status == "running":
                await article_store.requeue_article(session, article.id)
            requeue.setdefault((article.priority, article.not_before), []).append(article.id)
    for (priority, not_before), ids in requeue.items():
        await enqueue_articles(
            ctx["redis"], ids, Priority(priority), not_before=not_before,
            queue_name=settings.queue_name,
        )
        report.requeued += len(ids)


async def reconcile_forever(ctx: dict) -> None:
    """Run `reconcile_once` on one worker at a time, every `reconcile_interval_s`."""
    interval = ctx["settings"].reconcile_interval_s
    while True:
        try:
            if await ctx["redis"].set(LOCK_KEY, "1", nx=True, px=int(interval * 1000)):
                await reconcile_once(ctx)
        except asyncio.CancelledError:
            raise
        except Exception:  # a database or Redis outage: try again next time
            log.exception("reconciler pass failed")
        await asyncio.sleep(interval)
