"""Two-factor sign-in, sessions, idle accounts and alerts: every state change of the security app."""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.sessions.backends.base import SessionBase
from django.db import transaction
from django.utils import timezone
from django.utils.module_loading import import_string
from django.utils.translation import gettext as _

from congvan.audit.actions import record
from congvan.audit.models import AuditEvent
from congvan.lib import totp
from congvan.lib.text import clean_line, clean_text
from congvan.orgs import actions as org_actions
from congvan.orgs import throttle
from congvan.orgs.access import Acting, access_person_for_admin
from congvan.orgs.errors import LoginFailed
from congvan.orgs.models import ApiToken, Membership, User
from congvan.security import rules
from congvan.security.errors import (
    AlertAcknowledged,
    AlreadyEnrolled,
    InvalidCode,
    SecondFactorNeeded,
    SecondFactorSetupRequired,
    SecondFactorWrong,
    UnknownSession,
)
from congvan.security.models import (
    AlertRule,
    RecoveryCode,
    ScanCursor,
    SecurityAlert,
    TotpDevice,
    UserSession,
)

RECOVERY_CODES = 10


@dataclass(frozen=True)
class SignedIn:
    user: User
    must_enroll: bool  # their role requires two-factor sign-in and they have not set it up yet


def has_second_factor(user: User) -> bool:
    return TotpDevice.objects.filter(user=user, confirmed=True).exists()


def do_sign_in(
    *, username: str, password: str, new_password: str = "", code: str = "", address: str = "", via: str
) -> SignedIn:
    """Check the password (``orgs.sign_in``, throttled), then the second factor if the person has one.

    Without a code, a person with an authenticator gets ``SecondFactorNeeded`` (the password was right).
    A person whose role requires two-factor sign-in but who has none: the pages let them in only to set
    it up (``must_enroll``); the API refuses (``via="api"``)."""
    user = org_actions.sign_in(
        username=username, password=password, new_password=new_password, address=address
    )
    if has_second_factor(user):
        if not str(code).strip():
            raise SecondFactorNeeded(_("Nhập mã xác thực hai bước"), user_id=user.pk)
        _check_second_factor(user, code, address=address)
        return _signed_in(user, address=address, via=via, second_factor=True)
    if rules.two_factor_required(user):
        if via == "api":
            raise SecondFactorSetupRequired(
                _("Vai trò của bạn cần xác thực hai bước: hãy cài đặt trên trang Tài khoản trước")
            )
        return _signed_in(user, address=address, via=via, second_factor=False, must_enroll=True)
    return _signed_in(user, address=address, via=via, second_factor=False)


def do_complete_sign_in(user_id: int, code: str, *, address: str, via: str) -> SignedIn:
    """The second step of a sign-in whose password was right (the page keeps who it was, not the password)."""
    user = User.objects.filter(pk=user_id, is_active=True).first()
    if user is None or not has_second_factor(user):
        raise LoginFailed(_("Sai tên đăng nhập hoặc mật khẩu"))
    _check_second_factor(user, code, address=address)
    return _signed_in(user, address=address, via=via, second_factor=True)


def _signed_in(
    user: User, *, address: str, via: str, second_factor: bool, must_enroll: bool = False
) -> SignedIn:
    now = timezone.now()
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(last_login=now)
        record(
            "auth.signed_in",
            actor=user,
            target_type="user",
            target_id=user.username,
            details={"address": address[:64], "via": via, "second_factor": second_factor},
        )
    return SignedIn(user, must_enroll)


def _otp_name(user: User) -> str:
    # Its own throttle keys: a right password resets the password's counts, never the code's.
    return f"otp:{user.username}"


