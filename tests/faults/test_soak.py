"""The soak, small: bench/soak.py with a few hundred articles, workers killed with SIGKILL,
Redis and PostgreSQL restarted. Every accepted article ends done exactly once."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys

import pytest

from cli.localpostgres import postgres_bin_dir
from tests.conftest import REPO_DIR

pytestmark = [pytest.mark.postgres, pytest.mark.slow]
# Well under two minutes on an idle 2-core machine; a busy one needs more.
ARTICLES = 200
SOAK_TIMEOUT_S = 420


def test_a_small_soak_keeps_every_promise():
    if postgres_bin_dir() is None:
        pytest.skip("needs PostgreSQL's server programs (initdb, pg_ctl) installed")
    soak = subprocess.Popen(
        [
            sys.executable,
            "bench/soak.py",
            "--articles",
            str(ARTICLES),
            "--rate",
            "5",
            "--batch-size",
            "10",
            "--kill-every",
            "15",
            "--finish-timeout",
            "180",
            "--json",
        ],
        cwd=REPO_DIR,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    try:
        out, err = soak.communicate(timeout=SOAK_TIMEOUT_S)
    except subprocess.TimeoutExpired:
        soak.terminate()  # it stops the services it started
        out, err = soak.communicate(timeout=60)
        pytest.fail(f"the soak took over {SOAK_TIMEOUT_S} s: {err[-2000:]}")
    assert out.strip(), err[-2000:]
    report = json.loads(out.strip().splitlines()[-1])
    summary = {
        k: report[k]
        for k in (
            "done_once",
            "lost",
            "not_done",
            "duplicated",
            "server_errors",
            "slowest_recovery_s",
            "restarts",
            "logs",
        )
    }
    assert soak.returncode == 0 and report["ok"], summary
    assert report["accepted"] == report["done_once"] == ARTICLES
    assert not report["lost"] and not report["duplicated"] and not report["server_errors"]
    # Faults happened, and killed workers were running articles.
    assert len(report["restarts"]) == 2
    assert sum(len(k["held"]) for k in report["kills"]) > 0
    assert 0 < report["slowest_recovery_s"] <= 60
    assert report["interactive_latency_s"]
    shutil.rmtree(report["logs"], ignore_errors=True)  # kept only when the soak failed
