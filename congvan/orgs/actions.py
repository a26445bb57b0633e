"""State changes of units, people, memberships and logins."""

from __future__ import annotations

import datetime as dt
import hashlib
import re
import secrets
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.contrib.auth.hashers import make_password
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from congvan.audit.actions import record
from congvan.lib.errors import NotFound
from congvan.lib.text import clean_line
from congvan.orgs import throttle
from congvan.orgs.access import (
    Acting,
    access_group,
    access_membership_for_admin,
    access_person_for_admin,
    access_unit_for_admin,
)
from congvan.orgs.errors import (
    DuplicateUnit,
    InvalidOrgData,
    LoginFailed,
    NotAllowed,
    PasswordChangeRequired,
    UnitHasChildren,
    UnknownUnit,
)
from congvan.orgs.models import ApiToken, Membership, Role, SavedView, Sector, Unit, UnitGroup, UnitKind, User

UNIT_CODE = re.compile(r"^[0-9A-Za-z][0-9A-Za-z.\-_]{1,31}$")
ABBREVIATION = re.compile(r"^[0-9A-Za-zÀ-ỹĐđ\-]{1,20}$")
USERNAME = re.compile(r"^[a-z0-9][a-z0-9._\-]{1,149}$")


def _choice(value: str, choices: type[UnitKind] | type[Sector] | type[Role], field: str) -> str:
    if value not in choices.values:
        raise InvalidOrgData(
            _("%(field)s: phải là một trong %(items)s") % {"field": field, "items": ", ".join(choices.values)}
        )
    return value


def validate_unit_fields(code: str, name: str, abbreviation: str, kind: str, sector: str) -> dict[str, str]:
    """Return cleaned unit fields or refuse the first wrong one."""
    code = clean_line(code, field="code", max_length=32, required=True)
    if not UNIT_CODE.match(code):
        raise InvalidOrgData(_("code: chỉ gồm chữ, số, dấu chấm, gạch"))
    abbreviation = clean_line(abbreviation, field="abbreviation", max_length=20, required=True)
    if not ABBREVIATION.match(abbreviation):
        raise InvalidOrgData(_("abbreviation: chỉ gồm chữ, số và gạch ngang"))
    return {
        "code": code,
        "name": clean_line(name, field="name", max_length=200, required=True),
        "abbreviation": abbreviation,
        "kind": _choice(kind or UnitKind.AGENCY, UnitKind, "kind"),
        "sector": _choice(sector or Sector.PARTY, Sector, "sector"),
    }


def do_create_unit(
    *,
    code: str,
    name: str,
    abbreviation: str,
    kind: str = "",
    sector: str = "",
    parent_code: str | None,
    place: str = "",
    actor: Acting | None,
) -> Unit:
    """Create a unit under a parent the actor administers (a root unit needs a superuser)."""
    fields = validate_unit_fields(code, name, abbreviation, kind, sector)
    place = clean_line(place, field="place", max_length=150)
    with transaction.atomic():
        parent: Unit | None = None
        if parent_code:
            if actor is None:
                parent = Unit.objects.filter(code=parent_code).first()
                if parent is None:
                    raise InvalidOrgData(
                        _("parent: không có đơn vị %(parent_code)s") % {"parent_code": parent_code}
                    )
            else:
                parent = access_unit_for_admin(actor, parent_code)
        elif actor is not None and not actor.user.is_superuser:
            raise NotAllowed(_("Chỉ quản trị hệ thống tạo được đơn vị gốc"))
        if Unit.objects.filter(code=fields["code"]).exists():
            raise DuplicateUnit(_("Mã đơn vị %(code)s đã có") % {"code": fields["code"]})
        path = (parent.path if parent else "/") + fields["code"] + "/"
        try:
            with transaction.atomic():
                unit = Unit.objects.create(parent=parent, path=path, place=place, **fields)
        except IntegrityError as exc:
            raise DuplicateUnit(_("Mã đơn vị %(code)s đã có") % {"code": fields["code"]}) from exc
        record(
            "unit.created",
            actor=actor.user if actor else None,
            unit=unit.code,
            target_type="unit",
            target_id=unit.code,
            details={"name": unit.name, "parent": parent_code or ""},
        )
    return unit


