"""Two-factor sign-in: enrolment, codes taken once, recovery codes, roles that require it, throttling."""

from __future__ import annotations

import pytest

from congvan.lib import totp
from congvan.orgs.errors import AccountLocked, LoginFailed
from congvan.orgs.models import User
from congvan.orgs.tests.support import make_user
from congvan.security import actions as security
from congvan.security.errors import (
    AlreadyEnrolled,
    InvalidCode,
    SecondFactorNeeded,
    SecondFactorSetupRequired,
    SecondFactorWrong,
)
from congvan.security.models import TotpDevice

HU = "000.00.01.H57"
PASSWORD = "correct horse 1"


def enrol(user: User) -> tuple[str, list[str]]:
    secret = security.do_start_totp(actor=user).secret
    codes = security.do_confirm_totp(totp.code_at(secret, totp.current_step()), actor=user)
    # The confirming code's step is used: the next sign-in takes the next step's code.
    return secret, codes


def next_code(user: User) -> str:
    device = TotpDevice.objects.get(user=user)
    return totp.code_at(device.secret, max(device.last_step + 1, totp.current_step()))


def sign_in(username: str, code: str = "", via: str = "api") -> security.SignedIn:
    return security.do_sign_in(username=username, password=PASSWORD, code=code, address="10.0.0.9", via=via)


@pytest.fixture
def bob(org):
    return make_user("bob", "Lê Văn Bình", HU, "leader")


def test_enrolment_needs_a_right_first_code(bob):
    enrolment = security.do_start_totp(actor=bob)
    assert enrolment.uri.startswith("otpauth://totp/")
    with pytest.raises(InvalidCode):
        security.do_confirm_totp(
            "000000" if totp.code_at(enrolment.secret, totp.current_step()) != "000000" else "111111",
            actor=bob,
        )
    assert not security.has_second_factor(bob)
    assert sign_in("bob").user == bob  # not in force until confirmed
    _secret, codes = enrol(bob)
    assert len(codes) == 10 and len(set(codes)) == 10
    with pytest.raises(AlreadyEnrolled):
        security.do_start_totp(actor=bob)


def test_sign_in_asks_the_code_takes_it_once_and_refuses_a_wrong_one(bob, settings):
    settings.LOGIN_MAX_FAILURES = 50
    enrol(bob)
    with pytest.raises(SecondFactorNeeded):
        sign_in("bob")
    with pytest.raises(SecondFactorWrong):
        sign_in("bob", "123456" if next_code(bob) != "123456" else "654321")
    code = next_code(bob)
    assert sign_in("bob", code).user == bob
    with pytest.raises(SecondFactorWrong):  # the same code again: a replay
        sign_in("bob", code)
    with pytest.raises(LoginFailed):  # a wrong password is refused before any code is looked at
        security.do_sign_in(
            username="bob", password="wrong password", code=next_code(bob), address="x", via="api"
        )


def test_recovery_code_works_once(bob):
    _secret, codes = enrol(bob)
    assert sign_in("bob", codes[0].upper()).user == bob  # typed in capitals: still the code
    with pytest.raises(SecondFactorWrong):
        sign_in("bob", codes[0])
    assert security.recovery_codes_left(bob) == 9
    fresh = security.do_new_recovery_codes(PASSWORD, actor=bob)
    with pytest.raises(SecondFactorWrong):
        sign_in("bob", codes[1])  # the old set stopped working
    assert sign_in("bob", fresh[0]).user == bob


def test_guessing_codes_is_throttled_even_with_the_password(bob, settings):
    settings.LOGIN_MAX_FAILURES = 5
    enrol(bob)
    wrong = "000000" if next_code(bob) != "000000" else "111111"
    for _ in range(4):
        with pytest.raises(SecondFactorWrong):
            sign_in("bob", wrong)
    with pytest.raises((SecondFactorWrong, AccountLocked)):
        sign_in("bob", wrong)
    with pytest.raises(AccountLocked):  # the right code waits too: guessing 10^6 codes stays slow
        sign_in("bob", next_code(bob))


def test_roles_that_require_it(bob, settings):
    settings.TWO_FACTOR_ROLES = ["admin", "leader"]
    carol = make_user("carol", "Phạm Thị Cúc", HU, "specialist")
    assert not sign_in("carol").must_enroll
    with pytest.raises(SecondFactorSetupRequired):  # no token before it is set up in the pages
        sign_in("bob", via="api")
    assert sign_in("bob", via="web").must_enroll  # the pages let them in only to set it up
    enrol(bob)
    assert not sign_in("bob", next_code(bob), via="api").must_enroll
    with pytest.raises(SecondFactorSetupRequired):  # and they cannot turn it off
        security.do_disable_totp(PASSWORD, actor=bob)
    assert carol.is_active


def test_turning_it_off_needs_the_password(bob):
    enrol(bob)
    with pytest.raises(LoginFailed):
        security.do_disable_totp("wrong password", actor=bob)
    security.do_disable_totp(PASSWORD, actor=bob)
    assert sign_in("bob").user == bob
