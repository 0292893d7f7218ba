"""An arq worker that keeps job slots free for interactive articles.

arq starts jobs in score order while it has free slots. Under a bulk backlog every slot
is taken by a bulk article, so an interactive one, though first in line, would wait for
a whole bulk article to finish. This worker lets bulk jobs take at most
`max_jobs - reserved_slots` slots; the rest only ever run interactive work (articles,
batch events), which therefore starts at the next poll.

Polls are cheap, since a worker polls many times a second: one ZRANGEBYSCORE with
scores, and while the bulk slots are all taken it asks only for interactive scores. Jobs
this worker is already running (arq leaves them in the queue until they end) are skipped
without a round trip, and so, for a second, are jobs it found running on another worker:
otherwise they would fill its picks at the head of the queue, poll after poll, and it
would start nothing. Claiming a job is arq's own `start_jobs`.

arq marks a job it runs with an in-progress key that lasts the job timeout (600 s), so
a worker killed mid-job would keep its jobs from every other worker for that long (arq
issue #343). This worker sets the key for `lease_s` instead and renews the keys of the
jobs it runs every `lease_renew_s`, as it renews their articles' leases: a dead worker's
jobs run again elsewhere once a lease has passed. The job timeout still limits each run.
"""

from __future__ import annotations

import asyncio
import logging
import time

from arq.constants import in_progress_key_prefix
from arq.utils import timestamp_ms
from arq.worker import Worker
from redis.exceptions import ConnectionError as RedisConnectionError
from redis.exceptions import RedisError
from redis.exceptions import TimeoutError as RedisTimeoutError

from service.queue import INTERACTIVE_HEADSTART_S

# Scores older than this are interactive: they were queued with the head start.
INTERACTIVE_CUTOFF_MS = INTERACTIVE_HEADSTART_S * 1000 // 2
# How long a job found running on another worker is left out of this worker's picks.
ELSEWHERE_RECHECK_S = 1.0
# While Redis is down: how long to pause between polls, and how often to say so.
REDIS_DOWN_PAUSE_S = 0.5
REDIS_DOWN_LOG_EVERY_S = 10.0
log = logging.getLogger("tarjama.worker")


class PriorityWorker(Worker):
    """A Worker whose `reserved_slots` run only interactive jobs."""

    def __init__(
        self,
        *args,
        reserved_slots: int = 1,
        lease_s: float | None = None,
        lease_renew_s: float = 5.0,
        **kwargs,
    ) -> None:
        super().__init__(*args, **kwargs)
        self.bulk_limit = max(1, self.max_jobs - reserved_slots)
        self._bulk_jobs: set[str] = set()
        # Jobs another worker runs (they stay in the queue until they end), and when to try
        # them again: skipped until then, so they take no slot in the jobs picked.
        self._elsewhere: dict[str, float] = {}
        if lease_s is not None:
            self.in_progress_timeout_s = lease_s  # arq's start_jobs sets the key for this long
        self.lease_renew_s = lease_renew_s
        self._renewed_at = time.monotonic()
        self._redis_down_logged_at = 0.0

    async def _poll_iteration(self) -> None:
        try:
            await self._poll_once()
        except (RedisConnectionError, RedisTimeoutError) as exc:
            # Redis restarts: ride it out (the client reconnects at the next poll) instead
            # of exiting with every article in flight; jobs lost with it are queued again
            # by the reconciler.
            if time.monotonic() - self._redis_down_logged_at > REDIS_DOWN_LOG_EVERY_S:
                self._redis_down_logged_at = time.monotonic()
                log.warning("Redis unavailable, polling again: %s", exc)
            await asyncio.sleep(REDIS_DOWN_PAUSE_S)

    async def _poll_once(self) -> None:
        if time.monotonic() - self._renewed_at >= self.lease_renew_s:
            await self._renew_in_progress()
        if self.allow_pick_jobs and self.job_counter < self.max_jobs:
            await self._pick_jobs()
        # The rest of arq's iteration (aborts, finished tasks, health check) without its
        # own pick.
        picking, self.allow_pick_jobs = self.allow_pick_jobs, False
        try:
            await super()._poll_iteration()
        finally:
            self.allow_pick_jobs = picking

    async def _pick_jobs(self) -> None:
        count = self.queue_read_limit
        if self.burst and self.max_burst_jobs >= 0:
            count = min(count, self.max_burst_jobs - self._jobs_started())
            if count < 1:
                return
        running = {job_id for job_id, task in self.tasks.items() if not task.done()}
        self._bulk_jobs &= running
        moment = time.monotonic()
        self._elsewhere = {j: until for j, until in self._elsewhere.items() if until > moment}
        now = timestamp_ms()
        cutoff = now - INTERACTIVE_CUTOFF_MS
        bulk_full = len(self._bulk_jobs) >= self.bulk_limit
        queued = await self.pool.zrangebyscore(
            self.queue_name,
            min=float("-inf"),
            max=cutoff if bulk_full else now,
            start=self._queue_read_offset,
            num=count,
            withscores=True,
        )
        free = self.max_jobs - self.job_counter  # arq's start_jobs would wait for more
        allowed: list[bytes] = []
        for raw_id, score in queued:
            job_id = raw_id.decode()
            if job_id in running or job_id in self._elsewhere:
                continue
            if len(allowed) == free:
                break
            if score >= cutoff:
                if len(self._bulk_jobs) >= self.bulk_limit:
                    break  # the rest are bulk too: they wait for a bulk slot
                self._bulk_jobs.add(job_id)
            allowed.append(raw_id)
        await self.start_jobs(allowed)
        for raw_id in allowed:
            job_id = raw_id.decode()
            if job_id not in self.tasks:  # another worker runs it (or it just ended)
                self._elsewhere[job_id] = moment + ELSEWHERE_RECHECK_S
                self._bulk_jobs.discard(job_id)

    async def start_jobs(self, job_ids: list[bytes]) -> None:
        """arq's `start_jobs`, one job at a time, giving back the slot of a job that Redis
        failed to start. arq takes a slot (its job counter and semaphore) before it claims
        the job and, since its own worker exits on a Redis error, never gives it back: this
        worker rides the outage out, and each such failure would leave it a slot short."""
        for raw_id in job_ids:
            if self.job_counter >= self.max_jobs:
                return
            job_id = raw_id.decode()
            before = self.tasks.get(job_id)
            try:
                await super().start_jobs([raw_id])
            except RedisError:
                if self.tasks.get(job_id) is before:  # no task started: the slot is still taken
                    self.job_counter -= 1
                    self.sem.release()
                raise

    async def _renew_in_progress(self) -> None:
        """Extend the in-progress keys of the jobs this worker runs by another lease."""
        self._renewed_at = time.monotonic()
        running = [job_id for job_id, task in self.tasks.items() if not task.done()]
        if not running:
            return
        lease_ms = int(self.in_progress_timeout_s * 1000)
        try:
            async with self.pool.pipeline(transaction=False) as pipe:
                for job_id in running:
                    pipe.pexpire(in_progress_key_prefix + job_id, lease_ms)
                await pipe.execute()
        except RedisError:  # Redis is down or restarting: the keys are gone with it anyway
            log.warning("could not renew %d in-progress keys", len(running), exc_info=True)