def hosted_here(unit: Unit) -> bool:
    """A unit of this server's own organisation (not a directory entry for an outside body)."""
    return unit.active and not unit.home_node and not unit.code.startswith(EXTERNAL_PREFIX)


EXTERNAL_PREFIX = "EXT-"


def do_record_external_unit(
    *,
    name: str,
    code: str = "",
    home_node: str = "",
    abbreviation: str = "",
    kind: str = "",
    active: bool = False,
    update: bool = False,
    actor: Acting | None,
) -> Unit:
    """Record a body outside this server's organisation in the directory, or return its entry.

    The one writer of such units: the sender of a paper or e-mail arrival (no code: a code is made
    from the name), the issuer of a message from another server, a unit another server hosts (from
    its directory, ``update`` refreshing name and host). A unit hosted here is never returned for a
    name, and never changed from outside.
    """
    name = clean_line(name, field="name", max_length=200, required=True)
    code = clean_line(code, field="code", max_length=32)
    if not code:
        code = EXTERNAL_PREFIX + hashlib.sha256(name.lower().encode()).hexdigest()[:12].upper()
    fields = {
        "name": name,
        "abbreviation": clean_line(abbreviation, field="abbreviation", max_length=20) or "NGOAI",
        "kind": kind if kind in UnitKind.values else UnitKind.AGENCY,
        "home_node": clean_line(home_node, field="home_node", max_length=32),
        "active": active,
        "path": f"/{code}/",
    }
    with transaction.atomic():
        unit = Unit.objects.select_for_update().filter(code=code).first()
        if unit is not None and (hosted_here(unit) or not update):
            return unit
        if unit is None:
            unit = Unit.objects.create(code=code, **fields)
        else:
            Unit.objects.filter(pk=unit.pk).update(**fields)
            unit.refresh_from_db()
        record(
            "unit.directory_entry",
            actor=actor.user if actor else None,
            unit=unit.code,
            target_type="unit",
            target_id=unit.code,
            details={"name": name, "home_node": fields["home_node"], "updated": update},
        )
    return unit


def do_save_mail_contact(
    *,
    name: str,
    email: str,
    code: str = "",
    abbreviation: str = "",
    active: bool = True,
    actor: Acting,
) -> Unit:
    """Record (or change, by its code) an organisation off the system that receives documents by e-mail.

    Such an entry is a directory unit (code ``EXT-...``, made from the name) with an address: a
    release to it mails the signed files (the mail app). Administrators only."""
    if not actor.user.is_superuser and actor.role != Role.ADMIN:
        raise NotAllowed(_("Chỉ quản trị viên được sửa danh bạ"))
    email = clean_email(email)
    if not email:
        raise InvalidOrgData(_("email: cần địa chỉ thư điện tử"))
    name = clean_line(name, field="name", max_length=200, required=True)
    with transaction.atomic():
        if code:
            unit = Unit.objects.select_for_update().filter(code=code).first()
            if unit is None or not unit.code.startswith(EXTERNAL_PREFIX) or unit.home_node:
                raise UnknownUnit(_("Không có mục danh bạ %(code)s") % {"code": code[:40]})
        else:
            unit = do_record_external_unit(name=name, abbreviation=abbreviation, active=active, actor=actor)
            if not unit.code.startswith(EXTERNAL_PREFIX) or unit.home_node:
                raise DuplicateUnit(_("%(name)s là đơn vị trên hệ thống, không cần gửi thư") % {"name": name})
        unit.name, unit.email, unit.active = name, email, active
        unit.abbreviation = clean_line(abbreviation, field="abbreviation", max_length=20) or unit.abbreviation
        unit.save(update_fields=["name", "email", "active", "abbreviation"])
        record(
            "unit.mail_contact",
            actor=actor.user,
            unit=actor.unit.code,
            target_type="unit",
            target_id=unit.code,
            details={"name": name, "email": email, "active": active},
        )
    return unit


