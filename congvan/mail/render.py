"""A mail as a PDF page (A4, Vietnamese font): the record of how a document arrived, kept with it."""

from __future__ import annotations

from django.utils import formats, timezone
from django.utils.translation import gettext as _

from congvan.lib.pdfdoc import a4
from congvan.mail.models import MailArrival


def mail_pdf(arrival: MailArrival, attachment_names: list[str]) -> bytes:
    pdf = a4(title=arrival.subject[:200])
    pdf.set_auto_page_break(auto=True, margin=15)
    pdf.add_page()
    pdf.set_font("Noto", "B", 13)
    pdf.multi_cell(0, 7, _("Thư điện tử đến"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(2)
    sent = formats.date_format(timezone.localtime(arrival.sent_at), "d/m/Y H:i") if arrival.sent_at else "-"
    received = formats.date_format(timezone.localtime(arrival.received_at), "d/m/Y H:i")
    rows = [
        (
            _("Người gửi"),
            f"{arrival.sender_name} <{arrival.sender}>" if arrival.sender_name else arrival.sender,
        ),
        (_("Tiêu đề"), arrival.subject),
        (_("Ngày gửi"), sent),
        (_("Nhận lúc"), received),
        (_("Mã thư"), arrival.message_id),
        (_("Tệp đính kèm"), ", ".join(attachment_names)),
    ]
    for label, value in rows:
        pdf.set_font("Noto", "B", 9.5)
        pdf.cell(32, 6, label)
        pdf.set_font("Noto", "", 9.5)
        pdf.multi_cell(0, 6, _printable(value) or "-", new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Noto", "", 10)
    pdf.multi_cell(0, 5.5, _printable(arrival.body[:60_000]) or _("(thư không có nội dung)"))
    return bytes(pdf.output())


def _printable(text: str) -> str:
    """Text the font can draw: control characters and characters outside the Basic Multilingual Plane out."""
    return "".join(ch for ch in text if ch in "\n\t" or (ch >= " " and ord(ch) < 0xFFFF and ch != "\x7f"))
