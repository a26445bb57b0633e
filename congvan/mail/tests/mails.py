"""Mails as real senders write them, for the tests and the benchmark: Outlook-like and Thunderbird-like
multiparts, Gmail's HTML alternative, Vietnamese names in RFC 2047 and RFC 2231, a forwarded mail, a
delivery report (RFC 3464)."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

from congvan.lib.pdfgen import simple_pdf
from congvan.lib.tests.vietnamese import windows_1258


def document_pdf(symbol: str = "125/UBND-VP", subject: str = "V/v báo cáo chuyển đổi số") -> bytes:
    return simple_pdf(
        [
            "UY BAN NHAN DAN PHUONG BINH TAN",
            f"So: {symbol}",
            subject,
            "Kinh gui: Huyen uy",
        ]
    )


def mail_with(
    *attachments: tuple[str, bytes, str],
    subject: str = "Gửi văn bản 125/UBND-VP",
    sender: tuple[str, str] = ("Văn thư UBND phường Bình Tân", "vanthu@binhtan.gov.vn"),
    to: str = "vanthu@huyenuy.gov.vn",
    body: str = "Kính gửi Huyện ủy,\nUBND phường gửi văn bản đính kèm.\nTrân trọng.",
    html: bool = False,
    message_id: str | None = None,
) -> bytes:
    msg = EmailMessage()
    msg["From"] = formataddr(sender)
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = message_id or make_msgid(domain="binhtan.gov.vn")
    msg.set_content(body)
    if html:
        msg.add_alternative(
            f"<html><body><p>{body.replace(chr(10), '<br>')}</p></body></html>", subtype="html"
        )
    for name, data, mime in attachments:
        maintype, _slash, subtype = mime.partition("/")
        msg.add_attachment(data, maintype=maintype, subtype=subtype, filename=name)
    return msg.as_bytes()


def pdf_mail(**kwargs: object) -> bytes:
    symbol = str(kwargs.pop("symbol", "125/UBND-VP"))
    return mail_with(("Văn bản 125.pdf", document_pdf(symbol), "application/pdf"), **kwargs)  # type: ignore[arg-type]


def delivery_report(
    original_id: str, *, to: str, status: str = "5.1.1", diagnostic: str = "smtp; 550 5.1.1 User unknown"
) -> bytes:
    """A bounce as Postfix writes it: multipart/report with the status and the original's headers."""
    boundary = "=_bounce_boundary"
    return (
        "From: MAILER-DAEMON@mail.huyenuy.gov.vn (Mail Delivery System)\r\n"
        "To: vanthu@huyenuy.gov.vn\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        f"Date: {formatdate(localtime=True)}\r\n"
        f"Message-ID: {make_msgid(domain='mail.huyenuy.gov.vn')}\r\n"
        "MIME-Version: 1.0\r\n"
        f'Content-Type: multipart/report; report-type=delivery-status; boundary="{boundary}"\r\n'
        "\r\n"
        f"--{boundary}\r\n"
        "Content-Type: text/plain; charset=us-ascii\r\n\r\n"
        "This is the mail system at host mail.huyenuy.gov.vn.\r\n"
        "I'm sorry to have to inform you that your message could not be delivered.\r\n\r\n"
        f"--{boundary}\r\n"
        "Content-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mail.huyenuy.gov.vn\r\n\r\n"
        f"Final-Recipient: rfc822; {to}\r\n"
        "Action: failed\r\n"
        f"Status: {status}\r\n"
        f"Diagnostic-Code: {diagnostic}\r\n\r\n"
        f"--{boundary}\r\n"
        "Content-Type: text/rfc822-headers\r\n\r\n"
        f"From: vanthu@huyenuy.gov.vn\r\nTo: {to}\r\nMessage-ID: {original_id}\r\nSubject: x\r\n\r\n"
        f"--{boundary}--\r\n"
    ).encode()


