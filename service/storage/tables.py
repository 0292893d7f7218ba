"""Database tables.

An article owns its paragraph pairs, each paragraph its sentence pairs, and the article
its summary. Indexes are 0-based and in document order; (article, index) pairs are unique
so that a re-run job can never leave two sets of results.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column, relationship


class ArticleStatus(StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"


def utcnow() -> datetime:
    return datetime.now(UTC)


def new_id() -> str:
    return uuid.uuid4().hex


class Base(DeclarativeBase):
    pass


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
