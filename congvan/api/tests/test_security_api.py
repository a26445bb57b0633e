"""The API's side of sign-in security and monitoring: a token needs the code, the audit log by subtree
with a cursor, mass downloads raise an alert, alerts go out by e-mail."""

from __future__ import annotations

import json
from typing import Any

from django.test import Client

from congvan.lib import totp
from congvan.mail.alerts import send_alerts
from congvan.mail.tests.servers import smtp  # noqa: F401 - the SMTP server fixture
from congvan.orgs.access import acting_as
from congvan.orgs.actions import do_change_membership
from congvan.orgs.models import Membership
from congvan.orgs.tests.support import HU, Api, make_user
from congvan.security import actions as security
from congvan.security.models import AlertRule, EmailState, SecurityAlert, TotpDevice

PASSWORD = "correct horse 1"


def token(body: dict[str, str]) -> Any:
    return Client().post("/api/v1/auth/token", json.dumps(body), content_type="application/json")


def test_a_token_needs_the_code_of_a_person_with_two_factor(people, settings):
    settings.TWO_FACTOR_ROLES = ["leader"]
    r = token({"username": "bob", "password": PASSWORD})
    assert r.status_code == 403 and r.json()["error"]["code"] == "otp_setup_required"
    secret = security.do_start_totp(actor=people["bob"]).secret
    security.do_confirm_totp(totp.code_at(secret, totp.current_step()), actor=people["bob"])
    r = token({"username": "bob", "password": PASSWORD})
    assert r.status_code == 401 and r.json()["error"]["code"] == "otp_required"
    step = TotpDevice.objects.get(user=people["bob"]).last_step + 1
    code = totp.code_at(secret, max(step, totp.current_step()))
    r = token({"username": "bob", "password": PASSWORD, "code": code})
    assert r.status_code == 200 and r.json()["token"].startswith("cv_")
    assert (
        token({"username": "bob", "password": PASSWORD, "code": code}).json()["error"]["code"] == "otp_wrong"
    )
    assert token({"username": "carol", "password": PASSWORD}).status_code == 200  # not required of her


def test_audit_log_by_subtree_with_filters_and_cursor(api):
    frank, gina_side = api["frank"], Api(make_user("sadm", "Quản trị Sở", "000.00.02.H57", "auditor"))
    r = frank.get("/audit", limit=5)
    assert r.status_code == 200
    page1 = r.json()
    assert len(page1["results"]) == 5 and page1["next"] == page1["results"][-1]["seq"]
    page2 = frank.get("/audit", limit=5, before=page1["next"]).json()
    assert max(e["seq"] for e in page2["results"]) < min(e["seq"] for e in page1["results"])
    rows = frank.get("/audit", action="membership.", limit=1000).json()["results"]
    seen = {e["target_id"] for e in rows}
    assert "alice" in seen and "gina" not in seen  # HU's people, not the other district's
    other = {
        e["target_id"] for e in gina_side.get("/audit", action="membership.", limit=1000).json()["results"]
    }
    assert "gina" in other and "alice" not in other
    assert frank.get("/audit", unit="000.00.02.H57").json()["results"] == []  # outside the subtree
    assert api["carol"].get("/audit").status_code == 403
    assert frank.get("/audit", since="10000-01-01").status_code in (400, 422)
    r = frank.post("/audit/verify")
    assert r.status_code == 200 and r.json()["ok"] is True and r.json()["checked"] > 0


def test_mass_download_raises_one_alert(api, settings):
    settings.ALERT_DOWNLOADS_PER_MINUTE = 5
    carol = api["carol"]
    r = carol.create_draft()
    url = r.json()["files"][0]["url"]
    security.do_scan_events()
    for _ in range(7):
        assert carol.client.get(url, headers=carol.headers()).status_code == 200
    alerts = [a for a in security.do_scan_events() if a.rule == AlertRule.MASS_DOWNLOAD]
    assert len(alerts) == 1 and alerts[0].subject == "carol" and alerts[0].unit == HU


def test_alerts_are_emailed_to_the_watchers_above(smtp, people):  # noqa: F811
    hadm = make_user("hadm", "Quản trị Huyện", HU, "admin")
    hadm.email = "quantri@huyenuy.gov.vn"
    hadm.save(update_fields=["email"])
    people["frank"].email = "kiemtra@huyenuy.gov.vn"  # HU's auditor
    people["frank"].save(update_fields=["email"])
    people["gina"].email = "gina@khac.gov.vn"  # a clerk of another district: not a watcher
    people["gina"].save(update_fields=["email"])
    security.do_scan_events()
    SecurityAlert.objects.all().delete()
    m = Membership.objects.get(user=people["carol"], unit__code=HU)
    do_change_membership(m.pk, role="leader", actor=acting_as(hadm, HU))
    [alert] = security.do_scan_events()
    assert send_alerts() == 1 and send_alerts() == 0
    [msg] = smtp.messages
    assert sorted(msg.rcpt_tos) == ["kiemtra@huyenuy.gov.vn", "quantri@huyenuy.gov.vn"]
    alert.refresh_from_db()
    assert alert.email_state == EmailState.SENT