def do_create_user(
    *,
    username: str,
    password: str,
    full_name: str,
    email: str = "",
    superuser: bool = False,
    must_change: bool = False,
    actor: Acting | None,
) -> User:
    """Create a person's account (admins only; a system administrator: a superuser or the operator)."""
    if actor is not None and actor.role != Role.ADMIN and not actor.user.is_superuser:
        raise NotAllowed(_("Chỉ quản trị viên tạo được tài khoản"))
    if superuser and actor is not None and not actor.user.is_superuser:
        raise NotAllowed(_("Chỉ quản trị hệ thống tạo được quản trị hệ thống"))
    username = clean_line(username, field="username", max_length=150, required=True).lower()
    if not USERNAME.match(username):
        raise InvalidOrgData(_("username: chữ thường, số, . _ -"))
    full_name = clean_line(full_name, field="full_name", max_length=100, required=True)
    if not isinstance(password, str) or not password:
        raise InvalidOrgData(_("password: bắt buộc"))
    try:
        # Checked against the new person's own name, username and e-mail (not like any of them).
        validate_password(password, user=User(username=username, full_name=full_name, email=email or ""))
    except ValidationError as exc:
        raise InvalidOrgData("password: " + " ".join(exc.messages)) from exc
    with transaction.atomic():
        if User.objects.filter(username=username).exists():
            raise DuplicateUnit(
                (_("Tài khoản %(username)s đã có") % {"username": username}), code="duplicate_user"
            )
        user = User.objects.create_user(
            username=username,
            password=password,
            full_name=full_name,
            email=clean_email(email),
            is_superuser=superuser,
            password_must_change=must_change,
        )
        record(
            "user.created",
            actor=actor.user if actor else None,
            target_type="user",
            target_id=username,
            details={"superuser": True} if superuser else {},
        )
    return user


PHONE = re.compile(r"^\+?[0-9 .\-()]{6,20}$")


def clean_phone(value: str) -> str:
    """A telephone number ("" clears it), or a refusal."""
    phone = clean_line(value, field="phone", max_length=20)
    if phone and not PHONE.match(phone):
        raise InvalidOrgData(_("phone: chỉ gồm chữ số, dấu cách, . - ( ) và + ở đầu"))
    return phone


def clean_email(value: str, *, field: str = "email") -> str:
    """An e-mail address ("" clears it), or a refusal."""
    from django.core.validators import validate_email

    email = clean_line(value, field=field, max_length=254)
    if email:
        try:
            validate_email(email)
        except ValidationError:
            raise InvalidOrgData(_("%(field)s: địa chỉ không hợp lệ") % {"field": field}) from None
    return email


def do_change_own_password(*, old: str, new: str, actor: User) -> None:
    """A person changes their own password: the old one checked, the new one by the password rules."""
    if not actor.check_password(old):
        raise LoginFailed(_("Mật khẩu hiện tại không đúng"))
    try:
        validate_password(new, user=actor)
    except ValidationError as exc:
        raise InvalidOrgData("password: " + " ".join(exc.messages)) from exc
    with transaction.atomic():
        actor.set_password(new)
        actor.password_must_change = False
        actor.save(update_fields=["password", "password_must_change"])
        record("user.password_changed", actor=actor, target_type="user", target_id=actor.username)


def do_update_own_profile(
    *,
    full_name: str | None,
    email: str | None,
    phone: str | None = None,
    email_notices: bool | None = None,
    actor: User,
) -> User:
    """A person changes their name, the address their notices go to (and whether they want them by
    e-mail), and their telephone."""
    fields = []
    if email_notices is not None:
        actor.email_notices = bool(email_notices)
        fields.append("email_notices")
    if phone is not None:
        actor.phone = clean_phone(phone)
        fields.append("phone")
    if full_name is not None:
        actor.full_name = clean_line(full_name, field="full_name", max_length=100, required=True)
        fields.append("full_name")
    if email is not None:
        actor.email = clean_email(email)
        fields.append("email")
    with transaction.atomic():
        if fields:
            actor.save(update_fields=fields)
            record(
                "user.profile_changed",
                actor=actor,
                target_type="user",
                target_id=actor.username,
                details={"fields": fields},
            )
    return actor


