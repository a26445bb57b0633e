"""Where the benchmarks keep their data (bench/common.py)."""

from __future__ import annotations

import fcntl
import os

import pytest

from bench import common


def _flags(path: str) -> int:
    fd = os.open(path, os.O_RDONLY | os.O_DIRECTORY)
    try:
        out = bytearray(8)
        fcntl.ioctl(fd, common._FS_IOC_GETFLAGS, out)
        return int.from_bytes(out[:4], "little")
    finally:
        os.close(fd)


def test_each_run_gets_a_folder_placed_apart_from_the_last_runs(tmp_path, monkeypatch):
    monkeypatch.setenv("CONGVAN_BENCH_DIR", str(tmp_path / "bench"))
    folder = common.bench_dir()
    assert folder == tmp_path / "bench" and folder.is_dir()
    try:
        flags = _flags(str(folder))
    except OSError:
        pytest.skip("this filesystem keeps no inode flags (not ext2/3/4)")
    assert flags & common._FS_TOPDIR_FL  # its runs' folders are placed as top-level ones
    assert common.bench_dir() == folder  # asked again: the same folder, nothing refused
