"""Mailbox passwords, encrypted with a key kept outside the database.

The key is ``CONGVAN_MAIL_KEY`` (or the file named by ``CONGVAN_MAIL_KEY_FILE``); the embedded default
makes one beside the data (``DATA_DIR/mail_key``), like the audit key. A copy of the database alone
does not give the passwords away; a key that changed makes the stored passwords unreadable, which is
reported (and the admin types the password again), never guessed around.
"""

from __future__ import annotations

import base64
import hashlib
import secrets
from pathlib import Path

from cryptography.fernet import Fernet, InvalidToken
from django.conf import settings
from django.utils.translation import gettext as _

from congvan.lib.errors import Conflict


class KeyMismatch(Conflict):
    code = "mail_key_mismatch"


def _key() -> bytes:
    text = settings.MAIL_KEY
    if not text:
        path = Path(settings.DATA_DIR) / "mail_key"
        if not path.exists():
            path.write_text(secrets.token_urlsafe(48), encoding="utf-8")
            path.chmod(0o600)
        text = path.read_text(encoding="utf-8").strip()
    return base64.urlsafe_b64encode(hashlib.sha256(text.encode()).digest())


def seal(password: str) -> str:
    """The stored form of a password ("" stays "")."""
    if not password:
        return ""
    return Fernet(_key()).encrypt(password.encode()).decode("ascii")


def unseal(stored: str) -> str:
    if not stored:
        return ""
    try:
        return Fernet(_key()).decrypt(stored.encode("ascii")).decode()
    except (InvalidToken, ValueError) as exc:
        raise KeyMismatch(
            _("Không giải mã được mật khẩu hộp thư (khóa CONGVAN_MAIL_KEY đã đổi?): nhập lại mật khẩu")
        ) from exc
