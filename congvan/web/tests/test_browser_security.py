"""Sign-in security and the auditor's desk in a real browser, on an installation made by `congvan init`:
the administrator must set up two-factor sign-in, signs in again with the app's code, checks the audit
chain, reads and acknowledges an alert, sees the health page and their sessions."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command

from congvan.lib import totp
from congvan.security.actions import do_scan_events
from congvan.security.models import SecurityAlert, TotpDevice

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

ROOT = "000.00.00.T79"
PASSWORD = "Quan-tri-tinh-2026!"


def sign_in(browser, url: str):
    ctx = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    page = ctx.new_page()
    page.set_default_timeout(15000)
    page.goto(url + "/login/")
    page.fill("input[name=username]", "quantri")
    page.fill("input[name=password]", PASSWORD)
    page.click("button[type=submit]")
    return ctx, page


def next_code() -> str:
    device = TotpDevice.objects.get(user__username="quantri")
    return totp.code_at(device.secret, max(device.last_step + 1, totp.current_step()))


def test_two_factor_setup_sign_in_and_the_auditors_desk(browser, live_server, tmp_path, settings):
    settings.TWO_FACTOR_ROLES = ["admin", "leader"]
    secret_file = tmp_path / "pw"
    secret_file.write_text(PASSWORD, encoding="utf-8")
    call_command(
        "init",
        "--no-input",
        f"--code={ROOT}",
        "--name=Tỉnh ủy Thử",
        "--abbreviation=TU",
        "--term-name=2025-2030",
        "--term-start=2025-10-01",
        "--admin=quantri",
        f"--admin-password-file={secret_file}",
        stdout=io.StringIO(),
    )
    ctx, page = sign_in(browser, live_server.url)
    page.wait_for_url("**/account/two-factor/")
    page.goto(live_server.url + "/admin/units/")  # nothing else before it is set up
    page.wait_for_url("**/account/two-factor/")
    page.click("#start-two-factor")
    page.wait_for_selector("#two-factor-setup svg")
    secret = page.get_attribute("#otp-secret", "data-secret")
    page.fill("#two-factor-setup input[name=code]", totp.code_at(secret, totp.current_step()))
    page.click("#two-factor-setup button")
    page.wait_for_selector("#recovery-codes li")  # the answer's page, not the form still showing
    assert page.locator("#recovery-codes li").count() == 10
    page.click("#recovery-codes a")
    page.wait_for_url("**/admin/units/")
    ctx.close()

    ctx, page = sign_in(browser, live_server.url)
    page.wait_for_selector("#otp-form")
    page.fill("#otp-form input[name=code]", next_code())
    page.click("#otp-form button")
    page.wait_for_url("**/admin/units/")

    # The auditor's desk: the sign-ins are in the log; the chain checks out.
    page.click("text=Nhật ký")
    page.wait_for_url("**/audit/")
    assert "auth.signed_in" in page.inner_text("#events")
    page.fill("#audit-filter input[name=action]", "security.")
    page.click("#audit-filter button")
    page.wait_for_url("**action=security.**")
    assert "security.otp_enabled" in page.inner_text("#events")
    page.click("#verify-chain")
    page.wait_for_selector("text=Chuỗi nhật ký toàn vẹn")

    # The scheduler's scan raised the alert of the administrator's own grant; acknowledged with a note.
    do_scan_events()
    page.goto(live_server.url + "/security/")
    row = page.locator("#alerts tbody tr[data-rule=role_granted]").first
    row.locator("input[name=note]").fill("Tài khoản quản trị lập khi cài đặt")
    row.locator("button").click()
    page.wait_for_selector("text=Đã xác nhận cảnh báo.")
    assert SecurityAlert.objects.filter(rule="role_granted", acknowledged_by="quantri").exists()

    page.goto(live_server.url + "/admin/health/")
    assert "Còn trống" in page.inner_text("#disk")
    page.goto(live_server.url + "/account/")
    assert "Phiên này" in page.inner_text("#sessions")
    ctx.close()
