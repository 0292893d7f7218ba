"""A worker is built in one place (`workers.settings.build_worker`): every way to start one
gets the article queue, the priority worker, its retries and its timeouts.

arq's own command line (`arq workers.settings.WorkerSettings`) can only build arq's plain
`Worker` from a class of options, so it cannot start the priority worker; the module offers
no such class, and `tarjama worker` is the way to start one.
"""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from service.config import Settings
from service.storage.db import migrate
from tests.conftest import make_settings

ROOT = Path(__file__).resolve().parents[2]
TEXT = "عنوان قصير\n\nقال الوزير إن الحكومة ستدعم المزارعين. وأضاف أن الدعم سيبدأ قريبا."


@pytest.fixture
def settings(tmp_path, tiny_model_dir) -> Settings:
    """A database of this test's own: a started worker's reconciler adopts every unfinished
    article it finds, and must find only this test's."""
    url = f"sqlite+aiosqlite:///{tmp_path / 'tarjama.db'}"
    migrate(url)
    return make_settings(url, tiny_model_dir)


def start(command: list[str], settings: Settings) -> subprocess.CompletedProcess:
    env = os.environ | {
        "DATABASE_URL": settings.database_url,
        "REDIS_URL": settings.redis_url,
        "TARJAMA_QUEUE_NAME": settings.queue_name,
        "TARJAMA_MODEL": settings.model,
        "TARJAMA_BEAM_SIZE": str(settings.beam_size),
        "TARJAMA_WORKER_MAX_JOBS": str(settings.worker_max_jobs),
        "TARJAMA_LOG_JSON": "false",
    }
    return subprocess.run(
        [sys.executable, "-m", *command], cwd=ROOT, env=env, capture_output=True, text=True,
        timeout=120,
    )


async def status_of(client, article_id: str) -> str:
    response = await client.get(f"/v1/articles/{article_id}")
    assert response.status_code == 200, response.text
    return response.json()["status"]


async def test_every_way_to_start_a_worker_runs_the_queued_article(client, settings):
    response = await client.post("/v1/articles", json={"text": TEXT, "priority": "bulk"})
    assert response.status_code == 202, response.text
    article_id = response.json()["id"]

    # arq's command line has nothing to start: it must not start a worker that polls
    # another queue and leaves the article waiting.
    arq = start(["arq", "workers.settings.WorkerSettings", "--burst"], settings)
    assert arq.returncode != 0, arq.stdout + arq.stderr
    assert "WorkerSettings" in arq.stderr
    assert await status_of(client, article_id) == "queued"

    worker = start(["cli.main", "worker", "--burst"], settings)
    assert worker.returncode == 0, worker.stdout + worker.stderr
    assert await status_of(client, article_id) == "done"
