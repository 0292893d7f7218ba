"""Job coroutines. Each receives only an id; heavy clients live in `ctx`."""

from __future__ import annotations

import asyncio
import logging
import time
from dataclasses import dataclass, field

from arq import Retry
from sqlalchemy import Row
from sqlalchemy.exc import DBAPIError, OperationalError

from models.translator import Translation, clean_source
from service.domain.names import Matcher, default_layers, with_defaults
from service.domain.results import ArticleResult
from service.domain.terms import Glossary, Term, TermMatch, terms_in
from service.domain.types import Priority, SentenceOrigin
from service.storage import articles as article_store
from service.storage import batches as batch_store
from service.storage import glossaries as glossary_store
from service.storage import memory
from service.storage.db import transaction
from service.storage.tables import Article
from workers.leases import LeaseLostError
from workers.pipeline import ModelInfo, SegmentedArticle, assemble_result, segment_article

log = logging.getLogger("tarjama.worker")
RETRY_BASE_DELAY_S = 2
RETRY_MAX_DELAY_S = 120
TRANSIENT_ERRORS = (OperationalError, DBAPIError, OSError)
GLOSSARY_CACHE_SIZE = 32  # glossaries whose matchers a worker keeps built


async def translate_article(ctx: dict, article_id: str) -> str:
    """Translate, summarise and store one article; idempotent.

    Three transactions: mark the article running, leased to this worker (which renews the
    lease while it works); look up an identical finished article and the translation
    memory; store the result (with the memory's new entries).
    """
    sessions, leases = ctx["sessions"], ctx["leases"]
    try:
        async with transaction(sessions) as session:
            article = await article_store.start_article(
                session, article_id, holder=leases.holder, lease_s=leases.lease_s
            )
        if article is None:
            return "skipped: not queued"
        try:
            async with leases.hold(article_id) as lost:
                work = await leases.guard(lost, _translate(ctx, article))
        except LeaseLostError:
            log.warning(
                "article %s: its lease was taken, another run finishes it",
                article_id,
                extra={"article_id": article_id},
            )
            return "skipped: lease lost"
        except TRANSIENT_ERRORS:
            raise
        except Exception as exc:  # a model or pipeline error is final for this article
            log.exception("article %s failed", article_id, extra={"article_id": article_id})
            async with transaction(sessions) as session:
                await article_store.fail_article(
                    session, article_id, f"{type(exc).__name__}: {exc}"
                )
            return "failed"
        # The first run to finish stores, even one that lost its lease just now: the
        # article is still unfinished, so nothing is stored over another run's result.
        async with transaction(sessions) as session:
            await memory.remember(session, work.result.model_name, work.new_memory)
            saved = await article_store.save_result(
                session, article_id, work.result, replace=article.finished_at is not None
            )
            event_due = (
                saved
                and article.batch_id is not None
                and await batch_store.awaits_event(session, article.batch_id)
            )
        if not saved:
            return "skipped: finished meanwhile"
        if event_due:  # counted after the commit, so the batch's last article sees itself
            await ctx["on_batch_progress"](ctx, article.batch_id)
        return "reused" if work.result.reused_from else "done"
    except TRANSIENT_ERRORS as exc:
        job_try: int = ctx.get("job_try", 1)
        if job_try >= ctx["max_tries"]:
            # An outage is not the article's fault: never fail it for one. Give it back to
            # the queue; the reconciler queues it again once this job has ended.
            log.error(
                "article %s: still unavailable after %d tries, released for later: %s",
                article_id,
                job_try,
                exc,
                extra={"article_id": article_id},
            )
            await _release_quietly(ctx, article_id)
            raise
        delay = min(RETRY_BASE_DELAY_S * 2 ** (job_try - 1), RETRY_MAX_DELAY_S)
        log.warning(
            "article %s: transient error, retry in %ss: %s",
            article_id,
            delay,
            exc,
            extra={"article_id": article_id},
        )
        raise Retry(defer=delay) from exc


@dataclass
class _Work:
    result: ArticleResult
    # (key, source, target, confidence) of sentences the translation memory lacked.
    new_memory: list[tuple[str, str, str, float]]


