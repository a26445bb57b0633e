"""A small IMAP client over the standard library: select a folder, list new UIDs, fetch, move, flag.

Only what the intake needs, with every server answer checked: a refusal becomes ``MailServerError``
with the server's words, never a traceback.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import imaplib
import re
import ssl
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from congvan.lib.errors import CongvanError


class MailServerError(CongvanError):
    code = "mail_server_error"
    status = 502


@dataclass(frozen=True)
class ServerSettings:
    host: str
    port: int
    security: str  # tls | starttls | plain
    username: str
    password: str


def tls_context() -> ssl.SSLContext:
    return ssl.create_default_context(cafile=settings.MAIL_CA_FILE or None)


def _text(data: object) -> str:
    if isinstance(data, list):
        return " ".join(_text(d) for d in data)
    if isinstance(data, bytes):
        return data.decode("utf-8", "replace")
    return str(data)


_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")  # RFC 3501


def _uid_set(uids: list[int]) -> str:
    return ",".join(str(u) for u in uids)


class Imap:
    """One connection; use as a context manager."""

    def __init__(self, server: ServerSettings) -> None:
        try:
            if server.security == "tls":
                self.box: imaplib.IMAP4 = imaplib.IMAP4_SSL(
                    server.host, server.port, ssl_context=tls_context(), timeout=settings.MAIL_TIMEOUT
                )
            else:
                self.box = imaplib.IMAP4(server.host, server.port, timeout=settings.MAIL_TIMEOUT)
                if server.security == "starttls":
                    self.box.starttls(ssl_context=tls_context())
            self.box.login(server.username, server.password)
        except (TimeoutError, OSError, imaplib.IMAP4.error, ssl.SSLError) as exc:
            raise MailServerError(
                _("Không kết nối được hộp thư %(host)s:%(port)s: %(error)s")
                % {"host": server.host, "port": server.port, "error": str(exc)[:300]}
            ) from exc
        self.capabilities = {c.upper() for c in self.box.capabilities}

    def __enter__(self) -> Imap:
        return self

    def __exit__(self, *exc: object) -> None:
        with contextlib.suppress(OSError, imaplib.IMAP4.error):
            self.box.logout()

    def _ok(self, answer: tuple[str, Any], what: str) -> list[Any]:
        status, data = answer
        if status != "OK":
            raise MailServerError(
                _("Máy chủ thư từ chối %(what)s: %(answer)s") % {"what": what, "answer": _text(data)[:300]}
            )
        return list(data)

    def _call(self, what: str, *args: str) -> list[Any]:
        try:
            return self._ok(self.box.uid(*args), what)
        except (OSError, imaplib.IMAP4.error) as exc:
            raise MailServerError(
                _("Lỗi khi %(what)s: %(error)s") % {"what": what, "error": str(exc)[:300]}
            ) from exc

    def select(self, folder: str) -> int:
        """Open a folder for reading and writing; return its UIDVALIDITY."""
        try:
            self._ok(self.box.select(quote_folder(folder)), _("mở thư mục %(f)s") % {"f": folder})
        except (OSError, imaplib.IMAP4.error) as exc:
            raise MailServerError(str(exc)[:300]) from exc
        _name, values = self.box.response("UIDVALIDITY")
        if not values or values[0] is None:
            raise MailServerError(_("Máy chủ thư không cho biết UIDVALIDITY của %(f)s") % {"f": folder})
        return int(_text(values[0]).split()[0])

    def uids_after(self, last_uid: int, *, skip_keyword: str = "", since: dt.date | None = None) -> list[int]:
        """The UIDs above ``last_uid`` (without the keyword, when one is given; put in the mailbox on or
        after ``since``, when given: IMAP's SINCE, by the server's date of arrival)."""
        criteria = [f"UID {last_uid + 1}:*"] + ([f"UNKEYWORD {skip_keyword}"] if skip_keyword else [])
        if since is not None:
            criteria.append(f"SINCE {since.day}-{_MONTHS[since.month - 1]}-{since.year}")
        data = self._call(_("tìm thư mới"), "SEARCH", *criteria)
        found = [int(x) for x in _text(data).split() if x.isdigit()]
        return sorted(u for u in found if u > last_uid)  # "n:*" also answers the last mail when n > it

    def sizes(self, uids: list[int]) -> dict[int, int]:
        """Each mail's size in bytes as the server keeps it (RFC822.SIZE); a mail the server does not
        answer for is left out."""
        if not uids:
            return {}
        data = self._call(_("đọc kích thước thư"), "FETCH", _uid_set(uids), "(UID RFC822.SIZE)")
        found: dict[int, int] = {}
        for item in data:
            line = item[0] if isinstance(item, tuple) else item
            if isinstance(line, bytes):
                uid, size = re.search(rb"UID (\d+)", line), re.search(rb"RFC822\.SIZE (\d+)", line)
                if uid is not None and size is not None:
                    found[int(uid.group(1))] = int(size.group(1))
        return found

    def fetch(self, uids: list[int], *, headers_only: bool = False) -> Iterator[tuple[int, bytes]]:
        """The whole of each mail, or only its headers (not marking it read), in the order the server
        sends them."""
        if not uids:
            return
        part = "BODY.PEEK[HEADER]" if headers_only else "BODY.PEEK[]"
        data = self._call(_("tải thư"), "FETCH", _uid_set(uids), f"(UID {part})")
        for item in data:
            if isinstance(item, tuple) and len(item) == 2:
                m = re.search(rb"UID (\d+)", item[0])
                if m is not None:
                    yield int(m.group(1)), bytes(item[1])

    def ensure_folder(self, folder: str) -> None:
        status, _data = self.box.create(quote_folder(folder))  # "already exists" is an answer, not an error
        del status

    def move(self, uids: list[int], folder: str) -> None:
        if not uids:
            return
        if "MOVE" in self.capabilities:
            self._call(_("chuyển thư"), "MOVE", _uid_set(uids), quote_folder(folder))
            return
        self._call(_("chép thư"), "COPY", _uid_set(uids), quote_folder(folder))
        self.delete(uids)

    def keyword(self, uids: list[int], keyword: str) -> None:
        """Mark mails read and with a keyword (a flag of the site's own)."""
        if uids:
            self._call(_("gắn cờ thư"), "STORE", _uid_set(uids), "+FLAGS", f"(\\Seen {keyword})")

    def delete(self, uids: list[int]) -> None:
        if not uids:
            return
        self._call(_("xóa thư"), "STORE", _uid_set(uids), "+FLAGS", r"(\Deleted)")
        if "UIDPLUS" in self.capabilities:
            self._call(_("xóa thư"), "EXPUNGE", _uid_set(uids))
        else:
            self._ok(self.box.expunge(), _("xóa thư"))


def quote_folder(folder: str) -> str:
    """A folder name as IMAP wants it (modified UTF-7 for non-ASCII names, quoted)."""
    return '"' + _utf7(folder).replace("\\", "\\\\").replace('"', '\\"') + '"'


def _utf7(text: str) -> str:
    out: list[str] = []
    run: list[str] = []

    def flush() -> None:
        if run:
            import base64

            raw = "".join(run).encode("utf-16-be")
            out.append("&" + base64.b64encode(raw).decode().rstrip("=").replace("/", ",") + "-")
            run.clear()

    for ch in text:
        if 0x20 <= ord(ch) <= 0x7E:
            flush()
            out.append("&-" if ch == "&" else ch)
        else:
            run.append(ch)
    flush()
    return "".join(out)
