"""Documents released to organisations off the system go out by e-mail (a real SMTP server on 127.0.0.1),
tracked in the release's delivery list: sent, failed with the server's words, retried, bounced."""

from __future__ import annotations

import email
import email.policy
from typing import Any

import pytest

from congvan.dispatch.models import Delivery
from congvan.mail.actions import do_configure_mailbox
from congvan.mail.fetch import fetch_all
from congvan.mail.models import MailOut
from congvan.mail.sending import send_due
from congvan.mail.tests.mails import delivery_report, plain_bounce
from congvan.orgs.access import acting_as
from congvan.orgs.actions import do_save_mail_contact
from congvan.orgs.tests.support import HU, released

# The mail transport is the subject (its rows are plain updates): once per test command, on SQLite.
pytestmark = [pytest.mark.django_db(transaction=True), pytest.mark.once("sqlite")]


@pytest.fixture
def contact(people):
    admin = acting_as(people["root"], HU)
    return do_save_mail_contact(
        name="Công ty Điện lực Bình Tân", email="vanthu@dienluc-binhtan.vn", actor=admin
    )


def test_a_release_to_an_organisation_off_the_system_mails_the_signed_files(api, contact, smtp):
    rel = released(api, [contact.code, "000.01.01.H57"], subject="Kế hoạch phòng chống bão")
    delivery = Delivery.objects.get(unit=contact)
    assert delivery.transport == "queued"
    assert send_due() == 1
    assert send_due() == 0  # once
    [envelope] = smtp.messages
    assert envelope.rcpt_tos == ["vanthu@dienluc-binhtan.vn"]
    msg = email.message_from_bytes(envelope.content, policy=email.policy.default)
    assert msg["Subject"] == f"{rel['symbol']} - Kế hoạch phòng chống bão"
    part = msg.get_body(("plain",))
    assert part is not None
    body = part.get_content()
    assert "Kính gửi: Công ty Điện lực Bình Tân" in body and rel["symbol"] in body
    [pdf] = [p for p in msg.iter_attachments() if p.get_content_type() == "application/pdf"]
    assert pdf.get_content().startswith(b"%PDF-")
    delivery.refresh_from_db()
    assert delivery.transport == "sent" and "vanthu@dienluc-binhtan.vn" in delivery.transport_note
    seen = api["alice"].get(f"/documents/{rel['id']}").json()["deliveries"]
    assert {(d["unit"], d["transport"]) for d in seen} == {(contact.code, "sent"), ("000.01.01.H57", "local")}


def test_a_permanent_refusal_fails_with_the_servers_words_a_temporary_one_is_retried(
    api, contact, smtp, settings
):
    settings.MAIL_RETRY_SECONDS = 0
    smtp.busy = 1
    released(api, [contact.code])
    assert send_due() == 0
    out = MailOut.objects.get()
    assert out.state == "queued" and out.attempts == 1 and "451" in out.last_error
    assert send_due() == 1  # the retry goes through
    smtp.refuse["vanthu@dienluc-binhtan.vn"] = (
        "550 5.1.1 <vanthu@dienluc-binhtan.vn>: Recipient address rejected"
    )
    released(api, [contact.code], subject="Văn bản thứ hai")
    assert send_due() == 0
    failed = MailOut.objects.exclude(state="sent").get()
    assert failed.state == "failed" and "Recipient address rejected" in failed.last_error
    assert Delivery.objects.get(pk=failed.delivery_id).transport == "failed"


def _mailed_from_the_units_mailbox(api, contact, smtp, dovecot, people) -> tuple[str, MailOut, Any]:
    """A document released to a contact and mailed, the unit's mailbox set up: its account, the mail's
    record and what the SMTP server received."""
    user, password = dovecot.account()
    do_configure_mailbox(HU, dovecot.settings(user, password=password), actor=acting_as(people["root"], HU))
    released(api, [contact.code])
    send_due()
    [envelope] = smtp.messages
    return user, MailOut.objects.get(), envelope


