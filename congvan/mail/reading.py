"""Read a received mail: who sent it, its text, its documents, or the delivery report it carries.

Mail from the world is hostile by default: broken headers, wrong charsets, names that lie about their
content, bombs of parts. Everything here is bounded and nothing here raises on a bad mail: what cannot
be read is left out and said so in ``problems``.
"""

from __future__ import annotations

import binascii
import contextlib
import datetime as dt
import email.errors
import email.header
import email.parser
import email.policy
import functools
import hashlib
import html
import re
import urllib.parse
from collections.abc import Iterable
from dataclasses import dataclass, field
from email.message import Message
from email.utils import parseaddr, parsedate_to_datetime

from asn1crypto import cms
from django.utils.translation import gettext as _

from congvan.lib import filetypes
from congvan.lib.speedups import b64decode_lines
from congvan.lib.text import nfc
from congvan.mail import archives, tnef

MAX_PARTS = 200
MAX_DEPTH = 10
MAX_BODY = 200_000
MAX_HEADERS = 64_000
_IMAGES = (filetypes.PNG, filetypes.JPEG, filetypes.TIFF)
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
    data: bytes  # empty once released
    mime: str | None  # from the content, not the name; None: not a document type
    size: int = field(init=False, default=0)  # its length, kept when the content is released

    def __post_init__(self) -> None:
        self.size = len(self.data)
        if self.mime in KINDS:
            # a name that lies ("anh.jpg" of a PNG, "cong van.doc" of a PDF: a phone, a "Save as"): the
            # document is taken for what it is, under its true extension, and the mail is not refused
            self.name = filetypes.truly_named(self.name, self.mime)

    @functools.cached_property
    def sha256(self) -> str:
        """Its SHA-256 (hex), computed once: the mail's fingerprint and the blob store's name."""
        return hashlib.sha256(self.data).hexdigest()

    def release(self) -> None:
        """Let the content go (the fetch, once it is staged); its hash, when computed, is kept."""
        self.data = b""


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
    return _words(" ".join(_raw(value).split())) if value is not None else ""


def _raw(value: object) -> str:
    """A header's value as a string: raw 8-bit bytes (a sender writing UTF-8 where ASCII belongs) read as
    UTF-8."""
    if isinstance(value, email.header.Header):  # what compat32 makes of 8-bit bytes
        try:
            return str(email.header.make_header(email.header.decode_header(value)))
        except (ValueError, LookupError, UnicodeError, email.errors.MessageError):
            return str(value)
    text = str(value)
    if not text.isascii() and any("\udc80" <= c <= "\udcff" for c in text):
        return text.encode("ascii", "surrogateescape").decode("utf-8", "replace")
    return text


def _words(text: str) -> str:
    """RFC 2047's encoded words ("=?utf-8?B?...?=") decoded; anything unreadable left as it was. Composed
    (NFC): Windows-1258, the code page of Vietnamese Windows, writes the tone marks apart."""
    if "=?" in text:
        # a charset not ASCII too raises: the words are left as written
        with contextlib.suppress(ValueError, LookupError, UnicodeError, email.errors.MessageError):
            text = str(email.header.make_header(email.header.decode_header(text)))
    return nfc(text)


def _clean_id(value: str) -> str:
    value = value.strip()
    m = re.search(r"<[^<>\s]{1,490}>", value)
    return m.group(0) if m else value[:500]


# -- the structure: the standard library reads the headers; the bodies are cut and decoded here --
#
# The standard parser walks a mail line by line: 40 ms for a mail with a 1 MB attachment, most of the
# cost of taking it. Here a part's body is found by its boundary (bytes.find) and decoded whole
# (binascii), a hundred times faster; its headers are still read by ``email`` (RFC 2047, 2231).