# plain-text bounces as their servers write them: (sender, subject, the text before the copy, the line
# that opens the copy); "{to}" is the address that failed
_PLAIN_BOUNCES = {
    "qmail": (
        "MAILER-DAEMON@mail.sokhac.gov.vn",
        "failure notice",
        "Hi. This is the qmail-send program at mail.sokhac.gov.vn.\n"
        "I'm afraid I wasn't able to deliver your message to the following addresses.\n"
        "This is a permanent error; I've given up. Sorry it didn't work out.\n\n"
        "<{to}>:\nSorry, no mailbox here by that name. (#5.1.1)\n",
        "--- Below this line is a copy of the message.",
    ),
    "yahoo": (  # Yahoo's before its RFC 3464 reports
        "MAILER-DAEMON@yahoo.com",
        "Failure Notice",
        "Sorry, we were unable to deliver your message to the following address.\n\n"
        "<{to}>:\nRemote host said: 550 5.1.1 <{to}>: Recipient address rejected: User unknown [RCPT_TO]\n",
        "--- Below this line is a copy of the message.",
    ),
    "exim": (
        "Mail Delivery System <Mailer-Daemon@mx.sokhac.gov.vn>",
        "Mail delivery failed: returning message to sender",
        "This message was created automatically by mail delivery software.\n\n"
        "A message that you sent could not be delivered to one or more of its\n"
        "recipients. This is a permanent error. The following address(es) failed:\n\n"
        "  {to}\n"
        "    host mx.sokhac.gov.vn [10.4.2.50]\n"
        "    SMTP error from remote mail server after RCPT TO:<{to}>:\n"
        "    550 5.1.1 <{to}>: Recipient address rejected: User unknown in virtual mailbox table\n",
        "------ This is a copy of the message, including all the headers. ------",
    ),
    "exim-delay": (
        "Mail Delivery System <Mailer-Daemon@mx.sokhac.gov.vn>",
        "Warning: message 1tAbCd-000123-4X delayed 24 hours",
        "This message was created automatically by mail delivery software.\n"
        "A message that you sent has not yet been delivered to one or more of its\n"
        "recipients after more than 24 hours on the queue on mx.sokhac.gov.vn.\n\n"
        "The address to which the message has not yet been delivered is:\n\n"
        "  {to}\n"
        "    Delay reason: SMTP error from remote mail server after RCPT TO:<{to}>:\n"
        "    451 4.3.0 Temporary lookup failure\n\n"
        "No action is required on your part. Delivery attempts will continue for\n"
        "some time, and this warning may be repeated at intervals if the message\n"
        "remains undelivered.\n",
        "------ This is a copy of the message's headers. ------",
    ),
}


def plain_bounce(original: bytes, *, to: str, style: str = "qmail") -> bytes:
    """A bounce in plain text, not RFC 3464, as ``style``'s server writes it: its reason, then the
    message sent, whole (its headers only, for Exim's delay warning)."""
    sender, subject, reason, marker = _PLAIN_BOUNCES[style]
    copy = original.split(b"\r\n\r\n", 1)[0] + b"\r\n" if style == "exim-delay" else original
    return (
        f"From: {sender}\r\n"
        "To: vanthu@huyenuy.gov.vn\r\n"
        f"Subject: {subject}\r\n"
        f"Date: {formatdate(localtime=True)}\r\n"
        f"Message-ID: {make_msgid(domain='mx.sokhac.gov.vn')}\r\n"
        "\r\n" + reason.format(to=to).replace("\n", "\r\n") + f"\r\n{marker}\r\n\r\n"
        "Return-Path: <vanthu@huyenuy.gov.vn>\r\n"
    ).encode() + copy


