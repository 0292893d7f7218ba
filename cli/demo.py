"""`tarjama demo`: the whole service on this machine, fed the sample articles."""

from __future__ import annotations

import signal
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from cli.localstack import local_stack
from service.config import PROJECT_DIR, Settings
from service.domain.types import KeyRole
from service.storage.db import describe_database, migrate, run_in_transaction
from service.storage.keys import create_key

SAMPLES_DIR = PROJECT_DIR / "samples" / "articles"
POLL_INTERVAL_S = 0.5
DEMO_TIMEOUT_S = 1800
LOG_DIR = PROJECT_DIR / "var" / "log"


def run_demo(
    settings: Settings,
    samples: Path = SAMPLES_DIR,
    keep_serving: bool = False,
    log_dir: Path = LOG_DIR,
) -> int:
    """Submit every sample article over HTTP, wait, print titles and summaries, and what
    to do next. SIGTERM stops it as Ctrl-C does: Redis, the worker and the API with it."""
    console = Console()
    files = sorted(samples.glob("*.txt"))
    if not files:
        console.print(f"[red]no sample articles in {samples}[/red]")
        return 1
    started = time.monotonic()
    console.print(f"database: {describe_database(settings.database_url)}")
    migrate(settings.database_url)
    # With --keep-serving the key is shown, for the review pages: a review key, which sees
    # every article and may correct them. It lives in this local demo's database only.
    role = KeyRole.review if keep_serving else KeyRole.submit
    key = run_in_transaction(
        settings.database_url, lambda session: create_key(session, "demo", role)
    )[1]
    try:
        with stopped_by_sigterm(), local_stack(settings.redis_url, log_dir) as (api_url, redis_url):
            console.print(f"API {api_url}  (Redis {redis_url}, logs in {log_dir})")
            headers = {"Authorization": f"Bearer {key}"}
            with httpx.Client(base_url=api_url, timeout=30, headers=headers) as client:
                ids = [_submit(client, f) for f in files]
                articles = _wait(client, ids, console)
            _print_results(console, articles, api_url if keep_serving else None)
            console.print(f"\n{len(articles)} articles in {time.monotonic() - started:.1f}s")
            if keep_serving:
                _print_serving(console, api_url, key)
                while True:
                    time.sleep(3600)
    except KeyboardInterrupt:  # Ctrl-C, or SIGTERM (see stopped_by_sigterm)
        console.print("stopped: the API, the worker and any Redis the demo started are shut down")
        return 0 if keep_serving else 130
    _print_next(console)
    failed = [a for a in articles if a["status"] != "done"]
    return 1 if failed else 0


@contextmanager
def stopped_by_sigterm() -> Iterator[None]:
    """Inside, SIGTERM raises KeyboardInterrupt as Ctrl-C does, so that every child
    process is stopped on the way out (the default would end this process alone)."""

    def interrupt(signum, frame):
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def _print_serving(console: Console, api_url: str, key: str) -> None:
    console.print(
        f"\nServing at {api_url} (API docs at {api_url}/docs).\n"
        f"Review pages: {api_url}/review  (each article at {api_url}/review/articles/ID)\n"
        f"Sign in there with this key, shown once and good for this local demo only:\n"
        f"  {key}\n"
        "Press Ctrl-C (or send SIGTERM) to stop the API, the worker and any Redis it started."
    )


def _print_next(console: Console) -> None:
    console.print(
        "\nThe demo's API and worker (and any Redis it started) have stopped. Next:\n"
        "  .venv/bin/tarjama demo --keep-serving   the same, then keeps serving and prints the\n"
        "      review pages' address (/review, /review/articles/ID) and a key to sign in with\n"
        "  README.md, 'Using the service'          run the API and workers for real"
    )


def _submit(client: httpx.Client, path: Path) -> str:
    response = client.post(
        "/v1/articles",
        json={"text": path.read_text(encoding="utf-8"), "external_id": path.stem},
    )
    response.raise_for_status()
    return response.json()["id"]


def _wait(client: httpx.Client, ids: list[str], console: Console) -> list[dict]:
    finished: dict[str, dict] = {}
    columns = (TextColumn("translating"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())
    deadline = time.monotonic() + DEMO_TIMEOUT_S
    with Progress(*columns, console=console) as progress:
        task = progress.add_task("articles", total=len(ids))
        while len(finished) < len(ids) and time.monotonic() < deadline:
            for article_id in ids:
                if article_id in finished:
                    continue
                article = client.get(f"/v1/articles/{article_id}").json()
                if article["status"] in ("done", "failed"):
                    finished[article_id] = article
            progress.update(task, completed=len(finished))
            time.sleep(POLL_INTERVAL_S)
    return [finished.get(i) or client.get(f"/v1/articles/{i}").json() for i in ids]


def _print_results(console: Console, articles: list[dict], api_url: str | None) -> None:
    """Each article's headline and summary; with a serving API, its review page."""
    for article in articles:
        console.rule(f"[bold]{article['external_id'] or article['id']}[/bold]")
        if article["status"] != "done":
            console.print(f"[red]{article['status']}: {article['error']}[/red]")
            continue
        title = article["title"]["en"] or "(no headline)"
        console.print(f"[bold]{title}[/bold]")
        console.print(article["summary"]["text"])
        per_article = article["translate_ms"] or 0
        where = f" — {api_url}/review/articles/{article['id']}" if api_url else ""
        console.print(
            f"[dim]{len(article['paragraphs'])} paragraphs, translated in "
            f"{per_article:.0f} ms{where}[/dim]"
        )
