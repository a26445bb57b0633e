"""Set up a throw-away database for a benchmark (SQLite file or a fresh PostgreSQL database)."""

from __future__ import annotations

import argparse
import atexit
import contextlib
import fcntl
import os
import shutil
import statistics
import tempfile
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any


def parse_args(description: str) -> argparse.Namespace:
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument(
        "--postgres-url",
        default=os.environ.get(
            "CONGVAN_BENCH_POSTGRES_URL", "postgres://postgres@127.0.0.1:5432/congvan_bench"
        ),
    )
    parser.add_argument("--quick", action="store_true", help="smaller sizes")
    parser.add_argument(
        "--smoke",
        action="store_true",
        help="tiny sizes, a few seconds: the same code paths and baseline (the test command runs it)",
    )
    return parser.parse_args()


def size(args: argparse.Namespace, full: int, quick: int, smoke: int) -> int:
    """The size of a run: full by default, smaller with --quick, tiny with --smoke."""
    return smoke if args.smoke else quick if args.quick else full


def bench_dir() -> Path:
    """Where a run keeps its data: ``CONGVAN_BENCH_DIR``, or ``var/bench`` in the working copy, beside the
    data folder an installation has by default; not the system's temporary folder. There the test
    command, pip and the other benchmarks make and delete thousands of files, and on a filesystem that
    checks each new file against recently deleted ones (ext4 without a journal, as on the machines these
    figures were measured on) making a file there cost up to 0.7 ms of the kernel's time for minutes
    afterwards, 0.02 ms in a quiet folder of the same disk (docs/benchmarks.md, session 21)."""
    folder = Path(
        os.environ.get("CONGVAN_BENCH_DIR") or Path(__file__).resolve().parents[1] / "var" / "bench"
    )
    folder.mkdir(parents=True, exist_ok=True)
    _spread(folder)
    return folder


_FS_IOC_GETFLAGS, _FS_IOC_SETFLAGS, _FS_TOPDIR_FL = 0x80086601, 0x40086602, 0x00020000


def _spread(folder: Path) -> None:
    """Ask ext2/3/4 to place each run's folder made in ``folder`` as it places top-level ones (``chattr
    +T``): in a block group of its own, not beside the previous run's, whose clean-up deleted its
    thousands of files a minute before (measured: 0.23 ms of the kernel's time for each new file in the
    same group, 0.015 ms in another). Other filesystems have no such flag: nothing is done."""
    with contextlib.suppress(OSError):
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY)
        try:
            flags = bytearray(8)
            fcntl.ioctl(fd, _FS_IOC_GETFLAGS, flags)
            value = int.from_bytes(flags[:4], "little")
            if not value & _FS_TOPDIR_FL:
                fcntl.ioctl(fd, _FS_IOC_SETFLAGS, (value | _FS_TOPDIR_FL).to_bytes(4, "little") + bytes(4))
        finally:
            os.close(fd)


def setup_django(args: argparse.Namespace) -> None:
    """Point congvan at a fresh database and migrate it."""
    # CONGVAN_BENCH_REUSE=DIR: the database a previous run left there (bench.search then skips generating)
    data = os.environ.get("CONGVAN_BENCH_REUSE") or ""
    if not data:
        # removed when the run ends (a bench.mail run leaves 1.2 GB: a session's runs filled a disk)
        data = tempfile.mkdtemp(prefix="congvan-bench-", dir=bench_dir())
        atexit.register(shutil.rmtree, data, ignore_errors=True)
    template = os.environ.get("CONGVAN_BENCH_TEMPLATE")  # a data folder already migrated (the smokes')
    if template and args.db != "postgres" and not os.environ.get("CONGVAN_BENCH_REUSE"):
        shutil.copytree(template, data, dirs_exist_ok=True)  # the database with its keys; migrate checks
    os.environ["CONGVAN_DATA_DIR"] = data
    if args.db == "postgres":
        from congvan.lib.tests.migrated import postgres_copy

        if not postgres_copy(args.postgres_url):  # the test command's migrated template, when named
            _recreate_postgres(args.postgres_url)
        os.environ["CONGVAN_DATABASE_URL"] = args.postgres_url
    else:
        os.environ["CONGVAN_DATABASE_URL"] = ""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "congvan.settings")
    import django

    django.setup()
    from django.conf import settings
    from django.core.management import call_command

    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0)


def _recreate_postgres(url: str) -> None:
    from urllib.parse import urlparse

    import psycopg

    u = urlparse(url)
    name = u.path.lstrip("/")
    with psycopg.connect(
        host=u.hostname,
        port=u.port or 5432,
        user=u.username,
        password=u.password,
        dbname="postgres",
        autocommit=True,
    ) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}"')
        conn.execute(f'CREATE DATABASE "{name}"')


def timed(fn: Callable[[], Any], repeat: int) -> list[float]:
    """Return the wall times of ``repeat`` calls, in seconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        fn()
        times.append(time.perf_counter() - start)
    return times


def timed_pair(a: Callable[[], Any], b: Callable[[], Any], repeat: int) -> tuple[list[float], list[float]]:
    """Return the wall times of ``repeat`` calls of each, alternating (a, b, a, b...): both sides see the
    same machine (caches, other load, clock speed), which two runs one after the other do not."""
    times_a: list[float] = []
    times_b: list[float] = []
    for _ in range(repeat):
        for fn, times in ((a, times_a), (b, times_b)):
            start = time.perf_counter()
            fn()
            times.append(time.perf_counter() - start)
    return times_a, times_b


def p95(values: list[float]) -> float:
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def median(values: list[float]) -> float:
    return statistics.median(values)


def verdict(ok: bool) -> str:
    """OK, or MISSED: the figure is not met (a time over its limit, a ratio or a share under its aim)."""
    return "OK" if ok else "MISSED"


def count_queries(fn: Callable[[], Any]) -> int:
    """Return how many SQL statements ``fn`` runs (counted at the driver, across request resets)."""
    from django.db import connection

    count = 0

    def counter(execute: Any, sql: Any, params: Any, many: Any, context: Any) -> Any:
        nonlocal count
        count += 1
        return execute(sql, params, many, context)

    with connection.execute_wrapper(counter):
        fn()
    return count
