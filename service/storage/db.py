"""Engines, sessions and migrations."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

from sqlalchemy import ColumnElement, CursorResult, Executable, event, false
from sqlalchemy.engine import make_url
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

if TYPE_CHECKING:
    from alembic.config import Config

MIGRATIONS_DIR = Path(__file__).resolve().parent / "migrations"
SQLITE_BUSY_TIMEOUT_MS = 30_000


def create_engine(url: str) -> AsyncEngine:
    """An async engine; SQLite gets WAL, a busy timeout and enforced foreign keys."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database:
            Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
        engine = create_async_engine(url, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine.sync_engine, "connect", _sqlite_pragmas)
        return engine
    return create_async_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=10)


def _sqlite_pragmas(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.close()


def storable(text: str) -> bool:
    """False for text with NUL, which PostgreSQL refuses to store or even compare. No row
    holds such text, so a lookup by it finds nothing, on every database alike."""
    return "\x00" not in text


def equals(column, value: str) -> ColumnElement[bool]:
    """`column = value`, or false for a value that cannot be stored (see `storable`)."""
    return column == value if storable(value) else false()


async def rows_changed(
    session: AsyncSession, statement: Executable, parameters: dict[str, Any] | None = None
) -> int:
    """Run an UPDATE or DELETE and count the rows it changed."""
    result = await session.execute(statement, parameters)
    return cast("CursorResult[Any]", result).rowcount  # what DML statements return


def is_postgres(session: AsyncSession) -> bool:
    """Whether `session` talks to PostgreSQL (else SQLite), for the queries that differ."""
    return session.get_bind().dialect.name == "postgresql"


def session_factory(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False)


@asynccontextmanager
async def transaction(sessions: async_sessionmaker[AsyncSession]) -> AsyncIterator[AsyncSession]:
    """A session whose work commits together, or not at all."""
    async with sessions() as session, session.begin():
        yield session


@asynccontextmanager
async def committing(session: AsyncSession) -> AsyncIterator[AsyncSession]:
    """Commit what is done inside on success, roll it back on error; works whether or
    not the session has already begun a transaction (reads before a write begin one)."""
    try:
        yield session
    except BaseException:
        await session.rollback()
        raise
    await session.commit()


def describe_database(url: str) -> str:
    """The URL without its password and, for SQLite, the file it resolves to: a relative
    path (`sqlite:///var/x.db`, three slashes) is taken from the working directory, an
    absolute one needs four (`sqlite:////srv/tarjama/x.db`)."""
    parsed = make_url(url)
    shown = parsed.render_as_string(hide_password=True)
    if parsed.get_backend_name() == "sqlite" and parsed.database not in (None, "", ":memory:"):
        return f"{shown} (the file {Path(parsed.database).resolve()})"
    return shown


def alembic_config(url: str) -> Config:
    from alembic.config import Config  # only migrating needs alembic: workers never load it

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["database_url"] = url
    return config


def migrate(url: str, revision: str = "head") -> None:
    """Bring the database at `url` up to `revision` (blocking; call before serving)."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite" and parsed.database:
        Path(parsed.database).parent.mkdir(parents=True, exist_ok=True)
    from alembic import command

    command.upgrade(alembic_config(url), revision)


def run_in_transaction(url: str, work):
    """Run the coroutine `work(session)` in one transaction, from synchronous code."""

    async def run():
        engine = create_engine(url)
        try:
            async with transaction(session_factory(engine)) as session:
                return await work(session)
        finally:
            await engine.dispose()

    return asyncio.run(run())