def do_create_membership(
    *, username: str, unit_code: str, role: str, title: str = "", actor: Acting | None
) -> Membership:
    """Give a person a role in a unit the actor administers."""
    role = _choice(role, Role, "role")
    title = clean_line(title, field="title", max_length=100)
    with transaction.atomic():
        if actor is None:
            unit = Unit.objects.filter(code=unit_code).first()
            if unit is None:
                raise InvalidOrgData(_("unit: không có đơn vị %(unit_code)s") % {"unit_code": unit_code})
        else:
            unit = access_unit_for_admin(actor, unit_code)
        user = User.objects.filter(username=username).first()
        if user is None:
            raise InvalidOrgData(
                (_("user: không có tài khoản %(username)s") % {"username": username}), code="unknown_user"
            )
        if Membership.objects.filter(user=user, unit=unit).exists():
            raise DuplicateUnit(_("Người này đã thuộc đơn vị"), code="duplicate_membership")
        m = Membership.objects.create(user=user, unit=unit, role=role, title=title)
        record(
            "membership.created",
            actor=actor.user if actor else None,
            unit=unit.code,
            target_type="user",
            target_id=username,
            details={"role": role},
        )
    return m


GROUP_KEEPERS = (Role.CLERK, Role.LEADER, Role.ADMIN)


def group_slug(name: str, owner: Unit) -> str:
    """A group's short name for the API, from its name (without marks), unique in the unit."""
    from django.utils.text import slugify

    from congvan.lib.vntext import folded_form

    base = slugify(folded_form(name))[:40] or "nhom"
    slug, n = base, 2
    while UnitGroup.objects.filter(owner=owner, slug=slug).exists():
        slug, n = f"{base}-{n}", n + 1
    return slug


def _group_members(member_codes: list[str]) -> list[Unit]:
    codes = sorted(set(member_codes))
    members = list(Unit.objects.filter(code__in=codes, active=True))
    if len(members) != len(codes):
        raise InvalidOrgData(_("members: có mã đơn vị không tồn tại"))
    return members


def do_create_group(
    *,
    owner: Unit,
    slug: str = "",
    name: str,
    member_codes: list[str],
    shared: bool = False,
    actor: Acting | None,
) -> UnitGroup:
    """Create a named recipient group of a unit (its clerk, leader or admin)."""
    if actor is not None:
        actor.require(*GROUP_KEEPERS, what=_("lập nhóm nơi nhận"))
        owner = actor.unit
    name = clean_line(name, field="name", max_length=200, required=True)
    with transaction.atomic():
        group = UnitGroup.objects.create(
            owner=owner, slug=slug or group_slug(name, owner), name=name, shared=shared
        )
        members = _group_members(member_codes)
        group.members.set(members)
        record(
            "group.created",
            actor=actor.user if actor else None,
            unit=owner.code,
            target_type="group",
            target_id=group.slug,
            details={"members": len(members), "shared": shared},
        )
    return group


def do_update_group(
    group_id: int,
    *,
    name: str | None = None,
    member_codes: list[str] | None = None,
    shared: bool | None = None,
    actor: Acting,
) -> UnitGroup:
    """Rename a recipient group or change its units."""
    actor.require(*GROUP_KEEPERS, what=_("lập nhóm nơi nhận"))
    with transaction.atomic():
        group = access_group(actor, group_id, for_write=True)
        if name is not None:
            group.name = clean_line(name, field="name", max_length=200, required=True)
            group.save(update_fields=["name"])
        if shared is not None:
            group.shared = shared
            group.save(update_fields=["shared"])
        if member_codes is not None:
            group.members.set(_group_members(member_codes))
        record(
            "group.changed",
            actor=actor.user,
            unit=actor.unit.code,
            target_type="group",
            target_id=group.slug,
            details={"members": group.members.count()},
        )
    return group


def do_delete_group(group_id: int, *, actor: Acting) -> None:
    """Remove a recipient group (documents already released keep their recipients)."""
    actor.require(*GROUP_KEEPERS, what=_("lập nhóm nơi nhận"))
    with transaction.atomic():
        group = access_group(actor, group_id, for_write=True)
        slug = group.slug
        group.delete()
        record("group.deleted", actor=actor.user, unit=actor.unit.code, target_type="group", target_id=slug)


_DUMMY_HASH: list[str] = []