def _check_second_factor(user: User, code: str, *, address: str) -> None:
    """Take an authenticator code (each time step once) or an unused recovery code, under the sign-in
    throttle (counted before the check, so guessing six digits stays slow)."""
    now = timezone.now()
    throttle.reserve(_otp_name(user), address, now)
    with transaction.atomic():
        device = TotpDevice.objects.select_for_update().filter(user=user, confirmed=True).first()
        step = totp.match(device.secret, code, after=device.last_step) if device else None
        if device is not None and step is not None:
            device.last_step = step
            device.save(update_fields=["last_step"])
            ok = True
        else:
            ok = _use_recovery_code(user, code, now)
        if not ok:
            record(
                "auth.otp_failed",
                actor=user,
                target_type="user",
                target_id=user.username,
                details={"address": address[:64]},
            )
    if not ok:
        raise SecondFactorWrong(_("Mã xác thực không đúng hoặc đã dùng"))
    throttle.succeeded(_otp_name(user), address)


def _recovery_hash(code: str) -> str:
    normal = "".join(ch for ch in str(code).lower() if ch.isalnum())
    return hashlib.sha256(normal.encode("ascii", "ignore")).hexdigest()


def _use_recovery_code(user: User, code: str, now: dt.datetime) -> bool:
    digest = _recovery_hash(code)
    for row in RecoveryCode.objects.select_for_update().filter(user=user, used_at=None):
        if hmac.compare_digest(row.code_hash, digest):
            row.used_at = now
            row.save(update_fields=["used_at"])
            record("auth.recovery_code_used", actor=user, target_type="user", target_id=user.username)
            return True
    return False


def _new_recovery_codes(user: User) -> list[str]:
    RecoveryCode.objects.filter(user=user).delete()
    codes = [f"{secrets.token_hex(4)}-{secrets.token_hex(4)}" for _i in range(RECOVERY_CODES)]
    RecoveryCode.objects.bulk_create([RecoveryCode(user=user, code_hash=_recovery_hash(c)) for c in codes])
    return codes


@dataclass(frozen=True)
class Enrolment:
    secret: str
    uri: str


def do_start_totp(*, actor: User) -> Enrolment:
    """Begin setting up an authenticator: a new secret, in force once a first code confirms it."""
    with transaction.atomic():
        device = TotpDevice.objects.select_for_update().filter(user=actor).first()
        if device is not None and device.confirmed:
            raise AlreadyEnrolled(_("Xác thực hai bước đã bật; hãy tắt trước khi cài lại"))
        secret = totp.new_secret()
        TotpDevice.objects.update_or_create(user=actor, defaults={"secret": secret, "confirmed": False})
    return Enrolment(secret, provisioning_uri(actor, secret))


def provisioning_uri(user: User, secret: str) -> str:
    return totp.provisioning_uri(secret, account=user.username, issuer=settings.OTP_ISSUER)


def pending_secret(user: User) -> str:
    device = TotpDevice.objects.filter(user=user, confirmed=False).first()
    return device.secret if device else ""


def do_confirm_totp(code: str, *, actor: User) -> list[str]:
    """Turn two-factor sign-in on with a first code from the app; return the recovery codes (shown once)."""
    with transaction.atomic():
        device = TotpDevice.objects.select_for_update().filter(user=actor).first()
        if device is None:
            raise InvalidCode(_("Hãy bắt đầu cài đặt xác thực hai bước trước"))
        if device.confirmed:
            raise AlreadyEnrolled(_("Xác thực hai bước đã bật; hãy tắt trước khi cài lại"))
        step = totp.match(device.secret, code)
        if step is None:
            raise InvalidCode(_("Mã xác thực không đúng: hãy xem lại giờ của điện thoại"))
        device.confirmed, device.last_step = True, step
        device.save(update_fields=["confirmed", "last_step"])
        codes = _new_recovery_codes(actor)
        record("security.otp_enabled", actor=actor, target_type="user", target_id=actor.username)
    return codes


def _check_own_password(user: User, password: str) -> None:
    if not user.check_password(str(password)):
        raise LoginFailed(_("Mật khẩu không đúng"))


