"""The batcher on a real model: shared calls, order, urgency, failures."""

from __future__ import annotations

import asyncio

import pytest

from models.translator import Translator
from workers.batcher import SentenceBatcher


@pytest.fixture(scope="module")
def translator(tiny_model_dir) -> Translator:
    return Translator(tiny_model_dir, device="cpu", intra_threads=1, beam_size=1)


class Recording:
    """The real translator, with each call's size noted."""

    def __init__(self, translator: Translator) -> None:
        self.translator = translator
        self.calls: list[list[str]] = []

    def __call__(self, sentences):
        self.calls.append(list(sentences))
        return self.translator.translate(sentences)


def sentences(tag: str, n: int) -> list[str]:
    return [f"جملة {tag} رقم {i}." for i in range(n)]


async def test_concurrent_requests_share_calls_and_get_their_own_results(translator):
    recording = Recording(translator)
    batcher = SentenceBatcher(recording, call_max_units=64)
    groups = [sentences(tag, 10) for tag in "abcd"]
    try:
        results = await asyncio.gather(*(batcher.translate(g) for g in groups))
    finally:
        await batcher.close()
    expected = [translator.translate(g) for g in groups]
    assert [[t.text for t in r] for r in results] == [[t.text for t in e] for e in expected]
    assert len(recording.calls) < len(groups)


async def test_calls_are_capped_and_a_long_request_spans_several(translator):
    recording = Recording(translator)
    batcher = SentenceBatcher(recording, call_max_units=8)
    try:
        result = await batcher.translate(sentences("x", 20))
    finally:
        await batcher.close()
    assert [len(c) for c in recording.calls] == [8, 8, 4]
    assert len(result) == 20


async def test_urgent_sentences_go_before_waiting_bulk_ones(translator):
    recording = Recording(translator)
    batcher = SentenceBatcher(recording, call_max_units=4)
    try:
        bulk = asyncio.create_task(batcher.translate(sentences("bulk", 12)))
        await asyncio.sleep(0)  # bulk is queued first
        urgent = asyncio.create_task(batcher.translate(sentences("urgent", 2), urgent=True))
        await asyncio.gather(bulk, urgent)
    finally:
        await batcher.close()
    urgent_call = next(i for i, c in enumerate(recording.calls) if "urgent" in c[0])
    # At most the call already in flight ran before the urgent one.
    assert urgent_call <= 1
    assert all("urgent" in s for s in recording.calls[urgent_call])


async def test_a_failing_request_fails_alone(tiny_model_dir):
    good = Translator(tiny_model_dir, device="cpu", intra_threads=1, beam_size=1)

    def translate(units):
        if any("سيء" in u for u in units):
            raise ValueError("bad input")
        return good.translate(units)

    batcher = SentenceBatcher(translate)
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
