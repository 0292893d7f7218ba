"""While the database cannot be reached, the API answers 503 with Retry-After, not 500."""

from __future__ import annotations

from cli.localstack import free_port
from service.app.main import create_app
from tests.conftest import http_client, make_settings


async def test_an_unreachable_database_gets_503_with_retry_after(tiny_model_dir):
    nobody = f"postgresql+asyncpg://postgres@127.0.0.1:{free_port()}/tarjama"
    settings = make_settings(nobody, tiny_model_dir)
    app = create_app(settings)
    async with app.router.lifespan_context(app), http_client(app, "tj_" + "x" * 43) as client:
        response = await client.get("/v1/articles")
        created = await client.post("/v1/articles", json={"text": "قال الوزير."})
    assert response.status_code == created.status_code == 503
    assert response.headers["Retry-After"] == "2"
    assert response.json() == {"detail": "the database is unavailable; retry shortly"}
