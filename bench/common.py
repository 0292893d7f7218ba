"""Shared by the benchmarks: the sample articles as translation units, models, a stack."""

from __future__ import annotations

import json
import os
import resource
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from workers.pipeline import segment_article

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "samples" / "articles"


def sample_articles() -> list[str]:
    return [p.read_text(encoding="utf-8") for p in sorted(SAMPLES.glob("*.txt"))]


def article_units(text: str) -> list[str]:
    """What the worker translates for this article (title and distinct sentences)."""
    return list(dict.fromkeys(segment_article(text, None).units))


def articles_for(min_units: int) -> list[str]:
    """Sample articles repeated until they hold at least `min_units` units."""
    texts, count, samples = [], 0, sample_articles()
    while count < min_units:
        for text in samples:
            texts.append(text)
            count += len(article_units(text))
            if count >= min_units:
                break
    return texts


def peak_rss_mb() -> float:
    """This process's peak resident memory."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def process_peak_rss_mb(pid: int) -> float:
    """Another process's peak resident memory (VmHWM), while it runs."""
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM:"):
            return int(line.split()[1]) / 1024
    return float("nan")


def child_pids(command: str) -> list[int]:
    """The `tarjama <command>` processes started by local_stack (children of this one)."""
    me, found = str(os.getpid()), []
    for status in Path("/proc").glob("[0-9]*/status"):
        try:
            text = status.read_text()
            cmdline = (status.parent / "cmdline").read_text()
        except OSError:
            continue
        if f"PPid:\t{me}" in text and f"cli.main\0{command}" in cmdline:
            found.append(int(status.parent.name))
    if not found:
        raise RuntimeError(f"no `tarjama {command}` process found")
    return found


def thread_cpu_s(pid: int) -> dict[int, float]:
    """CPU seconds (user + system) used so far by each thread of a process."""
    ticks = os.sysconf("SC_CLK_TCK")
    used = {}
    for task in Path(f"/proc/{pid}/task").iterdir():
        try:
            fields = (task / "stat").read_text().rsplit(")", 1)[1].split()
        except OSError:  # the thread ended meanwhile
            continue
        used[int(task.name)] = (int(fields[11]) + int(fields[12])) / ticks
    return used


def model_size_mb(model_dir: Path) -> float:
    return (Path(model_dir) / "model.bin").stat().st_size / 1e6


def print_json(label: str, data: dict) -> None:
    print(f"{label} {json.dumps(data)}", flush=True)


def env_for_service(model_dir: Path, database_url: str, **extra: str) -> dict[str, str]:
    return {
        **os.environ,
        "DATABASE_URL": database_url,
        "TARJAMA_MODEL": str(model_dir),
        **extra,
    }
