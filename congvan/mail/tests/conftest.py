from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

import pytest

from congvan.mail.tests.servers import Dovecot, smtp  # noqa: F401 - the SMTP server fixture


@pytest.fixture(scope="session")
def dovecot():
    # not under pytest's temporary folder: Dovecot's own user must reach its files (pytest's is 0700)
    root = Path(tempfile.mkdtemp(prefix="congvan-dovecot-"))
    root.chmod(0o755)
    server = Dovecot(root / "server")
    server.start()
    yield server
    server.stop()
    shutil.rmtree(root, ignore_errors=True)
