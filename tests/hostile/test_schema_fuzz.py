"""Schemathesis against the OpenAPI schema, on the ASGI app, with an admin key: whatever it
generates, valid by the schema or not, no operation answers 5xx."""

from __future__ import annotations

import asyncio

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis.generation import GenerationMode
from schemathesis.python import asgi

from service.app.main import create_app
from service.queue import connect

EXAMPLES_PER_OPERATION = 20


def fuzz(operation, mode: GenerationMode, headers: dict[str, str]) -> int:
    """Send generated cases to one operation; how many were sent."""
    sent = 0

    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        database=None,
        derandomize=True,
        suppress_health_check=list(HealthCheck),
    )
    @given(operation.as_strategy(generation_mode=mode))
    def check(case) -> None:
        nonlocal sent
        response = case.call(headers=headers)
        sent += 1
        where = f"{case.method} {case.formatted_path} ({mode})"
        assert response.status_code < 500, (where, response.status_code, response.text[:500])

    try:
        check()
    except Unsatisfiable:
        # An operation without parameters or body has no invalid input to generate.
        assert mode == GenerationMode.NEGATIVE and sent == 0
    return sent


@pytest.mark.slow
async def test_no_operation_answers_5xx(settings, make_key):
    admin = await make_key("admin", name="schemathesis")
    app = create_app(settings)
    schema = schemathesis.openapi.from_asgi("/openapi.json", app)
    headers = {"Authorization": f"Bearer {admin}"}
    sent = 0
    operations = 0
    try:
        for result in schema.get_all_operations():
            operation = result.ok()
            operations += 1
            for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
                sent += await _in_thread(fuzz, operation, mode, headers)
    finally:
        await _in_thread(asgi.shutdown_lifespans)
        # Drop the jobs the generated requests queued (the tables are emptied after the
        # test).
        redis = await connect(settings)
        await redis.delete(settings.queue_name)
        await redis.aclose()
    assert operations >= 15
    assert sent >= operations


async def _in_thread(function, *args):
    """Schemathesis drives the app from its own event loop thread; keep ours free."""
    return await asyncio.to_thread(function, *args)
