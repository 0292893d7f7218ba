"""Bulk ingest: a generated NDJSON batch through the API, then (optionally) to the end.

    python bench/ingest.py [--lines 10000] [--complete] [--workers 1] [--model NAME]

Generates articles from the sample articles' sentences (each a different mix, so none
is reused whole), streams them to `POST /v1/batches`, and reports the ingest time and the
API's peak memory. With `--complete`, runs workers until the batch is done and reports
throughput, the translation memory's hit rate, and whether the exports validate
(TMX parsed as XML, CSV and JSONL row counts).
"""

from __future__ import annotations

import argparse
import csv
import io
import json
import os
import random
import sys
import tempfile
import time
import xml.etree.ElementTree as ET
from pathlib import Path

from common import REPO, child_pids, process_peak_rss_mb, sample_articles

from cli.localstack import local_stack
from workers.segment import split_paragraphs, split_sentences


def generated_lines(count: int, seed: int = 7):
    """NDJSON lines: articles of 2-4 paragraphs of 1-3 sample sentences each."""
    rng = random.Random(seed)
    sentences = [
        s for t in sample_articles() for p in split_paragraphs(t) for s in split_sentences(p)
    ]
    for n in range(count):
        paragraphs = [
            " ".join(rng.choice(sentences) for _ in range(rng.randint(1, 3)))
            for _ in range(rng.randint(2, 4))
        ]
        yield (json.dumps({"text": "\n".join(paragraphs), "external_id": f"gen-{n}"},
                          ensure_ascii=False) + "\n").encode()


def main() -> int:
    import httpx

    from service.domain.types import KeyRole
    from service.storage.db import migrate, run_in_transaction
    from service.storage.keys import create_key

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--lines", type=int, default=10_000)
    parser.add_argument("--complete", action="store_true", help="translate the whole batch")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--model", default=os.environ.get("TARJAMA_MODEL", "ar-en-small"))
    parser.add_argument("--database-url", default=None, help="default: a fresh SQLite file")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory() as tmp:
        database = args.database_url or f"sqlite+aiosqlite:///{Path(tmp) / 'ingest.db'}"
        os.environ.update({"DATABASE_URL": database, "TARJAMA_MODEL": args.model,
                           "TARJAMA_QUEUE_NAME": f"tarjama-ingest:{os.getpid()}"})
        migrate(database)
        key = run_in_transaction(database, lambda s: create_key(s, "bench", KeyRole.submit))[1]
        redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
        with local_stack(redis_url, Path(tmp) / "logs", workers=args.workers) as (api, _), \
                httpx.Client(base_url=api, headers={"Authorization": f"Bearer {key}"},
                             timeout=3600) as client:
            [api_pid] = child_pids("serve")
            started = time.perf_counter()
            response = client.post("/v1/batches", content=generated_lines(args.lines),
                                   headers={"content-type": "application/x-ndjson"},
                                   params={"name": f"generated-{args.lines}"})
            response.raise_for_status()
            ingest_s = time.perf_counter() - started
            created = response.json()
            print(f"ingested {created['accepted']} articles ({created['rejected_total']} rejected) "
                  f"in {ingest_s:.1f}s = {created['accepted'] / ingest_s:.0f} articles/s; "
                  f"API peak RSS {process_peak_rss_mb(api_pid):.0f} MB", flush=True)
            if not args.complete:
                client.post(f"/v1/batches/{created['id']}/cancel")
                return 0
            batch_id = created["id"]
            while True:
                state = client.get(f"/v1/batches/{batch_id}").json()
                if state["finished"]:
                    break
                print(f"  {state['counts']['done']}/{state['total']} done, "
                      f"{state['articles_per_minute'] or 0:.0f} articles/min, "
                      f"ETA {state['eta_seconds'] or 0:.0f}s", flush=True)
                time.sleep(30)
            total_s = time.perf_counter() - started
            print(f"completed: {state['counts']} in {total_s:.0f}s "
                  f"({state['counts']['done'] / total_s * 3600:.0f} articles/hour); "
                  f"translation memory hit rate {state['translation_memory_hit_rate']:.1%}")
            _check_exports(client, batch_id, state["counts"]["done"])
    return 0


def _check_exports(client, batch_id: str, done: int) -> None:
    jsonl = client.get(f"/v1/batches/{batch_id}/export", params={"format": "jsonl"}).text
    articles = [json.loads(line) for line in jsonl.splitlines()]
    sentences = sum(len(p["sentences"]) for a in articles for p in a["paragraphs"])
    paragraphs = sum(len(a["paragraphs"]) for a in articles)
    export = client.get(f"/v1/batches/{batch_id}/export", params={"format": "tmx"})
    tmx = ET.fromstring(export.content)
    rows = list(csv.reader(io.StringIO(
        client.get(f"/v1/batches/{batch_id}/export", params={"format": "csv"}).text)))
    print(f"exports: JSONL {len(articles)} articles (expected {done}); "
          f"TMX valid XML, {len(tmx.findall('body/tu'))} units (expected {sentences}); "
          f"CSV {len(rows) - 1} rows (expected {paragraphs})")


if __name__ == "__main__":
    sys.path.insert(0, str(REPO))
    sys.exit(main())
