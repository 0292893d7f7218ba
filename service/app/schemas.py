"""Request and response bodies of the v1 API."""

from __future__ import annotations

import json
import unicodedata
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, ValidationInfo, field_validator

from service.config import MAX_TEXT_CHARS
from service.domain.types import ArticleStatus, Priority

MAX_TITLE_CHARS = 1000
MAX_URL_CHARS = 2000
MAX_EXTERNAL_ID_CHARS = 200


def _storable(value: object, info: ValidationInfo) -> object:
    """Refuse a string the databases cannot hold: one with NUL, which PostgreSQL text
    refuses, or with a lone surrogate, which JSON can carry as an escape (`"\\ud800"`)
    though it is no character and has no UTF-8 encoding."""
    if not isinstance(value, str):
        return value  # the str validator says what is wrong with it
    name = info.field_name or "the value"
    if "\x00" in value:
        raise ValueError(f"{name} must not contain NUL characters (U+0000)")
    try:
        value.encode("utf-8")
    except UnicodeEncodeError as exc:
        code = ord(value[exc.start])
        raise ValueError(
            f"{name} has an invalid character at position {exc.start}: "
            f"U+{code:04X} is a lone surrogate, not a character"
        ) from None
    return value


# Every free-text string of a request that may be stored: checked before pydantic's own
# validation, so the field is named in a 422 instead of a generic unicode error.
StorableStr = Annotated[str, BeforeValidator(_storable)]


def has_arabic_letter(text: str) -> bool:
    """True when `text` contains at least one Arabic letter (any Arabic block)."""
    return any(
        unicodedata.category(ch).startswith("L") and "ARABIC" in unicodedata.name(ch, "")
        for ch in text
    )


