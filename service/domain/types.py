"""The values an article, a sentence, a memory entry, a job and an API key can take."""

from __future__ import annotations

from enum import StrEnum


class Priority(StrEnum):
    interactive = "interactive"
    bulk = "bulk"


class ArticleStatus(StrEnum):
    queued = "queued"
    running = "running"
    done = "done"
    failed = "failed"
    cancelled = "cancelled"


# An article is final once it is done, failed or cancelled.
FINISHED = (ArticleStatus.done, ArticleStatus.failed, ArticleStatus.cancelled)
UNFINISHED = (ArticleStatus.queued, ArticleStatus.running)


class SentenceOrigin(StrEnum):
    """Where a stored sentence's English came from."""

    model = "model"  # translated by the model for this article
    memory = "memory"  # a machine translation taken from the translation memory
    reviewed = "reviewed"  # a reviewer's English, taken from the reviewed memory


class MemoryOrigin(StrEnum):
    """How a reviewed memory entry arrived."""

    edit = "edit"  # a correction made on the review page or through the API
    xliff = "xliff"  # a correction imported from an XLIFF file
    tmx = "tmx"  # a unit of an imported TMX file


class ArticleFormat(StrEnum):
    """How an article's text was sent: plain text, or an HTML page to extract it from."""

    text = "text"
    html = "html"


class KeyRole(StrEnum):
    submit = "submit"
    review = "review"
    admin = "admin"
