"""The stack each fault test drives: a private Redis and the API as real processes, with an
API key to call them with; the test starts the workers. A test module names its database
and extra settings by overriding `stack_database_url` and `stack_settings`."""

from __future__ import annotations

import pytest

from tests.factories import create_api_key
from tests.faults.stack import Stack, stack_env


@pytest.fixture
def stack_database_url(postgres_url: str) -> str:
    return postgres_url


@pytest.fixture
def stack_settings() -> dict[str, str]:
    """Settings over stack_env's."""
    return {}


@pytest.fixture
async def stack(stack_database_url, stack_settings, tiny_model_dir, tmp_path):
    stack = Stack(stack_env(stack_database_url, tiny_model_dir) | stack_settings, tmp_path)
    stack.key = await create_api_key(stack_database_url, name="faults")
    try:
        stack.start_redis()
        stack.start_api()
        yield stack
    finally:
        stack.stop_all()
