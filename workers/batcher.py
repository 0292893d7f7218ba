"""Share engine batches between the articles a worker runs at once.

A worker runs many article jobs concurrently; each asks for its sentences to be
translated. The batcher tokenizes them into pieces and keeps every waiting piece in one
first-in, first-out line. Each engine call is one batch, built around the oldest waiting
piece with the pieces nearest to it in length from the next `POOL_PIECES` in line, up to
`batch_tokens` (source tokens, padding and beam hypotheses counted). So batches carry
little padding, as if the whole backlog had been sorted by length, yet the oldest piece
always goes next and no article starves.

Up to `concurrency` calls run at once, one per engine replica, and `ahead` more are handed
to the engine early: they wait in its own queue, so a replica that finishes a call starts
the next at once instead of waiting for this event loop (busy with other jobs' database
and Redis work) to build one. Engine calls have threads of their own, never queued behind
segmentation or assembly. When fewer pieces wait than would fill every free replica, they
are shared out so that one article still uses all cores. Interactive articles jump the
line: while any of their pieces wait, calls take only theirs, so an analyst's article
waits at most for the calls already handed to the engine. Pieces that hold a glossary
term are translated with the engine's attention, in calls of their own, and the terms
forced in (`workers.terminology`) before the request is answered.
"""

from __future__ import annotations

import asyncio
import functools
import logging
import math
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from typing import Protocol

from models.translator import PieceOutput, Translation, clean_source, join_sentences
from service.domain.names import Matcher
from service.domain.terms import TermMatch
from workers.terminology import apply_terms, piece_spans

log = logging.getLogger("tarjama.worker")
# A short pause lets jobs that start together share the first call (not taken when a
# full call's worth is already waiting).
GATHER_WAIT_S = 0.002
# How far down the line a batch may look for pieces of a similar length.
POOL_PIECES = 1024


class Engine(Protocol):
    """What the batcher needs of a translator (`models.translator.Translator`)."""

    beam_size: int
    replicas: int
    max_batch_tokens: int
    extra_source_tokens: int

    def prepare(self, sentence: str, keep: Sequence[tuple[int, int]] = ()) -> list[list[str]]: ...

    def translate_pieces(
        self, pieces: Sequence[list[str]], *, attention: bool = False
    ) -> list[PieceOutput]: ...


@dataclass(eq=False)
class _Request:
    pieces_of: list[int]  # how many pieces each sentence has
    urgent: bool
    future: asyncio.Future
    outputs: list[PieceOutput | None]
    waiting: int  # pieces not yet translated
    # Glossary terms in each piece, as token spans (none without a glossary).
    spans: list[list] = field(default_factory=list)

    def translations(self) -> list[Translation]:
        outputs = [o for o in self.outputs if o is not None]
        if len(outputs) != len(self.outputs):
            raise RuntimeError("a request's translations read before all its pieces came back")
        if self.spans:
            outputs = [apply_terms(o, s) for o, s in zip(outputs, self.spans, strict=True)]
        return join_sentences(self.pieces_of, outputs)


@dataclass(eq=False)
class _Piece:
    request: _Request
    index: int  # in the request's outputs
    tokens: list[str]
    length: int  # tokens the engine sees, with the card's extra tokens
    attention: bool = False  # holds a glossary term: its call returns attention


@dataclass
class _Line:
    """Pieces waiting for the engine, oldest first."""

    pieces: list[_Piece] = field(default_factory=list)

    def drop_settled(self) -> None:
        """Drop the pieces of requests already answered (failed) or given up (cancelled)."""
        self.pieces = [p for p in self.pieces if not p.request.future.done()]

    def take(self, budget: int, beam: int, most: int) -> list[_Piece]:
        """The oldest piece and those nearest its length in the pool: at most `most`
        pieces, within `budget` tokens."""
        pool = self.pieces[:POOL_PIECES]
        anchor = pool[0].length
        # Only pieces with glossary terms pay for attention: they share calls apart.
        attention = pool[0].attention
        chosen: list[_Piece] = []
        longest = 0
        for piece in sorted(pool, key=lambda p: abs(p.length - anchor)):  # stable: FIFO ties
            if piece.attention != attention:
                continue
            wider = max(longest, piece.length)
            if chosen and (len(chosen) + 1) * wider * beam > budget:
                continue
            chosen.append(piece)
            longest = wider
            if len(chosen) == most:
                break
        taken = set(map(id, chosen))
        self.pieces = [p for p in self.pieces if id(p) not in taken]
        return chosen

    def cost(self, beam: int) -> int:
        """Tokens the pool would cost the engine, unpadded."""
        return sum(p.length for p in self.pieces[:POOL_PIECES]) * beam