@dataclass
class Part:
    headers: Message
    body: memoryview  # as carried (still transfer-encoded): a view of the mail, not a copy
    level: int = 0  # the mail it belongs to: 0 the mail itself, 1, 2... each mail attached to it in turn
    inner: Message | None = None  # a mail attached (forwarded as an attachment): its own headers
    opens: int = 0  # and the level of its parts

    @functools.cached_property
    def ctype(self) -> str:
        try:
            return self.headers.get_content_type()
        except (ValueError, TypeError, IndexError, AttributeError):
            return "application/octet-stream"

    @functools.cached_property
    def encoding(self) -> str:
        """Its transfer encoding, as senders write it ("Base64", "quoted-printable;", " base64 ")."""
        return _header(self.headers, "Content-Transfer-Encoding").lower().split(";")[0].strip()

    def decoded(self) -> bytes:
        cte = self.encoding
        try:
            if cte == "base64":
                # SIMD (pybase64): a twentieth of binascii's time on a 1 MB attachment, the same
                # leniency (characters outside the alphabet, such as line breaks, skipped)
                return b64decode_lines(self.body)
            if cte == "quoted-printable":
                return binascii.a2b_qp(self.body)
            if cte in _UUENCODE:
                return _uudecode(bytes(self.body))
        except (binascii.Error, ValueError):
            return _lenient_base64(bytes(self.body)) if cte == "base64" else b""
        return bytes(self.body)

    @functools.cached_property
    def content_id(self) -> str:
        """Its Content-ID without the angle brackets ("" when it has none)."""
        return _header(self.headers, "Content-ID").strip().strip("<>").strip()

    def text(self) -> str:
        raw = self.decoded()
        try:
            charset = self.headers.get_content_charset() or "utf-8"
            return raw.decode(charset, "replace")
        except (LookupError, ValueError, TypeError, AttributeError):
            return raw.decode("utf-8", "replace")

    def disposition(self) -> str:
        try:
            return (self.headers.get_content_disposition() or "").lower()
        except (ValueError, TypeError, IndexError, AttributeError):
            return ""

    def filename(self) -> str:
        try:
            return _words(_raw(self.headers.get_filename() or ""))
        except (ValueError, TypeError, IndexError, AttributeError):
            return ""


_UUENCODE = ("x-uuencode", "uuencode", "x-uue", "uue")  # Eudora's and old Macs' attachments


