"""Latency of an interactive article behind 1,000 queued bulk articles, against idle.

    python bench/latency.py [--bulk 1000] [--repeats 3] [--model PATH_OR_NAME]

Starts the service on this machine (API, Redis, one worker, a fresh SQLite database),
times the SY24 sample article submitted as `interactive` on the idle service, then queues
a bulk batch and times the same article again while the worker is busy with the batch.
Translation memory and result reuse are off, so every run translates in full.
Prints both medians and their ratio; not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import sys
import tempfile
import time
from pathlib import Path

from common import REPO, SAMPLES, sample_articles

from cli.localstack import local_stack

POLL_S = 0.02


def time_article(client, text: str) -> float:
    started = time.perf_counter()
    article = client.post(
        "/v1/articles", json={"text": text, "priority": "interactive", "force": True}
    ).json()
    while True:
        state = client.get(f"/v1/articles/{article['id']}").json()
        if state["status"] in ("done", "failed"):
            if state["status"] == "failed":
                raise RuntimeError(state["error"])
            return time.perf_counter() - started
        time.sleep(POLL_S)


def main() -> int:
    import httpx

    from service.domain.types import KeyRole
    from service.storage.db import migrate, run_in_transaction
    from service.storage.keys import create_key

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--bulk", type=int, default=1000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--model", default=os.environ.get("TARJAMA_MODEL", "ar-en-small"))
    args = parser.parse_args()

    urgent = (SAMPLES / "sy24-deir-ez-zor.txt").read_text(encoding="utf-8")
    bulk = [sample_articles()[i % len(sample_articles())] for i in range(args.bulk)]
    with tempfile.TemporaryDirectory() as tmp:
        database = f"sqlite+aiosqlite:///{Path(tmp) / 'latency.db'}"
        os.environ.update({
            "DATABASE_URL": database,
            "TARJAMA_MODEL": args.model,
            "TARJAMA_TRANSLATION_MEMORY": "false",
            "TARJAMA_QUEUE_NAME": f"tarjama-latency:{os.getpid()}",
        })
        migrate(database)
        key = run_in_transaction(database, lambda s: create_key(s, "bench", KeyRole.submit))[1]
        redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
        with local_stack(redis_url, Path(tmp) / "logs") as (api, _), httpx.Client(
            base_url=api, headers={"Authorization": f"Bearer {key}"}, timeout=600
        ) as client:
            time_article(client, urgent)  # warm-up: model loaded, caches filled
            idle = [time_article(client, urgent) for _ in range(args.repeats)]
            body = "\n".join(
                json.dumps({"text": t, "force": True}, ensure_ascii=False) for t in bulk
            )
            batch = client.post("/v1/batches", content=body.encode(),
                                headers={"content-type": "application/x-ndjson"}).json()
            loaded, queued_behind = [], []
            for _ in range(args.repeats):
                time.sleep(1.0)  # let the worker get well into the batch
                state = client.get(f"/v1/batches/{batch['id']}").json()
                queued_behind.append(state["counts"]["queued"])
                loaded.append(time_article(client, urgent))
            done = client.get(f"/v1/batches/{batch['id']}").json()["counts"]["done"]
            client.post(f"/v1/batches/{batch['id']}/cancel")

    idle_s, loaded_s = statistics.median(idle), statistics.median(loaded)
    print(f"model {args.model}; interactive article: {urgent.count(chr(10))} lines (SY24)")
    print(f"bulk batch: {args.bulk} articles; queued ahead at each try: {queued_behind}; "
          f"{done} bulk articles done meanwhile")
    print("| case | runs (s) | median (s) |")
    print("|---|---|---:|")
    print(f"| idle service | {', '.join(f'{t:.2f}' for t in idle)} | {idle_s:.2f} |")
    print(f"| behind {args.bulk} bulk | {', '.join(f'{t:.2f}' for t in loaded)} | {loaded_s:.2f} |")
    print(f"ratio loaded/idle: {loaded_s / idle_s:.2f} (target <= 2.00)")
    return 0


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.exit(main())
