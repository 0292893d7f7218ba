"""PostgreSQL restarts in the middle of a batch: jobs retry with backoff meanwhile, and
every accepted article ends done exactly once.

The test runs its own PostgreSQL cluster (initdb into a temporary folder, a free port,
trust authentication), so stopping it touches nothing else; with a private Redis, the API
and a worker as real processes.
"""

from __future__ import annotations

import asyncio
import glob
import os
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path

import httpx
import pytest

from cli.localstack import free_port
from service.storage.db import migrate
from tests.factories import create_api_key
from tests.faults.stack import (
    ARTICLES,
    Stack,
    assert_done_exactly_once,
    stack_env,
    submit_batch,
    wait_for,
)

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
DOWNTIME_S = 4
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
    stack = Stack(stack_env(url, tiny_model_dir), tmp_path)
    stack.key, stack.database_url = await create_api_key(url, name="faults"), url
    stack.start_redis()
    stack.start_api()
    try:
        yield stack
    finally:
        stack.stop_all()


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