def do_disable_totp(password: str, *, actor: User) -> None:
    """A person turns their own two-factor sign-in off (their password confirms it)."""
    _check_own_password(actor, password)
    if rules.two_factor_required(actor):
        raise SecondFactorSetupRequired(_("Vai trò của bạn cần xác thực hai bước: không thể tắt"))
    with transaction.atomic():
        TotpDevice.objects.filter(user=actor).delete()
        RecoveryCode.objects.filter(user=actor).delete()
        record("security.otp_disabled", actor=actor, target_type="user", target_id=actor.username)


def do_reset_totp(username: str, *, actor: Acting) -> None:
    """An admin clears a person's authenticator (a lost phone): they set a new one at the next sign-in."""
    with transaction.atomic():
        user = access_person_for_admin(actor, username)
        org_actions.refuse_system_admin(user, actor)
        TotpDevice.objects.filter(user=user).delete()
        RecoveryCode.objects.filter(user=user).delete()
        record(
            "security.otp_disabled",
            actor=actor.user,
            unit=actor.unit.code,
            target_type="user",
            target_id=user.username,
            details={"by_admin": True},
        )


def do_new_recovery_codes(password: str, *, actor: User) -> list[str]:
    """Replace a person's recovery codes (the old ones stop working)."""
    _check_own_password(actor, password)
    with transaction.atomic():
        if not has_second_factor(actor):
            raise InvalidCode(_("Xác thực hai bước chưa bật"))
        codes = _new_recovery_codes(actor)
        record("security.recovery_codes_renewed", actor=actor, target_type="user", target_id=actor.username)
    return codes


def recovery_codes_left(user: User) -> int:
    return RecoveryCode.objects.filter(user=user, used_at=None).count()


# -- sessions ------------------------------------------------------------------------------------


def do_open_session(user: User, session_key: str, *, address: str, agent: str) -> None:
    now = timezone.now()
    UserSession.objects.update_or_create(
        session_key=session_key,
        defaults={
            "user": user,
            "created_at": now,
            "last_seen": now,
            "address": address[:64],
            "agent": clean_line(str(agent)[:400], field="agent", max_length=400)[:200],
        },
    )


def do_touch_session(
    session_key: str, user: User, now: dt.datetime, *, address: str = "", agent: str = ""
) -> bool:
    """Whether a browser session is still in force (not idle past ``SESSION_IDLE_MINUTES``); marks it
    seen. A session ended by its owner elsewhere is deleted with its row, so it never reaches here signed
    in; one the list does not know yet (signed in before this version) is listed from now."""
    if not session_key:
        return True
    row = UserSession.objects.filter(session_key=session_key).first()
    if row is None or row.user_id != user.pk:
        do_open_session(user, session_key, address=address, agent=agent)
        return True
    if now - row.last_seen > dt.timedelta(minutes=settings.SESSION_IDLE_MINUTES):
        row.delete()
        return False
    if now - row.last_seen > dt.timedelta(seconds=30):
        UserSession.objects.filter(pk=row.pk).update(last_seen=now)
    return True


def own_sessions(user: User) -> list[UserSession]:
    return list(UserSession.objects.filter(user=user).order_by("-last_seen"))


def _session_store(key: str) -> SessionBase:
    store: SessionBase = import_string(settings.SESSION_ENGINE + ".SessionStore")(session_key=key)
    return store


def do_end_session(session_id: int, *, actor: User) -> None:
    """A person signs one of their browser sessions out (another person's is not found)."""
    with transaction.atomic():
        row = UserSession.objects.filter(pk=session_id, user=actor).first()
        if row is None:
            raise UnknownSession(_("Không có phiên đăng nhập này"))
        _session_store(row.session_key).delete()
        row.delete()
        record("auth.session_ended", actor=actor, target_type="user", target_id=actor.username)


def do_close_session(session_key: str) -> None:
    """Forget a session signed out from its own browser."""
    UserSession.objects.filter(session_key=session_key).delete()


# -- idle accounts and alerts --------------------------------------------------------------------


