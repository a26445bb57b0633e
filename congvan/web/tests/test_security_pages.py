"""Sign-in security in the pages: the two-step sign-in, the enrolment a role requires, sessions a person
ends, the idle timeout; the auditor's desk and the alerts page; the health page."""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from congvan.audit.models import AuditEvent
from congvan.lib import totp
from congvan.orgs.tests.support import HU, make_user
from congvan.security.models import SecurityAlert, TotpDevice, UserSession

PASSWORD = "correct horse 1"
STATE = "000.00.02.H57"


def password_step(client: Client, username: str) -> Any:
    return client.post("/login/", {"username": username, "password": PASSWORD})


def enrol_in_pages(client: Client) -> list[str]:
    """Walk the setup page as a person would: start, read the key shown, type the app's code."""
    client.post("/account/two-factor/", {"action": "start"})
    page = client.get("/account/two-factor/").content.decode()
    found = re.search(r'data-secret="([A-Z2-7]+)"', page)
    assert found is not None
    secret = found.group(1)
    assert "<svg" in page  # the QR code to scan
    r = client.post(
        "/account/two-factor/", {"action": "confirm", "code": totp.code_at(secret, totp.current_step())}
    )
    assert r.status_code == 200
    return re.findall(r"<code>([0-9a-f]{8}-[0-9a-f]{8})</code>", r.content.decode())


def next_code(username: str) -> str:
    device = TotpDevice.objects.get(user__username=username)
    return totp.code_at(device.secret, max(device.last_step + 1, totp.current_step()))


def test_a_leader_must_set_up_two_factor_then_signs_in_with_a_code(people, settings):
    settings.TWO_FACTOR_ROLES = ["admin", "leader"]
    bob = Client()
    r = password_step(bob, "bob")
    assert r.status_code == 302 and r["Location"] == "/account/two-factor/"
    assert bob.get("/inbox/")["Location"] == "/account/two-factor/"  # nothing else before it is set up
    codes = enrol_in_pages(bob)
    assert len(codes) == 10
    assert bob.get("/inbox/").status_code == 200
    bob.post("/logout/")

    again = Client()
    r = password_step(again, "bob")
    assert r.status_code == 200 and b'name="code"' in r.content and b'name="password"' not in r.content
    assert again.get("/inbox/").status_code == 302  # not signed in yet
    r = again.post("/login/", {"code": "000000" if next_code("bob") != "000000" else "111111"})
    assert r.status_code == 400 and "Mã xác thực không đúng" in r.content.decode()
    r = again.post("/login/", {"code": next_code("bob")})
    assert r.status_code == 302 and again.get("/inbox/").status_code == 200

    third = Client()
    password_step(third, "bob")
    assert third.post("/login/", {"code": codes[0]}).status_code == 302  # a recovery code, once


def test_a_person_ends_another_session_and_idle_sessions_close(people, settings):
    laptop, phone = Client(), Client()
    password_step(laptop, "carol")
    password_step(phone, "carol")
    page = laptop.get("/account/").content.decode()
    assert page.count("/end/") == 1  # the other session can be ended; this one is marked
    other = UserSession.objects.exclude(session_key=laptop.session.session_key).get(user__username="carol")
    assert laptop.post(f"/account/sessions/{other.pk}/end/").status_code == 302
    assert phone.get("/inbox/").status_code == 302  # signed out there
    mine = UserSession.objects.get(session_key=laptop.session.session_key)
    # Another person's session is not found.
    dan = Client()
    password_step(dan, "dan")
    assert dan.post(f"/account/sessions/{mine.pk}/end/").status_code == 404
    settings.SESSION_IDLE_MINUTES = 30
    UserSession.objects.filter(pk=mine.pk).update(last_seen=timezone.now() - dt.timedelta(minutes=31))
    r = laptop.get("/inbox/")
    assert r.status_code == 302 and r["Location"].startswith("/login/")


def test_auditor_desk_filters_exports_and_verifies_the_chain(people):
    make_user("sadm", "Quản trị Sở", STATE, "admin")
    frank = Client()  # HU's auditor
    password_step(frank, "frank")
    password_step(Client(), "gina")  # a sign-in in another district
    page = frank.get("/audit/").content.decode()
    assert "auth.signed_in" in page and ">gina<" not in page  # only the district's people
    r = frank.get("/audit/", {"person": "frank", "action": "auth."})
    assert r.status_code == 200 and ">frank<" in r.content.decode()
    assert frank.get("/audit/", {"since": "99999-01-01"}).status_code == 400
    rows = list(csv.DictReader(io.StringIO(frank.get("/audit/export.csv").content.decode("utf-8-sig"))))
    assert rows and all(len(r["hash"]) == 64 and len(r["prev_hash"]) == 64 for r in rows)
    data = json.loads(frank.get("/audit/export.json", {"action": "auth.signed_in"}).content)
    assert {e["actor"] for e in data["events"]} == {"frank"}
    r = frank.post("/audit/verify/", follow=True)
    assert "Chuỗi nhật ký toàn vẹn" in r.content.decode()
    assert AuditEvent.objects.filter(action="audit.verified", actor="frank").exists()
    carol = Client()
    password_step(carol, "carol")
    assert carol.get("/audit/").status_code == 403 and carol.get("/audit/export.csv").status_code == 403


def test_alerts_page_acknowledges_and_health_page_shows_state(people, settings):
    from congvan.security.actions import do_scan_events

    make_user("hadm", "Quản trị Huyện", HU, "admin")
    do_scan_events()
    adm = Client()
    password_step(adm, "hadm")
    page = adm.get("/security/").content.decode()
    alert = SecurityAlert.objects.filter(subject="hadm").first()
    assert alert is not None and f"/security/alerts/{alert.pk}/ack/" in page
    adm.post(f"/security/alerts/{alert.pk}/ack/", {"note": "Tôi tự cấp khi lập đơn vị"})
    alert.refresh_from_db()
    assert alert.acknowledged_by == "hadm" and alert.note == "Tôi tự cấp khi lập đơn vị"
    r = adm.get("/admin/health/")
    assert r.status_code == 200 and 'id="disk"' in r.content.decode() and 'id="peers"' in r.content.decode()
    carol = Client()
    password_step(carol, "carol")
    assert carol.get("/admin/health/").status_code == 403 and carol.get("/security/").status_code == 403


@pytest.mark.parametrize("path", ["/account/two-factor/", "/security/", "/audit/", "/admin/health/"])
def test_anonymous_visitors_go_to_the_login(db, path):
    r = Client().get(path)
    assert r.status_code == 302 and r["Location"].startswith("/login/")


def test_a_documents_history_shows_who_opened_it(api):
    from congvan.orgs.tests.support import released

    doc = released(api, ["000.01.01.H57"])
    reader = Client()
    password_step(reader, "alice")
    assert reader.get(f"/documents/{doc['id']}/").status_code == 200
    frank = Client()
    password_step(frank, "frank")
    page = frank.get(f"/documents/{doc['id']}/").content.decode()
    assert 'id="document-history"' in page
    history = frank.get("/audit/", {"target_type": "document", "target_id": str(doc["id"])}).content.decode()
    assert "document.read" in history and ">alice<" in history and "document.released" in history
