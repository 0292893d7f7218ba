"""The `tarjama` command line."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Annotated

import typer

from cli.client_commands import batches, export, glossary_import, submit
from cli.demo import LOG_DIR, SAMPLES_DIR, run_demo
from service.config import get_settings
from service.domain.types import KeyRole
from service.logs import configure_logging
from service.storage import keys as key_store
from service.storage.db import describe_database, run_in_transaction
from service.storage.db import migrate as run_migrations

app = typer.Typer(
    help="Arabic-to-English translation and summarisation service.", no_args_is_help=True
)


@app.command()
def serve(
    host: str = "127.0.0.1",
    port: int = 8000,
    migrate_first: Annotated[bool, typer.Option("--migrate/--no-migrate")] = True,
) -> None:
    """Run the HTTP API."""
    # The app and the worker are imported by the commands that run them, so that every
    # other command starts without loading FastAPI, or ctranslate2 and the model code.
    import uvicorn

    from service.app.main import create_app

    settings = get_settings()
    configure_logging(settings)
    if migrate_first:
        run_migrations(settings.database_url)
    # log_config=None: uvicorn keeps the JSON logging set up above.
    uvicorn.run(create_app(settings), host=host, port=port, log_config=None)


@app.command()
def worker(burst: bool = typer.Option(False, help="Exit when the queue is empty.")) -> None:
    """Run a translation worker."""
    from workers.settings import build_worker  # loads ctranslate2: see `serve`

    settings = get_settings()
    configure_logging(settings)
    _use_uvloop()
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


def _use_uvloop() -> None:
    """Run the worker's event loop on uvloop where it is installed (uvicorn's standard
    extra brings it, and the API already runs on it): every job's Redis and database
    round trips and thread hand-offs pass through the loop, and uvloop's cost less."""
    try:
        import uvloop
    except ImportError:
        return
    asyncio.set_event_loop_policy(uvloop.EventLoopPolicy())


@app.command()
def migrate() -> None:
    """Create or upgrade the database schema."""
    settings = get_settings()
    run_migrations(settings.database_url)
    typer.echo(f"database at head: {describe_database(settings.database_url)}")


@app.command()
def demo(
    samples: Path = typer.Option(None, help="Folder of .txt articles (default: samples/articles)."),
    keep_serving: bool = typer.Option(
        False,
        help="Keep the API, worker and Redis running after the demo, and print the review "
        "pages' address and a key to sign in with. Ctrl-C or SIGTERM stops all of them.",
    ),
    log_dir: Path = typer.Option(None, help="Where the services' logs go (default: var/log)."),
) -> None:
    """Start everything locally, translate the sample articles, print the summaries."""
    raise typer.Exit(
        run_demo(get_settings(), samples or SAMPLES_DIR, keep_serving, log_dir or LOG_DIR)
    )


app.command()(submit)
app.command()(batches)
app.command()(export)
glossary_app = typer.Typer(
    help="Glossaries: terms every translation must use.", no_args_is_help=True
)
glossary_app.command("import")(glossary_import)
app.add_typer(glossary_app, name="glossary")

keys_app = typer.Typer(help="Create, list and revoke API keys.", no_args_is_help=True)
app.add_typer(keys_app, name="keys")


@keys_app.command("create")
def keys_create(
    name: str,
    role: str = typer.Option("submit", help="submit, review or admin"),
) -> None:
    """Create a key and print it once; only its hash is stored."""
    try:
        key_role = KeyRole(role)
    except ValueError:
        raise typer.BadParameter(
            "role must be submit, review or admin", param_hint="--role"
        ) from None
    row, key = _run_db(lambda session: key_store.create_key(session, name, key_role))
    typer.echo(f"created {row.role} key {row.prefix}… for {row.name!r} (id {row.id})")
    typer.echo(key)


@keys_app.command("list")
def keys_list() -> None:
    """List keys (never the keys themselves)."""
    for row in _run_db(key_store.list_keys):
        state = f"revoked {row.revoked_at:%Y-%m-%d}" if row.revoked_at else "active"
        typer.echo(f"{row.id}  {row.prefix}…  {row.role:<7} {state:<18} {row.name}")


@keys_app.command("revoke")
def keys_revoke(key_id: str = typer.Argument(help="key id or its shown prefix")) -> None:
    """Revoke a key by id or prefix."""
    if not _run_db(lambda session: key_store.revoke_key(session, key_id)):
        typer.echo(f"no active key {key_id!r}", err=True)
        raise typer.Exit(1)
    typer.echo(f"revoked {key_id}")


def _run_db(work):
    settings = get_settings()
    run_migrations(settings.database_url)
    return run_in_transaction(settings.database_url, work)


def _mount_models() -> None:
    try:
        from cli.model_commands import app as models_app
    except ImportError:  # pragma: no cover - the models commands are optional at build time
        return
    app.add_typer(models_app, name="models", help="Install, import, list and evaluate models.")


_mount_models()


def main() -> None:
    app()


if __name__ == "__main__":
    main()
