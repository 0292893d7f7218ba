"""The pipeline's pure stages: segment an article, then assemble its translated pairs.

Translation sits between them and is the job's business (it may batch sentences across
articles and reuse a translation memory): `segment_article` says what to translate,
`assemble_result` builds what is stored from the translations, in the same order.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from models.translator import Translation
from service.domain.results import ArticleResult, ParagraphResult, SentenceResult
from service.domain.terms import Term
from workers.segment import split_headline, split_paragraphs, split_sentences
from workers.summarise import Candidate, summarise

SUMMARY_METHOD = "extractive-v1"


def terms_json(terms: list[Term]) -> str | None:
    """How a sentence's applied terms are stored: [{"ar", "en"}], or null for none."""
    if not terms:
        return None
    return json.dumps([{"ar": t.ar, "en": t.en} for t in terms], ensure_ascii=False)


@dataclass(frozen=True)
class ModelInfo:
    name: str
    quantization: str


@dataclass(frozen=True)
class SegmentedArticle:
    """An article cut into paragraphs and sentences, with its headline if it has one."""

    title: str | None
    title_detected: bool
    paragraphs: list[str]
    sentences: list[list[str]]

    @property
    def units(self) -> list[str]:
        """What is translated, in order: the title (if any), then every sentence."""
        flat = [s for group in self.sentences for s in group]
        return ([self.title] if self.title else []) + flat


def segment_article(text: str, title: str | None) -> SegmentedArticle:
    """Paragraphs and sentences; the first paragraph becomes the title if it is a headline."""
    detected = title is None
    if detected:
        title, paragraphs = split_headline(text)
    else:
        paragraphs = split_paragraphs(text)
    return SegmentedArticle(
        title=title,
        title_detected=detected and title is not None,
        paragraphs=paragraphs,
        sentences=[split_sentences(p) for p in paragraphs],
    )


def assemble_result(
    article: SegmentedArticle,
    translations: list[Translation],
    *,
    summary_sentences: int | None,
    model: ModelInfo,
    translate_ms: float,
    memory_hits: int = 0,
    reused_from: str | None = None,
    terms: list[list[Term]] | None = None,
) -> ArticleResult:
    """Aligned paragraph and sentence pairs plus the summary, from `article.units`'
    translations: `memory_hits` of them came from the translation memory, or all were
    reused from the identical article `reused_from`; `terms` are the glossary terms
    applied to each unit, if any."""
    if len(translations) != len(article.units):
        raise ValueError(f"{len(translations)} translations for {len(article.units)} units")
    remaining = iter(translations)
    unit_terms = iter(terms or [[]] * len(translations))
    title_en = next(remaining).text if article.title else None
    if article.title:
        next(unit_terms)
    paragraphs: list[ParagraphResult] = []
    for p_index, (paragraph, group) in enumerate(
        zip(article.paragraphs, article.sentences, strict=True)
    ):
        pairs = []
        for s_index, ar in enumerate(group):
            translation = next(remaining)
            applied = next(unit_terms)
            pairs.append(
                SentenceResult(
                    index=s_index,
                    ar=ar,
                    en=translation.text,
                    confidence=round(translation.confidence, 4),
                    terms_json=terms_json(applied),
                )
            )
        paragraphs.append(
            ParagraphResult(
                index=p_index, ar=paragraph, en=" ".join(s.en for s in pairs), sentences=pairs
            )
        )

    chosen = summarise(
        [Candidate(p.index, s.index, s.ar, s.en) for p in paragraphs for s in p.sentences],
        sentences=summary_sentences,
    )
    keys = {(c.paragraph, c.sentence) for c in chosen}
    for p in paragraphs:
        for s in p.sentences:
            s.in_summary = (p.index, s.index) in keys
    return ArticleResult(
        title_ar=article.title,
        title_en=title_en,
        title_detected=article.title_detected,
        paragraphs=paragraphs,
        summary_en=" ".join(c.en for c in chosen),
        summary_ar=" ".join(c.ar for c in chosen),
        summary_method=SUMMARY_METHOD,
        model_name=model.name,
        model_quantization=model.quantization,
        translate_ms=round(translate_ms, 1),
        unit_count=len(article.units),
        memory_hits=memory_hits,
        reused_from=reused_from,
    )
