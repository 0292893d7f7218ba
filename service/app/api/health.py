"""Liveness and readiness probes."""

from __future__ import annotations

from fastapi import APIRouter, Response, status
from sqlalchemy import text

from models import load_card, resolve_model_dir
from service.app.deps import RedisDep, SessionDep, SettingsDep

router = APIRouter(tags=["health"])


@router.get("/healthz")
async def healthz() -> dict[str, str]:
    """The process is up."""
    return {"status": "ok"}


@router.get("/readyz")
async def readyz(
    session: SessionDep, redis: RedisDep, settings: SettingsDep, response: Response
) -> dict[str, str]:
    """The database and Redis answer, and the configured model directory is loadable."""
    checks: dict[str, str] = {}
    try:
        await session.execute(text("SELECT 1"))
        checks["database"] = "ok"
    except Exception as exc:  # any failure means not ready; say which
        checks["database"] = f"error: {type(exc).__name__}"
    try:
        await redis.ping()
        checks["redis"] = "ok"
    except Exception as exc:
        checks["redis"] = f"error: {type(exc).__name__}"
    try:  # the card and files only; the workers load the weights
        load_card(resolve_model_dir(settings.model, settings.models_dir))
        checks["model"] = "ok"
    except Exception as exc:
        checks["model"] = f"error: {type(exc).__name__}"
    if any(v != "ok" for v in checks.values()):
        response.status_code = status.HTTP_503_SERVICE_UNAVAILABLE
    return checks