async def _translate(ctx: dict, article: Row) -> _Work:
    translator = ctx["translator"]
    model = ModelInfo(translator.name, translator.quantization)
    title = None if article.title_detected else article.title_ar
    segmented = await asyncio.to_thread(segment_article, article.text, title)
    started = time.perf_counter()
    units = segmented.units
    use_memory = ctx["settings"].translation_memory
    found = _Found(keys=[memory.source_key(u) for u in units], unit_terms=[[] for _ in units])
    if not article.force or use_memory or article.glossary_id is not None or built_in_terms(ctx):
        async with transaction(ctx["sessions"]) as session:
            await _look_up(ctx, session, article, segmented, model.name, found)
    translations, known, keys = found.translations, found.known, found.keys
    unit_terms, glossary, reviewed = found.unit_terms, found.glossary, found.reviewed
    reused_from = found.prior.id if found.prior is not None and translations is not None else None
    origins: list[str | None]
    if translations is not None:
        assert found.prior is not None
        new_memory: list = []
        origins = _origins_of(found.prior, segmented)
    else:
        # A reviewed sentence is not translated: the loop below puts the reviewer's English.
        from_memory = known | {keys[i]: (text, None) for i, text in reviewed.items()}
        translations, translated = await _translate_units(
            ctx,
            units,
            keys,
            from_memory,
            urgent=article.priority == Priority.interactive,
            glossary=glossary,
            matches=found.unit_matches,
        )
        origins = [SentenceOrigin.memory if k in known else SentenceOrigin.model for k in keys]
        new_memory = translated if use_memory else []
    for i, text in reviewed.items():
        # A reviewer's English outranks the glossary too: no terms were enforced in it.
        translations[i] = Translation(text=text, confidence=1.0)
        origins[i] = SentenceOrigin.reviewed
        unit_terms[i] = []
    hits = sum(
        1 for i, k in enumerate(keys) if i in reviewed or (reused_from is None and k in known)
    )
    result = await asyncio.to_thread(
        assemble_result,
        segmented,
        translations,
        summary_sentences=article.summary_sentences,
        model=model,
        translate_ms=(time.perf_counter() - started) * 1000,
        memory_hits=hits,
        reused_from=reused_from,
        origins=origins,
        terms=unit_terms,
    )
    return _Work(result, new_memory)


@dataclass
class _Found:
    """What the database already knows for an article's units."""

    keys: list[str]  # memory keys of the units
    unit_terms: list[list[Term]]  # glossary terms in each unit
    # The glossary's matches in each unit (its `clean_source` text); None without one.
    unit_matches: list[list[TermMatch]] | None = None
    glossary: Matcher | None = None  # the article's glossary over the built-in terms
    prior: Article | None = None  # an identical article already translated
    translations: list[Translation] | None = None  # its translations
    known: dict = field(default_factory=dict)  # memory entries by key
    # Reviewers' English by unit index, for the units the reviewed memory knows.
    reviewed: dict[int, str] = field(default_factory=dict)


async def _look_up(ctx, session, article: Row, segmented, model_name: str, found: _Found) -> None:
    """Fill `found`: the reviewed memory's English, the glossary and its terms in each
    unit, a reusable identical article, else the translation memory's entries."""
    units = segmented.units
    use_memory = ctx["settings"].translation_memory
    if use_memory:
        # Reviewers' English outranks any machine translation, even a reused one, and the
        # glossary: it is keyed on the sentence alone (`found.keys` before terms join them).
        by_key = await memory.lookup_reviewed(session, found.keys)
        found.reviewed = {i: by_key[k] for i, k in enumerate(found.keys) if k in by_key}
    own = None
    if article.glossary_id is not None:
        own = await _glossary(ctx, session, article.glossary_id)
    found.glossary = with_defaults(own, built_in_terms(ctx))
    if not article.force:
        found.prior = await article_store.find_reusable(session, article, model_name)
        if found.prior is not None:
            found.translations = _translations_of(found.prior, segmented)
    if found.glossary:
        glossary = found.glossary
        found.unit_matches = await asyncio.to_thread(
            lambda: [glossary.find(clean_source(u)) for u in units]
        )
        found.unit_terms = [terms_in(m) for m in found.unit_matches]
        # A sentence with terms is remembered with them: a memory hit never skips them.
        found.keys = [memory.source_key(u, t) for u, t in zip(units, found.unit_terms, strict=True)]
    if found.translations is None and use_memory:
        machine = [k for i, k in enumerate(found.keys) if i not in found.reviewed]
        found.known = await memory.lookup(session, model_name, machine)


