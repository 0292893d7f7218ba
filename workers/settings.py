"""The translation worker: `build_worker(settings)` is the one place a worker is built.

`tarjama worker` (and the tests, benchmarks and local stack through it) start a worker
only through `build_worker`, which sets the queue, the job functions with their retries
and timeouts, and the priority worker's reserved slots. arq's own command line
(`arq module.WorkerSettings`) can only build arq's plain `Worker`, without the reserved
slots, so this module offers it nothing to start. Startup loads the model and the
database engine into `ctx`.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from dataclasses import replace

from arq import func
from arq.worker import Worker

from models import resolve_model_dir
from models.translator import Translator
from service.config import Settings, get_settings
from service.queue import connect, redis_settings
from service.storage.db import create_engine, session_factory
from workers.batcher import SentenceBatcher
from workers.jobs import built_in_terms, translate_article
from workers.leases import LeaseKeeper
from workers.notify import deliver_batch_event, on_batch_progress
from workers.priority import PriorityWorker
from workers.reconcile import reconcile_forever

log = logging.getLogger("tarjama.worker")


async def startup(ctx: dict) -> None:
    settings: Settings = ctx.get("settings") or get_settings()
    ctx["settings"] = settings
    model_dir = resolve_model_dir(settings.model, settings.models_dir)
    options = replace(
        settings.translator_options(), fixed_output_tokens=settings.fixed_output_tokens
    )
    ctx["translator"] = Translator(model_dir, options)
    if "redis" not in ctx:  # arq provides its pool; a job run by hand gets its own
        ctx["redis"] = ctx["own_redis"] = await connect(settings)
    ctx["batcher"] = SentenceBatcher(ctx["translator"])
    built_in_terms(ctx)
    ctx["engine"] = create_engine(settings.database_url)
    ctx["sessions"] = session_factory(ctx["engine"])
    ctx["max_tries"] = settings.job_max_tries
    ctx["leases"] = LeaseKeeper(ctx["sessions"], settings)
    ctx["leases"].start()
    ctx.setdefault("on_batch_progress", on_batch_progress)
    if ctx.get("reconcile", True):
        ctx["reconciler"] = asyncio.create_task(reconcile_forever(ctx), name="reconciler")
    log.info("worker ready: model %s (%s)", ctx["translator"].name, ctx["translator"].quantization)


async def shutdown(ctx: dict) -> None:
    reconciler = ctx.get("reconciler")
    if reconciler is not None:
        reconciler.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await reconciler
    leases = ctx.get("leases")
    if leases is not None:
        await leases.close()
    batcher = ctx.get("batcher")
    if batcher is not None:
        await batcher.close()
    engine = ctx.get("engine")
    if engine is not None:
        await engine.dispose()
    if "own_redis" in ctx:
        await ctx.pop("own_redis").aclose()


def build_worker(settings: Settings, *, burst: bool = False, **overrides) -> Worker:
    """An arq worker for the article queue, configured from `settings`."""
    return PriorityWorker(
        functions=[
            func(
                translate_article,
                # The database counts an article's runs (the reconciler fails it after
                # `job_max_tries` deaths); arq's own count, which also counts runs killed
                # or taken over, only stops a job that keeps coming back.
                max_tries=settings.job_max_tries * 2,
                timeout=settings.job_timeout_s,
            ),
            func(deliver_batch_event, max_tries=settings.webhook_max_tries, timeout=60),
        ],
        on_startup=startup,
        on_shutdown=shutdown,
        redis_settings=redis_settings(settings),
        queue_name=settings.queue_name,
        max_jobs=settings.worker_max_jobs,
        reserved_slots=settings.worker_interactive_slots,
        lease_s=settings.lease_s,
        lease_renew_s=settings.lease_renew_s,
        poll_delay=settings.worker_poll_delay_s,
        keep_result=0,  # results live in the database; a kept result would block re-queueing
        burst=burst,
        ctx={"settings": settings},
        handle_signals=not burst,
        **overrides,
    )
