from __future__ import annotations

from congvan.mail.tests.servers import smtp  # noqa: F401 - the SMTP server fixture
