"""An arq worker that keeps job slots free for interactive articles.

arq starts jobs in score order while it has free slots. Under a bulk backlog every slot
is taken by a bulk article, so an interactive one, though first in line, would wait for
a whole bulk article to finish. This worker lets bulk jobs take at most
`max_jobs - reserved_slots` slots; the rest only ever run interactive work (articles,
batch events), which therefore starts at the next poll. A poll skips the jobs this worker
is already running.
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

    async def start_jobs(self, job_ids: list[bytes]) -> None:
        # arq leaves a running job in the queue until it ends, so while slots are free every
        # poll reads this worker's own running jobs again, and arq would spend three Redis
        # round trips on each to find it running (thousands a second with many slots).
        running = {job_id for job_id, task in self.tasks.items() if not task.done()}
        job_ids = [job_id for job_id in job_ids if job_id.decode() not in running]
        if not job_ids:
            return
        scores = await self.pool.zmscore(self.queue_name, job_ids)
        self._bulk_jobs &= set(self.tasks)  # forget bulk jobs that finished
        cutoff = timestamp_ms() - INTERACTIVE_CUTOFF_MS
        allowed = []
        for job_id, score in zip(job_ids, scores, strict=True):
            if score is None:
                continue  # taken meanwhile
            if score >= cutoff:
                if len(self._bulk_jobs) >= self.bulk_limit:
                    continue  # stays queued for a bulk slot
                self._bulk_jobs.add(job_id.decode())
            allowed.append(job_id)
        await super().start_jobs(allowed)