def built_in_terms(ctx: dict) -> list[Matcher]:
    """The names every article's translation keeps (the settings say which), built once
    per worker."""
    if "built_in_terms" not in ctx:
        settings = ctx["settings"]
        ctx["built_in_terms"] = default_layers(
            latin=settings.copy_latin, numbers=settings.copy_numbers, places=settings.place_names
        )
    return ctx["built_in_terms"]


async def _glossary(ctx: dict, session, glossary_id: str) -> Glossary | None:
    """The glossary's matcher, built once per version of it and kept in `ctx`."""
    version = await glossary_store.glossary_version(session, glossary_id)
    if version is None:  # deleted meanwhile
        return None
    cache: dict = ctx.setdefault("glossaries", {})
    if cache.get(glossary_id, (None,))[0] != version:
        terms = await glossary_store.glossary_terms(session, glossary_id)
        if len(cache) >= GLOSSARY_CACHE_SIZE:
            cache.pop(next(iter(cache)))
        cache[glossary_id] = (version, await asyncio.to_thread(Glossary, terms))
    return cache[glossary_id][1]


async def _translate_units(
    ctx: dict,
    units: list[str],
    keys: list[str],
    known: dict,
    *,
    urgent: bool,
    glossary: Matcher | None = None,
    matches: list[list[TermMatch]] | None = None,
) -> tuple[list[Translation], list[tuple[str, str, str, float]]]:
    """Translations of `units` (whose memory keys are `keys`), taking those the memory
    knows from `known` and translating each other distinct sentence once; and the
    memory entries of the sentences translated. `matches` are the glossary's matches in
    each unit, where they were found already."""
    todo = list(dict.fromkeys(k for k in keys if k not in known))
    source_of = dict(zip(keys, units, strict=True))
    matches_of = dict(zip(keys, matches, strict=True)) if matches is not None else None
    fresh = await ctx["batcher"].translate(
        [source_of[k] for k in todo],
        urgent=urgent,
        glossary=glossary,
        matches=[matches_of[k] for k in todo] if matches_of is not None else None,
    )
    new = dict(zip(todo, fresh, strict=True))
    translations = [
        new[k] if k in new else Translation(text=known[k][0], confidence=known[k][1] or 0.0)
        for k in keys
    ]
    return translations, [(k, source_of[k], t.text, t.confidence) for k, t in new.items()]


def _origins_of(prior: Article, segmented: SegmentedArticle) -> list[str | None]:
    """Where the reused article's English came from, in `segmented.units` order."""
    origins = [s.origin for p in prior.paragraphs for s in p.sentences]
    return ([None] if segmented.title else []) + origins


def _translations_of(prior: Article, segmented: SegmentedArticle) -> list[Translation] | None:
    """The stored translations of an identical article, in `segmented.units` order, or
    None if it was segmented differently (by an older version of the segmenter)."""
    sentences = [
        Translation(text=s.en, confidence=s.confidence or 0.0)
        for p in prior.paragraphs
        for s in p.sentences
    ]
    if segmented.title:
        sentences.insert(0, Translation(text=prior.title_en or "", confidence=1.0))
    stored_ar = ([prior.title_ar] if segmented.title else []) + [
        s.ar for p in prior.paragraphs for s in p.sentences
    ]
    return sentences if stored_ar == segmented.units else None


async def _release_quietly(ctx: dict, article_id: str) -> None:
    try:
        async with transaction(ctx["sessions"]) as session:
            await article_store.release_article(session, article_id)
    except Exception:  # still down: the reconciler finds the running article later
        log.exception(
            "article %s: could not release it", article_id, extra={"article_id": article_id}
        )
