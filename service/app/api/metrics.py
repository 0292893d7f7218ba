"""/metrics: Prometheus figures for reviewers and admins (a scraper gets a review key)."""

from __future__ import annotations

from fastapi import APIRouter, Response
from prometheus_client import CONTENT_TYPE_LATEST

from service.app import prometheus
from service.app.auth import ReviewerDep
from service.app.deps import RedisDep, SessionDep, SettingsDep

router = APIRouter(tags=["metrics"])


@router.get("/metrics", response_class=Response)
async def read_metrics(
    session: SessionDep, redis: RedisDep, settings: SettingsDep, _: ReviewerDep
) -> Response:
    """Queue depth, articles by status, throughput, latency, memory hits and failures."""
    snapshot = await prometheus.gather(session, redis, settings.queue_name)
    return Response(prometheus.render(snapshot), media_type=CONTENT_TYPE_LATEST)
