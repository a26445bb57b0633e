"""The alert rules over the audit chain, idle accounts, and who sees which alert."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from congvan.lib import totp
from congvan.orgs.access import acting_as
from congvan.orgs.actions import do_create_membership, do_issue_token, do_login
from congvan.orgs.errors import LoginFailed, NotAllowed
from congvan.orgs.models import User
from congvan.orgs.tests.support import make_user
from congvan.security import actions as security
from congvan.security.access import visible_alerts
from congvan.security.errors import AlertAcknowledged, UnknownAlert
from congvan.security.models import AlertRule, SecurityAlert

TU, HU, HU2 = "000.00.00.T58", "000.00.01.H57", "000.00.02.H57"
PASSWORD = "correct horse 1"


@pytest.fixture
def staff(org):
    return {
        "tu_admin": make_user("tuadmin", "Quản trị Tỉnh", TU, "admin"),
        "hu_auditor": make_user("huaudit", "Kiểm tra Huyện", HU, "auditor"),
        "hu2_admin": make_user("hu2admin", "Quản trị Huyện 2", HU2, "admin"),
        "carol": make_user("carol", "Phạm Thị Cúc", HU, "specialist"),
    }


def rules_raised() -> list[str]:
    return [a.rule for a in security.do_scan_events()]


def fail(username: str, address: str, times: int) -> None:
    for _ in range(times):
        with pytest.raises(LoginFailed):
            do_login(username=username, password="wrong", address=address)


def test_failed_sign_ins_per_account_and_per_address(staff, settings):
    settings.LOGIN_MAX_FAILURES = settings.LOGIN_MAX_FAILURES_PER_ADDRESS = 1000
    settings.LOGIN_MAX_FAILURES_PER_ACCOUNT = 1000
    settings.ALERT_FAILED_SIGNINS_PER_ACCOUNT, settings.ALERT_FAILED_SIGNINS_PER_ADDRESS = 4, 6
    security.do_scan_events()
    fail("carol", "10.1.1.1", 3)
    assert rules_raised() == []
    fail("carol", "10.1.1.2", 1)  # four on one account, from two addresses
    assert rules_raised() == [AlertRule.FAILED_SIGNINS_ACCOUNT]
    fail("carol", "10.1.1.2", 3)  # more in the same window: no second alert for the same account
    assert rules_raised() == []
    for name in ("ann", "ben", "cuc", "dung", "em", "giang"):  # six names, one address: a spray
        fail(name, "10.9.9.9", 1)
    raised = security.do_scan_events()
    assert [a.rule for a in raised if a.rule == AlertRule.FAILED_SIGNINS_ADDRESS] == [
        AlertRule.FAILED_SIGNINS_ADDRESS
    ]
    [by_account] = SecurityAlert.objects.filter(rule=AlertRule.FAILED_SIGNINS_ACCOUNT)
    assert by_account.key == "carol" and by_account.unit == HU  # the account's unit: its watchers see it


def test_grants_tokens_and_two_factor_off_raise_alerts(staff):
    security.do_scan_events()
    do_create_membership(username="carol", unit_code=HU2, role="admin", actor=None)
    do_create_membership(username="carol", unit_code=TU, role="specialist", actor=None)  # not watched
    do_issue_token(staff["carol"])
    secret = security.do_start_totp(actor=staff["carol"]).secret
    security.do_confirm_totp(totp.code_at(secret, totp.current_step()), actor=staff["carol"])
    security.do_disable_totp(PASSWORD, actor=staff["carol"])
    assert sorted(rules_raised()) == sorted(
        [AlertRule.ROLE_GRANTED, AlertRule.TOKEN_CREATED, AlertRule.TWO_FACTOR_OFF]
    )


def test_sign_in_outside_working_hours(staff, settings):
    security.do_scan_events()
    local = timezone.localtime()
    settings.WORKING_DAYS = {local.weekday()}
    settings.WORKING_HOURS = (0, 24)
    security.do_sign_in(username="carol", password=PASSWORD, address="10.0.0.1", via="web")
    assert rules_raised() == []
    settings.WORKING_DAYS = {(local.weekday() + 1) % 7}  # today is not a working day
    security.do_sign_in(username="carol", password=PASSWORD, address="10.0.0.1", via="web")
    [alert] = security.do_scan_events()
    assert (
        alert.rule == AlertRule.OFF_HOURS
        and alert.subject == "carol"
        and alert.details["address"] == "10.0.0.1"
    )


def test_idle_accounts_are_deactivated_with_an_alert(staff, settings):
    settings.IDLE_ACCOUNT_DAYS = 45
    long_ago = timezone.now() - dt.timedelta(days=50)
    User.objects.filter(username__in=["carol", "huaudit"]).update(date_joined=long_ago, last_login=long_ago)
    User.objects.filter(username="hu2admin").update(date_joined=long_ago, last_login=timezone.now())
    root = User.objects.create_user(username="root", password=PASSWORD, is_superuser=True)
    User.objects.filter(pk=root.pk).update(date_joined=long_ago)
    assert sorted(security.do_deactivate_idle_accounts()) == ["carol", "huaudit"]
    assert not User.objects.get(username="carol").is_active and User.objects.get(username="root").is_active
    with pytest.raises(LoginFailed):
        do_login(username="carol", password=PASSWORD)
    assert {a.subject for a in SecurityAlert.objects.filter(rule=AlertRule.IDLE_ACCOUNT)} == {
        "carol",
        "huaudit",
    }
    assert security.do_deactivate_idle_accounts() == []


def test_alerts_are_seen_and_acknowledged_above_their_unit(staff):
    security.do_scan_events()
    SecurityAlert.objects.all().delete()  # the staff's own grants
    do_create_membership(username="carol", unit_code=HU2, role="leader", actor=None)  # an alert of HU2
    [alert] = security.do_scan_events()
    assert alert.unit == HU2
    tu_admin = acting_as(staff["tu_admin"], TU)
    hu_auditor = acting_as(staff["hu_auditor"], HU)
    hu2_admin = acting_as(staff["hu2_admin"], HU2)
    assert list(visible_alerts(tu_admin)) == [alert] and list(visible_alerts(hu2_admin)) == [alert]
    assert list(visible_alerts(hu_auditor)) == []  # another district's
    with pytest.raises(UnknownAlert):
        security.do_acknowledge_alert(alert.pk, "?", actor=hu_auditor)
    with pytest.raises(NotAllowed):  # a specialist is refused outright
        visible_alerts(acting_as(staff["carol"], HU))
    done = security.do_acknowledge_alert(alert.pk, "Đã xác minh với Văn phòng", actor=hu2_admin)
    assert done.acknowledged_by == "hu2admin" and done.note == "Đã xác minh với Văn phòng"
    with pytest.raises(AlertAcknowledged):
        security.do_acknowledge_alert(alert.pk, "again", actor=tu_admin)
