"""The test databases' engine and sessions, opened in one way, and emptied between tests."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from sqlalchemy import text
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from service.storage.db import create_engine, session_factory, transaction
from service.storage.tables import Base


@asynccontextmanager
async def open_sessions(database_url: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """A session factory on `database_url`, with the service's engine settings; the engine
    is disposed of on leaving."""
    engine = create_engine(database_url)
    try:
        yield session_factory(engine)
    finally:
        await engine.dispose()


@asynccontextmanager
async def committed(database_url: str) -> AsyncIterator[AsyncSession]:
    """One session on `database_url` whose work is committed on leaving."""
    async with open_sessions(database_url) as sessions, transaction(sessions) as session:
        yield session


async def clear_tables(database_url: str) -> None:
    """Delete every row of every table (the schema and Alembic's version stay)."""
    tables = Base.metadata.sorted_tables
    async with open_sessions(database_url) as sessions, transaction(sessions) as session:
        if session.get_bind().dialect.name == "postgresql":
            names = ", ".join(f'"{table.name}"' for table in tables)
            await session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in reversed(tables):  # children before the rows they refer to
                await session.execute(table.delete())
