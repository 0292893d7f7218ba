"""What a translation job builds for one article; storage writes it as it is."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class SentenceResult:
    index: int
    ar: str
    en: str
    confidence: float | None = None
    in_summary: bool = False
    terms_json: str | None = None  # glossary terms applied, [{"ar", "en"}]


@dataclass
class ParagraphResult:
    index: int
    ar: str
    en: str
    sentences: list[SentenceResult] = field(default_factory=list)


@dataclass
class ArticleResult:
    """Everything a finished job stores for one article."""

    title_ar: str | None
    title_en: str | None
    title_detected: bool
    paragraphs: list[ParagraphResult]
    summary_en: str
    summary_ar: str
    summary_method: str
    model_name: str
    model_quantization: str
    translate_ms: float
    unit_count: int
    memory_hits: int = 0
    reused_from: str | None = None
