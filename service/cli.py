"""The `tarjama` command line."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Annotated

import typer

from service.config import get_settings

app = typer.Typer(help="Arabic-to-English translation and summarisation service.", no_args_is_help=True)


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    migrate_first: Annotated[bool, typer.Option("--migrate/--no-migrate")] = True,
) -> None:
    """Run the HTTP API."""
    import uvicorn

    from service.main import create_app
    from service.storage.db import migrate

    settings = get_settings()
    if migrate_first:
        migrate(settings.database_url)
    uvicorn.run(create_app(settings), host=host, port=port, log_level="info")


@app.command()
def worker(burst: bool = typer.Option(False, help="Exit when the queue is empty.")) -> None:
    """Run a translation worker."""
    import asyncio

    from workers.settings import build_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s %(message)s")
    settings = get_settings()
    if burst:
        async def run() -> None:
            w = build_worker(settings, burst=True)
            try:
                await w.main()
            finally:
                await w.close()

        asyncio.run(run())
    else:
        build_worker(settings).run()


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema."""
    from service.storage.db import migrate as run_migrations

    settings = get_settings()
    run_migrations(settings.database_url)
    typer.echo(f"database at head: {settings.database_url}")


@app.command()
def demo(
    samples: Path = typer.Option(None, help="Folder of .txt articles (default: samples/articles)."),
    keep_serving: bool = typer.Option(False, help="Keep the API running after the demo."),
) -> None:
    """Start everything locally, translate the sample articles, print the summaries."""
    from service.demo import SAMPLES_DIR, run_demo

    raise typer.Exit(run_demo(get_settings(), samples or SAMPLES_DIR, keep_serving))


def _mount_models() -> None:
    try:
        from service.models_cli import app as models_app
    except ImportError:  # pragma: no cover - the models commands are optional at build time
        return
    app.add_typer(models_app, name="models", help="Install, import, list and evaluate models.")


_mount_models()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