def first_unit_code(user: User) -> str:
    m = Membership.objects.filter(user=user, active=True).select_related("unit").order_by("id").first()
    return m.unit.code if m else ""


def do_deactivate_idle_accounts(now: dt.datetime | None = None) -> list[str]:
    """Deactivate accounts nobody signed in to for ``IDLE_ACCOUNT_DAYS`` (the scheduler's job); each one
    raises an alert to the admins above it. System administrators are kept (an installation must not lock
    itself out), as are accounts that cannot sign in (the exchange's own)."""
    now = now or timezone.now()
    since = rules.idle_since(now)
    done = []
    candidates = User.objects.filter(is_active=True, is_superuser=False, date_joined__lt=since).exclude(
        last_login__gte=since
    )
    for user in candidates:
        if not user.has_usable_password():
            continue
        with transaction.atomic():
            User.objects.filter(pk=user.pk).update(is_active=False)
            ApiToken.objects.filter(user=user).delete()
            UserSession.objects.filter(user=user).delete()
            record(
                "user.deactivated_idle",
                actor=None,
                target_type="user",
                target_id=user.username,
                details={"last_login": user.last_login.isoformat() if user.last_login else None},
            )
            SecurityAlert.objects.create(
                rule=AlertRule.IDLE_ACCOUNT,
                key=user.username,
                unit=first_unit_code(user),
                subject=user.username,
                details={"days": settings.IDLE_ACCOUNT_DAYS},
                at=now,
            )
        done.append(user.username)
    return done


def do_acknowledge_alert(alert_id: int, note: str, *, actor: Acting) -> SecurityAlert:
    """An admin or auditor above the alert's unit acknowledges it with a note."""
    from congvan.security.access import access_alert

    with transaction.atomic():
        alert = access_alert(actor, alert_id, for_write=True)
        if alert.acknowledged_at is not None:
            raise AlertAcknowledged(_("Cảnh báo đã được xác nhận"))
        alert.acknowledged_at = timezone.now()
        alert.acknowledged_by = actor.user.username
        alert.note = clean_text(note, field="note", max_length=2000)
        alert.save(update_fields=["acknowledged_at", "acknowledged_by", "note"])
        record(
            "security.alert_acknowledged",
            actor=actor.user,
            unit=alert.unit,
            target_type="alert",
            target_id=alert.pk,
            details={"rule": alert.rule},
        )
    return alert


# -- the alert rules over the audit chain ------------------------------------------------------------

SCAN_BATCH = 5000


def do_scan_events(limit: int = SCAN_BATCH) -> list[SecurityAlert]:
    """Read the audit events written since the last scan and raise the alerts the rules find (the
    scheduler's job, every minute). One scan at a time: the cursor row is locked."""
    with transaction.atomic():
        ScanCursor.objects.bulk_create([ScanCursor(id=1)], ignore_conflicts=True)
        cursor = ScanCursor.objects.select_for_update().get(id=1)
        events = list(AuditEvent.objects.filter(seq__gt=cursor.seq).order_by("seq")[:limit])
        raised: list[SecurityAlert] = []
        for ev in events:
            raised += _alerts_for(ev)
        if events:
            cursor.seq = events[-1].seq
            cursor.save(update_fields=["seq"])
    return raised


