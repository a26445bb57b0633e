"""Real mail servers for the tests: Debian's Dovecot (IMAP) and aiosmtpd (SMTP), on 127.0.0.1.

Dovecot runs from a configuration of its own in a temporary folder (plain IMAP on a free port,
accounts with one password, Maildir homes owned by the ``dovecot`` user), one server per test process; each
test gets accounts of its own.
"""

from __future__ import annotations

import imaplib
import itertools
import os
import pwd
import shutil
import socket
import subprocess
import tempfile
import time
from pathlib import Path
from typing import Any

import pytest
from aiosmtpd.controller import Controller

from congvan.mail.imap import quote_folder

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
PASSWORD = "mat-khau-thu"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class Dovecot:
    def __init__(self) -> None:
        # its own short folder in /tmp, open to Dovecot's user: pytest's temporary folders are private
        # (0700) and deep (a Unix socket's path is limited to 108 bytes)
        root = Path(tempfile.mkdtemp(prefix="cv-dovecot-", dir="/tmp"))
        root.chmod(0o755)
        self.root = root
        self.port = free_port()
        self.tls_port = free_port()  # IMAPS; the plain port offers STARTTLS
        self.ca_file = str(root / "cert.pem")  # the server's own certificate, trusted as its CA
        _self_signed(root)
        self._n = itertools.count(1)
        owner = pwd.getpwnam("dovecot") if os.geteuid() == 0 else pwd.getpwuid(os.geteuid())
        (root / "home").mkdir(parents=True)
        os.chown(root / "home", owner.pw_uid, owner.pw_gid)
        extra = ""
        if os.geteuid() != 0:  # an unprivileged run: everything as this user
            extra = f"default_internal_user = {owner.pw_name}\ndefault_login_user = {owner.pw_name}\n"
        (root / "dovecot.conf").write_text(
            f"""base_dir = {root}/run
state_dir = {root}/state
log_path = {root}/dovecot.log
protocols = imap
listen = 127.0.0.1
ssl = yes
ssl_cert = <{root}/cert.pem
ssl_key = <{root}/key.pem
disable_plaintext_auth = no
auth_mechanisms = plain login
first_valid_uid = {owner.pw_uid}
mail_location = maildir:~/Maildir
{extra}passdb {{
  driver = static
  args = password={PASSWORD}
}}
userdb {{
  driver = static
  args = uid={owner.pw_uid} gid={owner.pw_gid} home={root}/home/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {self.port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {self.tls_port}
    ssl = yes
  }}
  chroot =
}}
service anvil {{
  chroot =
}}
"""
        )

    def start(self) -> None:
        subprocess.run([DOVECOT, "-c", str(self.root / "dovecot.conf")], check=True, timeout=30)
        for _ in range(100):
            with socket.socket() as s:
                if s.connect_ex(("127.0.0.1", self.port)) == 0:
                    return
            time.sleep(0.05)
        raise RuntimeError("dovecot did not start: " + (self.root / "dovecot.log").read_text()[-2000:])

    def stop(self) -> None:
        subprocess.run([DOVECOT, "-c", str(self.root / "dovecot.conf"), "stop"], check=False, timeout=30)
        shutil.rmtree(self.root, ignore_errors=True)

    def account(self) -> tuple[str, str]:
        """A new account (every name signs in with the one password; each has its own mail folder)."""
        return f"vanthu{next(self._n)}-{os.getpid()}@donvi.test", PASSWORD

    def settings(self, user: str, **extra: Any) -> dict[str, Any]:
        """A unit's mailbox settings (as the page and the API take them) for one account here."""
        return {
            "address": "vanthu@huyenuy.gov.vn",
            "host": "127.0.0.1",
            "port": self.port,
            "security": "plain",
            "username": user,
            "password": PASSWORD,
            **extra,
        }

    def client(self, user: str, password: str = "") -> imaplib.IMAP4:
        password = password or PASSWORD
        box = imaplib.IMAP4("127.0.0.1", self.port)
        box.login(user, password)
        return box

    def deliver(self, user: str, raw: bytes, folder: str = "INBOX", *, at: Any = None) -> None:
        """Put a mail into a folder, as a mail server's delivery would (IMAP APPEND); ``at``: when it
        arrived (an aware datetime; now when not given)."""
        box = self.client(user)
        try:
            if folder != "INBOX":
                box.create(quote_folder(folder))
            answer = box.append(quote_folder(folder), None, at, raw)  # type: ignore[arg-type]
            assert answer[0] == "OK", answer
        finally:
            box.logout()

    def folder_uids(self, user: str, folder: str = "INBOX") -> list[int]:
        box = self.client(user)
        try:
            status, _data = box.select(quote_folder(folder))
            if status != "OK":
                return []
            _s, found = box.uid("SEARCH", None, "ALL")  # type: ignore[arg-type]
            return [int(x) for x in found[0].split()]
        finally:
            box.logout()


def self_signed(common_name: str, *extensions: tuple[Any, bool]) -> tuple[Any, Any]:
    """A new EC key and a certificate for it, signed by itself (a day back, thirty days ahead)."""
    import datetime as dt

    from cryptography import x509
    from cryptography.hazmat.primitives import hashes
    from cryptography.hazmat.primitives.asymmetric import ec
    from cryptography.x509.oid import NameOID

    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)])
    now = dt.datetime.now(dt.UTC)
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=30))
    )
    for extension, critical in extensions:
        builder = builder.add_extension(extension, critical)
    return key, builder.sign(key, hashes.SHA256())


def _self_signed(root: Path) -> None:
    """A key and a certificate for 127.0.0.1 (the tests trust it through CONGVAN_MAIL_CA_FILE)."""
    import ipaddress

    from cryptography import x509
    from cryptography.hazmat.primitives import serialization

    key, cert = self_signed(
        "mail.donvi.test",
        (x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address("127.0.0.1"))]), False),
        (x509.BasicConstraints(ca=True, path_length=None), True),
    )
    (root / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (root / "key.pem").write_bytes(
        key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
    )


class Inbox:
    """What an SMTP server received; it can refuse a recipient (5xx) or be down for a while (4xx)."""

    def __init__(self) -> None:
        self.messages: list[Any] = []
        self.refuse: dict[str, str] = {}
        self.busy = 0

    async def handle_RCPT(self, server: Any, session: Any, envelope: Any, address: str, options: Any) -> str:
        if address in self.refuse:
            return self.refuse[address]
        if self.busy:
            self.busy -= 1
            return "451 4.3.0 Mailbox busy, try again later"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.messages.append(envelope)
        return "250 OK"


def smtp_server() -> tuple[Controller, Inbox, int]:
    inbox = Inbox()
    port = free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    return controller, inbox, port


@pytest.fixture
def smtp(settings: Any) -> Any:
    """A real SMTP server on 127.0.0.1 that the server's own settings point at."""
    controller, inbox, port = smtp_server()
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_ENABLED = "127.0.0.1", port, True
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    yield inbox
    controller.stop()