def do_login(*, username: str, password: str, address: str = "") -> User:
    """Check a password under the sign-in throttle (``orgs.throttle``): the try is counted before the
    check; unknown and existing accounts get the same answer after the same work."""
    from django.contrib.auth.hashers import check_password

    now = timezone.now()
    typed = str(username).strip().lower()[:150]
    if not typed or not password:  # nothing to check: refused without a password hash's memory and time
        raise LoginFailed(_("Sai tên đăng nhập hoặc mật khẩu"))
    # A name with control characters (NUL included, which PostgreSQL cannot even compare) is nobody's;
    # its throttle key and audit record show them as "?".
    valid = all(ch.isprintable() for ch in typed)
    name = typed if valid else "".join(ch if ch.isprintable() else "?" for ch in typed)
    blocked = throttle.reserve(name, address, now)
    user = User.objects.filter(username=name, is_active=True).first() if valid else None
    if user is None:
        if not _DUMMY_HASH:
            _DUMMY_HASH.append(make_password("congvan-timing"))
        check_password(str(password), _DUMMY_HASH[0])  # same work as a real check
        ok = False
    else:
        ok = user.check_password(str(password))
    if ok and user is not None:
        throttle.succeeded(name, address)
        return user
    with transaction.atomic():
        details = {"address": address[:64], **({"blocked": blocked} if blocked else {})}
        record("auth.failed", actor=user, target_type="user", target_id=name, details=details)
    raise LoginFailed(_("Sai tên đăng nhập hoặc mật khẩu"))


def token_hash(raw: str) -> str:
    return hashlib.sha256(raw.encode("utf-8")).hexdigest()


def do_issue_token(user: User) -> str:
    """Create a bearer token for the user and return it; only its hash is kept."""
    raw = "cv_" + secrets.token_urlsafe(32)
    expires = timezone.now() + dt.timedelta(hours=settings.API_TOKEN_HOURS)
    with transaction.atomic():
        ApiToken.objects.create(user=user, key_hash=token_hash(raw), expires_at=expires)
        record("auth.token_issued", actor=user, target_type="user", target_id=user.username)
    return raw


def own_tokens(user: User) -> list[ApiToken]:
    """A person's tokens still in force, newest first."""
    return list(ApiToken.objects.filter(user=user, expires_at__gt=timezone.now()).order_by("-created_at"))


def do_revoke_own_token(token_id: int, *, actor: User) -> None:
    """A person ends one of their own tokens (another person's is not found)."""
    with transaction.atomic():
        deleted, _rows = ApiToken.objects.filter(user=actor, pk=token_id).delete()
        if not deleted:
            raise NotFound(_("Không có mã truy cập này"))
        record("auth.token_revoked", actor=actor, target_type="user", target_id=actor.username)


def do_revoke_tokens(username: str, *, actor: Acting) -> int:
    """An admin ends every token of a person they manage; returns how many."""
    with transaction.atomic():
        user = access_person_for_admin(actor, username)
        refuse_system_admin(user, actor)
        count, _rows = ApiToken.objects.filter(user=user).delete()
        record(
            "auth.tokens_revoked",
            actor=actor.user,
            unit=actor.unit.code,
            target_type="user",
            target_id=user.username,
            details={"count": count},
        )
    return count


def user_for_token(raw: str) -> User | None:
    """Return the active user a valid, unexpired token belongs to."""
    if not raw or len(raw) > 200:
        return None
    token = (
        ApiToken.objects.select_related("user")
        .filter(key_hash=token_hash(raw), expires_at__gt=timezone.now(), user__is_active=True)
        .first()
    )
    return token.user if token else None


def refuse_system_admin(user: User, actor: Acting) -> None:
    """Only a system administrator changes a system administrator's account."""
    if user.is_superuser and not actor.user.is_superuser:
        raise NotAllowed(_("Chỉ quản trị hệ thống đổi được tài khoản quản trị hệ thống"))


def do_update_person(
    username: str,
    *,
    full_name: str | None = None,
    email: str | None = None,
    phone: str | None = None,
    active: bool | None = None,
    actor: Acting,
) -> User:
    """An admin changes a person's name, notice address, telephone, or deactivates and reactivates
    the account."""
    with transaction.atomic():
        user = access_person_for_admin(actor, username)
        changes: dict[str, Any] = {}
        if full_name is not None:
            changes["full_name"] = clean_line(full_name, field="full_name", max_length=100, required=True)
        if email is not None:
            changes["email"] = clean_email(email)
        if phone is not None:
            changes["phone"] = clean_phone(phone)
        if active is not None:
            if user.pk == actor.user.pk and not active:
                raise InvalidOrgData(_("Không tự khóa tài khoản của mình"))
            refuse_system_admin(user, actor)
            changes["is_active"] = active
        for name, value in changes.items():
            setattr(user, name, value)
        if changes:
            user.save(update_fields=list(changes))
            record(
                "user.changed",
                actor=actor.user,
                unit=actor.unit.code,
                target_type="user",
                target_id=user.username,
                details={k: v for k, v in changes.items() if k not in ("email", "phone")}
                | {k: True for k in ("email", "phone") if k in changes},
            )
    return user


