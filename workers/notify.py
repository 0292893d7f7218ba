"""Batch completion events, POSTed to the batch's callback URL, signed, retried with backoff.

Delivery is its own job, so a slow or dead receiver never holds up translation.
"""

from __future__ import annotations

import logging
import uuid

import httpx
from arq import Retry

from service.queue import enqueue_batch_event
from service.storage import batches as batch_store
from service.storage.db import transaction
from service.storage.tables import utcnow
from workers.webhooks import DELIVERY_HEADER, EVENT_HEADER, SIGNATURE_HEADER, encode_event, sign

log = logging.getLogger("tarjama.worker")
RETRY_BASE_DELAY_S = 2
RETRY_MAX_DELAY_S = 600
BATCH_FINISHED = "batch.finished"


async def on_batch_progress(ctx: dict, batch_id: str) -> None:
    """After an article of a batch finishes: queue the event if the batch is complete."""
    async with transaction(ctx["sessions"]) as session:
        batch = await batch_store.get_batch(session, batch_id)
        if batch is None or not batch.callback_url or batch.notified_at is not None:
            return
        progress = await batch_store.progress(session, batch_id)
    if progress.finished == progress.total:
        await enqueue_batch_event(ctx["redis"], batch_id)


async def deliver_batch_event(ctx: dict, batch_id: str) -> str:
    """POST the batch's completion event; retried with exponential backoff."""
    settings = ctx["settings"]
    async with transaction(ctx["sessions"]) as session:
        batch = await batch_store.get_batch(session, batch_id)
        if batch is None or not batch.callback_url or batch.notified_at is not None:
            return "nothing to send"
        progress = await batch_store.progress(session, batch_id)
    event = {
        "event": BATCH_FINISHED,
        "batch": {
            "id": batch.id,
            "name": batch.name,
            "total": progress.total,
            "counts": progress.counts,
            "cancelled": batch.cancelled_at is not None,
            "finished_at": progress.last_finished_at,
        },
        "sent_at": utcnow(),
    }
    body = encode_event(event)
    headers = {
        "Content-Type": "application/json",
        EVENT_HEADER: BATCH_FINISHED,
        DELIVERY_HEADER: uuid.uuid4().hex,
    }
    if settings.webhook_secret:
        headers[SIGNATURE_HEADER] = sign(settings.webhook_secret, body)
    try:
        async with httpx.AsyncClient(timeout=settings.webhook_timeout_s) as client:
            response = await client.post(batch.callback_url, content=body, headers=headers)
        response.raise_for_status()
    except httpx.HTTPError as exc:
        job_try = ctx.get("job_try", 1)
        if job_try >= settings.webhook_max_tries:
            log.error("batch %s: callback failed %d times, giving up: %s", batch_id, job_try, exc)
            return "gave up"
        delay = min(RETRY_BASE_DELAY_S * 2 ** (job_try - 1), RETRY_MAX_DELAY_S)
        log.warning("batch %s: callback failed (%s), retry in %ss", batch_id, exc, delay)
        raise Retry(defer=delay) from exc
    async with transaction(ctx["sessions"]) as session:
        await batch_store.mark_notified(session, batch_id)
    return "sent"