def winmail_dat(files: list[tuple[str, bytes]], *, unicode_names: bool = True, codepage: int = 1258) -> bytes:
    """A TNEF stream as Outlook writes it through Exchange ([MS-OXTNEF]): the message's attributes and
    properties, then each file with its 8.3 title (in the code page), its bytes and its MAPI properties
    (the long name in UTF-16, or, as older Outlooks, in the code page; a named property and a time
    among them)."""
    import struct

    def attribute(level: int, kind: int, data: bytes) -> bytes:
        return struct.pack("<BII", level, kind, len(data)) + data + struct.pack("<H", sum(data) & 0xFFFF)

    def padded(data: bytes) -> bytes:
        return data + b"\0" * (-len(data) % 4)

    def text(ptype: int, pid: int, value: str) -> bytes:
        raw = value.encode("utf-16-le") + b"\0\0" if ptype == 0x1F else eight_bit(value) + b"\0"
        return struct.pack("<HHII", ptype, pid, 1, len(raw)) + padded(raw)

    def eight_bit(value: str) -> bytes:
        return windows_1258(value) if codepage == 1258 else value.encode(f"cp{codepage}", "replace")

    def props(*items: bytes) -> bytes:
        return struct.pack("<I", len(items)) + b"".join(items)

    out = struct.pack("<IH", 0x223E9F78, 0x1D2C)
    out += attribute(1, 0x00089006, b"\0\0\1\0")  # attTnefVersion
    out += attribute(1, 0x00069007, struct.pack("<II", codepage, 0))  # attOemCodepage
    out += attribute(1, 0x00078008, b"IPM.Microsoft Mail.Note\0")  # attMessageClass
    subject = text(0x1E, 0x0037, "Gửi văn bản")  # PR_SUBJECT
    out += attribute(1, 0x00069003, props(subject, struct.pack("<HHI", 0x0B, 0x0E1F, 1)))  # attMAPIProps
    for i, (name, data) in enumerate(files):
        out += attribute(2, 0x00069002, struct.pack("<HIHHI", 1, 0xFFFFFFFF, 0, 0, 0))  # attAttachRendData
        out += attribute(2, 0x00018010, f"VANBAN~{i + 1}.PDF".encode() + b"\0")  # attAttachTitle
        out += attribute(2, 0x0006800F, data)  # attAttachData
        named = struct.pack("<HH", 0x1F, 0x8005) + bytes(range(16)) + struct.pack("<II", 0, 0x8554)
        named += struct.pack("<II", 1, 4) + b"9\0\0\0"
        out += attribute(
            2,
            0x00069005,  # attAttachment: the file's MAPI properties
            props(
                struct.pack("<HHI", 0x03, 0x3705, 1),  # PR_ATTACH_METHOD: by value
                struct.pack("<HHQ", 0x40, 0x3007, 132_000_000_000_000_000),  # PR_CREATION_TIME
                named,
                text(0x1E, 0x3704, f"VANBAN~{i + 1}.PDF"),  # PR_ATTACH_FILENAME
                text(0x1F if unicode_names else 0x1E, 0x3707, name),  # PR_ATTACH_LONG_FILENAME
                text(0x1F if unicode_names else 0x1E, 0x3001, name),  # PR_DISPLAY_NAME
            ),
        )
    return out


def outlook_rich_text_mail(files: list[tuple[str, bytes]], *, unicode_names: bool = True) -> bytes:
    """A mail Outlook sent in rich text through Exchange: its text, then the files inside winmail.dat."""
    msg = EmailMessage()
    msg["From"] = formataddr(("Văn thư Sở Nội vụ", "vanthu@snv.gov.vn"))
    msg["To"] = "vanthu@huyenuy.gov.vn"
    msg["Subject"] = "Gửi văn bản"
    msg["Date"] = formatdate(localtime=True)
    msg["Message-ID"] = make_msgid(domain="snv.gov.vn")
    msg["X-MS-TNEF-Correlator"] = "<0B8C2E7F4A5D1E4C9F1B2A3C4D5E6F70@EXCH01.snv.gov.vn>"
    msg.set_content("Sở Nội vụ gửi văn bản đính kèm.")
    msg.add_attachment(
        winmail_dat(files, unicode_names=unicode_names),
        maintype="application",
        subtype="ms-tnef",
        filename="winmail.dat",
    )
    return msg.as_bytes()
