"""Throughput: bare CTranslate2 vs the whole service vs transformers fp32, same sentences.

    python bench/throughput.py [--units 1000] [--beams 1 4] [--repeats 3] [--workers 2]
                               [--model opus-shape|shipped|all]

The sentences are those of the sample articles (title and sentences, as the worker
translates them), repeated. "opus-shape" is a model with OPUS-MT ar-en's shape (d_model
512, 6+6 layers, 8 heads, FFN 2048, 62k vocabulary) and random weights: built as a
Hugging Face MarianMTModel when torch and transformers are installed (so transformers can
run the same weights) and converted to CTranslate2 int8, else built directly. Every system
is forced to the same output length (`--tokens`, 40 by default) so they do equal work.

(a) bare: `ctranslate2.Translator.translate_batch` on pre-tokenized sentences, all in one
    call, in a process of its own (`bench/bare_engine.py`), batches of the service's size,
    returning scores as the service does (it turns them into each sentence's confidence;
    greedy decoding then computes a log-softmax over the vocabulary at every step, about 5%
    of the time on the OPUS-MT-shaped model); with the service's thread split (a replica
    per core, one thread each) and with one replica using every core.
(b) service: HTTP batch submit -> Redis -> one worker -> database -> results; the time from
    submit to the batch's last article stored (its `finished_at`). Translation memory and
    result reuse are off.
(c) transformers: `MarianMTModel.generate` in fp32 on the same weights (a subset).
Each system runs `--repeats` times, interleaved, and the median is reported: this machine's
speed drifts by tens of percent from minute to minute. Prints target tokens/s,
articles/hour, ratios to bare, CPU seconds and peak RSS (of the bare engine's process, of
the service's worker); not a test.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

from common import (
    REPO,
    article_units,
    articles_for,
    child_pids,
    model_size_mb,
    process_peak_rss_mb,
    sample_articles,
    thread_cpu_s,
)

from cli.localstack import local_stack
from models.card import ModelCard, sha256_file
from models.synthetic import OPUS_MT_BASE, build_random_model
from models.translator import usable_cores
from service.config import Settings
from workers.segment import split_paragraphs

OPUS_VOCAB = 62_000
CORES = usable_cores()
THREADS = CORES  # for transformers
BATCH_TOKENS = Settings().max_batch_tokens  # the service's default, beam hypotheses counted
# The service's default thread split (a replica per core), and the one-replica alternative.
SPLITS = {"bare ctranslate2": (CORES, 1), "bare ctranslate2, 1 replica": (1, CORES)}
POLL_S = 0.25  # polling the batch costs the API (and so the CPU) a little each time;
# the time measured ends at the batch's `finished_at`, not at the poll that sees it


def have_torch() -> bool:
    try:
        import torch  # noqa: F401
        import transformers  # noqa: F401
    except ImportError:
        return False
    return True


def tokenizer_texts() -> list[str]:
    texts = [p for t in sample_articles() for p in split_paragraphs(t)]
    english = REPO.parent / "shared" / "data" / "parallel" / "train" / "tatoeba-anki.en"
    if english.exists():
        texts += english.read_text(encoding="utf-8").splitlines()[:3000]
    return texts


def build_opus_shape(workdir: Path) -> tuple[Path, Path | None]:
    """(CTranslate2 int8 dir, Hugging Face dir or None) for the OPUS-MT-shaped model."""
    ct2_dir = workdir / "opus-shape-ct2"
    if not have_torch():
        build_random_model(ct2_dir, tokenizer_texts(), name="opus-shape", shape=OPUS_MT_BASE,
                           vocab_size=8000, model_vocab_size=OPUS_VOCAB, max_input_tokens=256)
        return ct2_dir, None
    import ctranslate2

    from models.synthetic import build_hf_marian

    hf_dir = build_hf_marian(workdir / "opus-shape-hf", tokenizer_texts(), shape=OPUS_MT_BASE,
                             vocab_size=8000, model_vocab_size=OPUS_VOCAB)
    ctranslate2.converters.TransformersConverter(str(hf_dir)).convert(
        str(ct2_dir), quantization="int8", force=True
    )
    for name in ("source.spm", "target.spm"):
        (ct2_dir / name).write_bytes((hf_dir / name).read_bytes())
    ModelCard(name="opus-shape", architecture="marian transformer-base, random weights",
              max_input_tokens=256, origin="bench/throughput.py",
              sha256={"model.bin": sha256_file(ct2_dir / "model.bin")}).save(ct2_dir)
    return ct2_dir, hf_dir


def bare(model_dir: Path, units: list[str], beam: int, tokens: int, split: tuple[int, int],
         workdir: Path) -> dict:
    """(a) CTranslate2 alone, on pre-tokenized input, one translate_batch call for all, in a
    process of its own (`bench/bare_engine.py`) whose peak memory is the engine's.

    `split` is (replicas, threads per replica); batches are as large as the service's.
    """
    replicas, threads = split
    request = workdir / "bare-request.json"
    request.write_text(json.dumps({
        "model_dir": str(model_dir), "units": units, "beam": beam, "tokens": tokens,
        "replicas": replicas, "threads": threads, "batch_tokens": BATCH_TOKENS,
    }, ensure_ascii=False), encoding="utf-8")
    done = subprocess.run([sys.executable, str(REPO / "bench" / "bare_engine.py"), str(request)],
                          capture_output=True, text=True, check=True)
    result = json.loads(done.stdout.strip().splitlines()[-1])
    result["peak_rss_mb"] = round(result["peak_rss_mb"], 1)
    return result


def service(model_dir: Path, texts: list[str], beam: int, tokens: int, workdir: Path,
            workers: int = 1) -> dict:
    """(b) The whole service on this machine: API, Redis, `workers` workers (sharing the
    cores' replicas between them), SQLite."""
    import httpx

    from service.domain.types import KeyRole
    from service.storage.db import migrate, run_in_transaction
    from service.storage.keys import create_key

    database = f"sqlite+aiosqlite:///{workdir / f'bench-{beam}.db'}"
    os.environ.update({
        "DATABASE_URL": database,
        "TARJAMA_MODEL": str(model_dir),
        "TARJAMA_BEAM_SIZE": str(beam),
        "TARJAMA_FIXED_OUTPUT_TOKENS": str(tokens),
        "TARJAMA_TRANSLATION_MEMORY": "false",
        "TARJAMA_QUEUE_NAME": f"tarjama-bench:{os.getpid()}:{beam}",
        "TARJAMA_TRANSLATE_REPLICAS": str(max(1, CORES // workers)),
    })
    migrate(database)
    key = run_in_transaction(database, lambda s: create_key(s, "bench", KeyRole.submit))[1]
    body = "\n".join(json.dumps({"text": t, "force": True}, ensure_ascii=False) for t in texts)
    redis_url = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/0")
    with local_stack(redis_url, workdir / "logs", workers=workers) as (api, _):
        worker_pids, [api_pid] = child_pids("worker"), child_pids("serve")
        pids = [*worker_pids, api_pid]
        headers = {"Authorization": f"Bearer {key}"}
        with httpx.Client(base_url=api, headers=headers, timeout=600) as c:
            _warm_up(c)  # the workers have loaded their model before the clock starts
            before = {pid: thread_cpu_s(pid) for pid in pids}
            started = time.time()
            response = c.post("/v1/batches", content=body.encode(),
                              headers={"content-type": "application/x-ndjson"})
            response.raise_for_status()
            batch_id = response.json()["id"]
            while not (batch := c.get(f"/v1/batches/{batch_id}").json())["finished"]:
                time.sleep(POLL_S)
            # Until the last article was stored, as the service recorded it: not until this
            # loop's next poll noticed.
            finished = datetime.fromisoformat(batch["finished_at"])
            seconds = finished.replace(tzinfo=finished.tzinfo or UTC).timestamp() - started
            after = {pid: thread_cpu_s(pid) for pid in pids}
            rss = max(process_peak_rss_mb(pid) for pid in worker_pids)
    units = sum(len(article_units(t)) for t in texts)

    def used(pid: int, only: int | None = None) -> float:
        return sum(s - before[pid].get(t, 0.0) for t, s in after[pid].items()
                   if only is None or t == only)

    worker_cpu = sum(used(pid) for pid in worker_pids)
    return {"seconds": seconds, "tokens_per_s": units * tokens / seconds, "peak_rss_mb": rss,
            "cpu_s": worker_cpu + used(api_pid), "worker_cpu_s": worker_cpu,
            "worker_loop_cpu_s": sum(used(pid, only=pid) for pid in worker_pids),
            "api_cpu_s": used(api_pid)}


def _warm_up(client) -> None:
    article = client.post("/v1/articles", json={"text": "تجربة.", "force": True}).json()
    while client.get(f"/v1/articles/{article['id']}").json()["status"] not in ("done", "failed"):
        time.sleep(0.05)


def hf(hf_dir: Path, units: list[str], beam: int, tokens: int) -> dict:
    """(c) transformers fp32 generate on the same weights, batches of 32 by length."""
    import torch
    import transformers

    torch.set_num_threads(THREADS)
    tokenizer = transformers.MarianTokenizer.from_pretrained(hf_dir)
    model = transformers.MarianMTModel.from_pretrained(hf_dir).eval()
    ordered = sorted(units, key=len)
    cpu, started = time.process_time(), time.perf_counter()
    with torch.inference_mode():
        for i in range(0, len(ordered), 32):
            batch = tokenizer(ordered[i : i + 32], return_tensors="pt", padding=True)
            model.generate(**batch, num_beams=beam, min_new_tokens=tokens,
                           max_new_tokens=tokens, do_sample=False)
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "tokens_per_s": len(units) * tokens / seconds,
            "cpu_s": time.process_time() - cpu}


def median_run(runs: list[dict]) -> dict:
    """The run with the median throughput; `runs` lists every run's tokens/s."""
    ordered = sorted(runs, key=lambda r: r["tokens_per_s"])
    chosen = dict(ordered[len(ordered) // 2])
    chosen["runs"] = [r["tokens_per_s"] for r in runs]
    chosen["peak_rss_mb"] = max((r.get("peak_rss_mb", 0) for r in runs), default=0)
    return chosen


def measure(name: str, model_dir: Path, hf_dir: Path | None, texts: list[str], beam: int,
            args, workdir: Path) -> list[tuple]:
    """Rows for one model and beam: every system, runs interleaved, medians."""
    units = [u for t in texts for u in article_units(t)]
    runs: dict[str, list[dict]] = {}
    for repeat in range(args.repeats):  # interleaved: a noisy spell hits every system alike
        for system, split in SPLITS.items():
            if repeat and split[0] == 1:
                continue  # the one-replica split is a reference point: one run is enough
            runs.setdefault(system, []).append(
                bare(model_dir, units, beam, args.tokens, split, workdir))
        if not args.skip_service:
            runs.setdefault("service", []).append(
                service(model_dir, texts, beam, args.tokens, workdir))
            if args.workers > 1:
                runs.setdefault(f"service, {args.workers} workers", []).append(
                    service(model_dir, texts, beam, args.tokens, workdir, args.workers))
        print(f"  {name} beam {beam}, run {repeat + 1}: " + ", ".join(
            f"{system} {r[-1]['tokens_per_s']:.0f}" for system, r in runs.items()), flush=True)
    if hf_dir is not None and not args.skip_transformers:
        runs["transformers fp32"] = [hf(hf_dir, units[: args.hf_units], beam, args.tokens)]
    base = median_run(runs["bare ctranslate2"])["tokens_per_s"]
    return [(name, beam, system, median_run(r), median_run(r)["tokens_per_s"] / base)
            for system, r in runs.items()]


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--units", type=int, default=1000, help="sentences to translate")
    parser.add_argument("--hf-units", type=int, default=200, help="sentences for transformers")
    parser.add_argument("--beams", type=int, nargs="+", default=[1, 4])
    parser.add_argument("--tokens", type=int, default=40, help="target tokens per sentence")
    parser.add_argument("--repeats", type=int, default=3,
                        help="runs of each system (interleaved); medians are reported")
    parser.add_argument("--model", choices=["opus-shape", "shipped", "all"], default="all")
    parser.add_argument("--workers", type=int, default=1,
                        help="also run the service with this many worker processes")
    parser.add_argument("--skip-service", action="store_true")
    parser.add_argument("--skip-transformers", action="store_true")
    args = parser.parse_args()

    texts = articles_for(args.units)
    units = [u for t in texts for u in article_units(t)]
    per_article = len(units) / len(texts)
    print(f"{len(units)} sentences in {len(texts)} articles ({per_article:.1f} per article), "
          f"{args.tokens} target tokens each, {CORES} cores, batches of {BATCH_TOKENS} tokens "
          f"(beam hypotheses counted), median of {args.repeats} runs", flush=True)
    rows = []
    with tempfile.TemporaryDirectory() as tmp:
        workdir = Path(tmp)
        models: list[tuple[str, Path, Path | None]] = []
        if args.model in ("opus-shape", "all"):
            ct2_dir, hf_dir = build_opus_shape(workdir)
            models.append(("opus-shape", ct2_dir, hf_dir))
        shipped = REPO / "models" / "ar-en-small"
        if args.model in ("shipped", "all") and (shipped / "model.bin").exists():
            models.append(("ar-en-small", shipped, None))
        for name, model_dir, hf_dir in models:
            print(f"{name}: int8 model.bin {model_size_mb(model_dir):.0f} MB", flush=True)
            for beam in args.beams:
                rows += measure(name, model_dir, hf_dir, texts, beam, args, workdir)

    replicas, threads = SPLITS["bare ctranslate2"]
    print(f"\nbare ctranslate2: {replicas} replicas x {threads} thread (the service's default); "
          f"1 replica: x {CORES} threads. Ratios are to bare ctranslate2.\n")
    print("| model | beam | system | target tok/s | articles/hour | ratio to bare | runs "
          "| CPU s | peak RSS |")
    print("|---|---:|---|---:|---:|---:|---|---:|---:|")
    for name, beam, system, result, ratio in rows:
        per_hour = result["tokens_per_s"] * 3600 / (args.tokens * per_article)
        rss = f"{result['peak_rss_mb']:.0f} MB" if result.get("peak_rss_mb") else ""
        each = " ".join(f"{r:.0f}" for r in result["runs"])
        print(f"| {name} | {beam} | {system} | {result['tokens_per_s']:.0f} | {per_hour:.0f} "
              f"| {ratio:.2f} | {each} | {result['cpu_s']:.1f} | {rss} |")
    print()
    print("Where the service's CPU went (seconds, median run): worker (its event loop), API")
    for name, beam, _system, result, _ in rows:
        if "worker_cpu_s" in result:
            print(f"  {name} beam {beam}: worker {result['worker_cpu_s']:.1f} "
                  f"({result['worker_loop_cpu_s']:.1f}), API {result['api_cpu_s']:.1f}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
