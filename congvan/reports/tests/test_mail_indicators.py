"""The inspection counts the units' official mailboxes, and documents that came by e-mail as electronic."""

from __future__ import annotations

import pytest
from django.utils import timezone

from congvan.capture.actions import process
from congvan.capture.models import Intake
from congvan.lib.dates import local_today
from congvan.mail.actions import do_configure_mailbox, do_register_mail_arrival
from congvan.mail.fetch import fetch_all
from congvan.mail.models import MailArrival
from congvan.mail.tests.mails import pdf_mail
from congvan.orgs.access import acting_as
from congvan.orgs.tests.support import HU
from congvan.reports.queries import access_indicators

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture
def box(dovecot, people):
    user, password = dovecot.account()
    settings = {"address": "vt@hu.vn", "host": "127.0.0.1", "port": dovecot.port, "security": "plain"}
    mb = do_configure_mailbox(
        HU, {**settings, "username": user, "password": password}, actor=acting_as(people["root"], HU)
    )
    return mb, user


def read_all() -> None:
    for i in Intake.objects.filter(state="queued"):
        process(i.pk)


def test_the_inspection_counts_mailboxes_and_mail_arrivals_as_electronic(box, dovecot, people):
    _mb, user = box
    dovecot.deliver(user, pdf_mail())
    fetch_all()
    read_all()
    do_register_mail_arrival(MailArrival.objects.get().pk, {}, actor=acting_as(people["alice"], HU))
    today = local_today(timezone.now())
    report = access_indicators(acting_as(people["bob"], HU), HU, f"{today.year}-{today.month:02d}", live=True)
    f = report["indicators"]
    assert f["units_mailbox"]["numerator"] == 1
    assert (f["incoming_electronic"]["numerator"], f["incoming_electronic"]["denominator"]) == (1, 1)
    assert f["paper_digitised"]["denominator"] == 0  # a mail's attachment is no paper