def _uudecode(body: bytes) -> bytes:
    """The lines between "begin <mode> <name>" and "end" (a line that does not decode ends the file)."""
    out: list[bytes] = []
    lines = iter(body.splitlines())
    for line in lines:
        if line.startswith(b"begin "):
            break
    for line in lines:
        if line.strip() == b"end":
            break
        try:
            out.append(binascii.a2b_uu(line))
        except binascii.Error:
            try:  # some encoders pad a line short: decode what its length byte says
                out.append(binascii.a2b_uu(line[: ((line[0] - 32) & 63) * 4 // 3 + 5]))
            except (binascii.Error, IndexError):
                break
    return b"".join(out)


def _lenient_base64(body: bytes) -> bytes:
    """Base64 with its padding lost (some senders cut the last line): what can be read of it."""
    clean = re.sub(rb"[^A-Za-z0-9+/]", b"", body)
    try:
        return binascii.a2b_base64(clean[: len(clean) - len(clean) % 4])
    except binascii.Error:
        return b""


def _split_at(raw: bytes, start: int, end: int) -> tuple[int, int]:
    """Where the header block of ``raw[start:end]`` ends and its body starts (a mail without a blank
    line is all headers)."""
    # first within the length headers may have (a bare-LF mail's 1 MB body is not searched for a CRLF
    # it does not hold), then, when the blank line is not there, in the whole
    for stop in (min(end, start + MAX_HEADERS + 4), end):
        crlf = raw.find(b"\r\n\r\n", start, stop)
        lf = raw.find(b"\n\n", start, crlf if crlf >= 0 else stop)  # a bare-LF mail; never past the CRLF one
        if crlf >= 0 and (lf < 0 or crlf <= lf):
            return crlf, crlf + 4
        if lf >= 0:
            return lf, lf + 2
    return end, end


def _split(raw: bytes) -> tuple[bytes, bytes]:
    """The header block and the body."""
    head, body = _split_at(raw, 0, len(raw))
    return raw[:head], raw[body:]


# compat32: the headers as written, read on demand (the default policy's header objects cost a third of
# reading a mail); the few values congvan shows are decoded by ``_words`` and ``_raw``
_HEADERS = email.parser.BytesHeaderParser(policy=email.policy.compat32)


_TEXT_HEADERS = email.parser.HeaderParser(policy=email.policy.compat32)


def _headers(block: bytes) -> Message:
    block = block[:MAX_HEADERS] + b"\r\n\r\n"
    if not block.isascii():  # 8-bit headers: UTF-8 as senders write them (RFC 6532), read as text
        try:
            return _TEXT_HEADERS.parsestr(block.decode("utf-8"))
        except UnicodeDecodeError:
            pass
    return _HEADERS.parsebytes(block)


def _find(raw: bytes, delimiter: bytes, start: int, end: int, *, line_start: int) -> int:
    """Where the delimiter (``--boundary``) is in ``raw[start:end]``, or -1: at the start of a line (or at
    ``line_start``, where the body begins) and followed by "--", blanks or the line's end, as RFC 2046
    has it ("--b1x" is not the delimiter of "b1"). A base64 body holds no "-": looking for that one
    byte (memchr) crosses a 1 MB attachment in microseconds, where ``bytes.find`` of the whole delimiter
    took 4 ms (its skip table is defeated by base64's letters and digits); in a text with many dashes
    the whole delimiter is looked for after a few false starts."""
    at, tries = start, 0
    while True:
        at = raw.find(b"-" if tries < 32 else delimiter, at, end)
        if at < 0:
            return -1
        after = at + len(delimiter)
        if (
            raw.startswith(delimiter, at, end)
            and (at == line_start or raw[at - 1 : at] == b"\n")
            and (after >= end or raw[after] in b"-\r\n \t")
        ):
            return at
        at, tries = at + 1, tries + 1


# A mail forwarded as an attachment (Outlook's, Thunderbird's and Gmail's "forward as attachment"):
# opened, its documents taken with the mail's; the copy of a mail this server sent, inside a delivery
# report, is not (its documents are ours)
_ATTACHED_MAILS = ("message/rfc822", "message/global")


def _leaves(
    raw: bytes, start: int, end: int, out: list[Part], depth: int = 0, level: int = 0, *, report: bool = False
) -> Message:
    """Append the leaf parts of ``raw[start:end]`` to ``out`` (multiparts and attached mails opened, at
    most MAX_DEPTH deep); return its headers. The parts are found by their delimiters in the mail itself
    and keep views of it: a 1 MB attachment is not copied on the way."""
    head, body = _split_at(raw, start, end)
    headers = _headers(raw[start : min(head, start + MAX_HEADERS)])
    part = Part(headers, memoryview(raw)[body:end], level)
    if part.ctype in _ATTACHED_MAILS and depth < MAX_DEPTH and not report and len(out) < MAX_PARTS:
        part.opens = 1 + max((p.opens for p in out), default=level)
        out.append(part)
        if part.encoding in ("base64", "quoted-printable"):
            inner = part.decoded()  # not allowed by RFC 2046, but sent
            part.inner = _leaves(inner, 0, len(inner), out, depth + 1, part.opens)
        else:
            part.inner = _leaves(raw, body, end, out, depth + 1, part.opens)
        return headers
    if part.ctype in _OPAQUE_SIGNED and depth < MAX_DEPTH and len(out) < MAX_PARTS:
        signed = _signed_content(part)
        if signed is not None:  # read as the mail's own content (the signature is not checked here)
            _leaves(signed, 0, len(signed), out, depth + 1, level, report=report)
            return headers
    boundary = None
    if part.ctype.startswith("multipart/") and depth < MAX_DEPTH:
        try:
            boundary = headers.get_boundary()
        except (ValueError, TypeError, IndexError, AttributeError):
            boundary = None
    if not boundary:
        out.append(part)
        return headers
    report = report or part.ctype == "multipart/report"
    delimiter = b"--" + boundary.encode("utf-8", "replace")
    at = _find(raw, delimiter, body, end, line_start=body)
    while at >= 0 and len(out) < MAX_PARTS:  # past MAX_PARTS the rest is left out
        s = at + len(delimiter)
        if raw.startswith(b"--", s, end):
            break  # the closing delimiter
        at = _find(raw, delimiter, s, end, line_start=body)
        e = at if at >= 0 else end
        s += 2 if raw.startswith(b"\r\n", s, e) else 1 if raw.startswith(b"\n", s, e) else 0
        e -= 2 if raw.endswith(b"\r\n", s, e) else 1 if raw.endswith(b"\n", s, e) else 0
        _leaves(raw, s, max(s, e), out, depth + 1, level, report=report)
    return headers


# S/MIME signed in one piece ("opaque": Outlook without "send clear text signed message", some
# government clients): the mail's content is inside the signature's CMS structure
_OPAQUE_SIGNED = ("application/pkcs7-mime", "application/x-pkcs7-mime")


def _signed_content(part: Part) -> bytes | None:
    """The content a CMS SignedData part carries, or None (an encrypted one, a broken one)."""
    try:
        smime_type = str(part.headers.get_param("smime-type", "") or "").lower()
    except (ValueError, TypeError, IndexError, AttributeError):
        smime_type = ""
    if smime_type and smime_type != "signed-data":
        return None  # enveloped-data (encrypted for someone's key), certs-only, compressed-data
    try:
        info = cms.ContentInfo.load(part.decoded())
        if info["content_type"].native != "signed_data":
            return None
        content = info["content"]["encap_content_info"]["content"].native
    except (ValueError, TypeError, KeyError, IndexError, OverflowError):
        return None
    return content if isinstance(content, bytes) else None


def read_mail(raw: bytes) -> ReadMail:
    """Who sent a mail, its words and its documents; a mail the standard library's parsers choke on is
    read as nothing (``problems`` says why): it is skipped and stays in the mailbox, and never stops a
    fetch at the mails after it."""
    try:
        return _read_mail(raw)
    except Exception as exc:  # noqa: BLE001 - the header parsers on hostile input: nothing may escape
        return ReadMail(problems=[f"unreadable mail: {type(exc).__name__}"])


def _read_mail(raw: bytes) -> ReadMail:
    parts: list[Part] = []
    msg = _leaves(raw, 0, len(raw), parts)
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
    out.headers = raw[: min(_split_at(raw, 0, len(raw))[0], MAX_HEADERS)].decode("utf-8", "replace")
    if len(parts) >= MAX_PARTS:
        out.problems.append(f"more than {MAX_PARTS} parts: only the first {MAX_PARTS} read")
    if Part(msg, memoryview(b"")).ctype == "multipart/report":
        out.report = _report(parts)
    # each mail's words (its text, or its HTML when it has no text), an attached mail's after a heading
    bodies: dict[int, tuple[list[str], list[str]]] = {0: ([], [])}
    htmls = {i: p.text() for i, p in enumerate(parts) if p.ctype == "text/html" and _inline(p)}
    drawn = _drawn(htmls.values())
    for i, part in enumerate(parts):
        plain, markup = bodies.setdefault(part.level, ([], []))
        if part.inner is not None:
            bodies.setdefault(part.opens, ([_forwarded(part.inner)], []))
        if i in htmls:
            markup.append(htmls[i])
        else:
            _part(part, i, out, plain, drawn)
    texts = [_words_of(plain, markup, heading=level > 0) for level, (plain, markup) in bodies.items()]
    out.body = nfc("\n\n".join(t for t in texts if t))[:MAX_BODY]
    if out.report is None and out.sender.split("@")[0] in _DAEMONS:
        out.report = _plain_bounce(out.body)
    return out


# Bounces in plain text, not RFC 3464 (qmail's, the old Yahoo's, Exim's classic one): the reason, then a
# line of its own, then the copy of the mail sent (or its headers); read only from a mailer daemon
_DAEMONS = {"mailer-daemon", "postmaster"}
_COPY_MARKERS = (
    "--- Below this line is a copy of the message.",  # qmail, the old Yahoo
    "------ This is a copy of the message, including all the headers. ------",  # Exim
    "------ This is a copy of the message's headers. ------",  # Exim, the body left out
)
_GAVE_UP = ("wasn't able to deliver", "unable to deliver", "could not be delivered", "permanent error")
_STILL_TRYING = ("not yet been delivered", "will continue", "still trying", "will keep trying")
_QMAIL_STATUS = re.compile(r"\(#(\d\.\d{1,3}\.\d{1,3})\)")
# RFC 3463's code after the server's reply code ("550 5.1.1"): not a piece of an address ("10.4.2.50")
_ENHANCED_STATUS = re.compile(r"\b[245]\d\d[ -]([245]\.\d{1,3}\.\d{1,3})\b")
_ORIGINAL_ID = re.compile(r"(?im)^message-id:[ \t]*(<[^<>\s]{1,490}>)")


def _plain_bounce(body: str) -> Report | None:
    """The failure (or the delay) a plain-text bounce tells of the mail whose copy it carries; None for
    any other text."""
    at = [(i, m) for m in _COPY_MARKERS if (i := body.find(m)) >= 0]
    if not at:
        return None
    where, marker = min(at)
    reason, copy = body[:where], body[where + len(marker) :]
    original = _ORIGINAL_ID.search(copy)
    said = reason.lower()
    if original is None:
        return None
    if any(p in said for p in _GAVE_UP):
        action = "failed"
    elif any(p in said for p in _STILL_TRYING):
        action = "delayed"
    else:
        return None
    lines = [line.strip() for line in reason.splitlines() if line.strip()]
    # from the first address on: the addresses and what their servers answered (the daemon's preface,
    # "Hi. This is the qmail-send program", "This message was created automatically", left out)
    first = next((k for k, line in enumerate(lines) if "@" in line), len(lines))
    status = _QMAIL_STATUS.search(reason) or _ENHANCED_STATUS.search(reason)
    return Report(
        original_id=original.group(1),
        action=action,
        status=status.group(1) if status else "",
        diagnostic=" ".join(lines[first:])[:400],
    )


def _words_of(plain: list[str], markup: list[str], *, heading: bool) -> str:
    """A mail's words: its text parts, or its HTML read as text when it has none (after its heading,
    ``plain[0]``, for an attached mail)."""
    if len(plain) > heading:
        return "\n".join(plain).strip()
    return "\n".join([*plain, _html_to_text("\n".join(markup))]).strip()


def _forwarded(headers: Message) -> str:
    """The heading of a mail attached to the one read (who sent it, when, about what)."""
    lines = [_("---------- Thư đính kèm ----------")]
    for label, name in ((_("Người gửi"), "From"), (_("Ngày gửi"), "Date"), (_("Tiêu đề thư"), "Subject")):
        value = _header(headers, name)
        if value:
            lines.append(f"{label}: {value[:500]}")
    return "\n".join(lines)


_SCRIPT = re.compile(r"(?i)<(script|style)\b")


def _html_to_text(markup: str) -> str:
    """The words of an HTML body, in time linear in its length (a mail of unclosed "<script" or "<a "
    made the patterns that looked for their ends quadratic: 10 s for 140 KB)."""
    kept, at, lower = [], 0, markup.lower()
    while (m := _SCRIPT.search(markup, at)) is not None:
        kept.append(markup[at : m.start()])
        end = lower.find(f"</{m.group(1).lower()}", m.end())
        if end < 0:
            at = len(markup)  # never closed: the rest is script
            break
        close = markup.find(">", end)
        at = len(markup) if close < 0 else close + 1
        kept.append(" ")
    kept.append(markup[at:])
    markup = "".join(kept)
    markup = re.sub(r"(?i)<br\s*/?>|</p\s*>|</div\s*>|</tr\s*>", "\n", markup)
    return html.unescape(re.sub(r"<[^<>]*>", "", markup))


_TNEF = ("application/ms-tnef", "application/vnd.ms-tnef")


def _name(name: str, fallback: str) -> str:
    """A file's name as it may be shown and stored: one line, no folders."""
    return re.sub(r"[\x00-\x1f/\\]", "_", " ".join(name.split()))[:200] or fallback


# An image the HTML body draws ("cid:" in an <img>) is part of the mail's look: the logo of a signature
# (Outlook's image001.png, Gmail's ii_...), a banner. Mail clients do not list those as attachments, and
# taken as documents they made every signed mail an arrival and gave the clerk a logo to dismiss. One
# this size or larger is kept as a document: a phone's photo of a paper, a page scanned and pasted.
BODY_IMAGE_MAX = 100 * 1024
_CID = re.compile(r"""(?i)\bcid:([^\s"'<>()]{1,500})""")


def _inline(part: Part) -> bool:
    """A part shown as the mail's text (not an attachment, not a named file)."""
    return part.disposition() != "attachment" and not part.filename()


def _drawn(htmls: Iterable[str]) -> set[str]:
    """The Content-IDs the HTML bodies refer to (RFC 2392: "cid:" and the Content-ID, %-escaped)."""
    return {urllib.parse.unquote(m.group(1)) for html_text in htmls for m in _CID.finditer(html_text)}


def _part(part: Part, i: int, out: ReadMail, plain: list[str], drawn: set[str]) -> None:
    ctype = part.ctype
    if _inline(part) and ctype == "text/plain":
        plain.append(part.text())
    elif ctype in _TNEF or (ctype == "application/octet-stream" and part.filename().lower() == "winmail.dat"):
        # Outlook's rich text through Exchange: the documents are inside the winmail.dat
        inside = tnef.attachments(part.decoded())[: max(0, MAX_PARTS - len(out.attachments))]
        for k, (name, data) in enumerate(inside):  # at most MAX_PARTS files in a mail, as parts
            named = _name(name, f"tep-dinh-kem-{i + 1}-{k + 1}")
            out.attachments.append(Attachment(named, data, filetypes.sniff_bytes(data)))
    elif not (
        ctype.startswith("message/") or ctype == "text/rfc822-headers" or ctype.startswith("multipart/")
    ):
        data = part.decoded()
        mime = filetypes.sniff_bytes(data) if data else None
        if mime == filetypes.ZIP:
            _unzip(data, i, out)
        elif mime in _IMAGES and len(data) < BODY_IMAGE_MAX and part.content_id and part.content_id in drawn:
            return  # drawn by the HTML body: not a document
        elif data:
            out.attachments.append(Attachment(_name(part.filename(), f"tep-dinh-kem-{i + 1}"), data, mime))


def _unzip(data: bytes, i: int, out: ReadMail) -> None:
    """A dossier zipped to travel as one file: its documents, as many as parts may be."""
    opened = archives.documents(data, limit=max(0, MAX_PARTS - len(out.attachments)), kinds=set(KINDS))
    out.problems += opened.problems
    for k, (name, content, kind) in enumerate(opened.files):
        out.attachments.append(Attachment(_name(name, f"tep-dinh-kem-{i + 1}-{k + 1}"), content, kind))


_STATUS_PARTS = ("message/delivery-status", "message/global-delivery-status")  # RFC 3464, RFC 6533
_ORIGINAL_PARTS = ("message/rfc822", "text/rfc822-headers", "message/global", "message/global-headers")


def _recipient_fields(text: str) -> list[dict[str, str]]:
    """The blocks of a delivery-status body (the message's, then one for each recipient), each as its
    fields, folded lines joined."""
    blocks: list[dict[str, str]] = [{}]
    name = ""
    for line in text.splitlines():
        if not line.strip():
            if blocks[-1]:
                blocks.append({})
            name = ""
        elif line[:1] in " \t" and name:
            blocks[-1][name] += " " + line.strip()
        else:
            key, sep, value = line.partition(":")
            if sep:
                name = key.strip().lower()
                blocks[-1].setdefault(name, value.strip())
    return [b for b in blocks if b]


def _report(parts: list[Part]) -> Report | None:
    action = status = diagnostic = original = ""
    for part in parts:
        ctype = part.ctype
        if ctype in _STATUS_PARTS and not action:
            recipients = [b for b in _recipient_fields(part.text()) if "action" in b]
            # a failure for any recipient is the report's news; otherwise the first recipient's
            chosen = next((b for b in recipients if b["action"].lower() == "failed"), None)
            chosen = chosen or (recipients[0] if recipients else {})
            action = chosen.get("action", "").lower()
            status = chosen.get("status", "")
            diagnostic = chosen.get("diagnostic-code", "")
        elif ctype in _ORIGINAL_PARTS and not original:
            original = _clean_id(_header(_headers(_split(part.decoded())[0]), "Message-ID"))
    if not original:
        return None
    return Report(
        original_id=original, action=action or "failed", status=status[:20], diagnostic=diagnostic[:400]
    )
