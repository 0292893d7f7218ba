"""Share `translate_batch` calls between the articles a worker runs at once.

A worker runs several article jobs concurrently; each asks for its sentences to be
translated. The batcher feeds them to the engine in calls of at most `CALL_MAX_UNITS`
sentences, taken first in, first out across articles, so the CPU always gets full,
length-sorted batches. Interactive articles jump the line: while any of their sentences
wait, calls take only theirs, so an analyst's article waits at most for the one call in
flight, not for the bulk articles ahead of it.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from models.translator import Translation

log = logging.getLogger("tarjama.worker")
# A short pause lets jobs that start together share the first call.
GATHER_WAIT_S = 0.002
# Large enough for efficient engine batches, small enough that an interactive article
# never waits long for the call in flight.
CALL_MAX_UNITS = 64

TranslateFn = Callable[[Sequence[str]], list[Translation]]


@dataclass(eq=False)
class _Request:
    sentences: list[str]
    urgent: bool
    future: asyncio.Future
    results: list[Translation] = field(default_factory=list)

    @property
    def remaining(self) -> int:
        return len(self.sentences) - len(self.results)


class SentenceBatcher:
    """`await translate(sentences, urgent=...)` from any number of jobs."""

    def __init__(self, translate: TranslateFn, call_max_units: int = CALL_MAX_UNITS) -> None:
        self._translate = translate
        self._call_max_units = call_max_units
        self._pending: list[_Request] = []
        self._wakeup = asyncio.Event()
        self._runner: asyncio.Task | None = None

    async def translate(self, sentences: Sequence[str], *, urgent: bool = False) -> list[Translation]:
        if not sentences:
            return []
        if self._runner is None or self._runner.done():
            self._runner = asyncio.create_task(self._run(), name="sentence-batcher")
        request = _Request(list(sentences), urgent, asyncio.get_running_loop().create_future())
        self._pending.append(request)
        self._wakeup.set()
        return await request.future

    async def close(self) -> None:
        if self._runner is not None:
            self._runner.cancel()
            try:
                await self._runner
            except asyncio.CancelledError:
                pass
        for request in self._pending:
            _settle(request, exc=RuntimeError("translator shut down"))
        self._pending.clear()

    async def _run(self) -> None:
        while True:
            await self._wakeup.wait()
            await asyncio.sleep(GATHER_WAIT_S)
            self._wakeup.clear()
            while self._pending:
                await self._serve(self._take())

    def _take(self) -> list[tuple[_Request, int, int]]:
        """The next call's share of each request: (request, start, end) slices."""
        self._pending = [r for r in self._pending if not r.future.done()]  # drop cancelled
        candidates = [r for r in self._pending if r.urgent] or self._pending
        plan, room = [], self._call_max_units
        for request in candidates:
            if room <= 0:
                break
            start = len(request.results)
            take = min(request.remaining, room)
            plan.append((request, start, start + take))
            room -= take
        return plan

    async def _serve(self, plan: list[tuple[_Request, int, int]]) -> None:
        if not plan:
            return
        units = [s for request, start, end in plan for s in request.sentences[start:end]]
        try:
            results = await asyncio.to_thread(self._translate, units)
        except Exception as exc:
            if len(plan) == 1:
                self._finish(plan[0][0], exc=exc)
                return
            # Translate each request's share alone, so one bad article fails only itself.
            log.warning("shared call failed (%s); retrying its %d requests alone", exc, len(plan))
            for part in plan:
                await self._serve([part])
            return
        offset = 0
        for request, start, end in plan:
            request.results.extend(results[offset : offset + end - start])
            offset += end - start
            if request.remaining == 0:
                self._finish(request)

    def _finish(self, request: _Request, exc: BaseException | None = None) -> None:
        if request in self._pending:
            self._pending.remove(request)
        _settle(request, exc=exc)


def _settle(request: _Request, exc: BaseException | None = None) -> None:
    if request.future.done():  # the waiting job was cancelled meanwhile
        return
    if exc is not None:
        request.future.set_exception(exc)
    else:
        request.future.set_result(request.results)
