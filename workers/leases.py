"""Article leases: a worker holds each article it runs for a short while, and renews it.

A job marks its article running with a lease (`lease_s`, 30 s by default) held by this
worker. One task per worker renews the leases of every article it runs, in one UPDATE,
every `lease_renew_s`. A worker that dies stops renewing, and the reconciler takes its
articles back once their leases lapse. A worker whose lease was taken (it hung for longer
than a lease, and another worker now runs the article) stops working on the article: the
run that holds the lease stores the result.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import secrets
import socket
from collections.abc import AsyncIterator, Awaitable
from typing import TypeVar

from service.config import Settings
from service.storage import articles as store
from service.storage.db import transaction

log = logging.getLogger("tarjama.worker")
T = TypeVar("T")


class LeaseLostError(Exception):
    """Another run holds the article's lease now: this run gives the article up."""


def worker_identity() -> str:
    """Names this worker process in `lease_holder`: host, process id and a random part (a
    restarted process may get the same id)."""
    return f"{socket.gethostname()[:40]}:{os.getpid()}:{secrets.token_hex(4)}"


class LeaseKeeper:
    """Renews the leases of the articles this worker runs."""

    def __init__(self, sessions, settings: Settings, holder: str | None = None) -> None:
        self.sessions = sessions
        self.holder = holder or worker_identity()
        self.lease_s = settings.lease_s
        self.renew_s = settings.lease_renew_s
        # Each article this worker runs, with one "lost" future per run of it.
        self._runs: dict[str, set[asyncio.Future]] = {}
        self._task: asyncio.Task | None = None

    def start(self) -> None:
        self._task = asyncio.create_task(self._renew_forever(), name="lease keeper")

    async def close(self) -> None:
        if self._task is not None:
            self._task.cancel()
            with contextlib.suppress(asyncio.CancelledError):
                await self._task

    def holds(self, article_id: str) -> bool:
        """Whether this worker is running the article (and renewing its lease)."""
        return article_id in self._runs

    @contextlib.asynccontextmanager
    async def hold(self, article_id: str) -> AsyncIterator[asyncio.Future]:
        """Keep renewing this article's lease (taken by `start_article`) while inside;
        yields a future that completes if the lease is lost."""
        lost = asyncio.get_running_loop().create_future()
        self._runs.setdefault(article_id, set()).add(lost)
        try:
            yield lost
        finally:
            runs = self._runs.get(article_id, set())
            runs.discard(lost)
            if not runs:
                self._runs.pop(article_id, None)

    @staticmethod
    async def guard(lost: asyncio.Future, work: Awaitable[T]) -> T:
        """Await `work`, or cancel it and raise LeaseLostError if the lease is lost first."""
        task = asyncio.ensure_future(work)
        try:
            await asyncio.wait({task, lost}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            if not task.done():  # the lease was lost, or this job was cancelled
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
        if task.cancelled():
            raise LeaseLostError
        return task.result()

    async def renew_once(self) -> None:
        """Renew every lease this worker holds; tell the runs whose lease is gone."""
        article_ids = list(self._runs)
        if not article_ids:
            return
        async with transaction(self.sessions) as session:
            held = await store.renew_leases(session, self.holder, article_ids, self.lease_s)
        for article_id in article_ids:
            if article_id in held:
                continue
            for lost in self._runs.get(article_id, ()):
                if not lost.done():
                    lost.set_result(None)

    async def _renew_forever(self) -> None:
        while True:
            await asyncio.sleep(self.renew_s)
            try:
                await self.renew_once()
            except Exception:  # the database is down: the leases lapse unless it returns
                log.exception("could not renew article leases")
