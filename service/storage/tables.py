"""Database tables.

An article owns its paragraph pairs, each paragraph its sentence pairs, and the article
its summary. Indexes are 0-based and in document order; (article, index) pairs are unique
so that a re-run job can never leave two sets of results.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Table,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship

from service.domain.types import ArticleStatus


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return uuid.uuid4().hex


class Base(DeclarativeBase):
    # Named constraints, so that migrations can alter them on every database.
    metadata = MetaData(
        naming_convention={
            "ix": "ix_%(column_0_label)s",
            "uq": "uq_%(table_name)s_%(column_0_name)s",
            "ck": "ck_%(table_name)s_%(constraint_name)s",
            "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
            "pk": "pk_%(table_name)s",
        }
    )


class Article(Base):
    __tablename__ = "articles"

    # `seq` orders articles for cursor pagination; `id` is the public identifier.
    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(32), unique=True, default=new_id)
    status: Mapped[str] = mapped_column(String(16), default=ArticleStatus.queued, index=True)
    priority: Mapped[str] = mapped_column(String(16))
    text: Mapped[str] = mapped_column(Text)
    title_ar: Mapped[str | None] = mapped_column(Text)
    title_en: Mapped[str | None] = mapped_column(Text)
    # True when title_ar is the article's first paragraph, taken as its headline.
    title_detected: Mapped[bool] = mapped_column(Boolean, default=False)
    source_url: Mapped[str | None] = mapped_column(Text)
    external_id: Mapped[str | None] = mapped_column(String(200))
    summary_sentences: Mapped[int | None] = mapped_column(Integer)
    model_name: Mapped[str | None] = mapped_column(String(200))
    model_quantization: Mapped[str | None] = mapped_column(String(32))
    error: Mapped[str | None] = mapped_column(Text)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    translate_ms: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    started_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    finished_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    batch_id: Mapped[str | None] = mapped_column(
        ForeignKey("batches.id", ondelete="CASCADE"), index=True
    )
    # sha256 of the normalised text, to reuse the result of an identical article.
    content_hash: Mapped[str | None] = mapped_column(String(64), index=True)
    reused_from: Mapped[str | None] = mapped_column(String(32))
    force: Mapped[bool] = mapped_column(Boolean, default=False)
    # Units translated (title and sentences) and how many came from the translation memory.
    unit_count: Mapped[int | None] = mapped_column(Integer)
    memory_hits: Mapped[int | None] = mapped_column(Integer)
    not_before: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    owner_key: Mapped[str | None] = mapped_column(String(32), index=True)
    reviewed_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    reviewed_by: Mapped[str | None] = mapped_column(String(200))
    # The worker running the article, and until when: it renews the lease while it works,
    # and the reconciler takes back an article whose lease has lapsed.
    lease_holder: Mapped[str | None] = mapped_column(String(64))
    lease_expires_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Terms enforced in the translation; an article whose glossary is deleted before it is
    # translated is translated without one.
    glossary_id: Mapped[str | None] = mapped_column(
        ForeignKey("glossaries.id", ondelete="SET NULL"), index=True
    )

    paragraphs: Mapped[list[ParagraphPair]] = relationship(
        back_populates="article", order_by="ParagraphPair.index", cascade="all, delete-orphan"
    )
    summary: Mapped[Summary | None] = relationship(
        back_populates="article", cascade="all, delete-orphan"
    )


class ParagraphPair(Base):
    __tablename__ = "paragraph_pairs"
    __table_args__ = (UniqueConstraint("article_id", "index"),)

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    article_id: Mapped[str] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    index: Mapped[int] = mapped_column(Integer)
    ar: Mapped[str] = mapped_column(Text)
    en: Mapped[str] = mapped_column(Text)

    article: Mapped[Article] = relationship(back_populates="paragraphs")
    sentences: Mapped[list[SentencePair]] = relationship(
        back_populates="paragraph", order_by="SentencePair.index", cascade="all, delete-orphan"
    )


class SentencePair(Base):
    __tablename__ = "sentence_pairs"
    __table_args__ = (
        UniqueConstraint("paragraph_pk", "index"),
        Index("ix_sentence_pairs_article", "article_id"),
    )

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    article_id: Mapped[str] = mapped_column(ForeignKey("articles.id", ondelete="CASCADE"))
    paragraph_pk: Mapped[int] = mapped_column(
        ForeignKey("paragraph_pairs.pk", ondelete="CASCADE")
    )
    paragraph_index: Mapped[int] = mapped_column(Integer)
    index: Mapped[int] = mapped_column(Integer)
    ar: Mapped[str] = mapped_column(Text)
    en: Mapped[str] = mapped_column(Text)
    confidence: Mapped[float | None] = mapped_column(Float)
    in_summary: Mapped[bool] = mapped_column(Boolean, default=False)
    # A reviewer's correction of `en` (the machine translation, kept as it was).
    edited_en: Mapped[str | None] = mapped_column(Text)
    edited_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    # Glossary terms applied, a JSON list of {"ar", "en"}; null when none.
    terms_json: Mapped[str | None] = mapped_column(Text)

    paragraph: Mapped[ParagraphPair] = relationship(back_populates="sentences")


class Summary(Base):
    __tablename__ = "summaries"

    article_id: Mapped[str] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), primary_key=True
    )
    text_en: Mapped[str] = mapped_column(Text)
    text_ar: Mapped[str] = mapped_column(Text)
    sentence_count: Mapped[int] = mapped_column(Integer)
    method: Mapped[str] = mapped_column(String(64))

    article: Mapped[Article] = relationship(back_populates="summary")


class Batch(Base):
    __tablename__ = "batches"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(32), unique=True, default=new_id)
    name: Mapped[str | None] = mapped_column(String(200))
    priority: Mapped[str] = mapped_column(String(16))
    not_before: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    callback_url: Mapped[str | None] = mapped_column(Text)
    cancelled_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    notified_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    owner_key: Mapped[str | None] = mapped_column(String(32), index=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    # What ingest answered, kept so that an Idempotency-Key retry gets the same answer.
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    rejected_json: Mapped[str] = mapped_column(Text, default="[]")


class IdempotencyKey(Base):
    """A client's Idempotency-Key, remembered with what its first request created."""

    __tablename__ = "idempotency_keys"

    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    kind: Mapped[str] = mapped_column(String(16), primary_key=True)
    owner_key: Mapped[str] = mapped_column(String(32), primary_key=True, default="")
    target_id: Mapped[str] = mapped_column(String(32))
    # sha256 of the first request's body, where there is one to compare a retry with.
    request_hash: Mapped[str | None] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class TranslationMemory(Base):
    """Sentences already translated by a model, reused instead of translated again."""

    __tablename__ = "translation_memory"

    model_name: Mapped[str] = mapped_column(String(200), primary_key=True)
    source_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    source: Mapped[str] = mapped_column(Text)
    target: Mapped[str] = mapped_column(Text)
    confidence: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class SentenceEdit(Base):
    """Audit trail of reviewers' corrections: who, when, before, after."""

    __tablename__ = "sentence_edits"

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    article_id: Mapped[str] = mapped_column(
        ForeignKey("articles.id", ondelete="CASCADE"), index=True
    )
    sentence_pk: Mapped[int] = mapped_column(ForeignKey("sentence_pairs.pk", ondelete="CASCADE"))
    paragraph_index: Mapped[int] = mapped_column(Integer)
    sentence_index: Mapped[int] = mapped_column(Integer)
    editor: Mapped[str] = mapped_column(String(200))
    before: Mapped[str] = mapped_column(Text)
    after: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


