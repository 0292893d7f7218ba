"""One article through the pipeline: segment, translate, summarise, align.

Pure and synchronous: it takes the article's text and a translate function and returns
what is to be stored. The job runs it off the event loop.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from models.translator import Translation
from service.storage.articles import ArticleResult, ParagraphResult, SentenceResult
from workers.segment import split_headline, split_paragraphs, split_sentences
from workers.summarise import Candidate, summarise

TranslateFn = Callable[[Sequence[str]], list[Translation]]
SUMMARY_METHOD = "extractive-v1"


@dataclass(frozen=True)
class ModelInfo:
    name: str
    quantization: str


def process_article(
    text: str,
    *,
    title: str | None,
    summary_sentences: int | None,
    translate: TranslateFn,
    model: ModelInfo,
) -> ArticleResult:
    """Translate and summarise one article; paragraphs and sentences stay aligned."""
    detected = title is None
    if detected:
        title, paragraphs = split_headline(text)
    else:
        paragraphs = split_paragraphs(text)
    sentences = [split_sentences(p) for p in paragraphs]
    flat = [s for group in sentences for s in group]
    started = time.perf_counter()
    translations = translate(([title] if title else []) + flat)
    translate_ms = (time.perf_counter() - started) * 1000
    title_en = translations.pop(0).text if title else None

    results: list[ParagraphResult] = []
    cursor = 0
    for p_index, (paragraph, group) in enumerate(zip(paragraphs, sentences, strict=True)):
        pairs = [
            SentenceResult(
                index=s_index,
                ar=ar,
                en=translations[cursor + s_index].text,
                confidence=round(translations[cursor + s_index].confidence, 4),
            )
            for s_index, ar in enumerate(group)
        ]
        cursor += len(group)
        results.append(
            ParagraphResult(
                index=p_index, ar=paragraph, en=" ".join(s.en for s in pairs), sentences=pairs
            )
        )

    chosen = summarise(
        [Candidate(p.index, s.index, s.ar, s.en) for p in results for s in p.sentences],
        sentences=summary_sentences,
    )
    keys = {(c.paragraph, c.sentence) for c in chosen}
    for p in results:
        for s in p.sentences:
            s.in_summary = (p.index, s.index) in keys
    return ArticleResult(
        title_ar=title,
        title_en=title_en,
        title_detected=detected and title is not None,
        paragraphs=results,
        summary_en=" ".join(c.en for c in chosen),
        summary_ar=" ".join(c.ar for c in chosen),
        summary_method=SUMMARY_METHOD,
        model_name=model.name,
        model_quantization=model.quantization,
        translate_ms=round(translate_ms, 1),
    )
