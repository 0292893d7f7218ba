"""Per-key rate limit on interactive submissions, counted in Redis.

A fixed one-minute window per API key: the first `rate_limit_per_minute` interactive
articles a key submits in a window are accepted, the rest answer 429 with `Retry-After`
(the seconds left in the window). Redis holds the counters, so every API process shares
them. Bulk articles are not limited: they wait behind interactive work in the queue.

If Redis does not answer, the limit is not enforced: an accepted article is stored first
and queued later by the reconciler, and refusing work because the counter is down would
turn a queue outage into an API outage.
"""

from __future__ import annotations

import logging
import time

from fastapi import HTTPException, status
from redis.exceptions import RedisError

from service.config import Settings
from service.domain.types import Priority

log = logging.getLogger("tarjama.api")
WINDOW_S = 60
KEY_PREFIX = "tarjama:ratelimit"


class RateLimitedError(HTTPException):
    def __init__(self, limit: int, retry_after_s: int) -> None:
        super().__init__(
            status.HTTP_429_TOO_MANY_REQUESTS,
            f"at most {limit} interactive articles a minute per API key; "
            f"retry in {retry_after_s} s, or submit bulk work as a batch",
            headers={"Retry-After": str(retry_after_s)},
        )


async def count_in_window(redis, key_id: str, now_s: float) -> tuple[int, int]:
    """Count one more request for `key_id`: (requests in this window, seconds it has left)."""
    window = int(now_s // WINDOW_S)
    counter = f"{KEY_PREFIX}:{key_id}:{window}"
    async with redis.pipeline(transaction=True) as pipe:
        pipe.incr(counter)
        pipe.expire(counter, WINDOW_S * 2)
        count, _ = await pipe.execute()
    remaining_s = max(1, int((window + 1) * WINDOW_S - now_s + 0.999))
    return count, remaining_s


async def limit_interactive_submits(
    redis, settings: Settings, key_id: str, priority: Priority
) -> None:
    """Refuse an interactive article over the key's per-minute allowance (429).

    Called by the route once the body is valid (as a dependency declaring the body too,
    every validation error would be reported twice)."""
    limit = settings.rate_limit_per_minute
    if limit == 0 or priority != Priority.interactive:
        return
    try:
        count, remaining_s = await count_in_window(redis, key_id, time.time())
    except (RedisError, OSError) as exc:
        log.warning("rate limit not enforced, Redis unavailable: %s", exc)
        return
    if count > limit:
        raise RateLimitedError(limit, remaining_s)
