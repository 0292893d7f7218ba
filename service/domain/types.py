"""The values an article, a job and an API key can take."""

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


class KeyRole(StrEnum):
    submit = "submit"
    review = "review"
    admin = "admin"
