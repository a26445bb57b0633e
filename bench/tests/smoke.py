"""Every benchmark's --smoke run: tiny sizes through the same code paths and the same baseline, so a
benchmark cannot rot unnoticed (a schema change that breaks its raw SQL fails here). The benchmarks
are split over three test files so that the test command's workers run them side by side."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from congvan.lib.tests.migrated import clean_env, sqlite_template

ROOT = Path(__file__).resolve().parents[2]
ON_POSTGRES = bool(os.environ.get("CONGVAN_DATABASE_URL"))
POSTGRES_ONLY = {"oversight"}


def _command(name: str) -> list[str]:
    cmd = [sys.executable, "-m", f"bench.{name}", "--smoke"]
    if ON_POSTGRES:  # a database of its own per benchmark: the smokes run in parallel
        server = os.environ["CONGVAN_DATABASE_URL"].rsplit("/", 1)[0]
        cmd += ["--db", "postgres", "--postgres-url", f"{server}/congvan_bench_{name}"]
    return cmd


def run_smoke(name: str, tmp_path: Path) -> None:
    if (name in POSTGRES_ONLY) != ON_POSTGRES:
        pytest.skip("each smoke runs once per test command: this one in the other database's pass")
    env = clean_env(TMPDIR=str(tmp_path), CONGVAN_BENCH_DIR=str(tmp_path))
    if not ON_POSTGRES:  # a data folder migrated once, copied (lib/tests/migrated.py)
        env["CONGVAN_BENCH_TEMPLATE"] = str(sqlite_template())
    done = subprocess.run(_command(name), cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    assert (
        "baseline" in done.stdout
        or "raw" in done.stdout
        or "directly" in done.stdout
        or "plain" in done.stdout
    )