def _alerts_for(ev: AuditEvent) -> list[SecurityAlert]:
    if ev.action in rules.FAILED_SIGNIN_ACTIONS:
        return _failed_signins(ev)
    if ev.action in rules.DOWNLOAD_ACTIONS:
        return _downloads(ev)
    if ev.action == "auth.signed_in" and rules.outside_working_hours(ev.at):
        return [
            _raise(
                AlertRule.OFF_HOURS,
                ev.actor,
                ev,
                subject=ev.actor,
                details={"address": ev.details.get("address", "")},
            )
        ]
    if ev.action in ("membership.created", "membership.changed") and rules.grant_alerted(
        str(ev.details.get("role", ""))
    ):
        return [
            _raise(
                AlertRule.ROLE_GRANTED,
                ev.target_id,
                ev,
                subject=ev.target_id,
                details={"role": ev.details.get("role", ""), "by": ev.actor},
            )
        ]
    if ev.action in ("user.created", "user.changed") and ev.details.get("superuser"):
        return [
            _raise(
                AlertRule.ROLE_GRANTED,
                ev.target_id,
                ev,
                subject=ev.target_id,
                details={"role": "superuser", "by": ev.actor},
            )
        ]
    if ev.action == "security.otp_disabled":
        return [
            _raise(AlertRule.TWO_FACTOR_OFF, ev.target_id, ev, subject=ev.target_id, details={"by": ev.actor})
        ]
    if ev.action == "auth.token_issued":
        return [_raise(AlertRule.TOKEN_CREATED, ev.target_id, ev, subject=ev.target_id, details={})]
    return []


def _recent(rule: str, key: str, since: dt.datetime) -> bool:
    return SecurityAlert.objects.filter(rule=rule, key=key, at__gte=since).exists()


def _failed_signins(ev: AuditEvent) -> list[SecurityAlert]:
    found = []
    bursts = rules.failed_signin_bursts()
    recent = AuditEvent.objects.filter(action__in=rules.FAILED_SIGNIN_ACTIONS, seq__lte=ev.seq)
    name, address = ev.target_id, str(ev.details.get("address", ""))
    b = bursts["account"]
    rule = AlertRule.FAILED_SIGNINS_ACCOUNT
    if recent.filter(target_id=name, at__gt=ev.at - b.window).count() >= b.count and not _recent(
        rule, name, ev.at - b.window
    ):
        found.append(
            _raise(
                rule, name, ev, subject=name, details={"count": b.count, "minutes": b.window.seconds // 60}
            )
        )
    b = bursts["address"]
    rule = AlertRule.FAILED_SIGNINS_ADDRESS
    if (
        address
        and not _recent(rule, address, ev.at - b.window)
        and (recent.filter(details__address=address, at__gt=ev.at - b.window).count() >= b.count)
    ):
        found.append(
            _raise(
                rule, address, ev, subject="", details={"count": b.count, "minutes": b.window.seconds // 60}
            )
        )
    return found


def _downloads(ev: AuditEvent) -> list[SecurityAlert]:
    if ev.actor_id is None:
        return []
    key = ev.actor
    for b in rules.download_bursts():
        since = ev.at - b.window
        count = AuditEvent.objects.filter(
            action__in=rules.DOWNLOAD_ACTIONS, actor_id=ev.actor_id, seq__lte=ev.seq, at__gt=since
        ).count()
        if count >= b.count and not _recent(AlertRule.MASS_DOWNLOAD, key, since):
            return [
                _raise(
                    AlertRule.MASS_DOWNLOAD,
                    key,
                    ev,
                    subject=key,
                    details={"count": count, "minutes": int(b.window.total_seconds() // 60)},
                )
            ]
    return []


def _raise(rule: str, key: str, ev: AuditEvent, *, subject: str, details: dict[str, object]) -> SecurityAlert:
    unit = ev.unit
    if not unit and subject:
        user = User.objects.filter(username=subject).first()
        unit = first_unit_code(user) if user else ""
    alert = SecurityAlert.objects.create(
        rule=rule,
        key=key[:200],
        unit=unit,
        subject=subject[:150],
        details=details,
        at=ev.at,
        audit_seq=ev.seq,
    )
    record(
        "security.alert",
        actor=None,
        unit=unit,
        target_type="alert",
        target_id=alert.pk,
        details={"rule": rule, "key": key[:200]},
    )
    return alert


def do_note_chain_check(checked: int, problems: int, *, actor: Acting) -> None:
    """Record that an admin or auditor checked the audit chain from the page, and what it found."""
    with transaction.atomic():
        record(
            "audit.verified",
            actor=actor.user,
            unit=actor.unit.code,
            target_type="audit",
            details={"checked": checked, "problems": problems},
        )
