"""The --smoke run of the benchmarks of digitisation: OCR and the metadata read from scans (bench/tests/smoke.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from bench.tests.smoke import run_smoke


@pytest.mark.parametrize("name", ["ocr", "metadata"])
def test_benchmark_smoke_runs(name: str, tmp_path: Path) -> None:
    run_smoke(name, tmp_path)
