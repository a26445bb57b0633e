"""Read a received mail: who sent it, its text, its documents, or the delivery report it carries.

Mail from the world is hostile by default: broken headers, wrong charsets, names that lie about their
content, bombs of parts. Everything here is bounded and nothing here raises on a bad mail: what cannot
be read is left out and said so in ``problems``.
"""

from __future__ import annotations

import datetime as dt
import email
import email.policy
import html
import re
from dataclasses import dataclass, field
from email.message import EmailMessage, Message
from email.utils import parseaddr, parsedate_to_datetime

from congvan.lib import filetypes

MAX_PARTS = 200
MAX_BODY = 200_000
KINDS = {
    filetypes.PDF: "pdf",
    filetypes.DOCX: "docx",
    filetypes.ODT: "odt",
    filetypes.PNG: "image",
    filetypes.JPEG: "image",
    filetypes.TIFF: "image",
}


@dataclass
class Attachment:
    name: str
    data: bytes
    mime: str | None  # from the content, not the name; None: not a document type


@dataclass
class Report:
    """A delivery status notification (RFC 3464) about a mail this server sent."""

    original_id: str
    action: str  # failed | delayed | delivered | relayed | expanded
    status: str
    diagnostic: str


@dataclass
class ReadMail:
    message_id: str = ""
    sender: str = ""
    sender_name: str = ""
    subject: str = ""
    sent_at: dt.datetime | None = None
    headers: str = ""
    body: str = ""
    attachments: list[Attachment] = field(default_factory=list)
    report: Report | None = None
    problems: list[str] = field(default_factory=list)

    def documents(self, kinds: list[str] | None = None) -> list[Attachment]:
        """The attachments that are documents (of the kinds wanted; all kinds when none are given)."""
        return [a for a in self.attachments if a.mime in KINDS and (not kinds or KINDS[a.mime] in kinds)]


def _header(msg: Message, name: str) -> str:
    try:
        value = msg.get(name)
    except (ValueError, TypeError, IndexError, AttributeError):
        return ""
    return " ".join(str(value).split()) if value is not None else ""


def _clean_id(value: str) -> str:
    value = value.strip()
    m = re.search(r"<[^<>\s]{1,490}>", value)
    return m.group(0) if m else value[:500]


def _decoded(part: Message) -> bytes:
    try:
        payload = part.get_payload(decode=True)
    except (ValueError, TypeError, AssertionError):
        return b""
    return payload if isinstance(payload, bytes) else b""


def _text_of(part: Message) -> str:
    raw = _decoded(part)
    charset = part.get_content_charset() or "utf-8"
    try:
        return raw.decode(charset, "replace")
    except LookupError:
        return raw.decode("utf-8", "replace")


def _html_to_text(markup: str) -> str:
    markup = re.sub(r"(?is)<(script|style)\b.*?</\1\s*>", " ", markup)
    markup = re.sub(r"(?i)<br\s*/?>|</p\s*>|</div\s*>|</tr\s*>", "\n", markup)
    return html.unescape(re.sub(r"<[^>]+>", "", markup))


def _name(part: Message, index: int) -> str:
    try:
        name = part.get_filename() or ""
    except (ValueError, TypeError, IndexError, AttributeError):
        name = ""
    name = re.sub(r"[\x00-\x1f/\\]", "_", " ".join(name.split()))[:200]
    return name or f"tep-dinh-kem-{index}"


def read_mail(raw: bytes) -> ReadMail:
    try:
        msg = email.message_from_bytes(raw, policy=email.policy.default)
    except Exception as exc:  # noqa: BLE001 - the parser on hostile input: nothing may escape
        return ReadMail(problems=[f"unreadable mail: {type(exc).__name__}"])
    out = ReadMail(
        message_id=_clean_id(_header(msg, "Message-ID")),
        subject=_header(msg, "Subject")[:500],
    )
    out.sender_name, out.sender = (v.strip() for v in parseaddr(_header(msg, "From")))
    out.sender, out.sender_name = out.sender.lower()[:254], out.sender_name[:200]
    try:
        date = parsedate_to_datetime(_header(msg, "Date"))
        out.sent_at = date if date.tzinfo is not None else date.replace(tzinfo=dt.UTC)
    except (TypeError, ValueError, IndexError):
        out.sent_at = None
    end = raw.find(b"\r\n\r\n")
    end = raw.find(b"\n\n") if end < 0 else end
    out.headers = raw[: end if end >= 0 else 20_000][:20_000].decode("utf-8", "replace")
    _walk(msg, out)
    return out


