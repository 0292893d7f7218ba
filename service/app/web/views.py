"""What the review pages show, shaped from stored rows; no HTTP in here."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime

from service.app.schemas import article_public
from service.app.web.security import web_url
from service.domain.terms import Glossary, Term

# Below this translation confidence (exp of the mean token log-probability) a sentence is
# marked for the reviewer's attention.
LOW_CONFIDENCE = 0.35
REFRESH_WHILE_RUNNING_S = 5
STATUS_ORDER = ("done", "failed", "cancelled", "running", "queued")
PREVIEW_CHARS = 120
EXPORT_FORMATS = (("jsonl", "JSONL"), ("tmx", "TMX"), ("csv", "CSV"))


@dataclass
class SentenceView:
    paragraph: int
    index: int
    ar: str
    en: str
    machine_en: str
    edited: bool
    confidence: float | None
    in_summary: bool
    terms: list = field(default_factory=list)  # glossary terms applied, [TermPublic]

    @property
    def en_parts(self) -> list[tuple[str, bool]]:
        """The English as (text, is a glossary term) runs, for highlighting."""
        return term_runs(self.en, [(t.en, t.en) for t in self.terms], casefold=True)

    @property
    def ar_parts(self) -> list[tuple[str, bool]]:
        """The Arabic as (text, is a glossary term) runs, found as the worker found them."""
        if not self.terms:
            return [(self.ar, False)]
        matches = Glossary(Term(t.ar, t.en) for t in self.terms).find(self.ar)
        return _runs(self.ar, [(m.start, m.end) for m in matches])

    @property
    def anchor(self) -> str:
        return f"s-{self.paragraph}-{self.index}"

    @property
    def low_confidence(self) -> bool:
        # A reviewer's correction replaces the doubtful machine output.
        return not self.edited and self.confidence is not None and self.confidence < LOW_CONFIDENCE


@dataclass
class ParagraphView:
    index: int
    ar: str
    en: str
    sentences: list[SentenceView] = field(default_factory=list)


@dataclass
class FormError:
    """A correction that was refused, shown again next to its sentence."""

    paragraph: int
    sentence: int
    message: str
    text: str


def paragraph_views(article) -> list[ParagraphView]:
    """The article's paragraph pairs with their sentences as the API shows them (reviewer
    corrections replace machine output), the summary's sentences marked."""
    public = article_public(article)
    summary = public.summary.sentences if public.summary else []
    chosen = {(s.paragraph, s.sentence) for s in summary}
    return [
        ParagraphView(
            index=p.index,
            ar=p.ar,
            en=p.en,
            sentences=[
                SentenceView(
                    paragraph=p.index,
                    index=s.index,
                    ar=s.ar,
                    en=s.en,
                    machine_en=s.machine_en,
                    edited=s.edited,
                    confidence=s.confidence,
                    in_summary=(p.index, s.index) in chosen,
                    terms=s.terms,
                )
                for s in p.sentences
            ],
        )
        for p in public.paragraphs
    ]


def term_runs(text: str, terms, *, casefold: bool) -> list[tuple[str, bool]]:
    """`text` cut into (text, is a term) runs at each occurrence of the terms' English."""
    spans: list[tuple[int, int]] = []
    haystack = text.lower() if casefold else text
    for needle, _ in sorted(terms, key=lambda t: -len(t[0])):
        needle = needle.lower() if casefold else needle
        start = haystack.find(needle)
        while needle and start >= 0:
            end = start + len(needle)
            if not any(a < end and start < b for a, b in spans):
                spans.append((start, end))
            start = haystack.find(needle, end)
    return _runs(text, sorted(spans))


def _runs(text: str, spans: list[tuple[int, int]]) -> list[tuple[str, bool]]:
    runs, at = [], 0
    for start, end in spans:
        if start > at:
            runs.append((text[at:start], False))
        runs.append((text[start:end], True))
        at = end
    if at < len(text) or not runs:
        runs.append((text[at:], False))
    return runs


def summary_sentences(paragraphs: list[ParagraphView]) -> list[SentenceView]:
    return [s for p in paragraphs for s in p.sentences if s.in_summary]


def as_utc(moment: datetime | None) -> datetime | None:
    """SQLite hands back naive datetimes; every stored time is UTC."""
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def format_when(moment: datetime | None) -> str:
    moment = as_utc(moment)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M UTC") if moment else "—"


def format_when_short(moment: datetime | None) -> str:
    moment = as_utc(moment)
    return moment.astimezone(UTC).strftime("%Y-%m-%d %H:%M") if moment else "—"


def first_line(text: str, limit: int = PREVIEW_CHARS) -> str:
    """The start of an article not yet translated, to tell it apart in lists."""
    line = next((ln.strip() for ln in text.splitlines() if ln.strip()), "")
    return line if len(line) <= limit else line[:limit].rstrip() + "…"


def format_iso(moment: datetime | None) -> str:
    moment = as_utc(moment)
    return moment.isoformat() if moment else ""


def format_seconds(seconds: float | None) -> str:
    if seconds is None:
        return "—"
    if seconds < 1:
        return f"{seconds * 1000:.0f} ms"
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes} min {rest} s"


def between(start: datetime | None, end: datetime | None) -> float | None:
    start, end = as_utc(start), as_utc(end)
    if start is None or end is None:
        return None
    return max(0.0, (end - start).total_seconds())


def timings(article) -> list[tuple[str, str]]:
    """(label, value) rows: waiting, processing and translation times."""
    translate = article.translate_ms / 1000 if article.translate_ms is not None else None
    return [
        ("Waited in queue", format_seconds(between(article.created_at, article.started_at))),
        ("Processed in", format_seconds(between(article.started_at, article.finished_at))),
        ("Translation", format_seconds(translate)),
    ]


def source_link(url: str | None) -> str | None:
    return web_url(url)


def bar_segments(counts: dict[str, int]) -> list[tuple[str, float, float, int]]:
    """(status, x, width, count) for a stacked progress bar 100 units wide."""
    total = sum(counts.values())
    segments, x = [], 0.0
    for status in STATUS_ORDER:
        count = counts.get(status, 0)
        width = 100.0 * count / total if total else 0.0
        segments.append((status, round(x, 3), round(width, 3), count))
        x += width
    return segments


def counts_label(counts: dict[str, int]) -> str:
    parts = [f"{counts[s]} {s}" for s in STATUS_ORDER if counts.get(s)]
    return ", ".join(parts) if parts else "no articles"
