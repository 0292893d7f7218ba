"""The batcher on a real model: shared batches, budgets, lengths, order, urgency, failures."""

from __future__ import annotations

import asyncio
import contextlib
import threading

import pytest

from models.options import TranslatorOptions
from models.translator import Translator, clean_source
from service.domain.terms import Glossary, Term
from workers.batcher import SentenceBatcher


@pytest.fixture(scope="module")
def translator(tiny_model_dir) -> Translator:
    return Translator(tiny_model_dir, TranslatorOptions(device="cpu", inter_threads=2, beam_size=1))


class Recording:
    """The real translator, with each engine call's pieces and overlap noted."""

    def __init__(self, translator: Translator, fail_on: str | None = None) -> None:
        self.translator = translator
        self.beam_size = translator.beam_size
        self.replicas = translator.replicas
        self.max_batch_tokens = translator.max_batch_tokens
        self.extra_source_tokens = translator.extra_source_tokens
        self.fail_on = fail_on
        self.calls: list[list[list[str]]] = []
        self.threads: set[str] = set()
        self.running = self.most_running = 0
        self._lock = threading.Lock()
        self.gate = threading.Event()  # calls wait while it is closed
        self.gate.set()

    def prepare(self, sentence: str) -> list[list[str]]:
        return self.translator.prepare(sentence)

    def translate_pieces(self, pieces):
        with self._lock:
            self.calls.append(list(pieces))
            self.threads.add(threading.current_thread().name)
            self.running += 1
            self.most_running = max(self.most_running, self.running)
        self.gate.wait()
        try:
            if self.fail_on and any(self.fail_on in "".join(p) for p in pieces):
                raise ValueError("bad input")
            return self.translator.translate_pieces(pieces)
        finally:
            with self._lock:
                self.running -= 1

    def length(self, piece: list[str]) -> int:
        return len(piece) + self.extra_source_tokens


def sentences(tag: str, n: int, words: int = 1) -> list[str]:
    return [f"جملة {tag} رقم {i} " + " ".join(["طويلة"] * words) + "." for i in range(n)]


def pieces_of(translator: Translator, group: list[str]) -> set[tuple[str, ...]]:
    return {tuple(p) for s in group for p in translator.prepare(s)}


async def translate_all(batcher: SentenceBatcher, *groups, urgent=()) -> list:
    try:
        return await asyncio.gather(
            *(batcher.translate(g, urgent=i in urgent) for i, g in enumerate(groups))
        )
    finally:
        await batcher.close()


@contextlib.asynccontextmanager
async def held(recording: Recording, **options):
    """A batcher whose engine calls wait until `recording.gate` is set; the gate opens
    (so no engine thread is left waiting) and the batcher closes whatever happens."""
    recording.gate.clear()
    batcher = SentenceBatcher(recording, **options)
    try:
        yield batcher
    finally:
        recording.gate.set()
        await batcher.close()


async def test_concurrent_requests_share_calls_and_get_their_own_results(translator):
    recording = Recording(translator)
    groups = [sentences(tag, 10) for tag in "abcd"]
    results = await translate_all(SentenceBatcher(recording, concurrency=1), *groups)
    expected = [translator.translate(g) for g in groups]
    assert [[t.text for t in r] for r in results] == [[t.text for t in e] for e in expected]
    assert len(recording.calls) < len(groups)


async def test_batches_keep_within_the_token_budget_and_a_long_request_spans_several(
    translator,
):
    recording = Recording(translator)
    budget = 120
    result = await translate_all(
        SentenceBatcher(recording, batch_tokens=budget, concurrency=1), sentences("x", 40)
    )
    assert len(result[0]) == 40 and all(t.text for t in result[0])
    assert len(recording.calls) > 1
    for call in recording.calls:
        assert len(call) * max(map(recording.length, call)) <= budget


async def test_batches_group_pieces_of_similar_length(translator):
    recording = Recording(translator)
    short, long = sentences("s", 12), sentences("l", 12, words=12)
    mixed = [s for pair in zip(short, long, strict=True) for s in pair]
    await translate_all(SentenceBatcher(recording, batch_tokens=400, concurrency=1), mixed)
    short_length = max(recording.length(p) for s in short for p in translator.prepare(s))
    for call in recording.calls:
        lengths = [recording.length(p) for p in call]
        # First in, first out would mix them in every call; none mixes here.
        assert max(lengths) <= short_length or min(lengths) > short_length, lengths


async def test_the_oldest_waiting_piece_always_goes_in_the_next_call(translator):
    recording = Recording(translator)
    oldest = sentences("old", 1, words=20)  # an odd length, first in line
    async with held(recording, batch_tokens=200, concurrency=1) as batcher:
        busy = asyncio.create_task(batcher.translate(sentences("busy", 1)))
        await asyncio.sleep(0.05)  # its call is in flight; the rest wait in line
        waiting = [asyncio.create_task(batcher.translate(oldest))]
        await asyncio.sleep(0.05)
        waiting.append(asyncio.create_task(batcher.translate(sentences("new", 40))))
        await asyncio.sleep(0.05)
        recording.gate.set()
        await asyncio.gather(busy, *waiting)
    first_piece = tuple(translator.prepare(oldest[0])[0])
    assert first_piece in {tuple(p) for p in recording.calls[1]}
    assert len(recording.calls[1]) > 1  # filled up with the pieces nearest its length