class ApiKey(Base):
    """An API key: only its SHA-256 hash is stored; `prefix` identifies it in lists."""

    __tablename__ = "api_keys"

    id: Mapped[str] = mapped_column(String(32), primary_key=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    prefix: Mapped[str] = mapped_column(String(16))
    key_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))
    last_used_at: Mapped[datetime | None] = mapped_column(DateTime(timezone=True))


class Glossary(Base):
    """A named list of terms, each Arabic source with the English it must give."""

    __tablename__ = "glossaries"

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(32), unique=True, default=new_id)
    name: Mapped[str] = mapped_column(String(200))
    owner_key: Mapped[str | None] = mapped_column(String(32), index=True)
    entry_count: Mapped[int] = mapped_column(Integer, default=0)
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)

    entries: Mapped[list[GlossaryEntry]] = relationship(
        back_populates="glossary",
        order_by="GlossaryEntry.index",
        cascade="all, delete-orphan",
        passive_deletes=True,
    )


class GlossaryEntry(Base):
    __tablename__ = "glossary_entries"
    __table_args__ = (UniqueConstraint("glossary_id", "index"),)

    pk: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    glossary_id: Mapped[str] = mapped_column(ForeignKey("glossaries.id", ondelete="CASCADE"))
    index: Mapped[int] = mapped_column(Integer)
    ar: Mapped[str] = mapped_column(Text)
    en: Mapped[str] = mapped_column(Text)

    glossary: Mapped[Glossary] = relationship(back_populates="entries")


class ReviewSession(Base):
    """A signed-in browser on the review pages. The cookie holds a random token; only its
    SHA-256 hash is stored. It ends at `expires_at`, on sign-out, or when its key is revoked."""

    __tablename__ = "review_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    key_id: Mapped[str] = mapped_column(
        ForeignKey("api_keys.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), index=True)


def core_table(model: type[Base]) -> Table:
    """The Core table of a mapped class, for statements that skip the ORM (`__table__`
    is typed as any FromClause)."""
    return Base.metadata.tables[model.__tablename__]
