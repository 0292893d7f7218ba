"""PostgreSQL restarts in the middle of a batch: jobs retry with backoff meanwhile, and
every accepted article ends done exactly once.

The test runs its own PostgreSQL cluster (initdb into a temporary folder, a free port,
trust authentication), so stopping it touches nothing else; with a private Redis, the API
and a worker as real processes.
"""

from __future__ import annotations

import asyncio
import glob
import json
import os
import shutil
import signal
import subprocess
import tempfile
import time
import uuid
from pathlib import Path

import httpx
import pytest
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from service.localstack import free_port
from service.storage.db import create_engine, migrate, session_factory, transaction
from service.storage.keys import create_key
from service.storage.tables import Article, KeyRole, ParagraphPair, SentencePair, Summary
from tests.faults.stack import Stack

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
ARTICLES = 30
DOWNTIME_S = 4
FINISH_TIMEOUT_S = 180
PG_TIMEOUT_S = 60


def postgres_bin_dir() -> Path | None:
    """The newest installed PostgreSQL's bin folder (Debian layout), or one on PATH."""
    found = sorted(glob.glob("/usr/lib/postgresql/*/bin/initdb"), key=_version)
    if found:
        return Path(found[-1]).parent
    on_path = shutil.which("initdb")
    return Path(on_path).parent if on_path else None


def _version(path: str) -> float:
    try:
        return float(Path(path).parent.parent.name)
    except ValueError:
        return 0.0


class PrivatePostgres:
    """A throwaway PostgreSQL cluster that can be stopped and started at will."""

    def __init__(self, bin_dir: Path) -> None:
        self.bin_dir = bin_dir
        self.port = free_port()
        # Its own folder, readable by the postgres user when we run as root.
        self.root = Path(tempfile.mkdtemp(prefix="tarjama-pg-"))
        self.data = self.root / "data"
        self.log = self.root / "postgres.log"
        self.as_user = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_user:
            shutil.chown(self.root, "postgres")
        self.root.chmod(0o755)

    @property
    def admin_url(self) -> str:
        return f"postgresql://postgres@127.0.0.1:{self.port}/postgres"

    def _run(self, tool: str, *args: str) -> None:
        subprocess.run(
            [*self.as_user, str(self.bin_dir / tool), *args],
            check=True, capture_output=True, timeout=PG_TIMEOUT_S,
        )

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "-A", "trust",
                  "-E", "UTF8", "--no-sync")

    def start(self) -> None:
        options = (f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.root} "
                   "-c fsync=off -c full_page_writes=off")
        self._run("pg_ctl", "-D", str(self.data), "-l", str(self.log), "-o", options,
                  "-w", "-t", str(PG_TIMEOUT_S), "start")

    def stop(self, mode: str = "fast") -> None:
        self._run("pg_ctl", "-D", str(self.data), "-m", mode, "-w", "stop")

    def create_database(self, name: str) -> str:
        self._run("createdb", "-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres", name)
        return f"postgresql+asyncpg://postgres@127.0.0.1:{self.port}/{name}"

    def destroy(self) -> None:
        try:
            self.stop("immediate")
        except subprocess.CalledProcessError:
            pass  # already stopped
        shutil.rmtree(self.root, ignore_errors=True)


@pytest.fixture
def private_postgres():
    bin_dir = postgres_bin_dir()
    if bin_dir is None:
        pytest.skip("needs PostgreSQL's server programs (initdb, pg_ctl) installed")
    cluster = PrivatePostgres(bin_dir)
    try:
        cluster.init()
        cluster.start()
        yield cluster
    finally:
        cluster.destroy()


@pytest.fixture
async def stack(private_postgres, tiny_model_dir, tmp_path):
    url = private_postgres.create_database("tarjama")
    await asyncio.to_thread(migrate, url)  # alembic runs its own event loop
    engine = create_engine(url)
    try:
        async with transaction(session_factory(engine)) as session:
            key = (await create_key(session, "faults", KeyRole.submit))[1]
    finally:
        await engine.dispose()
    env = {
        "DATABASE_URL": url,
        "TARJAMA_MODEL": str(tiny_model_dir),
        "TARJAMA_QUEUE_NAME": f"tarjama-faults:{uuid.uuid4().hex}",
        "TARJAMA_JOB_TIMEOUT_S": "10",
        "TARJAMA_RECONCILE_INTERVAL_S": "1",
        "TARJAMA_WORKER_MAX_JOBS": "2",
        "TARJAMA_TRANSLATE_THREADS": "1",
        "TARJAMA_BEAM_SIZE": "1",
    }
    stack = Stack(env, tmp_path)
    stack.key, stack.database_url = key, url
    stack.start_redis()
    stack.start_api()
    try:
        yield stack
    finally:
        stack.stop_all()


