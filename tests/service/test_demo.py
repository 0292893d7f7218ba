"""`tarjama demo` as a newcomer runs it: a real process with its own Redis, worker and API."""

from __future__ import annotations

import os
import re
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from cli.localstack import free_port
from service.app.auth import SESSION_COOKIE
from tests.conftest import REPO_DIR, SAMPLES_DIR

READY_TIMEOUT_S = 180
STOP_TIMEOUT_S = 40


def descendants(pid: int) -> set[int]:
    """Every process below `pid`, read from /proc."""
    parents: dict[int, int] = {}
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
        except OSError:
            continue
        parents[int(entry.name)] = int(stat.rsplit(")", 1)[1].split()[1])
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier}
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


@pytest.fixture
def demo(tmp_path, tiny_model_dir):
    """start(*args) -> the running `tarjama demo` process, on a Redis port nothing answers
    (so it starts its own redis-server) and a SQLite file of its own."""
    samples = tmp_path / "samples"
    samples.mkdir()
    shutil.copy(SAMPLES_DIR / "sy24-deir-ez-zor.txt", samples)
    env = {
        **os.environ,
        "DATABASE_URL": f"sqlite:///{tmp_path / 'demo.db'}",
        "REDIS_URL": f"redis://127.0.0.1:{free_port()}/0",
        "TARJAMA_MODEL": str(tiny_model_dir),
        "TARJAMA_TRANSLATE_REPLICAS": "1",
        "TARJAMA_BEAM_SIZE": "1",
        "COLUMNS": "200",  # no wrapped lines to parse
    }
    started: list[subprocess.Popen] = []

    def start(*args: str) -> subprocess.Popen:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "cli.main",
                "demo",
                "--samples",
                str(samples),
                "--log-dir",
                str(tmp_path / "log"),
                *args,
            ],
            cwd=REPO_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        started.append(proc)
        return proc

    yield start
    for proc in started:
        for pid in descendants(proc.pid):
            os.kill(pid, signal.SIGKILL)
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        proc.stdout.close()


def read_until(proc: subprocess.Popen, marker: str) -> str:
    out = []
    deadline = time.monotonic() + READY_TIMEOUT_S
    while time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        out.append(line)
        if marker in line:
            return "".join(out)
    raise AssertionError(f"no {marker!r} from the demo:\n{''.join(out)}")


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_stops_the_serving_demo_and_every_child(demo, signum):
    proc = demo("--keep-serving")
    out = read_until(proc, "Press Ctrl-C")
    children = descendants(proc.pid)
    commands = " ".join(Path(f"/proc/{pid}/cmdline").read_text() for pid in children)
    assert "redis-server" in commands and "worker" in commands and "serve" in commands
    assert len(children) >= 3

    # What it printed is true: the review pages answer, and the key printed signs in.
    api = re.search(r"Review pages: (http://127\.0\.0\.1:\d+)/review", out).group(1)
    key = re.search(r"^\s+(tj_\S+)$", out, re.MULTILINE).group(1)
    article = re.search(r"/review/articles/([0-9a-f]{32})", out).group(1)
    with httpx.Client(base_url=api) as browser:
        signed_in = browser.post("/review/login", data={"key": key})
        assert signed_in.status_code == 303 and SESSION_COOKIE in browser.cookies
        page = browser.get(f"/review/articles/{article}")
        assert page.status_code == 200 and "Sign out" in page.text

    proc.send_signal(signum)
    assert proc.wait(STOP_TIMEOUT_S) == 0, proc.stdout.read()
    gone_by = time.monotonic() + 5
    while any(alive(pid) for pid in children) and time.monotonic() < gone_by:
        time.sleep(0.1)
    assert not [pid for pid in children if alive(pid)]
    assert "stopped" in proc.stdout.read()


def test_the_demo_ends_with_what_to_do_next(demo):
    proc = demo()
    out, _ = proc.communicate(timeout=READY_TIMEOUT_S)
    assert proc.returncode == 0, out
    assert "--keep-serving" in out and "/review" in out
    # No links to an API that has already stopped, and no key that would open nothing.
    assert "/v1/articles/" not in out and "tj_" not in out
    db = re.search(r"database: \S+ \(the file (\S+)\)", out).group(1)
    assert Path(db).is_absolute() and Path(db).is_file()


def test_migrate_prints_where_a_relative_sqlite_file_lands(tmp_path):
    """Three slashes make a path relative to the working directory: say which file."""
    env = {**os.environ, "DATABASE_URL": "sqlite:///data/tarjama.db"}
    done = subprocess.run(
        [sys.executable, "-m", "cli.main", "migrate"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    expected = tmp_path.resolve() / "data" / "tarjama.db"
    assert f"(the file {expected})" in done.stdout
    assert expected.is_file()


def test_migrate_never_prints_a_database_password(tmp_path):
    from service.storage.db import describe_database

    shown = describe_database("postgresql+asyncpg://tarjama:s3cret-pw@db.example/tarjama")
    assert "s3cret-pw" not in shown and "db.example/tarjama" in shown
