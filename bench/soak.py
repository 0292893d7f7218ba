"""Soak under faults: the API and two workers on a private PostgreSQL and Redis, articles
submitted by concurrent clients (bulk batches, and interactive articles each awaited),
while a worker is killed with SIGKILL every `--kill-every` seconds and restarted, Redis
is restarted once and PostgreSQL once.

At the end every accepted article must be done exactly once (one result set each, none
lost, none duplicated), no request may have had a 5xx answer (503 with Retry-After while
PostgreSQL restarts is counted apart), and no article may have
waited more than 60 s after its worker died. Prints the figures, with the interactive
latency; exits 1 if a promise was broken.

Each kill picks a worker that is running an article (waiting up to half a period for
one) and never one that runs only articles whose worker was killed before: those are
re-runs, started the moment their lease lapsed, and a kill timed against that moment
would kill the same articles run after run until they fail as poison articles ("the
worker stopped 5 times"), which tests the kill loop's timing, not the service. An
article's wait after a death ends when it is done, or when a later kill catches it
running again (its next run had started).

    nice python bench/soak.py                    # 5,000 articles, 8 clients
    python bench/soak.py --articles 200 --rate 5 --batch-size 10 --kill-every 15 --json
                                                 # the small one in tests/faults/test_soak.py

PostgreSQL and Redis are private (a temporary cluster on a free port, a redis-server
without persistence), so restarting them disturbs no other user of the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import itertools
import json
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import uuid
from collections import Counter
from dataclasses import asdict, dataclass, field
from pathlib import Path

import httpx
from common import REPO, sample_articles
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import create_async_engine

from cli.localpostgres import PrivatePostgres, postgres_bin_dir
from cli.localstack import ServiceProcesses
from service.storage.db import migrate
from service.storage.tables import Article, ParagraphPair, SentencePair, Summary

# The promise measured: a dead worker's articles are done within this long of its death.
RECOVERY_LIMIT_S = 60
RETRY_FOR_S = 120  # a client retries a request this long (through restarts) before giving up


@dataclass
class Kill:
    at: float  # seconds since the start
    pid: int
    held: list[str]  # articles running on the worker when it died
    recovered_after_s: float | None = None


@dataclass
class Report:
    articles: int = 0
    accepted: int = 0
    interactive: int = 0
    batches: int = 0
    done_once: int = 0
    lost: list[str] = field(default_factory=list)  # not done: failed, or never finished
    not_done: dict[str, str] = field(default_factory=dict)  # each lost article's state
    failed: list[str] = field(default_factory=list)
    duplicated: list[str] = field(default_factory=list)
    extra: int = 0  # articles stored for a retried request whose first answer was lost
    requests: int = 0
    statuses: dict[str, int] = field(default_factory=dict)
    server_errors: list[str] = field(default_factory=list)
    unavailable: list[str] = field(default_factory=list)
    retries: int = 0
    kills: list[Kill] = field(default_factory=list)
    skipped_kills: int = 0  # due while every busy worker ran only re-runs
    restarts: list[str] = field(default_factory=list)
    unexpected_exits: list[str] = field(default_factory=list)
    interactive_latency_s: list[float] = field(default_factory=list)
    duration_s: float = 0.0
    finished: bool = False
    logs: str = ""

    @property
    def slowest_recovery_s(self) -> float:
        return max((k.recovered_after_s or 0.0 for k in self.kills if k.held), default=0.0)

    @property
    def ok(self) -> bool:
        recovered = all(k.recovered_after_s is not None for k in self.kills if k.held)
        return (
            self.finished
            and self.done_once == self.accepted == self.articles
            and not self.lost
            and not self.duplicated
            and not self.server_errors
            and recovered
            and self.slowest_recovery_s <= RECOVERY_LIMIT_S
        )

    def percentile(self, q: float) -> float:
        values = sorted(self.interactive_latency_s)
        if not values:
            return 0.0
        return values[min(len(values) - 1, round(q * (len(values) - 1)))]

    def lines(self) -> list[str]:
        held = sum(len(k.held) for k in self.kills)
        lat = self.interactive_latency_s
        return [
            (
                f"submitted {self.accepted} of {self.articles} articles: {self.interactive} "
                f"interactive, the rest in {self.batches} bulk batches, in {self.duration_s:.0f} s"
            ),
            (
                f"faults: {len(self.kills)} workers killed with SIGKILL ({held} articles running "
                f"on them; {self.skipped_kills} kills skipped, due while the busy workers ran "
                f"only re-runs), restarts: {', '.join(self.restarts) or 'none'}; unexpected exits: "
                f"{len(self.unexpected_exits)}"
            ),
            (
                f"done exactly once: {self.done_once}/{self.accepted}; not done {len(self.lost)} "
                f"(of which failed {len(self.failed)}), "
                f"duplicated {len(self.duplicated)}, extra from retries {self.extra}"
            ),
            (
                f"requests: {self.requests}, by status {dict(sorted(self.statuses.items()))}; "
                f"5xx: {len(self.server_errors)} (and {len(self.unavailable)} answers 503 while a "
                f"service restarted); retried after a refused connection: {self.retries}"
            ),
            (
                f"after a kill: the slowest article was done {self.slowest_recovery_s:.1f} s "
                f"after its worker died (limit {RECOVERY_LIMIT_S} s)"
            ),
            (
                f"interactive latency (submit to done, seen by the client): p50 "
                f"{self.percentile(0.5):.2f} s, p95 {self.percentile(0.95):.2f} s, max "
                f"{max(lat, default=0):.2f} s (n={len(lat)})"
                + (f", mean {statistics.mean(lat):.2f} s" if lat else "")
            ),
            f"verdict: {'PASS' if self.ok else 'FAIL'}",
        ]


class SoakStack(ServiceProcesses):
    """The service's processes on a private PostgreSQL as well, restarted at will."""

    startup_timeout_s = 90.0  # the shipped model, loading on a machine the soak keeps busy

    def __init__(self, root: Path, model: str, extra_env: dict[str, str]):
        bin_dir = postgres_bin_dir()
        if bin_dir is None:
            raise SystemExit("the soak needs PostgreSQL's server programs (initdb, pg_ctl)")
        env = {
            "TARJAMA_MODEL": model,
            "TARJAMA_QUEUE_NAME": "tarjama-soak",
            "TARJAMA_TRANSLATE_REPLICAS": "1",  # the workers share this machine's cores
            "TARJAMA_RATE_LIMIT_PER_MINUTE": "0",
            "PYTHONPATH": str(REPO),
            **extra_env,
        }
        super().__init__(env, root)
        self.postgres = PrivatePostgres(bin_dir)

    def start(self, workers: int) -> None:
        self.postgres.init()
        self.postgres.start()
        self.env["DATABASE_URL"] = self.postgres.create_database("tarjama")
        migrate(self.database_url)
        self.start_redis()
        self.start_api()
        for _ in range(workers):
            self.start_worker()

    def create_keys(self, count: int) -> list[str]:
        keys = []
        for i in range(count):
            out = subprocess.run(
                [sys.executable, "-m", "cli.main", "keys", "create", f"soak-{i}"],
                env=self.env,
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            keys.append(out.strip().splitlines()[-1])
        return keys

    def close(self) -> None:
        self.stop_all()
        self.postgres.destroy()


class Clients:
    """Concurrent API clients: each submits bulk batches and awaits interactive articles."""

    def __init__(self, api_url: str, keys: list[str], args, report: Report, started: float):
        self.api_url, self.keys, self.args = api_url, keys, args
        self.report, self.started = report, started
        self.statuses: Counter[str] = Counter()
        self.interactive_ids: list[str] = []
        self.batch_ids: list[str] = []
        self.run_id = uuid.uuid4().hex[:8]
        self.texts = sample_articles()
        self.serial = itertools.count()

    def article(self) -> str:
        """A sample article made unique (so no result is reused) by its reference line."""
        n = next(self.serial)
        return f"{self.texts[n % len(self.texts)]}\n\nرقم المرجع {self.run_id}-{n}."

    async def send(self, client: httpx.AsyncClient, method: str, url: str, **kwargs):
        """A request, retried (same idempotency key) while the API cannot be reached; every
        answer counted, 5xx recorded."""
        deadline = time.monotonic() + RETRY_FOR_S
        while True:
            try:
                response = await client.request(method, url, **kwargs)
            except httpx.TransportError:
                if time.monotonic() > deadline:
                    raise
                self.report.retries += 1
                await asyncio.sleep(0.5)
                continue
            self.report.requests += 1
            self.statuses[str(response.status_code)] += 1
            if response.status_code >= 500:
                at = time.monotonic() - self.started
                # 503 (with Retry-After) is the answer while the database restarts.
                seen = (
                    self.report.unavailable
                    if response.status_code == 503
                    else self.report.server_errors
                )
                answer = f"{response.status_code} {response.text[:200]}"
                seen.append(f"{at:.1f}s {method} {url} {answer}")
                if time.monotonic() < deadline:
                    await asyncio.sleep(0.5)
                    continue
            return response

    async def run(self, index: int, budget: int) -> None:
        args = self.args
        headers = {"Authorization": f"Bearer {self.keys[index]}"}
        per_article_s = args.clients / args.rate
        async with httpx.AsyncClient(base_url=self.api_url, headers=headers, timeout=60) as c:
            sent = interactive = 0
            while sent < budget:
                if interactive < args.interactive_share * (sent + 1):
                    await self.interactive(c)
                    interactive += 1
                    sent += 1
                else:
                    count = min(args.batch_size, budget - sent)
                    await self.batch(c, count)
                    sent += count
                pause = self.started + sent * per_article_s - time.monotonic()
                if pause > 0:
                    await asyncio.sleep(pause)

    async def interactive(self, c: httpx.AsyncClient) -> None:
        submitted = time.monotonic()
        response = await self.send(
            c,
            "POST",
            "/v1/articles",
            json={"text": self.article()},
            headers={"Idempotency-Key": uuid.uuid4().hex},
        )
        if response.status_code != 202:
            return
        article_id = response.json()["id"]
        self.interactive_ids.append(article_id)
        while True:
            state = await self.send(c, "GET", f"/v1/articles/{article_id}")
            if state.status_code == 200 and state.json()["status"] in ("done", "failed"):
                self.report.interactive_latency_s.append(time.monotonic() - submitted)
                return
            await asyncio.sleep(0.1)

    async def batch(self, c: httpx.AsyncClient, count: int) -> None:
        lines = "\n".join(
            json.dumps({"text": self.article()}, ensure_ascii=False) for _ in range(count)
        )
        response = await self.send(
            c,
            "POST",
            "/v1/batches",
            content=lines.encode(),
            headers={"content-type": "application/x-ndjson", "Idempotency-Key": uuid.uuid4().hex},
        )
        if response.status_code == 202 and response.json()["accepted"] == count:
            self.batch_ids.append(response.json()["id"])


async def held_by(engine, pid: int) -> list[str]:
    """The articles a worker process was running (its lease holder names its pid)."""
    async with engine.connect() as conn:
        rows = await conn.execute(
            select(Article.id).where(
                Article.status == "running", Article.lease_holder.like(f"%:{pid}:%")
            )
        )
        return list(rows.scalars())


async def faults(
    stack: SoakStack, engine, args, report: Report, started: float, submitting, stop_at
) -> None:
    """While clients submit, SIGKILL a worker every `kill_every` seconds (and restart it),
    and restart Redis and PostgreSQL once each; until the end, restart any process that
    exits, as a supervisor would."""
    submit_s = args.articles / args.rate
    restarts = {
        "redis": started + args.redis_at * submit_s,
        "postgresql": started + args.postgres_at * submit_s,
    }
    next_kill, victim = started + args.kill_every, 0
    killed: set[str] = set()  # articles that were running on a killed worker
    while not stop_at():
        await asyncio.sleep(0.2)
        now = time.monotonic()
        for index, worker in enumerate(stack.workers):
            if worker.poll() is not None:
                report.unexpected_exits.append(f"worker-{index} exited {worker.returncode}")
                stack.start_worker(index)
        if stack.api is not None and stack.api.poll() is not None:
            report.unexpected_exits.append(f"api exited {stack.api.returncode}")
            await asyncio.to_thread(stack.start_api)
        for name, due in list(restarts.items()):
            if now >= due:
                del restarts[name]
                restart = stack.restart_redis if name == "redis" else stack.postgres.restart
                await asyncio.to_thread(restart)
                report.restarts.append(f"{name} at {time.monotonic() - started:.0f} s")
        if not submitting():
            continue
        if now >= next_kill:
            # Kill mid-article: the first worker (in turn) that holds a lease; when none
            # does, wait up to half a period for one, then kill in turn all the same.
            busy = await _busy_worker(stack, engine, victim, killed)
            if busy is None and now < next_kill + args.kill_every / 2:
                continue
            if busy is None:  # none found in time: the next in turn, unless it runs re-runs
                busy = await _busy_worker(stack, engine, victim, killed, idle_too=True)
            if busy is None:
                report.skipped_kills += 1
                next_kill += args.kill_every
                continue
            victim = busy
            worker = stack.workers[victim]
            worker.send_signal(signal.SIGKILL)
            worker.wait()
            at = time.monotonic() - started
            pid = worker.pid
            held = await _retrying(lambda pid=pid: held_by(engine, pid))
            report.kills.append(Kill(at=at, pid=pid, held=held))
            killed.update(held)
            stack.start_worker(victim)
            victim = (victim + 1) % len(stack.workers)
            next_kill += args.kill_every


async def _busy_worker(
    stack: SoakStack, engine, first: int, killed: set[str], idle_too: bool = False
) -> int | None:
    """The index of the first worker from `first` on that is running an article whose
    worker was never killed before (with `idle_too`, or running nothing), if any."""
    count = len(stack.workers)
    for index in ((first + step) % count for step in range(count)):
        worker = stack.workers[index]
        held = await _retrying(lambda pid=worker.pid: held_by(engine, pid))
        if (held and not set(held) <= killed) or (idle_too and not held):
            return index
    return None


async def _retrying(work, tries: int = 60):
    for attempt in range(tries):
        try:
            return await work()
        except Exception:  # PostgreSQL restarting: ask again
            if attempt == tries - 1:
                raise
            await asyncio.sleep(0.5)


async def unfinished(engine) -> int:
    async with engine.connect() as conn:
        return await conn.scalar(
            select(func.count())
            .select_from(Article)
            .where(
                Article.status.in_(("queued", "running")),
            )
        )


async def verify(engine, clients: Clients, report: Report, started_wall: float) -> None:
    """Exactly once: every accepted article done with one result set; waits after kills."""
    async with engine.connect() as conn:
        accepted = set(clients.interactive_ids)
        if clients.batch_ids:
            rows = await conn.execute(
                select(Article.id).where(Article.batch_id.in_(clients.batch_ids))
            )
            accepted |= set(rows.scalars())
        report.accepted = len(accepted)
        report.interactive = len(clients.interactive_ids)
        report.batches = len(clients.batch_ids)
        rows = (
            await conn.execute(
                select(
                    Article.id,
                    Article.status,
                    Article.finished_at,
                    Article.attempts,
                    Article.error,
                    Article.lease_holder,
                )
            )
        ).all()
        status = {r.id: r.status for r in rows}
        finished = {r.id: r.finished_at for r in rows}
        report.extra = len(set(status) - accepted)
        report.lost = sorted(a for a in accepted if status.get(a) != "done")
        report.failed = sorted(a for a in accepted if status.get(a) == "failed")
        report.not_done = {
            r.id: f"{r.status}, {r.attempts} attempts, lease {r.lease_holder}, error {r.error}"
            for r in rows
            if r.id in accepted and r.status != "done"
        }
        summaries = dict(
            (
                await conn.execute(
                    select(Summary.article_id, func.count()).group_by(Summary.article_id)
                )
            ).all()
        )
        # Paragraph indexes 0..n-1, each once; sentences unique within their paragraph.
        paragraphs = {
            r[0]: r[1:]
            for r in (
                await conn.execute(
                    select(
                        ParagraphPair.article_id,
                        func.count(),
                        func.count(func.distinct(ParagraphPair.index)),
                        func.max(ParagraphPair.index),
                    ).group_by(ParagraphPair.article_id)
                )
            ).all()
        }
        sentence_dupes = set(
            (
                await conn.execute(
                    select(SentencePair.article_id)
                    .group_by(
                        SentencePair.article_id, SentencePair.paragraph_index, SentencePair.index
                    )
                    .having(func.count() > 1)
                )
            ).scalars()
        )
    duplicated = []
    for article_id in accepted:
        total, distinct, highest = paragraphs.get(article_id, (0, 0, -1))
        if (
            summaries.get(article_id, 0) > 1
            or total != distinct
            or highest != total - 1
            or article_id in sentence_dupes
        ):
            duplicated.append(article_id)
    report.duplicated = sorted(duplicated)
    report.done_once = sum(
        1
        for a in accepted
        if status.get(a) == "done"
        and summaries.get(a) == 1
        and a not in duplicated
        and paragraphs.get(a, (0,))[0] > 0
    )
    for number, kill in enumerate(report.kills):
        waits = []
        for article_id in kill.held:
            # Caught running again by a later kill: its next run had started by then.
            again = next((k.at for k in report.kills[number + 1 :] if article_id in k.held), None)
            done_at = finished.get(article_id) if status.get(article_id) == "done" else None
            if again is not None:
                waits.append(again - kill.at)
            elif done_at is not None:
                waits.append(done_at.timestamp() - (started_wall + kill.at))
        if kill.held and len(waits) == len(kill.held):
            kill.recovered_after_s = max(waits)


async def soak(args) -> Report:
    report = Report(articles=args.articles)
    root = Path(tempfile.mkdtemp(prefix="tarjama-soak-"))
    extra_env = {"TARJAMA_BEAM_SIZE": str(args.beam), "TARJAMA_LOG_LEVEL": args.log_level}
    stack = SoakStack(root, args.model, extra_env)
    try:
        await asyncio.to_thread(stack.start, args.workers)
        keys = await asyncio.to_thread(stack.create_keys, args.clients)
        engine = create_async_engine(stack.database_url, pool_pre_ping=True)
        started, started_wall = time.monotonic(), time.time()
        clients = Clients(stack.api_url, keys, args, report, started)
        budgets = [
            args.articles // args.clients + (i < args.articles % args.clients)
            for i in range(args.clients)
        ]
        submitting = [asyncio.create_task(clients.run(i, b)) for i, b in enumerate(budgets)]
        done = asyncio.Event()
        fault_task = asyncio.create_task(
            faults(
                stack,
                engine,
                args,
                report,
                started,
                lambda: not all(t.done() for t in submitting),
                done.is_set,
            )
        )
        await asyncio.gather(*submitting)
        deadline = time.monotonic() + args.finish_timeout
        while time.monotonic() < deadline:
            if await _retrying(lambda: unfinished(engine)) == 0:
                report.finished = True
                break
            await asyncio.sleep(1)
        done.set()
        await fault_task
        report.duration_s = time.monotonic() - started
        report.statuses = dict(clients.statuses)
        await _retrying(lambda: verify(engine, clients, report, started_wall))
        await engine.dispose()
    finally:
        await asyncio.to_thread(stack.close)
    report.logs = str(root)
    return report


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--articles", type=int, default=5000)
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument(
        "--rate",
        type=float,
        default=8.0,
        help="articles submitted per second, all clients together",
    )
    parser.add_argument("--batch-size", type=int, default=50)
    parser.add_argument(
        "--interactive-share",
        type=float,
        default=0.1,
        help="share of the articles submitted one by one as interactive",
    )
    parser.add_argument(
        "--kill-every",
        type=float,
        default=30.0,
        help="seconds between SIGKILLs of a worker (each waits up to half of that for a busy one)",
    )
    parser.add_argument(
        "--redis-at",
        type=float,
        default=0.35,
        help="restart Redis at this fraction of the submission time",
    )
    parser.add_argument(
        "--postgres-at",
        type=float,
        default=0.65,
        help="restart PostgreSQL at this fraction of the submission time",
    )
    parser.add_argument("--finish-timeout", type=float, default=900.0)
    parser.add_argument("--model", default="ar-en-small")
    parser.add_argument("--beam", type=int, default=2)
    parser.add_argument("--log-level", default="WARNING", help="of the API and workers")
    parser.add_argument("--json", action="store_true", help="print the report as JSON")
    return parser.parse_args(argv)


async def soak_until_stopped(args) -> Report:
    """`soak`, cancelled by SIGTERM or SIGINT so that every process it started is stopped."""
    task = asyncio.current_task()
    loop = asyncio.get_running_loop()
    for sig in (signal.SIGTERM, signal.SIGINT):
        loop.add_signal_handler(sig, task.cancel)
    return await soak(args)


def main(argv=None) -> int:
    args = parse_args(argv)
    try:
        report = asyncio.run(soak_until_stopped(args))
    except asyncio.CancelledError:
        print("soak stopped", file=sys.stderr)
        return 2
    if args.json:
        print(
            json.dumps(
                asdict(report)
                | {
                    "ok": report.ok,
                    "p95": report.percentile(0.95),
                    "slowest_recovery_s": report.slowest_recovery_s,
                    "logs": report.logs,
                }
            )
        )
    else:
        print("\n".join(report.lines()))
        print(f"logs: {report.logs}")
    return 0 if report.ok else 1


if __name__ == "__main__":
    sys.exit(main())
