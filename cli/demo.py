"""`tarjama demo`: the whole service on this machine, fed the sample articles."""

from __future__ import annotations

import time
from pathlib import Path

import httpx
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

from service.config import PROJECT_DIR, Settings
from cli.localstack import local_stack
from service.storage.db import migrate, run_in_transaction
from service.storage.keys import create_key
from service.domain.types import KeyRole

SAMPLES_DIR = PROJECT_DIR / "samples" / "articles"
POLL_INTERVAL_S = 0.5
DEMO_TIMEOUT_S = 1800


def run_demo(settings: Settings, samples: Path = SAMPLES_DIR, keep_serving: bool = False) -> int:
    """Submit every sample article over HTTP, wait, print titles and summaries."""
    console = Console()
    files = sorted(samples.glob("*.txt"))
    if not files:
        console.print(f"[red]no sample articles in {samples}[/red]")
        return 1
    started = time.monotonic()
    console.print(f"database: {settings.database_url}")
    migrate(settings.database_url)
    key = run_in_transaction(
        settings.database_url, lambda session: create_key(session, "demo", KeyRole.submit)
    )[1]
    log_dir = PROJECT_DIR / "var" / "log"
    with local_stack(settings.redis_url, log_dir) as (api_url, redis_url):
        console.print(f"API {api_url}  (Redis {redis_url}, logs in {log_dir})")
        headers = {"Authorization": f"Bearer {key}"}
        with httpx.Client(base_url=api_url, timeout=30, headers=headers) as client:
            ids = [_submit(client, f) for f in files]
            articles = _wait(client, ids, console)
            _print_results(console, articles, api_url)
            console.print(f"\n{len(articles)} articles in {time.monotonic() - started:.1f}s")
            if keep_serving:
                console.print(f"Serving at {api_url} with the demo's API key {key}")
                console.print("Press Ctrl-C to stop.")
                try:
                    while True:
                        time.sleep(3600)
                except KeyboardInterrupt:
                    pass
    failed = [a for a in articles if a["status"] != "done"]
    return 1 if failed else 0


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


def _print_results(console: Console, articles: list[dict], api_url: str) -> None:
    for article in articles:
        console.rule(f"[bold]{article['external_id'] or article['id']}[/bold]")
        if article["status"] != "done":
            console.print(f"[red]{article['status']}: {article['error']}[/red]")
            continue
        title = article["title"]["en"] or "(no headline)"
        console.print(f"[bold]{title}[/bold]")
        console.print(article["summary"]["text"])
        per_article = article["translate_ms"] or 0
        console.print(
            f"[dim]{len(article['paragraphs'])} paragraphs, translated in {per_article:.0f} ms "
            f"— full result: {api_url}/v1/articles/{article['id']}[/dim]"
        )