def test_a_delivery_report_in_the_units_mailbox_marks_the_delivery_bounced(
    api, contact, smtp, dovecot, people
):
    user, out, envelope = _mailed_from_the_units_mailbox(api, contact, smtp, dovecot, people)
    assert envelope.mail_from == "vanthu@huyenuy.gov.vn"  # from the unit's own address
    dovecot.deliver(user, delivery_report(out.message_id, to=out.to))
    [result] = fetch_all()
    assert result.counts == {"bounce": 1}
    delivery = Delivery.objects.get(pk=out.delivery_id)
    assert delivery.transport == "bounced" and "User unknown" in delivery.transport_note
    from congvan.workflow.models import Notification

    told = Notification.objects.get(user=people["alice"], key__startswith="mail-bounced")
    assert told.kind == "exchange_failed" and "User unknown" in told.params["error"]


@pytest.mark.parametrize(
    "style, words",
    [
        ("qmail", "no mailbox here by that name"),
        ("exim", "User unknown in virtual mailbox table"),
        ("exim-delay", None),  # a warning: still trying, the delivery stays sent
    ],
)
def test_a_bounce_in_plain_text_marks_the_delivery_bounced(api, contact, smtp, dovecot, people, style, words):
    """qmail and Exim's classic bounce write no RFC 3464 report: their reason in words, then the message
    sent (or its headers)."""
    user, out, envelope = _mailed_from_the_units_mailbox(api, contact, smtp, dovecot, people)
    sent = envelope.original_content or envelope.content
    dovecot.deliver(user, plain_bounce(sent, to=out.to, style=style))
    assert fetch_all()[0].counts == {"bounce": 1}  # read as a report on the mail sent, and flagged
    delivery = Delivery.objects.get(pk=out.delivery_id)
    if words is None:
        assert delivery.transport != "bounced"
        return
    assert delivery.transport == "bounced" and words in delivery.transport_note
    assert "5.1.1" in delivery.transport_note


def test_the_mail_is_dkim_signed_when_a_key_is_configured(api, contact, smtp, settings, tmp_path):
    import dkim
    from cryptography.hazmat.primitives import serialization
    from cryptography.hazmat.primitives.asymmetric import rsa

    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    (tmp_path / "dkim.pem").write_bytes(pem)
    settings.DKIM_KEY_FILE, settings.DKIM_DOMAIN, settings.DKIM_SELECTOR = (
        str(tmp_path / "dkim.pem"),
        "huyenuy.gov.vn",
        "cv",
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    import base64

    record = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)
    released(api, [contact.code])
    send_due()
    [envelope] = smtp.messages

    def dns(name: bytes, timeout: int = 5) -> bytes:
        return record if name == b"cv._domainkey.huyenuy.gov.vn." else b""

    assert dkim.verify(envelope.content, dnsfunc=dns)
    tampered = envelope.content.replace(b"Subject: ", b"Subject: X", 1)
    assert not dkim.verify(tampered, dnsfunc=dns)


def test_the_units_own_smtp_server_is_used_when_it_has_one(api, contact, settings, people, dovecot):
    from congvan.mail.tests.servers import smtp_server

    controller, inbox, port = smtp_server()
    try:
        settings.EMAIL_HOST, settings.EMAIL_ENABLED = "", False  # the server itself sends no mail
        user, password = dovecot.account()
        do_configure_mailbox(
            HU,
            dovecot.settings(
                user, password=password, smtp_host="127.0.0.1", smtp_port=port, smtp_security="plain"
            ),
            actor=acting_as(people["root"], HU),
        )
        released(api, [contact.code])
        assert send_due() == 1
        [envelope] = inbox.messages
        assert envelope.mail_from == "vanthu@huyenuy.gov.vn" and envelope.rcpt_tos == [contact.email]
    finally:
        controller.stop()


def test_without_any_smtp_server_the_delivery_waits_and_says_why(api, contact, settings):
    settings.EMAIL_HOST, settings.EMAIL_ENABLED = "", False
    released(api, [contact.code])
    assert send_due() == 0
    out = MailOut.objects.get()
    assert out.state == "queued" and "SMTP" in out.last_error  # retried later, once it is configured
    assert "SMTP" in Delivery.objects.get(pk=out.delivery_id).transport_note
