"""The --smoke run of the benchmarks of transport: exchange, uploads and official e-mail (bench/tests/smoke.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.tests.smoke import run_smoke


@pytest.mark.parametrize("name", ["exchange", "uploads", "mail"])
def test_benchmark_smoke_runs(name: str, tmp_path: Path) -> None:
    run_smoke(name, tmp_path)
