"""/metrics (reviewers and admins only), /readyz's model check, JSON logs with article ids."""

from __future__ import annotations

import io
import json
import logging
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from arq import Retry
from prometheus_client.parser import text_string_to_metric_families

from cli.localstack import free_port
from service.app.main import create_app
from service.config import Settings
from service.domain.types import Priority
from service.logs import JsonFormatter, configure_logging
from service.queue import enqueue_articles
from service.storage import articles as article_store
from service.storage.db import create_engine, session_factory, transaction
from tests.conftest import http_client, run_worker_burst
from workers.jobs import translate_article
from workers.leases import LeaseKeeper

TEXT = "عنوان الخبر\n\nقال الوزير إن الحكومة ستدعم المزارعين. وأضاف أن الدعم سيبدأ قريبا."


def samples(body: str) -> dict[tuple[str, tuple], float]:
    """{(sample name, sorted labels): value} of a Prometheus text exposition."""
    return {
        (s.name, tuple(sorted(s.labels.items()))): s.value
        for family in text_string_to_metric_families(body)
        for s in family.samples
    }


async def scrape(app, key: str) -> dict:
    async with http_client(app, key) as c:
        response = await c.get("/metrics")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("text/plain")
    return samples(response.text)


async def test_queue_depth_by_priority(app, settings, make_key):
    redis = app.state.redis
    await enqueue_articles(redis, [uuid.uuid4().hex for _ in range(2)], Priority.interactive)
    await enqueue_articles(redis, [uuid.uuid4().hex for _ in range(3)], Priority.bulk)
    later = datetime.now(UTC) + timedelta(hours=2)
    await enqueue_articles(redis, [uuid.uuid4().hex], Priority.bulk, not_before=later)
    found = await scrape(app, await make_key("review"))
    queue = {labels[0][1]: v for (name, labels), v in found.items() if name == "tarjama_queue_jobs"}
    assert queue == {"interactive": 2, "bulk": 3, "deferred": 1}
    assert found[("tarjama_dependency_up", (("dependency", "redis"),))] == 1
    assert found[("tarjama_dependency_up", (("dependency", "database"),))] == 1


async def test_article_figures_after_a_real_run(app, settings, make_key):
    key = await make_key("submit")
    async with http_client(app, key) as c:
        for _ in range(3):
            response = await c.post("/v1/articles", json={"text": f"{TEXT} {uuid.uuid4().hex}"})
            assert response.status_code == 202
    await run_worker_burst(settings)
    async with transaction(app.state.sessions) as session:
        failed = await article_store.create_article(session, text=TEXT, priority="bulk", force=True)
        await article_store.fail_article(session, failed.id, "ModelCardError: no model.bin: here")

    found = await scrape(app, await make_key("admin"))
    assert found[("tarjama_articles", (("status", "done"),))] == 3
    assert found[("tarjama_articles", (("status", "failed"),))] == 1
    assert found[("tarjama_article_failures", (("reason", "ModelCardError"),))] == 1
    assert found[("tarjama_translation_units_per_second", ())] > 0
    assert found[("tarjama_translation_units_total", ())] >= 3 * 3
    assert 0 <= found[("tarjama_translation_memory_hit_ratio", ())] <= 1
    # The three articles share their title and first sentence: those come from memory.
    assert found[("tarjama_translation_memory_hits_total", ())] >= 2
    interactive = (("priority", "interactive"),)
    assert found[("tarjama_job_latency_seconds_count", interactive)] == 3
    assert found[("tarjama_job_latency_seconds_sum", interactive)] > 0
    inf = (("le", "+Inf"), ("priority", "interactive"))
    assert found[("tarjama_job_latency_seconds_bucket", inf)] >= 3
    assert found[("tarjama_job_latency_seconds_bucket", (("le", "3600.0"), *interactive))] >= 3


async def test_readyz_checks_the_model(settings, tmp_path):
    app = create_app(settings)
    async with app.router.lifespan_context(app), http_client(app) as c:
        ready = await c.get("/readyz")
    assert ready.status_code == 200
    assert ready.json() == {"database": "ok", "redis": "ok", "model": "ok"}

    missing = create_app(settings.model_copy(update={"model": str(tmp_path / "no-such-model")}))
    async with missing.router.lifespan_context(missing), http_client(missing) as c:
        not_ready = await c.get("/readyz")
    assert not_ready.status_code == 503
    assert not_ready.json()["model"] == "error: ModelCardError"


def test_json_formatter_keeps_extra_fields():
    stream = io.StringIO()
    handler = logging.StreamHandler(stream)
    handler.setFormatter(JsonFormatter())
    logger = logging.getLogger(f"tarjama.test.{uuid.uuid4().hex}")
    logger.addHandler(handler)
    logger.propagate = False
    try:
        logger.warning("article %s: retry", "abc", extra={"article_id": "abc"})
        try:
            raise ValueError("boom")
        except ValueError:
            logger.exception("failed: «خبر»", extra={"article_id": "def"})
    finally:
        logger.removeHandler(handler)
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert first["message"] == "article abc: retry"
    assert first["article_id"] == "abc"
    assert first["level"] == "WARNING"
    assert datetime.fromisoformat(first["time"]).tzinfo is not None
    assert second["message"] == "failed: «خبر»"
    assert "ValueError: boom" in second["exception"]


def test_configure_logging_sends_json_to_stderr(settings, capsys):
    root = logging.getLogger()
    saved = root.handlers[:], root.level
    try:
        configure_logging(settings)
        logging.getLogger("uvicorn.error").info("started", extra={"port": 8000})
        line = capsys.readouterr().err.strip().splitlines()[-1]
    finally:
        root.handlers[:], level = saved
        root.setLevel(level)
    assert json.loads(line) | {"time": None} == {
        "time": None, "level": "INFO", "logger": "uvicorn.error", "message": "started",
        "port": 8000,
    }


async def test_a_job_logs_its_article_id(caplog):
    """A job that cannot reach its database retries and says which article it was."""
    engine = create_engine(f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/none")
    sessions = session_factory(engine)
    leases = LeaseKeeper(sessions, Settings())
    ctx = {"sessions": sessions, "leases": leases, "max_tries": 5, "job_try": 2}
    try:
        with caplog.at_level(logging.WARNING, logger="tarjama.worker"), pytest.raises(Retry):
            await translate_article(ctx, "a1b2c3")
    finally:
        await engine.dispose()
    (record,) = [r for r in caplog.records if r.name == "tarjama.worker"]
    assert record.article_id == "a1b2c3"
    assert "retry in 4s" in record.getMessage()
