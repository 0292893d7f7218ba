"""Real processes for fault tests: a private Redis, API and worker subprocesses."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import httpx

from service.localstack import free_port, redis_answers, redis_server_binary

STARTUP_TIMEOUT_S = 60


class Stack:
    """A private Redis (so FLUSHALL and restarts touch nothing else), the API and workers."""

    def __init__(self, env: dict[str, str], log_dir: Path) -> None:
        self.redis_port = free_port()
        self.api_port = free_port()
        self.env = {
            **os.environ,
            **env,
            "REDIS_URL": f"redis://127.0.0.1:{self.redis_port}/0",
        }
        self.log_dir = log_dir
        self.redis: subprocess.Popen | None = None
        self.api: subprocess.Popen | None = None
        self.workers: list[subprocess.Popen] = []

    @property
    def api_url(self) -> str:
        return f"http://127.0.0.1:{self.api_port}"

    def _spawn(self, args: list[str], name: str) -> subprocess.Popen:
        with open(self.log_dir / f"{name}.log", "ab") as log:  # the child keeps its own copy
            return subprocess.Popen(args, env=self.env, stdout=log, stderr=subprocess.STDOUT)

    def start_redis(self) -> None:
        self.redis = self._spawn(
            [redis_server_binary(), "--port", str(self.redis_port), "--bind", "127.0.0.1",
             "--save", "", "--appendonly", "no"],
            "redis",
        )
        self._wait(lambda: redis_answers(self.env["REDIS_URL"]), "redis")

    def start_api(self) -> None:
        self.api = self._spawn(
            [sys.executable, "-m", "service.cli", "serve", "--port", str(self.api_port),
             "--no-migrate"],
            "api",
        )
        self._wait(self._api_ready, "api")

    def start_worker(self) -> subprocess.Popen:
        worker = self._spawn([sys.executable, "-m", "service.cli", "worker"], f"worker-{len(self.workers)}")
        self.workers.append(worker)
        return worker

    def _api_ready(self) -> bool:
        try:
            return httpx.get(f"{self.api_url}/readyz", timeout=2).status_code == 200
        except httpx.HTTPError:
            return False

    def _wait(self, check, what: str) -> None:
        deadline = time.monotonic() + STARTUP_TIMEOUT_S
        while time.monotonic() < deadline:
            if check():
                return
            time.sleep(0.1)
        raise RuntimeError(f"{what} did not start; see {self.log_dir}")

    @staticmethod
    def stop(proc: subprocess.Popen | None, sig: int = signal.SIGTERM) -> None:
        if proc is None or proc.poll() is not None:
            return
        proc.send_signal(sig)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()

    def stop_all(self) -> None:
        for worker in self.workers:
            self.stop(worker)
        self.stop(self.api)
        self.stop(self.redis)
