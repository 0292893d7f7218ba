"""Client commands that talk to a running API: submit, batches, export, glossary import."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from datetime import datetime
from pathlib import Path

import httpx
import typer
from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
from rich.table import Table

API_URL_ENV = "TARJAMA_API_URL"
API_KEY_ENV = "TARJAMA_API_KEY"
POLL_INTERVAL_S = 2.0
ARTICLE_SUFFIXES = (".txt",)
NDJSON_SUFFIXES = (".jsonl", ".ndjson")

ApiUrl = typer.Option("http://127.0.0.1:8000", envvar=API_URL_ENV, help="The tarjama API.")
ApiKey = typer.Option(..., envvar=API_KEY_ENV, help="An API key (or set TARJAMA_API_KEY).")


def _client(api_url: str, key: str) -> httpx.Client:
    return httpx.Client(
        base_url=api_url.rstrip("/"), headers={"Authorization": f"Bearer {key}"}, timeout=300
    )


def _fail(response: httpx.Response) -> None:
    if response.is_error:
        try:
            detail = response.json().get("detail")
        except ValueError:
            detail = response.text
        typer.echo(f"error {response.status_code}: {detail}", err=True)
        raise typer.Exit(1)


def article_files(paths: list[Path]) -> list[Path]:
    """The .txt, .jsonl and .ndjson files named, or found in the folders named, sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found += sorted(
                p for p in path.rglob("*") if p.suffix in ARTICLE_SUFFIXES + NDJSON_SUFFIXES
            )
        elif path.is_file():
            found.append(path)
        else:
            raise typer.BadParameter(f"{path} does not exist")
    return found


def ndjson_body(files: list[Path]) -> Iterator[bytes]:
    """One JSON line per article: a .txt file is an article; .jsonl lines pass through."""
    for path in files:
        if path.suffix in NDJSON_SUFFIXES:
            with open(path, "rb") as handle:
                for line in handle:
                    if line.strip():
                        yield line.rstrip(b"\n") + b"\n"
        else:
            record = {"text": path.read_text(encoding="utf-8"), "external_id": path.stem}
            yield (json.dumps(record, ensure_ascii=False) + "\n").encode()


def submit(
    paths: list[Path] = typer.Argument(..., help="Article files (.txt) or NDJSON, or folders."),
    batch: str = typer.Option(None, "--batch", help="A name for the batch."),
    priority: str = typer.Option("bulk", help="bulk or interactive"),
    at: datetime = typer.Option(None, "--at", help="Hold the batch until this ISO time."),
    wait: bool = typer.Option(False, help="Show progress until the batch is finished."),
    glossary: str = typer.Option(None, "--glossary", help="A glossary id to enforce."),
    api_url: str = ApiUrl,
    key: str = ApiKey,
) -> None:
    """Submit articles as one batch."""
    files = article_files(paths)
    if not files:
        typer.echo("no article files found", err=True)
        raise typer.Exit(1)
    params = {"priority": priority}
    if batch:
        params["name"] = batch
    if at:
        params["not_before"] = at.isoformat()
    if glossary:
        params["glossary"] = glossary
    with _client(api_url, key) as client:
        response = client.post(
            "/v1/batches", params=params, content=ndjson_body(files),
            headers={"Content-Type": "application/x-ndjson"},
        )
        _fail(response)
        created = response.json()
        typer.echo(f"batch {created['id']}: {created['accepted']} accepted, "
                   f"{created['rejected_total']} rejected")
        for line in created["rejected"]:
            typer.echo(f"  line {line['line']}: {line['error']}", err=True)
        if wait and created["accepted"]:
            _wait(client, created["id"])


def _wait(client: httpx.Client, batch_id: str) -> None:
    columns = (TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(),
               TimeRemainingColumn())
    with Progress(*columns, console=Console(stderr=True)) as progress:
        task = progress.add_task("translating", total=None)
        while True:
            response = client.get(f"/v1/batches/{batch_id}")
            _fail(response)
            state = response.json()
            done = state["total"] - state["counts"]["queued"] - state["counts"]["running"]
            progress.update(task, total=state["total"], completed=done)
            if state["finished"]:
                break
            time.sleep(POLL_INTERVAL_S)
    counts = ", ".join(f"{n} {s}" for s, n in state["counts"].items() if n)
    typer.echo(f"batch {batch_id} finished: {counts}")


def batches(api_url: str = ApiUrl, key: str = ApiKey, limit: int = 20) -> None:
    """List batches with their progress."""
    with _client(api_url, key) as client:
        response = client.get("/v1/batches", params={"limit": limit})
        _fail(response)
    table = Table("id", "name", "priority", "total", "done", "failed", "progress", "created")
    for b in response.json()["items"]:
        table.add_row(
            b["id"], b["name"] or "", b["priority"], str(b["total"]), str(b["counts"]["done"]),
            str(b["counts"]["failed"]), f"{b['progress']:.0%}", b["created_at"][:19],
        )
    Console().print(table)


def export(
    batch_id: str = typer.Argument(..., help="The batch id."),
    format: str = typer.Option("jsonl", "--format", help="jsonl, tmx or csv"),
    output: Path = typer.Option(..., "-o", "--output", help="File to write."),
    api_url: str = ApiUrl,
    key: str = ApiKey,
) -> None:
    """Download a batch's results as JSONL, TMX or CSV (streamed to the file)."""
    with _client(api_url, key) as client, client.stream(
        "GET", f"/v1/batches/{batch_id}/export", params={"format": format}
    ) as response:
        if response.is_error:
            response.read()
            _fail(response)
        partial = output.with_name(output.name + ".part")
        with open(partial, "wb") as handle:
            for chunk in response.iter_bytes():
                handle.write(chunk)
        partial.replace(output)
    typer.echo(f"wrote {output} ({output.stat().st_size} bytes)")


GLOSSARY_TYPES = {
    ".csv": "text/csv",
    ".tbx": "application/x-tbx+xml",
    ".xml": "application/x-tbx+xml",
    ".json": "application/json",
}


def glossary_import(
    path: Path = typer.Argument(..., help="A CSV (header ar,en), TBX or JSON glossary file."),
    name: str = typer.Option(None, "--name", help="The glossary's name (default: file name)."),
    api_url: str = ApiUrl,
    key: str = ApiKey,
) -> None:
    """Upload a glossary; prints its id, for `submit --glossary`."""
    content_type = GLOSSARY_TYPES.get(path.suffix.lower())
    if content_type is None:
        raise typer.BadParameter(f"{path.name}: expected a .csv, .tbx or .json file")
    if not path.is_file():
        raise typer.BadParameter(f"{path} does not exist")
    with _client(api_url, key) as client:
        response = client.post(
            "/v1/glossaries", params={"name": name or path.stem}, content=path.read_bytes(),
            headers={"Content-Type": content_type},
        )
        _fail(response)
    created = response.json()
    typer.echo(f"glossary {created['id']}: {created['name']}, {created['entries']} entries")