async def test_a_lone_article_is_shared_out_over_the_free_replicas(translator):
    recording = Recording(translator)
    await translate_all(SentenceBatcher(recording, concurrency=2), sentences("a", 16))
    assert len(recording.calls) == 2
    assert abs(len(recording.calls[0]) - len(recording.calls[1])) <= 2
    assert recording.most_running == 2


async def test_a_call_waits_ahead_in_the_engine_on_threads_of_its_own(translator):
    recording = Recording(translator)
    async with held(recording, batch_tokens=40, concurrency=1, ahead=1) as batcher:
        work = asyncio.create_task(batcher.translate(sentences("a", 12)))
        await asyncio.sleep(0.05)
        assert recording.running == 2  # one call running, the next handed over ahead
        recording.gate.set()
        await work
    assert recording.most_running == 2
    # Not the default executor's threads, where segmentation and assembly queue.
    assert recording.threads and all(t.startswith("engine") for t in recording.threads)


async def test_without_ahead_only_the_running_calls_are_handed_over(translator):
    recording = Recording(translator)
    async with held(recording, batch_tokens=40, concurrency=1, ahead=0) as batcher:
        work = asyncio.create_task(batcher.translate(sentences("a", 12)))
        await asyncio.sleep(0.05)
        assert recording.running == 1
        recording.gate.set()
        await work
    assert recording.most_running == 1


async def test_urgent_sentences_go_before_waiting_bulk_ones(translator):
    recording = Recording(translator)
    urgent_group = sentences("urgent", 2)
    async with held(recording, batch_tokens=40, concurrency=1, ahead=1) as batcher:
        bulk = asyncio.create_task(batcher.translate(sentences("bulk", 12)))
        await asyncio.sleep(0.05)  # bulk's first two calls are in flight, the rest in line
        urgent = asyncio.create_task(batcher.translate(urgent_group, urgent=True))
        await asyncio.sleep(0.05)
        recording.gate.set()
        await asyncio.gather(bulk, urgent)
    mine = pieces_of(translator, urgent_group)
    urgent_calls = [i for i, c in enumerate(recording.calls) if any(tuple(p) in mine for p in c)]
    # At most the calls already in flight (one running, one ahead) ran before the urgent
    # ones, which ran alone.
    assert urgent_calls and urgent_calls[0] <= 2
    assert all(all(tuple(p) in mine for p in recording.calls[i]) for i in urgent_calls)


async def test_a_failing_request_fails_alone(translator):
    recording = Recording(translator, fail_on="".join(translator.prepare("سيء")[0]))
    batcher = SentenceBatcher(recording, concurrency=1)
    try:
        ok, bad = await asyncio.gather(
            batcher.translate(["جملة جيدة."]),
            batcher.translate(["نص سيء."]),
            return_exceptions=True,
        )
    finally:
        await batcher.close()
    assert len(ok) == 1 and ok[0].text
    assert isinstance(bad, ValueError)


async def test_blank_sentences_get_empty_translations_in_place(translator):
    recording = Recording(translator)
    [result] = await translate_all(SentenceBatcher(recording), ["جملة أولى.", "  ", "جملة ثانية."])
    assert [bool(t.text) for t in result] == [True, False, True]
    [all_blank] = await translate_all(SentenceBatcher(recording), ["", "\u200b"])
    assert [t.text for t in all_blank] == ["", ""]


async def test_a_cancelled_request_is_not_translated(translator):
    recording = Recording(translator)
    doomed_group = sentences("doomed", 20)
    async with held(recording, batch_tokens=40, concurrency=1) as batcher:
        first = asyncio.create_task(batcher.translate(sentences("first", 4)))
        await asyncio.sleep(0.05)
        doomed = asyncio.create_task(batcher.translate(doomed_group))
        await asyncio.sleep(0.05)
        doomed.cancel()
        recording.gate.set()
        await first
    doomed_pieces = pieces_of(translator, doomed_group)
    assert not any(tuple(p) in doomed_pieces for c in recording.calls for p in c)


class CountingGlossary:
    """A real glossary that counts its searches."""

    def __init__(self, glossary: Glossary) -> None:
        self.glossary = glossary
        self.searched: list[str] = []

    def __bool__(self) -> bool:
        return bool(self.glossary)

    def find(self, text: str):
        self.searched.append(text)
        return self.glossary.find(text)


async def test_terms_are_forced_in_and_the_callers_matches_not_searched_again(translator):
    glossary = CountingGlossary(Glossary([Term("دير الزور", "Deir ez-Zor")]))
    group = ["وصلت القوات إلى دير الزور أمس.", "جملة بلا اسم."]
    matches = [glossary.glossary.find(clean_source(s)) for s in group]
    batcher = SentenceBatcher(translator)
    try:
        given = await batcher.translate(group, glossary=glossary, matches=matches)
        searched_with_matches = len(glossary.searched)
        found = await batcher.translate(group, glossary=glossary)
    finally:
        await batcher.close()
    assert "Deir ez-Zor" in given[0].text
    assert [t.text for t in given] == [t.text for t in found]
    # With the caller's matches only the termed sentence's piece is searched (for its
    # token spans); without them every sentence is searched first.
    assert searched_with_matches == 1
    assert len(glossary.searched) - searched_with_matches == 1 + len(group)
