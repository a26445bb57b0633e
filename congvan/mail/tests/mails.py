"""Mails as real senders write them, for the tests and the benchmark: Outlook-like and Thunderbird-like
multiparts, Gmail's HTML alternative, Vietnamese names in RFC 2047 and RFC 2231, a forwarded mail, a
delivery report (RFC 3464)."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import formataddr, formatdate, make_msgid

from congvan.lib.pdfgen import simple_pdf


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