def do_reset_password(username: str, *, password: str, actor: Acting) -> User:
    """An admin gives a person a temporary password: it must be changed at the next sign-in, and the
    person's tokens stop working."""
    with transaction.atomic():
        user = access_person_for_admin(actor, username)
        refuse_system_admin(user, actor)
        try:
            validate_password(password, user=user)
        except ValidationError as exc:
            raise InvalidOrgData("password: " + " ".join(exc.messages)) from exc
        user.set_password(password)
        user.password_must_change = True
        user.save(update_fields=["password", "password_must_change"])
        ApiToken.objects.filter(user=user).delete()
        record(
            "user.password_reset",
            actor=actor.user,
            unit=actor.unit.code,
            target_type="user",
            target_id=user.username,
        )
    return user


def sign_in(*, username: str, password: str, new_password: str = "", address: str = "") -> User:
    """Check a password (``do_login``); a temporary password must come with the new one, which replaces it."""
    user = do_login(username=username, password=password, address=address)
    if user.password_must_change:
        if not new_password:
            raise PasswordChangeRequired(_("Mật khẩu tạm: hãy đặt mật khẩu mới để đăng nhập"))
        do_change_own_password(old=password, new=new_password, actor=user)
    return user


def do_unlock_person(username: str, *, actor: Acting) -> User:
    """An admin lifts the lockout that failed sign-ins put on an account."""
    with transaction.atomic():
        user = access_person_for_admin(actor, username)
        throttle.clear_account(user.username)
        record(
            "user.unlocked",
            actor=actor.user,
            unit=actor.unit.code,
            target_type="user",
            target_id=user.username,
        )
    return user


def do_change_membership(
    membership_id: int, *, role: str | None = None, title: str | None = None, actor: Acting
) -> Membership:
    """An admin changes a person's role or title in a unit."""
    with transaction.atomic():
        m = access_membership_for_admin(actor, membership_id)
        fields = []
        if role is not None:
            m.role = _choice(role, Role, "role")
            fields.append("role")
        if title is not None:
            m.title = clean_line(title, field="title", max_length=100)
            fields.append("title")
        if fields:
            m.save(update_fields=fields)
            record(
                "membership.changed",
                actor=actor.user,
                unit=m.unit.code,
                target_type="user",
                target_id=m.user.username,
                details={"role": m.role, "title": m.title},
            )
    return m


def do_end_membership(membership_id: int, *, actor: Acting) -> Membership:
    """An admin ends a person's role in a unit (the history keeps it)."""
    with transaction.atomic():
        m = access_membership_for_admin(actor, membership_id)
        if m.active:
            Membership.objects.filter(pk=m.pk).update(active=False)
            m.active = False
            record(
                "membership.ended",
                actor=actor.user,
                unit=m.unit.code,
                target_type="user",
                target_id=m.user.username,
                details={"role": m.role},
            )
    return m


def do_update_unit(
    code: str,
    *,
    name: str | None = None,
    abbreviation: str | None = None,
    place: str | None = None,
    kind: str | None = None,
    actor: Acting,
) -> Unit:
    """An admin corrects a unit's name, abbreviation (used in new symbols only), place or kind."""
    with transaction.atomic():
        unit = access_unit_for_admin(actor, code)
        changes: dict[str, str] = {}
        if name is not None:
            changes["name"] = clean_line(name, field="name", max_length=200, required=True)
        if abbreviation is not None:
            abbr = clean_line(abbreviation, field="abbreviation", max_length=20, required=True)
            if not ABBREVIATION.match(abbr):
                raise InvalidOrgData(_("abbreviation: chỉ gồm chữ, số và gạch ngang"))
            changes["abbreviation"] = abbr
        if place is not None:
            changes["place"] = clean_line(place, field="place", max_length=150)
        if kind is not None:
            changes["kind"] = _choice(kind, UnitKind, "kind")
        if changes:
            Unit.objects.filter(pk=unit.pk).update(**changes)
            unit.refresh_from_db()
            record(
                "unit.changed",
                actor=actor.user,
                unit=unit.code,
                target_type="unit",
                target_id=unit.code,
                details=changes,
            )
    return unit


