"""The administration pages: an office sets up and runs its own organisation (units, people and their
roles, numbering, terms and registers, processing rules, holidays, recipient groups, CSV in and out).

An admin manages their unit's subtree; a system administrator (superuser) everything. Every change goes
through the same doors as the API (``orgs.actions``, ``registers.actions``, ``workflow.actions``); the
views only read the form, call the door and say what happened.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.db.models import QuerySet
from django.http import Http404, HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from congvan.documents.queries import document_types
from congvan.lib.dates import local_today
from congvan.lib.errors import CongvanError, InvalidInput
from congvan.lib.text import decode_text_file
from congvan.lib.vntext import folded_form
from congvan.orgs import actions as org
from congvan.orgs.access import (
    Acting,
    access_group,
    access_person_for_admin,
    access_unit_for_admin,
    administered_units,
    people_administered,
    usable_groups,
)
from congvan.orgs.errors import NotAllowed
from congvan.orgs.imports import ImportFailed, import_people_csv, import_units_csv, people_csv, units_csv
from congvan.orgs.models import Membership, Role, Sector, Unit, UnitKind, User
from congvan.orgs.throttle import account_blocked
from congvan.registers import actions as reg
from congvan.registers.models import CommitteeTerm, Register, RuleSet
from congvan.security import actions as security
from congvan.web.decorators import member_required
from congvan.web.forms import (
    GroupForm,
    HolidayForm,
    MoveForm,
    PasswordForm,
    PersonForm,
    RegisterForm,
    SettingsForm,
    TermForm,
    UnitForm,
    typed,
)
from congvan.web.security_pages import account_security
from congvan.workflow import actions as wf
from congvan.workflow.models import Holiday, UnitWorkflowSettings

MAX_LISTED = 2000
MAX_CSV_BYTES = 5 * 1024 * 1024


def admin_required(view: Callable[..., HttpResponseBase]) -> Callable[..., HttpResponseBase]:
    """A page of an administrator: an admin of a unit, or the system administrator."""

    @wraps(view)
    def wrapped(request: HttpRequest, acting: Acting, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not is_admin(acting):
            raise NotAllowed(_("Chỉ quản trị viên mở được trang này"))
        return view(request, acting, *args, **kwargs)

    return member_required(wrapped)


def is_admin(acting: Acting) -> bool:
    return acting.user.is_superuser or acting.role == Role.ADMIN


def _matches(q: str, *texts: str) -> bool:
    """A search typed with or without diacritics (``folded_form`` on both sides)."""
    return not q or q in folded_form(" ".join(texts))


def _tree(units: QuerySet[Unit], q: str) -> list[tuple[Unit, int]]:
    """The units in tree order with their depth below the shallowest one shown."""
    rows = list(units.select_related("successor").order_by("path")[:MAX_LISTED])
    found = [u for u in rows if _matches(q, u.code, u.name, u.abbreviation, u.place)]
    top = min((u.path.count("/") for u in found), default=0)
    return [(u, u.path.count("/") - top) for u in found]


def _unit_choices(acting: Acting) -> QuerySet[Unit]:
    return administered_units(acting).filter(active=True, home_node="").exclude(code__startswith="EXT-")


# -- units --


@admin_required
def units_view(request: HttpRequest, acting: Acting) -> HttpResponse:
    q = folded_form(request.GET.get("q", "")[:100].strip())
    show_all = request.GET.get("all") == "1"
    units = _unit_choices(acting) if not show_all else administered_units(acting).filter(home_node="")
    form: dict[str, Any] = {}
    error = ""
    if request.method == "POST":
        form = request.POST.dict()
        try:
            f = typed(UnitForm, request.POST)
            unit = org.do_create_unit(
                code=f.get("code", ""),
                name=f.get("name", ""),
                abbreviation=f.get("abbreviation", ""),
                kind=f.get("kind", ""),
                sector=f.get("sector", ""),
                parent_code=f.get("parent") or None,
                place=f.get("place", ""),
                actor=acting,
            )
        except CongvanError as exc:
            error = exc.message
        else:
            messages.success(request, _("Đã tạo đơn vị %(name)s.") % {"name": unit.name})
            return redirect("web:admin_unit", unit.code)
    context = {
        "rows": _tree(units.exclude(code__startswith="EXT-"), q),
        "q": request.GET.get("q", "")[:100],
        "show_all": show_all,
        "parents": _unit_choices(acting).order_by("path"),
        "kinds": UnitKind.choices,
        "sectors": Sector.choices,
        "form": form,
        "error": error,
    }
    return render(request, "web/admin/units.html", context, status=400 if error else 200)


@admin_required
def unit_view(request: HttpRequest, acting: Acting, code: str) -> HttpResponse:
    unit = access_unit_for_admin(acting, code)
    below = Unit.objects.filter(path__startswith=unit.path)
    settings = UnitWorkflowSettings.objects.filter(unit=unit).first() or UnitWorkflowSettings(unit=unit)
    today = local_today(timezone.now())
    context = {
        "unit": unit,
        "children": Unit.objects.filter(parent=unit).order_by("code"),
        "members": Membership.objects.filter(unit=unit).select_related("user").order_by("-active", "role"),
        "terms": CommitteeTerm.objects.filter(unit=unit),
        "rule_set": reg.rule_set_of(unit),
        "rule_sets": RuleSet.choices,
        "registers": Register.objects.filter(unit=unit).order_by("-scope", "direction")[:200],
        "settings": settings,
        "types": document_types(reg.rule_set_of(unit)),
        "kinds": UnitKind.choices,
        "targets": _unit_choices(acting).exclude(pk__in=below.values("pk")).order_by("path"),
        "predecessors": Unit.objects.filter(successor=unit).order_by("code"),
        "next_year": today.year + 1,
        "this_year": today.year,
        "roles": Role.choices,
    }
    return render(request, "web/admin/unit.html", context)


@require_POST
@admin_required
def unit_action(request: HttpRequest, acting: Acting, code: str, action: str) -> HttpResponse:
    p = request.POST
    target = code
    if action == "update":
        f = typed(UnitForm, p)
        org.do_update_unit(
            code,
            name=f.get("name"),
            abbreviation=f.get("abbreviation"),
            place=f.get("place"),
            kind=f.get("kind") or None,
            actor=acting,
        )
        messages.success(request, _("Đã lưu."))
    elif action == "deactivate":
        org.do_deactivate_unit(code, actor=acting)
        messages.success(request, _("Đã ngừng hoạt động đơn vị."))
    elif action == "move":
        org.do_move_unit(code, parent=typed(MoveForm, p).get("parent", ""), actor=acting)
        messages.success(request, _("Đã chuyển đơn vị."))
    elif action == "merge":
        f = typed(MoveForm, p)
        done = wf.do_merge_unit(
            code, into=f.get("into", ""), move_people=f.get("people") == "move", actor=acting
        )
        messages.success(
            request,
            _("Đã sáp nhập vào %(name)s: chuyển %(receipts)s văn bản đến, %(work)s việc, %(people)s người.")
            % {
                "name": done.merged.successor.name,
                "receipts": done.receipts_moved,
                "work": done.assignments_moved,
                "people": len(done.merged.people_moved),
            },
        )
    elif action == "dissolve":
        org.do_dissolve_unit(code, actor=acting)
        messages.success(request, _("Đã bỏ cấp: các đơn vị trực thuộc chuyển lên cấp trên."))
    else:
        target = _numbering_action(request, acting, code, action)
    return redirect("web:admin_unit", target)


def _numbering_action(request: HttpRequest, acting: Acting, code: str, action: str) -> str:
    p = request.POST
    if action == "rule-set":
        rule_set = p.get("rule_set", "")
        if rule_set not in RuleSet.values:
            raise InvalidInput(_("Chọn cách đánh số"))
        reg.do_set_rule_set(unit_code=code, rule_set=rule_set, actor=acting)
        messages.success(request, _("Đã lưu cách đánh số."))
    elif action == "term":
        f = typed(TermForm, p)
        reg.do_create_term(
            unit_code=code,
            name=f["name"],
            starts_on=f["starts_on"],
            ends_on=f.get("ends_on"),
            actor=acting,
        )
        messages.success(request, _("Đã khai báo nhiệm kỳ."))
    elif action == "register":
        f = typed(RegisterForm, p)
        reg.do_open_register(unit_code=code, direction=f["direction"], year=f["year"], actor=acting)
        messages.success(request, _("Đã mở sổ."))
    elif action == "settings":
        f = typed(SettingsForm, p)
        f["clerk_may_route"] = "clerk_may_route" in p
        wf.do_update_unit_settings(code, f, actor=acting)
        messages.success(request, _("Đã lưu."))
    else:
        raise InvalidInput(_("Không có thao tác này"))
    return code


# -- people --


@admin_required
def people_view(request: HttpRequest, acting: Acting) -> HttpResponse:
    q = folded_form(request.GET.get("q", "")[:100].strip())
    form: dict[str, Any] = {}
    error = ""
    if request.method == "POST":
        form = request.POST.dict()
        form.pop("password", None)
        try:
            f = typed(PersonForm, request.POST)
            user = org.do_add_person(
                username=f.get("username", ""),
                full_name=f.get("full_name", ""),
                email=f.get("email", ""),
                phone=f.get("phone", ""),
                password=f.get("password", ""),
                unit_code=f.get("unit", ""),
                role=f.get("role", ""),
                title=f.get("title", ""),
                actor=acting,
            )
        except CongvanError as exc:
            error = exc.message
        else:
            messages.success(
                request,
                _("Đã tạo tài khoản %(username)s: mật khẩu tạm, đổi ở lần đăng nhập đầu.")
                % {"username": user.username},
            )
            return redirect("web:admin_person", user.username)
    rows = people_administered(acting).order_by("username").prefetch_related("memberships__unit")
    found = [u for u in rows[:MAX_LISTED] if _matches(q, u.username, u.full_name, u.email)]
    context = {
        "rows": found,
        "q": request.GET.get("q", "")[:100],
        "units": _unit_choices(acting).order_by("path"),
        "roles": Role.choices,
        "form": form,
        "error": error,
    }
    return render(request, "web/admin/people.html", context, status=400 if error else 200)


@admin_required
def person_view(request: HttpRequest, acting: Acting, username: str) -> HttpResponse:
    person = access_person_for_admin(acting, username)
    managed = administered_units(acting)
    context = {
        "person": person,
        "memberships": person.memberships.select_related("unit").order_by("-active", "unit__path"),
        "managed_ids": set(managed.values_list("pk", flat=True)),
        "units": _unit_choices(acting).order_by("path"),
        "roles": Role.choices,
        "locked": account_blocked(person.username, timezone.now()),
        "two_factor": security.has_second_factor(person),
    }
    return render(request, "web/admin/person.html", context)


@require_POST
@admin_required
def person_action(request: HttpRequest, acting: Acting, username: str, action: str) -> HttpResponse:
    p = request.POST
    if action == "update":
        f = typed(PersonForm, p)
        org.do_update_person(
            username,
            full_name=f.get("full_name"),
            email=f.get("email"),
            phone=f.get("phone"),
            actor=acting,
        )
        messages.success(request, _("Đã lưu."))
    elif action in ("deactivate", "reactivate"):
        org.do_update_person(username, active=action == "reactivate", actor=acting)
        messages.success(request, _("Đã lưu."))
    elif action == "password":
        if p.get("password", "") != p.get("password2", ""):
            raise InvalidInput(_("Hai lần nhập mật khẩu không khớp"))
        org.do_reset_password(username, password=p.get("password", ""), actor=acting)
        messages.success(request, _("Đã đặt mật khẩu tạm: người dùng đổi ở lần đăng nhập tới."))
    elif action == "unlock":
        org.do_unlock_person(username, actor=acting)
        messages.success(request, _("Đã mở khóa tài khoản."))
    elif action == "reset-two-factor":
        security.do_reset_totp(username, actor=acting)
        messages.success(request, _("Đã xóa xác thực hai bước: người dùng cài lại ở lần đăng nhập tới."))
    elif action == "membership":
        f = typed(PersonForm, p)
        org.do_create_membership(
            username=username,
            unit_code=f.get("unit", ""),
            role=f.get("role", ""),
            title=f.get("title", ""),
            actor=acting,
        )
        messages.success(request, _("Đã thêm vai trò."))
    else:
        _membership_action(request, acting, action)
    return redirect("web:admin_person", username)


def _membership_action(request: HttpRequest, acting: Acting, action: str) -> None:
    p = request.POST
    try:
        membership_id = int(p.get("membership", ""))
    except ValueError:
        raise InvalidInput(_("Không có vai trò này trong phạm vi quản trị")) from None
    if action == "change-role":
        f = typed(PersonForm, p)
        org.do_change_membership(membership_id, role=f.get("role"), title=f.get("title"), actor=acting)
        messages.success(request, _("Đã lưu."))
    elif action == "end-role":
        org.do_end_membership(membership_id, actor=acting)
        messages.success(request, _("Đã kết thúc vai trò."))
    else:
        raise InvalidInput(_("Không có thao tác này"))


# -- holidays --


@admin_required
def holidays_view(request: HttpRequest, acting: Acting) -> HttpResponse:
    try:
        year = int(request.GET.get("year", ""))
    except ValueError:
        year = local_today(timezone.now()).year
    year = min(max(year, 2000), 2100)
    errors: list[Any] = []
    text = ""
    if request.method == "POST":
        if not acting.user.is_superuser:
            raise NotAllowed(_("Chỉ quản trị hệ thống khai báo ngày nghỉ"))
        text = request.POST.get("lines", "")[:20000]
        try:
            if request.POST.get("action") == "import":
                added, known = wf.do_import_holidays(text, actor=acting)
                messages.success(
                    request,
                    _("Đã thêm %(added)s ngày nghỉ (%(known)s ngày đã có).")
                    % {"added": added, "known": known},
                )
            elif request.POST.get("action") == "remove":
                f = typed(HolidayForm, request.POST)
                wf.do_remove_holiday(f["day"], actor=acting)
                messages.success(request, _("Đã bỏ ngày nghỉ."))
            else:
                f = typed(HolidayForm, request.POST)
                wf.do_add_holiday(day=f["day"], name=f.get("name", ""), actor=acting)
                messages.success(request, _("Đã thêm ngày nghỉ."))
        except wf.HolidaysRefused as exc:
            errors = exc.errors
            messages.error(request, exc.message)
        except CongvanError as exc:
            messages.error(request, exc.message)
        else:
            return redirect(f"{reverse('web:admin_holidays')}?year={year}")
    context = {
        "year": year,
        "holidays": Holiday.objects.filter(day__year=year),
        "errors": errors,
        "lines": text,
        "may_change": acting.user.is_superuser,
    }
    return render(request, "web/admin/holidays.html", context, status=400 if errors else 200)


# -- recipient groups (kept by a unit's clerks, leaders and admins) --


@member_required
def groups_view(request: HttpRequest, acting: Acting) -> HttpResponse:
    if request.method == "POST":
        f = typed(GroupForm, request.POST)
        group = org.do_create_group(
            owner=acting.unit,
            name=f.get("name", ""),
            member_codes=request.POST.getlist("units"),
            shared="shared" in request.POST,
            actor=acting,
        )
        messages.success(request, _("Đã lập nhóm %(name)s.") % {"name": group.name})
        return redirect("web:groups")
    groups = usable_groups(acting).select_related("owner").prefetch_related("members").order_by("name")
    context: dict[str, Any] = {
        "groups": groups,
        "units": Unit.objects.filter(active=True).exclude(code__startswith="EXT-").order_by("path"),
        "group": None,
        "chosen": set(),
        "may_keep": acting.role in org.GROUP_KEEPERS or acting.user.is_superuser,
    }
    return render(request, "web/admin/groups.html", context)


@member_required
def group_view(request: HttpRequest, acting: Acting, group_id: int) -> HttpResponse:
    group = access_group(acting, group_id)
    if request.method == "POST":
        if request.POST.get("action") == "delete":
            org.do_delete_group(group_id, actor=acting)
            messages.success(request, _("Đã xóa nhóm."))
            return redirect("web:groups")
        f = typed(GroupForm, request.POST)
        org.do_update_group(
            group_id,
            name=f.get("name"),
            member_codes=request.POST.getlist("units"),
            shared="shared" in request.POST,
            actor=acting,
        )
        messages.success(request, _("Đã lưu."))
        return redirect("web:group", group_id)
    context = {
        "groups": [],
        "group": group,
        "chosen": set(group.members.values_list("code", flat=True)),
        "units": Unit.objects.filter(active=True).exclude(code__startswith="EXT-").order_by("path"),
        "may_keep": True,
    }
    return render(request, "web/admin/groups.html", context)


# -- CSV in and out --


@admin_required
def transfer_view(request: HttpRequest, acting: Acting) -> HttpResponse:
    errors: list[Any] = []
    failed = False
    if request.method == "POST":
        upload = request.FILES.get("file")
        what = request.POST.get("what", "")
        try:
            if upload is None or what not in ("units", "people"):
                raise InvalidInput(_("Chọn tệp CSV"))
            if upload.size is not None and upload.size > MAX_CSV_BYTES:
                raise InvalidInput(_("Tệp vượt quá giới hạn dung lượng"))
            text = decode_text_file(upload.read(MAX_CSV_BYTES + 1))
            reader = import_units_csv if what == "units" else import_people_csv
            count = reader(text, actor=acting)
        except ImportFailed as exc:
            errors = exc.errors
            messages.error(request, exc.message)
        except CongvanError as exc:
            failed = True
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Đã nhập %(count)s dòng.") % {"count": count})
            return redirect("web:admin_transfer")
    status = 400 if errors or failed else 200
    return render(request, "web/admin/transfer.html", {"errors": errors}, status=status)


@admin_required
def export_view(request: HttpRequest, acting: Acting, what: str) -> HttpResponse:
    if what not in ("units", "people"):
        raise Http404
    if what == "units":
        body = units_csv(administered_units(acting).filter(home_node="").exclude(code__startswith="EXT-"))
    else:
        from congvan.orgs.access import memberships_administered

        body = people_csv(memberships_administered(acting))
    response = HttpResponse("\ufeff" + body, content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{what}.csv"'
    return response


# -- one's own account --


def _person_of(request: HttpRequest) -> User:
    user = request.user
    assert isinstance(user, User)
    return user


@member_required
def account_view(request: HttpRequest, acting: Acting) -> HttpResponse:
    """One's profile (name, notice address, telephone), password and the roles one may act as."""
    user = _person_of(request)
    if request.method == "POST":
        p = request.POST
        if p.get("action") == "password":
            f = typed(PasswordForm, p)
            if f["new"] != f["new2"]:
                raise InvalidInput(_("Hai lần nhập mật khẩu không khớp"))
            org.do_change_own_password(old=f["old"], new=f["new"], actor=user)
            update_session_auth_hash(request, user)  # stay signed in with the new password
            messages.success(request, _("Đã đổi mật khẩu."))
        else:
            f = typed(PersonForm, p)
            org.do_update_own_profile(
                full_name=f.get("full_name"),
                email=f.get("email"),
                phone=f.get("phone"),
                email_notices=p.get("email_notices") == "on",
                actor=user,
            )
            messages.success(request, _("Đã lưu."))
        return redirect("web:account")
    memberships = Membership.objects.filter(user=user, active=True, unit__active=True).select_related("unit")
    return render(
        request,
        "web/account.html",
        {"person": user, "roles_held": memberships, **account_security(request, acting)},
    )
