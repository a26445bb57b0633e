"""`congvan serve` starts the web server and the worker together, and stops both."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request

from congvan.lib.tests.migrated import sqlite_template


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_serve_answers_and_stops(tmp_path):
    env = {**os.environ, "CONGVAN_DATA_DIR": str(tmp_path), "CONGVAN_DATABASE_URL": ""}
    env.pop("DJANGO_SETTINGS_MODULE", None)
    cmd = [sys.executable, "-m", "congvan"]
    shutil.copytree(sqlite_template(), tmp_path, dirs_exist_ok=True)  # migrated once (lib/tests/migrated.py)
    port = free_port()
    proc = subprocess.Popen(
        [*cmd, "serve", "--bind", f"127.0.0.1:{port}"],
        env=env,
        start_new_session=True,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    try:
        deadline = time.monotonic() + 30
        status = None
        while time.monotonic() < deadline:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/login/", timeout=2) as r:
                    status = r.status
                    html = r.read().decode()
                break
            except OSError:
                time.sleep(0.3)
        assert status == 200 and "Đăng nhập" in html
        children = subprocess.run(
            ["pgrep", "-f", "db_worker", "-s", str(proc.pid)], capture_output=True, text=True, check=False
        ).stdout.split()
        assert children, "the background worker runs beside the web server"
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(timeout=30)
    assert proc.returncode == 0