class ArticleCreate(BaseModel):
    """An article to translate. Paragraphs in `text` are separated by line breaks."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=False)

    text: StorableStr = Field(max_length=MAX_TEXT_CHARS)
    title: StorableStr | None = Field(None, max_length=MAX_TITLE_CHARS)
    source_url: StorableStr | None = Field(None, max_length=MAX_URL_CHARS)
    external_id: StorableStr | None = Field(None, max_length=MAX_EXTERNAL_ID_CHARS)
    priority: Priority = Priority.interactive
    summary_sentences: int | None = Field(None, ge=1, le=50)
    force: bool = Field(
        False, description="Translate again even if an identical article was translated before."
    )
    glossary: StorableStr | None = Field(
        None, max_length=32, description="Id of a glossary whose terms the translation must use."
    )

    @field_validator("text")
    @classmethod
    def _arabic_text(cls, text: str) -> str:
        if not text.strip():
            raise ValueError("text is empty")
        if not has_arabic_letter(text):
            raise ValueError("text contains no Arabic letters")
        return text

    @field_validator("title")
    @classmethod
    def _title(cls, title: str | None) -> str | None:
        return title.strip() or None if title is not None else None


class TitlePair(BaseModel):
    ar: str | None
    en: str | None


class TermPublic(BaseModel):
    ar: str
    en: str


class SentencePublic(BaseModel):
    index: int
    ar: str
    en: str = Field(description="The reviewer's correction when there is one, else machine_en.")
    machine_en: str
    edited: bool
    confidence: float | None = Field(
        description="exp(mean token log-probability) of the machine translation, 0..1"
    )
    terms: list[TermPublic] = Field(
        default_factory=list, description="Glossary terms applied to this sentence"
    )


class ParagraphPublic(BaseModel):
    index: int
    ar: str
    en: str
    sentences: list[SentencePublic]


class SummarySentence(BaseModel):
    paragraph: int
    sentence: int
    ar: str
    en: str


class SummaryPublic(BaseModel):
    sentences: list[SummarySentence]
    text: str
    method: str


class ModelPublic(BaseModel):
    name: str | None
    quantization: str | None


class ArticlePublic(BaseModel):
    """An article and, once done, its aligned translation and summary."""

    id: str
    status: ArticleStatus
    priority: Priority
    title: TitlePair
    source_url: str | None
    external_id: str | None
    paragraphs: list[ParagraphPublic]
    summary: SummaryPublic | None
    model: ModelPublic
    error: str | None
    attempts: int
    translate_ms: float | None
    batch_id: str | None
    reused_from: str | None = Field(
        description="Id of an identical earlier article whose result was reused."
    )
    glossary: str | None = Field(description="Id of the glossary enforced, if any")
    reviewed_at: datetime | None
    reviewed_by: str | None
    created_at: datetime
    started_at: datetime | None
    finished_at: datetime | None


class ArticleListItem(BaseModel):
    id: str
    batch_id: str | None
    status: ArticleStatus
    priority: Priority
    title: TitlePair
    external_id: str | None
    created_at: datetime
    finished_at: datetime | None


class ArticleList(BaseModel):
    items: list[ArticleListItem]
    next_cursor: str | None


def sentence_terms(row) -> list[TermPublic]:
    """The glossary terms stored with a sentence pair."""
    return [TermPublic(**t) for t in json.loads(row.terms_json)] if row.terms_json else []


def article_public(article) -> ArticlePublic:
    """The API view of a stored article (its results loaded)."""
    paragraphs = []
    for p in article.paragraphs:
        sentences = [
            SentencePublic(
                index=s.index,
                ar=s.ar,
                en=s.edited_en if s.edited_en is not None else s.en,
                machine_en=s.en,
                edited=s.edited_en is not None,
                confidence=s.confidence,
                terms=sentence_terms(s),
            )
            for s in p.sentences
        ]
        edited = any(s.edited for s in sentences)
        en = " ".join(s.en for s in sentences) if edited else p.en
        paragraphs.append(ParagraphPublic(index=p.index, ar=p.ar, en=en, sentences=sentences))
    summary = None
    if article.summary is not None:
        chosen = [
            SummarySentence(paragraph=p.index, sentence=s.index, ar=s.ar, en=s.en)
            for p, row in zip(paragraphs, article.paragraphs, strict=True)
            for s, s_row in zip(p.sentences, row.sentences, strict=True)
            if s_row.in_summary
        ]
        summary = SummaryPublic(
            sentences=chosen, text=" ".join(s.en for s in chosen), method=article.summary.method
        )
    return ArticlePublic(
        id=article.id,
        status=article.status,
        priority=article.priority,
        title=TitlePair(ar=article.title_ar, en=article.title_en),
        source_url=article.source_url,
        external_id=article.external_id,
        paragraphs=paragraphs,
        summary=summary,
        model=ModelPublic(name=article.model_name, quantization=article.model_quantization),
        error=article.error,
        attempts=article.attempts,
        translate_ms=article.translate_ms,
        batch_id=article.batch_id,
        reused_from=article.reused_from,
        glossary=article.glossary_id,
        reviewed_at=article.reviewed_at,
        reviewed_by=article.reviewed_by,
        created_at=article.created_at,
        started_at=article.started_at,
        finished_at=article.finished_at,
    )


def article_list_item(article) -> ArticleListItem:
    return ArticleListItem(
        id=article.id,
        batch_id=article.batch_id,
        status=article.status,
        priority=article.priority,
        title=TitlePair(ar=article.title_ar, en=article.title_en),
        external_id=article.external_id,
        created_at=article.created_at,
        finished_at=article.finished_at,
    )


# Reviewers' corrections ------------------------------------------------------------------

MAX_SENTENCE_CHARS = 5000
# C0 and C1 controls and DEL, and the bidi embeddings, overrides and isolates, which could
# make a correction display differently from what it says.
FORBIDDEN_SENTENCE_CHARS = frozenset(
    [chr(c) for c in range(0x20)]
    + [chr(c) for c in range(0x7F, 0xA0)]
    + [chr(c) for c in range(0x202A, 0x202F)]
    + [chr(c) for c in range(0x2066, 0x206A)]
)


def clean_sentence_text(text: str) -> str:
    """A correction trimmed and checked; ValueError says what is wrong with it."""
    text = text.strip()
    if not text:
        raise ValueError("the sentence is empty")
    if len(text) > MAX_SENTENCE_CHARS:
        raise ValueError(f"the sentence is longer than {MAX_SENTENCE_CHARS} characters")
    bad = sorted({ch for ch in text if ch in FORBIDDEN_SENTENCE_CHARS})
    if bad:
        shown = ", ".join(f"U+{ord(ch):04X}" for ch in bad)
        raise ValueError(f"the sentence contains control or bidi override characters ({shown})")
    return text


class SentenceEditCreate(BaseModel):
    """A reviewer's correction of one sentence's English."""

    model_config = ConfigDict(extra="forbid")

    en: StorableStr = Field(description=f"1 to {MAX_SENTENCE_CHARS} characters once trimmed")

    @field_validator("en")
    @classmethod
    def _clean(cls, en: str) -> str:
        return clean_sentence_text(en)


class SentenceEdited(SentencePublic):
    """A sentence after a correction."""

    paragraph: int
    edited_at: datetime | None


class SentenceEditPublic(BaseModel):
    """Read from a stored `SentenceEdit` row."""

    model_config = ConfigDict(from_attributes=True, populate_by_name=True)

    paragraph: int = Field(validation_alias="paragraph_index")
    sentence: int = Field(validation_alias="sentence_index")
    editor: str
    before: str
    after: str
    created_at: datetime


class SentenceEditList(BaseModel):
    items: list[SentenceEditPublic]


class ArticleReviewed(BaseModel):
    """Read from the stored `Article` once signed off."""

    model_config = ConfigDict(from_attributes=True)

    id: str
    reviewed_at: datetime
    reviewed_by: str


def sentence_edited(row) -> SentenceEdited:
    return SentenceEdited(
        paragraph=row.paragraph_index,
        index=row.index,
        ar=row.ar,
        en=row.edited_en if row.edited_en is not None else row.en,
        machine_en=row.en,
        edited=row.edited_en is not None,
        confidence=row.confidence,
        edited_at=row.edited_at,
    )


class RejectedLine(BaseModel):
    line: int
    error: str


class BatchCreated(BaseModel):
    id: str
    accepted: int
    rejected: list[RejectedLine] = Field(description="Invalid lines (the first 1,000).")
    rejected_total: int


class BatchPublic(BaseModel):
    id: str
    name: str | None
    priority: Priority
    not_before: datetime | None
    callback_url: str | None
    created_at: datetime
    cancelled_at: datetime | None
    notified_at: datetime | None
    total: int
    counts: dict[str, int]
    progress: float = Field(description="Finished share of the batch, 0..1")
    articles_per_minute: float | None
    eta_seconds: float | None
    finished: bool
    finished_at: datetime | None = Field(
        description="When the batch's last article finished; null until every one has"
    )
    translation_memory_hit_rate: float | None = Field(
        description="Share of sentences (and titles) taken from the translation memory"
    )


class BatchList(BaseModel):
    items: list[BatchPublic]
    next_cursor: str | None


def batch_public(batch, progress) -> BatchPublic:
    """The API view of a batch and its progress (a `storage.batches.BatchProgress`)."""
    rate = None
    if progress.first_started_at is not None and progress.counts["done"]:
        end = progress.last_finished_at if progress.finished == progress.total else None
        end = end or datetime.now(progress.first_started_at.tzinfo)
        elapsed_s = max((end - progress.first_started_at).total_seconds(), 1e-3)
        rate = progress.counts["done"] / elapsed_s * 60
    remaining = progress.total - progress.finished
    return BatchPublic(
        id=batch.id,
        name=batch.name,
        priority=batch.priority,
        not_before=batch.not_before,
        callback_url=batch.callback_url,
        created_at=batch.created_at,
        cancelled_at=batch.cancelled_at,
        notified_at=batch.notified_at,
        total=progress.total,
        counts=progress.counts,
        progress=round(progress.finished / progress.total, 4) if progress.total else 1.0,
        articles_per_minute=round(rate, 2) if rate else None,
        eta_seconds=(
            round(remaining / rate * 60, 1)
            if rate and remaining
            else (0.0 if not remaining else None)
        ),
        finished=remaining == 0,
        finished_at=progress.last_finished_at if remaining == 0 else None,
        translation_memory_hit_rate=(
            round(progress.memory_hits / progress.units, 4) if progress.units else None
        ),
    )


# Glossaries ----------------------------------------------------------------------------


class GlossaryCreate(BaseModel):
    """A glossary as JSON; CSV and TBX uploads carry the same entries."""

    model_config = ConfigDict(extra="forbid")

    name: StorableStr = Field(min_length=1, max_length=200)
    entries: list[TermPublic]


class GlossaryPublic(BaseModel):
    id: str
    name: str
    entries: int = Field(description="How many entries the glossary holds")
    created_at: datetime
    updated_at: datetime


class GlossaryDetail(BaseModel):
    id: str
    name: str
    entry_count: int
    entries: list[TermPublic]
    created_at: datetime
    updated_at: datetime


class GlossaryList(BaseModel):
    items: list[GlossaryPublic]
    next_cursor: str | None


def glossary_public(glossary) -> GlossaryPublic:
    return GlossaryPublic(
        id=glossary.id,
        name=glossary.name,
        entries=glossary.entry_count,
        created_at=glossary.created_at,
        updated_at=glossary.updated_at,
    )


def glossary_detail(glossary) -> GlossaryDetail:
    return GlossaryDetail(
        id=glossary.id,
        name=glossary.name,
        entry_count=glossary.entry_count,
        entries=[TermPublic(ar=e.ar, en=e.en) for e in glossary.entries],
        created_at=glossary.created_at,
        updated_at=glossary.updated_at,
    )