def do_deactivate_unit(code: str, *, actor: Acting) -> Unit:
    """An admin closes a unit: it no longer receives or acts; its documents stay as history. A unit
    with active units below it is refused (move or close them first)."""
    with transaction.atomic():
        unit = access_unit_for_admin(actor, code)
        if unit.pk == actor.unit.pk:
            raise InvalidOrgData(_("Không đóng đơn vị mình đang làm việc"))
        if Unit.objects.filter(parent=unit, active=True).exists():
            raise UnitHasChildren(
                _("Đơn vị còn đơn vị trực thuộc đang hoạt động: chuyển hoặc đóng chúng trước")
            )
        if unit.active:
            Unit.objects.filter(pk=unit.pk).update(active=False)
            unit.active = False
            record(
                "unit.deactivated", actor=actor.user, unit=unit.code, target_type="unit", target_id=unit.code
            )
    return unit


def do_move_unit(code: str, *, parent: str, actor: Acting) -> Unit:
    """An admin moves a unit (and everything below it) under another parent they administer."""
    with transaction.atomic():
        unit = access_unit_for_admin(actor, code)
        new_parent = access_unit_for_admin(actor, parent)
        if new_parent.path.startswith(unit.path):
            raise InvalidOrgData(_("Không chuyển một đơn vị vào dưới chính nó"))
        if unit.parent_id is None and not actor.user.is_superuser:
            raise NotAllowed(_("Chỉ quản trị hệ thống chuyển được đơn vị gốc"))
        old = unit.path
        moved = _move_subtree(unit, new_parent)
        unit.refresh_from_db()
        record(
            "unit.moved",
            actor=actor.user,
            unit=unit.code,
            target_type="unit",
            target_id=unit.code,
            details={"from": old, "to": unit.path, "units": moved},
        )
    return unit


def _move_subtree(unit: Unit, new_parent: Unit) -> int:
    """Put a unit, and every unit below it, under another parent; return how many units moved."""
    old, new = unit.path, new_parent.path + unit.code + "/"
    subtree = list(Unit.objects.filter(path__startswith=old).only("id", "path"))
    for u in subtree:
        u.path = new + u.path[len(old) :]
    Unit.objects.bulk_update(subtree, ["path"], batch_size=500)
    Unit.objects.filter(pk=unit.pk).update(parent=new_parent)
    return len(subtree)


def do_dissolve_unit(code: str, *, actor: Acting) -> Unit:
    """Remove a level (the 2025 reorganisation): the unit's children move to its parent in one step,
    then the unit is closed; its documents and registers stay as history."""
    with transaction.atomic():
        unit = access_unit_for_admin(actor, code)
        if unit.parent_id is None:
            raise InvalidOrgData(_("Đơn vị gốc không giải thể được theo cách này"))
        parent = access_unit_for_admin(actor, unit.parent.code if unit.parent else "")
        children = list(Unit.objects.filter(parent=unit).order_by("code"))
        for child in children:
            _move_subtree(child, parent)
        record(
            "unit.dissolved",
            actor=actor.user,
            unit=unit.code,
            target_type="unit",
            target_id=unit.code,
            details={"children": [c.code for c in children], "to": parent.code},
        )
        return do_deactivate_unit(code, actor=actor)


@dataclass(frozen=True)
class Merged:
    """What merging a unit into its successor changed in the organisation."""

    unit: Unit
    successor: Unit
    children: list[str]
    people_moved: list[str]
    people_ended: list[str]


def _check_merge(unit: Unit, successor: Unit, actor: Acting) -> None:
    if unit.pk == successor.pk:
        raise InvalidOrgData(_("Không sáp nhập một đơn vị vào chính nó"))
    if not unit.active:
        raise InvalidOrgData(_("Đơn vị %(code)s đã ngừng hoạt động") % {"code": unit.code})
    if not successor.active:
        raise InvalidOrgData(_("Đơn vị %(code)s đã ngừng hoạt động") % {"code": successor.code})
    if successor.path.startswith(unit.path):
        raise InvalidOrgData(_("Không sáp nhập một đơn vị vào đơn vị trực thuộc nó"))
    if unit.pk == actor.unit.pk:
        raise InvalidOrgData(_("Không đóng đơn vị mình đang làm việc"))
    if unit.parent_id is None and not actor.user.is_superuser:
        raise NotAllowed(_("Chỉ quản trị hệ thống chuyển được đơn vị gốc"))