class SentenceBatcher:
    """`await translate(sentences, urgent=...)` from any number of jobs."""

    def __init__(
        self,
        engine: Engine,
        *,
        batch_tokens: int | None = None,
        concurrency: int | None = None,
        ahead: int = 1,
    ) -> None:
        self._engine = engine
        self._beam = engine.beam_size
        self._batch_tokens = batch_tokens or engine.max_batch_tokens
        self._concurrency = concurrency or engine.replicas
        self._most_in_flight = self._concurrency + ahead
        self._calls = ThreadPoolExecutor(self._most_in_flight, thread_name_prefix="engine")
        self._urgent, self._bulk = _Line(), _Line()
        self._requests: set[_Request] = set()
        self._in_flight: set[asyncio.Task] = set()
        self._changed = asyncio.Event()
        self._runner: asyncio.Task | None = None

    async def translate(
        self,
        sentences: Sequence[str],
        *,
        urgent: bool = False,
        glossary: Matcher | None = None,
        matches: Sequence[Sequence[TermMatch]] | None = None,
    ) -> list[Translation]:
        """Translations of `sentences`, with `glossary`'s terms forced in where they occur.

        `matches`, where the caller has them, are the glossary's matches in each
        sentence's `clean_source` text, so that they are not searched for again."""
        if not sentences:
            return []
        spans = []
        if glossary:
            prepared, matched = await asyncio.to_thread(
                _prepare_keeping_terms, self._engine, sentences, glossary, matches
            )
            pieces = [p for sentence in prepared for p in sentence]
            # Only the pieces of sentences with terms are searched again (in their tokens).
            spans = await asyncio.to_thread(
                lambda: [
                    piece_spans(p, glossary) if found else []
                    for sentence, found in zip(prepared, matched, strict=True)
                    for p in sentence
                ]
            )
        else:
            prepared = await asyncio.to_thread(lambda: [self._engine.prepare(s) for s in sentences])
            pieces = [p for sentence in prepared for p in sentence]
        future = asyncio.get_running_loop().create_future()
        request = _Request(
            [len(s) for s in prepared], urgent, future, [None] * len(pieces), len(pieces), spans
        )
        if not pieces:  # every sentence blank
            return request.translations()
        extra = self._engine.extra_source_tokens
        line = self._urgent if urgent else self._bulk
        line.pieces.extend(
            _Piece(request, i, p, len(p) + extra, bool(spans and spans[i]))
            for i, p in enumerate(pieces)
        )
        self._requests.add(request)
        if self._runner is None or self._runner.done():
            self._runner = asyncio.create_task(self._run(), name="sentence-batcher")
        self._changed.set()
        return await future

    async def close(self) -> None:
        tasks = [t for t in (self._runner, *self._in_flight) if t is not None]
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
        self._calls.shutdown(wait=False, cancel_futures=True)
        for request in self._requests:
            _settle(request, exc=RuntimeError("translator shut down"))
        self._requests.clear()
        self._urgent.pieces.clear()
        self._bulk.pieces.clear()

    async def _run(self) -> None:
        while True:
            await self._changed.wait()
            if not self._full_call_waiting():
                await asyncio.sleep(GATHER_WAIT_S)
            self._changed.clear()
            while len(self._in_flight) < self._most_in_flight:
                batch = self._take()
                if not batch:
                    break
                task = asyncio.create_task(self._serve(batch))
                self._in_flight.add(task)
                task.add_done_callback(self._call_done)

    def _call_done(self, task: asyncio.Task) -> None:
        self._in_flight.discard(task)
        self._changed.set()  # a replica is free

    def _next_line(self) -> _Line:
        """The line the next call takes from: urgent pieces first."""
        return self._urgent if self._urgent.pieces else self._bulk

    def _full_call_waiting(self) -> bool:
        return self._next_line().cost(self._beam) >= self._batch_tokens

    def _take(self) -> list[_Piece]:
        """The next call's pieces: urgent ones first, shared out over the free replicas."""
        for line in (self._urgent, self._bulk):
            line.drop_settled()
        line = self._next_line()
        if not line.pieces:
            return []
        free = max(1, self._concurrency - len(self._in_flight))
        most = len(line.pieces)
        if line.cost(self._beam) < free * self._batch_tokens:  # too little to fill them all
            most = math.ceil(most / free)
        return line.take(self._batch_tokens, self._beam, most)

    async def _serve(self, batch: list[_Piece]) -> None:
        call = self._engine.translate_pieces
        if any(p.attention for p in batch):
            call = functools.partial(call, attention=True)
        try:
            outputs = await asyncio.get_running_loop().run_in_executor(
                self._calls, call, [p.tokens for p in batch]
            )
        except Exception as exc:
            requests = list(dict.fromkeys(p.request for p in batch))
            if len(requests) == 1:
                self._finish(requests[0], exc=exc)
                return
            # Translate each request's share alone, so one bad article fails only itself.
            log.warning(
                "shared call failed (%s); retrying its %d requests alone", exc, len(requests)
            )
            for request in requests:
                await self._serve([p for p in batch if p.request is request])
            return
        for piece, output in zip(batch, outputs, strict=True):
            request = piece.request
            request.outputs[piece.index] = output
            request.waiting -= 1
            if request.waiting == 0:
                self._finish(request)

    def _finish(self, request: _Request, exc: BaseException | None = None) -> None:
        """Settle `request`; any pieces of it still in line are dropped by the next take."""
        self._requests.discard(request)
        _settle(request, exc=exc)


def _prepare_keeping_terms(
    engine: Engine,
    sentences: Sequence[str],
    glossary: Matcher,
    matches: Sequence[Sequence[TermMatch]] | None = None,
) -> tuple[list[list[list[str]]], list[bool]]:
    """Each sentence's pieces, a long sentence never cut inside a glossary term; and
    whether each sentence holds a term (`matches`, or else the glossary's search)."""
    if matches is None:
        matches = [glossary.find(clean_source(s)) for s in sentences]
    prepared, matched = [], []
    for sentence, terms in zip(sentences, matches, strict=True):
        prepared.append(engine.prepare(sentence, [(m.start, m.end) for m in terms]))
        matched.append(bool(terms))
    return prepared, matched


def _settle(request: _Request, exc: BaseException | None = None) -> None:
    if request.future.done():  # the waiting job was cancelled meanwhile
        return
    if exc is not None:
        request.future.set_exception(exc)
    else:
        request.future.set_result(request.translations())
