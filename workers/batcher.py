"""Merge the sentences of concurrently running jobs into shared `translate_batch` calls.

A worker runs several article jobs at once; each asks for its sentences to be translated.
One engine call over all of them keeps the CPU busy with full, length-sorted batches
instead of many small ones. While one call runs (in a thread), new requests gather and go
together in the next call.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Sequence

from models.translator import Translation

log = logging.getLogger("tarjama.worker")
GATHER_WAIT_S = 0.005  # a short pause lets jobs that start together share the first call

TranslateFn = Callable[[Sequence[str]], list[Translation]]


class SentenceBatcher:
    """`await translate(sentences)` from any number of jobs; one engine call at a time."""

    def __init__(self, translate: TranslateFn) -> None:
        self._translate = translate
        self._pending: list[tuple[list[str], asyncio.Future]] = []
        self._wakeup = asyncio.Event()
        self._runner: asyncio.Task | None = None

    async def translate(self, sentences: Sequence[str]) -> list[Translation]:
        if not sentences:
            return []
        if self._runner is None or self._runner.done():
            self._runner = asyncio.create_task(self._run(), name="sentence-batcher")
        future = asyncio.get_running_loop().create_future()
        self._pending.append((list(sentences), future))
        self._wakeup.set()
        return await future

    async def close(self) -> None:
        if self._runner is not None:
            self._runner.cancel()
            try:
                await self._runner
            except asyncio.CancelledError:
                pass
        for _, future in self._pending:
            if not future.done():
                future.set_exception(RuntimeError("translator shut down"))
        self._pending.clear()

    async def _run(self) -> None:
        while True:
            await self._wakeup.wait()
            await asyncio.sleep(GATHER_WAIT_S)
            self._wakeup.clear()
            batch, self._pending = self._pending, []
            if batch:
                await self._serve(batch)

    async def _serve(self, batch: list[tuple[list[str], asyncio.Future]]) -> None:
        flat = [s for sentences, _ in batch for s in sentences]
        try:
            results = await asyncio.to_thread(self._translate, flat)
        except Exception as exc:
            if len(batch) == 1:
                _settle(batch[0][1], exc=exc)
                return
            # Translate each request alone, so one bad article fails only itself.
            log.warning("shared batch failed (%s); retrying its %d requests alone", exc, len(batch))
            for request in batch:
                await self._serve([request])
            return
        start = 0
        for sentences, future in batch:
            _settle(future, result=results[start : start + len(sentences)])
            start += len(sentences)


def _settle(future: asyncio.Future, *, result=None, exc: BaseException | None = None) -> None:
    if future.done():  # the waiting job was cancelled meanwhile
        return
    if exc is not None:
        future.set_exception(exc)
    else:
        future.set_result(result)
