"""Client commands that talk to a running API: submit, batches, export, import, glossary
import, and the translation memory's import and export."""

from __future__ import annotations

import json
import mimetypes
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
ARTICLE_SUFFIXES = (".txt", ".html", ".htm", ".xhtml")
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
    """The .txt, .html, .jsonl and .ndjson files named, or found in the folders named, sorted."""
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
    """One JSON line per article: a text or HTML file is an article (an HTML one is sent
    with `format` "html"); .jsonl lines pass through."""
    for path in files:
        if path.suffix in NDJSON_SUFFIXES:
            with open(path, "rb") as handle:
                for line in handle:
                    if line.strip():
                        yield line.rstrip(b"\n") + b"\n"
        else:
            record = {"text": path.read_text(encoding="utf-8"), "external_id": path.stem}
            if is_html(path):
                record["format"] = "html"
            yield (json.dumps(record, ensure_ascii=False) + "\n").encode()


def is_html(path: Path) -> bool:
    """Whether the file is an HTML page (text/html or application/xhtml+xml by its name)."""
    kind, _ = mimetypes.guess_type(path.name)
    return kind in ("text/html", "application/xhtml+xml")


def submit(
    paths: list[Path] = typer.Argument(
        ..., help="Article files (.txt, or .html pages) or NDJSON, or folders."
    ),
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
            "/v1/batches",
            params=params,
            content=ndjson_body(files),
            headers={"Content-Type": "application/x-ndjson"},
        )
        _fail(response)
        created = response.json()
        typer.echo(
            f"batch {created['id']}: {created['accepted']} accepted, "
            f"{created['rejected_total']} rejected"
        )
        for line in created["rejected"]:
            typer.echo(f"  line {line['line']}: {line['error']}", err=True)
        if wait and created["accepted"]:
            _wait(client, created["id"])


def _wait(client: httpx.Client, batch_id: str) -> None:
    columns = (
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeRemainingColumn(),
    )
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
            b["id"],
            b["name"] or "",
            b["priority"],
            str(b["total"]),
            str(b["counts"]["done"]),
            str(b["counts"]["failed"]),
            f"{b['progress']:.0%}",
            b["created_at"][:19],
        )
    Console().print(table)


def _download(client: httpx.Client, path: str, params: dict, output: Path) -> None:
    """Stream a GET's body to `output` (through a .part file, so a failure leaves none)."""
    with client.stream("GET", path, params=params) as response:
        if response.is_error:
            response.read()
            _fail(response)
        partial = output.with_name(output.name + ".part")
        with open(partial, "wb") as handle:
            for chunk in response.iter_bytes():
                handle.write(chunk)
        partial.replace(output)
    typer.echo(f"wrote {output} ({output.stat().st_size} bytes)")


def export(
    target_id: str = typer.Argument(..., metavar="ID", help="The batch id (or article id)."),
    format: str = typer.Option("jsonl", "--format", help="jsonl, tmx, csv or xliff"),
    output: Path = typer.Option(..., "-o", "--output", help="File to write."),
    article: bool = typer.Option(False, "--article", help="ID is an article, not a batch."),
    api_url: str = ApiUrl,
    key: str = ApiKey,
) -> None:
    """Download a batch's (or an article's) results as JSONL, TMX, CSV or XLIFF."""
    kind = "articles" if article else "batches"
    with _client(api_url, key) as client:
        _download(client, f"/v1/{kind}/{target_id}/export", {"format": format}, output)


def _report_rejected(rejected: list[dict], total: int) -> None:
    for unit in rejected:
        typer.echo(f"  unit {unit['unit']}: {unit['error']}", err=True)
    if total > len(rejected):
        typer.echo(f"  ... and {total - len(rejected)} more", err=True)


def import_file(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="An XLIFF 1.2 file."),
    batch: str = typer.Option(None, "--batch", help="The batch the file was exported from."),
    article: str = typer.Option(None, "--article", help="The article it was exported from."),
    api_url: str = ApiUrl,
    key: str = ApiKey,
) -> None:
    """Send back an XLIFF file edited in a CAT tool: each changed target is a correction."""
    if (batch is None) == (article is None):
        raise typer.BadParameter("give one of --batch or --article")
    path = f"/v1/batches/{batch}/import" if batch else f"/v1/articles/{article}/import"
    with _client(api_url, key) as client:
        response = client.post(
            path, content=file.read_bytes(), headers={"Content-Type": "application/x-xliff+xml"}
        )
    _fail(response)
    result = response.json()
    typer.echo(
        f"{result['updated']} updated, {result['unchanged']} unchanged, "
        f"{result['rejected_total']} rejected"
    )
    _report_rejected(result["rejected"], result["rejected_total"])


memory_app = typer.Typer(
    help="The translation memory in and out as TMX (review or admin keys).", no_args_is_help=True
)


@memory_app.command("import")
def memory_import(
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="A TMX file (ar->en)."),
    api_url: str = ApiUrl,
    key: str = ApiKey,
) -> None:
    """Add a TMX file's ar->en units to the memory as reviewed entries."""
    with _client(api_url, key) as client:
        response = client.post(
            "/v1/memory/import",
            content=file.read_bytes(),
            headers={"Content-Type": "application/x-tmx+xml"},
        )
    _fail(response)
    result = response.json()
    typer.echo(
        f"{result['imported']} imported ({result['entries']} sentences), "
        f"{result['rejected_total']} rejected"
    )
    _report_rejected(result["rejected"], result["rejected_total"])


@memory_app.command("export")
def memory_export(
    output: Path = typer.Option(..., "-o", "--output", help="File to write."),
    all_entries: bool = typer.Option(
        False, "--all", help="Also every model's machine translations."
    ),
    api_url: str = ApiUrl,
    key: str = ApiKey,
) -> None:
    """Download the memory as TMX: reviewed entries, or with --all everything."""
    params = {"format": "tmx", "include": "all" if all_entries else "reviewed"}
    with _client(api_url, key) as client:
        _download(client, "/v1/memory/export", params, output)


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
            "/v1/glossaries",
            params={"name": name or path.stem},
            content=path.read_bytes(),
            headers={"Content-Type": content_type},
        )
        _fail(response)
    created = response.json()
    typer.echo(f"glossary {created['id']}: {created['name']}, {created['entries']} entries")
