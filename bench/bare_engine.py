"""The bare engine, in a process of its own so that its peak memory is its own.

    python bench/bare_engine.py REQUEST.json

REQUEST holds the model directory, the sentences, beam size, target tokens, replicas,
threads per replica and batch tokens. Prints one JSON object: seconds, tokens_per_s,
cpu_s and peak_rss_mb. Run by `bench/throughput.py`; imports only CTranslate2,
sentencepiece and the model card.
"""

from __future__ import annotations

import json
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

import ctranslate2
import sentencepiece as spm

from models.card import load_card


def translate(request: dict) -> dict:
    """One `translate_batch` call over every sentence, pre-tokenized, with the service's
    batch size, returning scores as the service does."""
    model_dir = request["model_dir"]
    card = load_card(Path(model_dir))
    sp = spm.SentencePieceProcessor(model_file=str(Path(model_dir) / card.tokenizer["source"]))
    source = [
        card.source_prefix + sp.encode(u, out_type=str) + card.source_suffix
        for u in request["units"]
    ]
    beam, tokens = request["beam"], request["tokens"]
    engine = ctranslate2.Translator(model_dir, device="cpu", compute_type="int8",
                                    intra_threads=request["threads"],
                                    inter_threads=request["replicas"])
    cpu, started = time.process_time(), time.perf_counter()
    engine.translate_batch(source, beam_size=beam,
                           max_batch_size=request["batch_tokens"] // beam,
                           batch_type="tokens", min_decoding_length=tokens,
                           max_decoding_length=tokens, max_input_length=0,
                           return_scores=True)  # as the service, for each sentence's confidence
    seconds = time.perf_counter() - started
    return {"seconds": seconds, "tokens_per_s": len(source) * tokens / seconds,
            "cpu_s": time.process_time() - cpu,
            "peak_rss_mb": peak_rss_mb()}


def peak_rss_mb() -> float:
    """This process's peak resident memory. VmHWM, not getrusage: its ru_maxrss keeps the
    peak of the process this one was forked from (the benchmark)."""
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


if __name__ == "__main__":
    print(json.dumps(translate(json.loads(Path(sys.argv[1]).read_text(encoding="utf-8")))))
