"""Official e-mail through the HTTP API, as an office sets it up from nothing: the admin configures the
unit's mailbox and a contact off the system, the clerk registers what arrived and releases to the contact."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from congvan.capture.actions import process
from congvan.capture.models import Intake
from congvan.mail.models import Mailbox
from congvan.mail.tests.mails import pdf_mail
from congvan.orgs.tests.support import HU, Api

pytestmark = pytest.mark.django_db(transaction=True)


def test_an_office_sets_up_its_mailbox_and_registers_a_mail_through_the_api(api, people, dovecot):
    user, password = dovecot.account()
    admin = Api(people["root"], HU)
    settings = dovecot.settings(user, password=password, after="move", after_folder="Đã nhận")
    assert api["alice"].put(f"/units/{HU}/mailbox", settings).status_code == 404  # a clerk: no such door
    assert admin.put(f"/units/{HU}/mailbox", {**settings, "port": "x"}).status_code == 400
    assert admin.put(f"/units/{HU}/mailbox", {**settings, "nonsense": 1}).status_code == 400
    assert admin.put(f"/units/{HU}/mailbox", {**settings, "address": "not-an-address"}).status_code == 400
    assert admin.put(f"/units/{HU}/mailbox", {**settings, "since": "05/12/2026"}).status_code == 400
    assert admin.put(f"/units/{HU}/mailbox", {**settings, "since": 20261205}).status_code == 400
    tomorrow = (timezone.localdate() + dt.timedelta(days=1)).isoformat()
    future = admin.put(f"/units/{HU}/mailbox", {**settings, "since": tomorrow})
    assert future.status_code == 400 and "since" in future.json()["error"]["message"]
    r = admin.put(f"/units/{HU}/mailbox", settings)
    assert r.status_code == 200, r.content
    assert r.json()["has_password"] and "password" not in r.json()
    yesterday = timezone.localdate() - dt.timedelta(days=1)
    assert r.json()["since"] == yesterday.isoformat()  # the mail already there stays there
    r = admin.put(f"/units/{HU}/mailbox", {**settings, "since": "2025-01-01"})
    assert (
        r.json()["since"] == "2025-01-01"
        and admin.put(f"/units/{HU}/mailbox", settings).json()["since"] == "2025-01-01"
    )
    assert password not in Mailbox.objects.get().password
    assert admin.post(f"/units/{HU}/mailbox/check").json()["folders"]["INBOX"] > 0
    wrong = admin.put(f"/units/{HU}/mailbox", {**settings, "password": "sai"})
    assert wrong.status_code == 200
    refused = admin.post(f"/units/{HU}/mailbox/check")
    assert refused.status_code == 502 and "127.0.0.1" in refused.json()["error"]["message"]
    admin.put(f"/units/{HU}/mailbox", settings)
    dovecot.deliver(user, pdf_mail())
    fetched = admin.post(f"/units/{HU}/mailbox/fetch")
    assert fetched.json()["taken"] == 1, fetched.content
    for i in Intake.objects.filter(state="queued"):
        process(i.pk)
    [arrival] = api["alice"].get("/mail/arrivals").json()["results"]
    assert arrival["sender"] == "vanthu@binhtan.gov.vn" and arrival["files"][0]["state"] == "done"
    assert api["dan"].get(f"/mail/arrivals/{arrival['id']}").status_code == 404  # another unit's clerk
    assert api["carol"].post(f"/mail/arrivals/{arrival['id']}/register").status_code == 403
    r = api["alice"].post(
        f"/mail/arrivals/{arrival['id']}/register", {"subject": "V/v báo cáo chuyển đổi số"}
    )
    assert r.status_code == 200, r.content
    assert r.json()["incoming_number"] == 1
    assert api["alice"].post(f"/mail/arrivals/{arrival['id']}/register").status_code == 409  # once
    doc = api["alice"].get(f"/documents/{r.json()['document']}").json()
    assert doc["subject"] == "V/v báo cáo chuyển đổi số"
    assert [f["name"] for f in doc["files"]][-1] == "Thư điện tử.pdf"


def test_an_admin_records_a_contact_reached_by_email(api, people):
    admin = Api(people["root"], HU)
    assert api["alice"].post("/directory/mail-contacts", {"name": "X", "email": "a@b.vn"}).status_code == 403
    assert admin.post("/directory/mail-contacts", {"name": "X", "email": "không"}).status_code == 400
    r = admin.post("/directory/mail-contacts", {"name": "Công ty Điện lực", "email": "vanthu@dienluc.vn"})
    assert r.status_code == 201, r.content
    code = r.json()["code"]
    assert code.startswith("EXT-")
    changed = admin.put(
        f"/directory/mail-contacts/{code}", {"name": "Công ty Điện lực", "email": "vt@dienluc.vn"}
    )
    assert changed.json()["email"] == "vt@dienluc.vn"
    assert admin.put(f"/directory/mail-contacts/{HU}", {"name": "Y", "email": "y@y.vn"}).status_code == 404
    assert [c["code"] for c in api["alice"].get("/directory/mail-contacts").json()] == [code]
