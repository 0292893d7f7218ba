"""The reconciler: the database is the source of truth for what was accepted.

Every `lease_renew_s`, one worker (a Redis lock elects it) takes back the running
articles whose lease has lapsed (their worker died or hung) and queues them again, their
attempt counted; an article whose workers stopped `job_max_tries` times is failed with a
reason. Every `reconcile_interval_s`, one worker also looks for articles that are queued
in the database but have no job in Redis (Redis was flushed or restarted, or an enqueue
failed after the article was stored) and queues them again, and queues the completion
event of finished batches whose event never went out.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass
from datetime import datetime, timedelta

from arq.constants import retry_key_prefix

from service.domain.types import Priority
from service.queue import enqueue_articles, enqueue_batch_event, job_id_for
from service.storage import articles as article_store
from service.storage import batches as batch_store
from service.storage.db import transaction
from service.storage.tables import utcnow

log = logging.getLogger("tarjama.worker")


# Leave the API time to enqueue what it just stored before calling an article orphaned.
QUEUED_GRACE_S = 10
PAGE = 1000


def lock_keys(queue_name: str) -> tuple[str, str]:
    """The Redis keys that elect one reconciler per queue: the lock held for each pass,
    and the one held for `reconcile_interval_s` by the worker that makes the full pass."""
    return f"{queue_name}:reconcile-lock", f"{queue_name}:reconcile-full-pass"


_Requeue = dict[tuple[str, datetime | None], list[tuple[str, datetime]]]


def _add(requeue: _Requeue, article: article_store.PendingArticle) -> None:
    key = (article.priority, article.not_before)
    requeue.setdefault(key, []).append((article.id, article.created_at))


@dataclass
class ReconcileReport:
    requeued: int = 0
    failed: int = 0
    events: int = 0


async def reconcile_once(ctx: dict) -> ReconcileReport:
    """One full pass: articles whose lease lapsed, queued articles without a job, and
    unannounced batches."""
    report = await take_back_lapsed(ctx)
    await _requeue_orphans(ctx, report)
    async with transaction(ctx["sessions"]) as session:
        batch_ids = await batch_store.unnotified_finished(session)
    for batch_id in batch_ids:
        report.events += await enqueue_batch_event(ctx["redis"], batch_id)
    _log(report)
    return report


async def take_back_lapsed(ctx: dict) -> ReconcileReport:
    """Queue again every running article whose lease has lapsed, its attempt counted (or
    fail it, once its workers stopped `job_max_tries` times)."""
    settings = ctx["settings"]
    report = ReconcileReport()
    now = utcnow()
    async with transaction(ctx["sessions"]) as session:
        lapsed = await article_store.lapsed_articles(session, now, limit=PAGE)
    requeue: _Requeue = {}
    async with transaction(ctx["sessions"]) as session:
        for article in lapsed:
            if not await article_store.take_back_article(session, article.id, now):
                continue  # finished, renewed or started again meanwhile
            if article.attempts >= settings.job_max_tries:
                await article_store.fail_article(
                    session, article.id,
                    f"the worker stopped {article.attempts} times while translating this article",
                )
                report.failed += 1
            else:
                _add(requeue, article)
    # The job is usually still in the queue, its in-progress key lapsing with the lease
    # (see workers.priority); if Redis lost it, it is queued again here. arq's count of
    # its runs starts again: the database counted the attempt.
    taken = [job_id_for(a) for articles in requeue.values() for a, _ in articles]
    if taken:
        await ctx["redis"].delete(*(retry_key_prefix + j for j in taken))
    await _enqueue(ctx, requeue, report)
    return report


async def _requeue_orphans(ctx: dict, report: ReconcileReport) -> None:
    """Queue again the queued articles that have no job in Redis."""
    settings, redis = ctx["settings"], ctx["redis"]
    queued_before = utcnow() - timedelta(seconds=QUEUED_GRACE_S)
    after = 0
    while True:
        async with transaction(ctx["sessions"]) as session:
            page = await article_store.pending_articles(
                session, queued_before=queued_before, after_seq=after, limit=PAGE
            )
        if not page:
            break
        after = page[-1].seq
        async with redis.pipeline(transaction=False) as pipe:
            for article in page:
                pipe.zscore(settings.queue_name, job_id_for(article.id))
            scores = await pipe.execute()
        requeue: _Requeue = {}
        for article, score in zip(page, scores, strict=True):
            if score is None:
                _add(requeue, article)
        await _enqueue(ctx, requeue, report)


async def _enqueue(ctx: dict, requeue: _Requeue, report: ReconcileReport) -> None:
    """Queue the articles again in their old place in line (from when the first of them
    was created, in order), ahead of work that came after them."""
    for (priority, not_before), articles in requeue.items():
        await enqueue_articles(
            ctx["redis"], [a for a, _ in articles], Priority(priority), not_before=not_before,
            queue_name=ctx["settings"].queue_name, queued_at=min(c for _, c in articles),
        )
        report.requeued += len(articles)


def _log(report: ReconcileReport) -> None:
    if report.requeued or report.failed or report.events:
        log.info("reconciler: %s", report)


async def reconcile_forever(ctx: dict) -> None:
    """Every `lease_renew_s`, take back articles whose lease lapsed; every
    `reconcile_interval_s`, a full pass. One worker at a time does each."""
    settings, redis = ctx["settings"], ctx["redis"]
    tick = min(settings.lease_renew_s, settings.reconcile_interval_s)
    lock_key, full_pass_key = lock_keys(settings.queue_name)
    while True:
        try:
            if await redis.set(lock_key, "1", nx=True, px=int(tick * 1000)):
                full_pass_due = await redis.set(
                    full_pass_key, "1", nx=True, px=int(settings.reconcile_interval_s * 1000)
                )
                if full_pass_due:
                    await reconcile_once(ctx)
                else:
                    _log(await take_back_lapsed(ctx))
        except asyncio.CancelledError:
            raise
        except Exception:  # a database or Redis outage: try again next time
            log.exception("reconciler pass failed")
        await asyncio.sleep(tick)
