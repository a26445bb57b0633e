"""A database migrated once per test command and copied by whatever needs a fresh one.

Migrating congvan's schema costs 6-15 s of CPU (Django renders each migration's state). The tests
needed one per test process, per node of the exchange cluster, per benchmark smoke and for
``congvan serve``: a dozen per command. ``scripts/test`` migrates once per pass and names the result
in the environment; each of these copies it (a SQLite file through SQLite's backup, a PostgreSQL
database as ``CREATE DATABASE ... TEMPLATE``). Run alone (no template named), each migrates as before,
once per process.
"""

from __future__ import annotations

import functools
import os
import sqlite3
import subprocess
import sys
import tempfile
from pathlib import Path

SQLITE_FILE = "congvan.sqlite3"
# a data folder holding a migrated SQLite database (scripts/test), and a migrated PostgreSQL database
SQLITE_TEMPLATE = "CONGVAN_TEST_SQLITE_TEMPLATE"
POSTGRES_TEMPLATE = "CONGVAN_TEST_POSTGRES_TEMPLATE"
ROOT = Path(__file__).resolve().parents[3]


def clean_env(**extra: str) -> dict[str, str]:
    """The environment without the test run's own CONGVAN_* settings, plus ``extra``."""
    env = {
        k: v for k, v in os.environ.items() if not k.startswith("CONGVAN_") or k.startswith("CONGVAN_TEST_")
    }
    env.pop("DJANGO_SETTINGS_MODULE", None)
    env.update(extra)
    return env


def migrate(data_dir: Path, database_url: str = "") -> None:
    """``congvan migrate`` into a data folder (and a database), in a process of its own."""
    env = clean_env(CONGVAN_DATA_DIR=str(data_dir), CONGVAN_DATABASE_URL=database_url)
    cmd = [sys.executable, "-m", "congvan", "migrate", "-v", "0"]
    subprocess.run(cmd, cwd=ROOT, env=env, check=True, capture_output=True, timeout=600)


@functools.cache
def sqlite_template() -> Path:
    """A data folder with a migrated SQLite database (and the keys migrate made beside it)."""
    named = os.environ.get(SQLITE_TEMPLATE)
    if named and (Path(named) / SQLITE_FILE).exists():
        return Path(named)
    folder = Path(tempfile.mkdtemp(prefix="congvan-migrated-"))
    migrate(folder)
    return folder


def copy_sqlite(target: Path) -> Path:
    """A fresh migrated SQLite database at ``target`` (a file path); returns it."""
    target.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(sqlite_template() / SQLITE_FILE) as src, sqlite3.connect(target) as dst:
        src.backup(dst)
    src.close()
    dst.close()
    return target


def postgres_copy(url: str, template: str | None = None) -> bool:
    """Make the database ``url`` names a fresh copy of ``template`` (a database URL; by default the
    migrated one scripts/test names); False when there is none to copy (the caller migrates)."""
    template = template or os.environ.get(POSTGRES_TEMPLATE)
    if not template:
        return False
    _recreate(url, template=template.rsplit("/", 1)[1])
    return True


def _recreate(url: str, *, template: str = "") -> None:
    import psycopg

    server, name = url.rsplit("/", 1)
    with psycopg.connect(server + "/postgres", autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f'CREATE DATABASE "{name}"' + (f' TEMPLATE "{template}"' if template else ""))


def make_postgres_template(url: str) -> None:
    """The migrated PostgreSQL database the test processes copy (scripts/test, beside the SQLite pass)."""
    _recreate(url)
    with tempfile.TemporaryDirectory(prefix="congvan-migrated-pg-") as keys:  # the keys migrate makes
        migrate(Path(keys), url)


if __name__ == "__main__":
    make_postgres_template(sys.argv[1])