def merge_unit_into(code: str, *, into: str, move_people: bool, actor: Acting) -> Merged:
    """The organisation's part of a merge (``workflow.do_merge_unit`` moves the open work in the same
    transaction): the unit closes and points to its successor, the units below it move under the
    successor, and its people's roles end or move to the successor with the same role and title."""
    unit = access_unit_for_admin(actor, code)
    successor = access_unit_for_admin(actor, into)
    _check_merge(unit, successor, actor)
    children = list(Unit.objects.filter(parent=unit).order_by("code"))
    for child in children:
        _move_subtree(child, successor)
    moved, ended = [], []
    for m in Membership.objects.filter(unit=unit, active=True).select_related("user").order_by("id"):
        Membership.objects.filter(pk=m.pk).update(active=False)
        if move_people:
            there, created = Membership.objects.get_or_create(
                user=m.user, unit=successor, defaults={"role": m.role, "title": m.title}
            )
            if not created and not there.active:
                Membership.objects.filter(pk=there.pk).update(active=True, role=m.role, title=m.title)
            moved.append(m.user.username)
        else:
            ended.append(m.user.username)
    Unit.objects.filter(pk=unit.pk).update(active=False, successor=successor)
    unit.refresh_from_db()
    record(
        "unit.merged",
        actor=actor.user,
        unit=unit.code,
        target_type="unit",
        target_id=unit.code,
        details={
            "into": successor.code,
            "children": [c.code for c in children],
            "people_moved": moved,
            "people_ended": ended,
        },
    )
    return Merged(unit, successor, [c.code for c in children], moved, ended)


def do_add_person(
    *,
    username: str,
    full_name: str,
    email: str = "",
    phone: str = "",
    password: str,
    unit_code: str,
    role: str,
    title: str = "",
    actor: Acting,
) -> User:
    """An admin adds a person with a temporary password (to be replaced at the first sign-in) and
    their first role, in one step: both are written, or neither."""
    with transaction.atomic():
        access_unit_for_admin(actor, unit_code)
        user = do_create_user(
            username=username,
            password=password,
            full_name=full_name,
            email=email,
            must_change=True,
            actor=actor,
        )
        if phone:
            user.phone = clean_phone(phone)
            user.save(update_fields=["phone"])
        do_create_membership(username=user.username, unit_code=unit_code, role=role, title=title, actor=actor)
    return user


SAVED_VIEW_PAGES = ("inbox", "outbox", "work", "search")
MAX_SAVED_VIEWS = 30


def do_save_view(*, page: str, name: str, query: str, actor: User) -> SavedView:
    """Keep a list's filters under a name (the same name again replaces them)."""
    from urllib.parse import parse_qsl, urlencode

    if page not in SAVED_VIEW_PAGES:
        raise InvalidOrgData(_("page: %(pages)s") % {"pages": " | ".join(SAVED_VIEW_PAGES)})
    name = clean_line(name, field="name", max_length=60, required=True)
    # only the filters: no paging cursor, no stray characters
    pairs = [(k, v) for k, v in parse_qsl(query[:2000], keep_blank_values=False) if k != "cursor"]
    query = urlencode(pairs)[:1000]
    with transaction.atomic():
        view, created = SavedView.objects.update_or_create(
            user=actor, page=page, name=name, defaults={"query": query}
        )
        if created and SavedView.objects.filter(user=actor, page=page).count() > MAX_SAVED_VIEWS:
            raise InvalidOrgData(_("Tối đa %(n)s bộ lọc cho mỗi trang") % {"n": MAX_SAVED_VIEWS})
    return view


def do_delete_view(view_id: int, *, actor: User) -> None:
    deleted, _rows = SavedView.objects.filter(pk=view_id, user=actor).delete()
    if not deleted:
        raise NotFound(_("Không có bộ lọc này"))