def _walk(msg: Message, out: ReadMail) -> None:
    plain: list[str] = []
    markup: list[str] = []
    try:
        parts = list(msg.walk())
    except Exception:  # noqa: BLE001 - a broken structure: read what the top says
        parts = [msg]
    if len(parts) > MAX_PARTS:
        out.problems.append(f"{len(parts)} parts: only the first {MAX_PARTS} read")
        parts = parts[:MAX_PARTS]
    if msg.get_content_type() == "multipart/report":
        out.report = _report(parts)
    for i, part in enumerate(parts):
        if not part.is_multipart():
            _part(part, i, out, plain, markup)
    text = "\n".join(plain) if plain else _html_to_text("\n".join(markup))
    out.body = text.strip()[:MAX_BODY]


def _part(part: Message, i: int, out: ReadMail, plain: list[str], markup: list[str]) -> None:
    ctype = part.get_content_type()
    inline = (part.get_content_disposition() or "").lower() != "attachment" and not _filename(part)
    if inline and ctype == "text/plain":
        plain.append(_text_of(part))
    elif inline and ctype == "text/html":
        markup.append(_text_of(part))
    elif not (ctype.startswith("message/") or ctype == "text/rfc822-headers"):
        data = _decoded(part)
        if data:
            mime = _zip_kind(data) if data.startswith(b"PK\x03\x04") else filetypes.sniff(data[:8192], None)
            out.attachments.append(Attachment(_name(part, i + 1), data, mime))


def _filename(part: Message) -> bool:
    try:
        return bool(part.get_filename())
    except (ValueError, TypeError, IndexError, AttributeError):
        return False


def _zip_kind(data: bytes) -> str | None:
    import io
    import zipfile

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            names = set(archive.namelist())
            if "mimetype" in names and archive.read("mimetype")[:100].strip() == filetypes.ODT.encode():
                return filetypes.ODT
            if "word/document.xml" in names:
                return filetypes.DOCX
    except (zipfile.BadZipFile, OSError, KeyError, ValueError):
        return None
    return None


def _report(parts: list[Message]) -> Report | None:
    action = status = diagnostic = original = ""
    for part in parts:
        ctype = part.get_content_type()
        if ctype == "message/delivery-status":
            text = _delivery_status_text(part)
            fields = dict(
                (k.strip().lower(), v.strip())
                for k, _sep, v in (line.partition(":") for line in text.splitlines())
                if _sep
            )
            action = action or fields.get("action", "").lower()
            status = status or fields.get("status", "")
            diagnostic = diagnostic or fields.get("diagnostic-code", "")
        elif ctype in ("message/rfc822", "text/rfc822-headers") and not original:
            original = _original_id(part)
    if not original:
        return None
    return Report(
        original_id=original, action=action or "failed", status=status[:20], diagnostic=diagnostic[:400]
    )


def _delivery_status_text(part: Message) -> str:
    payload = part.get_payload()
    if isinstance(payload, list):  # the parser makes header blocks of it
        return "\n".join(str(p) for p in payload)
    return _text_of(part) if isinstance(payload, str) else str(payload)


def _original_id(part: Message) -> str:
    payload = part.get_payload()
    if isinstance(payload, list) and payload and isinstance(payload[0], EmailMessage | Message):
        return _clean_id(_header(payload[0], "Message-ID"))
    text = _text_of(part) if isinstance(payload, str) else str(payload)
    m = re.search(r"(?im)^message-id:\s*(<[^>\s]+>)", text)
    return m.group(1) if m else ""
