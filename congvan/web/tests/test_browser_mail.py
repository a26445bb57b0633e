"""Official e-mail walked in a real browser, for an office set up from nothing: the admin sets up the
unit's mailbox and a contact off the system; mails arrive on a real IMAP server (one from Outlook in rich
text, its documents inside winmail.dat); the clerk registers one from the "Thư đến" list in one step and
dismisses the other with a reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from congvan.capture.actions import process
from congvan.capture.models import Intake
from congvan.mail.tests.mails import document_pdf, mail_with, outlook_rich_text_mail, pdf_mail
from congvan.orgs.tests.support import HU

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_admin_sets_up_the_mailbox_and_the_clerk_registers_a_mail(open_as, live_server, people, dovecot):
    user, password = dovecot.account()
    root = open_as("root")
    root.goto(f"{live_server.url}/admin/units/{HU}/")
    root.click("#mailbox-link")
    root.fill("input[name=address]", "vanthu@huyenuy.gov.vn")
    root.fill("input[name=host]", "127.0.0.1")
    root.fill("input[name=port]", str(dovecot.port))
    root.select_option("select[name=security]", "plain")
    root.fill("input[name=username]", user)
    root.fill("input[name=password]", "sai-mat-khau")
    root.click("#mailbox-save")
    root.click("#mailbox-check")
    assert "127.0.0.1" in root.inner_text("main")  # the server's refusal, said plainly
    root.fill("input[name=password]", password)
    root.fill("input[name=username]", user)
    root.click("#mailbox-save")
    assert "Đã lưu hộp thư" in root.inner_text("main")
    root.click("#mailbox-check")
    assert "Kết nối được" in root.inner_text("main")
    # mail that was in the mailbox long before it was set up stays there
    dovecot.deliver(
        user, pdf_mail(subject="Thư cũ", symbol="9/UBND-VP"), at=dt.datetime(2024, 3, 1, tzinfo=dt.UTC)
    )
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    assert root.input_value("input[name=since]") == yesterday.isoformat()
    dovecot.deliver(
        user,
        mail_with(
            ("Văn bản 125.pdf", document_pdf(), "application/pdf"),
            subject="Gửi văn bản 125/UBND-VP về chuyển đổi số",
        ),
    )
    dovecot.deliver(
        user, outlook_rich_text_mail([("Công văn 32 của Sở Nội vụ.pdf", document_pdf("32/SNV-VP"))])
    )
    root.click("#mailbox-fetch")
    assert "2 thư mới" in root.inner_text("main")
    for i in Intake.objects.filter(state="queued"):
        process(i.pk)  # what the worker does

    alice = open_as("alice")
    alice.click("#nav-mail")
    assert "vanthu@binhtan.gov.vn" in alice.inner_text("#mail-arrivals")
    alice.click("#mail-arrivals a:has-text('Văn bản 125.pdf')")
    assert "Gửi văn bản 125/UBND-VP" in alice.inner_text("#mail-arrival")
    alice.fill("textarea[name=subject]", "V/v báo cáo chuyển đổi số")
    alice.click("#register-incoming")
    alice.wait_for_url("**/documents/*/")
    text = alice.inner_text("main")
    assert "V/v báo cáo chuyển đổi số" in text and "Thư điện tử.pdf" in text
    alice.click("#nav-mail")
    alice.click("#mail-arrivals a:has-text('Công văn 32 của Sở Nội vụ.pdf')")  # taken out of winmail.dat
    assert "Sở Nội vụ gửi văn bản đính kèm." in alice.inner_text("#mail-arrival")
    alice.fill("#dismiss-mail input[name=reason]", "Đã nhận qua trục liên thông")
    alice.click("#dismiss-mail button")
    alice.wait_for_url("**/mail/")
    assert "Đã bỏ qua thư" in alice.inner_text("main")
    assert "Không có thư" in alice.inner_text("#mail-arrivals")
