"""A real burst worker that translates only what its own test queued.

The tests share one database per session, each with its own queue. A worker's reconciler
adopts every accepted article of the database that has no job in *its* queue, so in a
long session a test's worker would also translate (or, for a batch held by `not_before`,
wait forever for) other tests' leftovers. These tests turn the reconciler off; it has its
own tests in tests/faults.
"""

from __future__ import annotations

from service.config import Settings
from workers.settings import build_worker


async def run_worker_burst_alone(settings: Settings) -> None:
    """Run a real arq worker, without its reconciler, until its queue is empty."""
    worker = build_worker(settings, burst=True)
    worker.ctx["reconcile"] = False
    try:
        await worker.main()
    finally:
        await worker.close()
