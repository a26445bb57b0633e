"""Every benchmark's --smoke run: tiny sizes through the same code paths and the same baseline, so a
benchmark cannot rot unnoticed (a schema change that breaks its raw SQL fails here). The benchmarks
are split over three test files so that the test command's workers run them side by side."""

from __future__ import annotations

import functools
import os
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
ON_POSTGRES = bool(os.environ.get("CONGVAN_DATABASE_URL"))
POSTGRES_ONLY = {"oversight"}


def _command(name: str) -> list[str]:
    cmd = [sys.executable, "-m", f"bench.{name}", "--smoke"]
    if ON_POSTGRES:  # a database of its own per benchmark: the smokes run in parallel
        server = os.environ["CONGVAN_DATABASE_URL"].rsplit("/", 1)[0]
        cmd += ["--db", "postgres", "--postgres-url", f"{server}/congvan_bench_{name}"]
    return cmd


@functools.cache
def _migrated() -> str:
    """A data folder migrated once per test process, copied by each SQLite smoke instead of migrating a
    database of its own (about 4 s each)."""
    folder = tempfile.mkdtemp(prefix="congvan-bench-template-")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONGVAN_")}
    env.update(CONGVAN_DATA_DIR=folder, CONGVAN_DATABASE_URL="")
    cmd = [sys.executable, "-m", "congvan", "migrate", "-v", "0"]
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True, timeout=300)
    return folder


def run_smoke(name: str, tmp_path: Path) -> None:
    if (name in POSTGRES_ONLY) != ON_POSTGRES:
        pytest.skip("each smoke runs once per test command: this one in the other database's pass")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONGVAN_")}
    env["TMPDIR"] = str(tmp_path)
    if not ON_POSTGRES:
        env["CONGVAN_BENCH_TEMPLATE"] = _migrated()
    done = subprocess.run(_command(name), cwd=ROOT, env=env, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-4000:]
    assert (
        "baseline" in done.stdout
        or "raw" in done.stdout
        or "directly" in done.stdout
        or "plain" in done.stdout
    )
