"""An arq worker that keeps job slots free for interactive articles.

arq starts jobs in score order while it has free slots. Under a bulk backlog every slot
is taken by a bulk article, so an interactive one, though first in line, would wait for
a whole bulk article to finish. This worker lets bulk jobs take at most
`max_jobs - reserved_slots` slots; the rest only ever run interactive work (articles,
batch events), which therefore starts at the next poll.

Polls are cheap, since a worker polls many times a second: one ZRANGEBYSCORE with
scores, and while the bulk slots are all taken it asks only for interactive scores. Jobs
this worker is already running (arq leaves them in the queue until they end) are skipped
without a round trip. Claiming a job is arq's own `start_jobs`.
"""

from __future__ import annotations

from arq.utils import timestamp_ms
from arq.worker import Worker

from service.queue import INTERACTIVE_HEADSTART_S

# Scores older than this are interactive: they were queued with the head start.
INTERACTIVE_CUTOFF_MS = INTERACTIVE_HEADSTART_S * 1000 // 2


class PriorityWorker(Worker):
    """A Worker whose `reserved_slots` run only interactive jobs."""

    def __init__(self, *args, reserved_slots: int = 1, **kwargs) -> None:
        super().__init__(*args, **kwargs)
        self.bulk_limit = max(1, self.max_jobs - reserved_slots)
        self._bulk_jobs: set[str] = set()

    async def _poll_iteration(self) -> None:
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
        now = timestamp_ms()
        cutoff = now - INTERACTIVE_CUTOFF_MS
        bulk_full = len(self._bulk_jobs) >= self.bulk_limit
        queued = await self.pool.zrangebyscore(
            self.queue_name, min=float("-inf"), max=cutoff if bulk_full else now,
            start=self._queue_read_offset, num=count, withscores=True,
        )
        free = self.max_jobs - self.job_counter  # arq's start_jobs would wait for more
        allowed: list[bytes] = []
        for raw_id, score in queued:
            job_id = raw_id.decode()
            if job_id in running:
                continue
            if len(allowed) == free:
                break
            if score >= cutoff:
                if len(self._bulk_jobs) >= self.bulk_limit:
                    break  # the rest are bulk too: they wait for a bulk slot
                self._bulk_jobs.add(job_id)
            allowed.append(raw_id)
        await self.start_jobs(allowed)