def submit_batch(stack: Stack) -> str:
    run = uuid.uuid4().hex[:8]
    lines = [
        json.dumps(
            {"text": f"خبر {run} رقم {i}.\nقال المتحدث إن الاجتماع {i} انتهى. وأضاف أن النتائج ستعلن.",
             "external_id": f"{run}-{i}"},
            ensure_ascii=False,
        )
        for i in range(ARTICLES)
    ]
    with httpx.Client(base_url=stack.api_url, headers={"Authorization": f"Bearer {stack.key}"}) as c:
        response = c.post("/v1/batches", content="\n".join(lines),
                          headers={"content-type": "application/x-ndjson"})
    response.raise_for_status()
    assert response.json()["accepted"] == ARTICLES
    return response.json()["id"]


def wait_for(stack: Stack, batch_id: str, predicate, what: str) -> dict:
    """Poll the batch through the API, riding out answers given while the database is down."""
    deadline = time.monotonic() + FINISH_TIMEOUT_S
    state: dict = {}
    with httpx.Client(base_url=stack.api_url, headers={"Authorization": f"Bearer {stack.key}"}) as c:
        while time.monotonic() < deadline:
            try:
                response = c.get(f"/v1/batches/{batch_id}", timeout=10)
                if response.status_code == 200:
                    state = response.json()
                    if predicate(state):
                        return state
            except httpx.HTTPError:
                pass
            time.sleep(0.2)
    raise AssertionError(f"{what} not reached: {state}")


async def assert_done_exactly_once(url: str, batch_id: str) -> None:
    engine = create_async_engine(url)
    in_batch = Article.batch_id == batch_id
    try:
        async with engine.connect() as conn:
            statuses = dict((await conn.execute(
                select(Article.status, func.count()).where(in_batch).group_by(Article.status)
            )).all())
            paragraphs = (await conn.execute(
                select(ParagraphPair.article_id, func.count(),
                       func.count(func.distinct(ParagraphPair.index)))
                .join(Article, Article.id == ParagraphPair.article_id).where(in_batch)
                .group_by(ParagraphPair.article_id)
            )).all()
            sentences = await conn.scalar(
                select(func.count()).select_from(SentencePair)
                .join(Article, Article.id == SentencePair.article_id).where(in_batch)
            )
            summaries = await conn.scalar(
                select(func.count()).select_from(Summary)
                .join(Article, Article.id == Summary.article_id).where(in_batch)
            )
    finally:
        await engine.dispose()
    assert statuses == {"done": ARTICLES}
    assert len(paragraphs) == ARTICLES
    assert all(total == distinct == 2 for _, total, distinct in paragraphs), paragraphs
    assert sentences == ARTICLES * 3  # one sentence, then two, in each article
    assert summaries == ARTICLES


def api_ready(stack: Stack) -> tuple[int, dict]:
    response = httpx.get(f"{stack.api_url}/readyz", timeout=10)
    return response.status_code, response.json()


async def test_postgres_restart_in_the_middle_of_a_batch(stack, private_postgres, tmp_path):
    batch_id = submit_batch(stack)
    worker = stack.start_worker()
    wait_for(stack, batch_id, lambda s: 3 <= s["counts"]["done"], "some articles done")

    private_postgres.stop("immediate")  # as if it crashed
    status, checks = api_ready(stack)
    assert status == 503 and checks["database"].startswith("error"), checks
    await asyncio.sleep(DOWNTIME_S)  # the worker's jobs fail meanwhile and are retried with backoff
    private_postgres.start()

    state = wait_for(stack, batch_id, lambda s: s["finished"], "batch finished after restart")
    assert state["counts"]["done"] == ARTICLES, state
    assert api_ready(stack) == (200, {"database": "ok", "redis": "ok", "model": "ok"})
    await assert_done_exactly_once(stack.database_url, batch_id)
    assert worker.poll() is None, "the worker must ride out the outage, not exit"
    log = (tmp_path / "worker-0.log").read_text(errors="replace")
    assert "transient error, retry in" in log, "no job met the outage: the test proved nothing"
    stack.stop(worker, signal.SIGTERM)
