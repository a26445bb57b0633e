"""Pages of official e-mail: a unit's mailbox (its admins), the mails that arrived (its clerks), and the
organisations reached by e-mail (administrators)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from congvan.lib.errors import CongvanError
from congvan.mail import actions as mail
from congvan.mail.models import AfterFetch, ArrivalState, Security
from congvan.orgs.access import Acting, mail_contacts
from congvan.orgs.actions import do_save_mail_contact
from congvan.web.administration import admin_required
from congvan.web.decorators import member_required

FIELDS = [
    "address",
    "host",
    "port",
    "security",
    "username",
    "password",
    "folders",
    "senders",
    "subject_contains",
    "after",
    "after_folder",
    "since",
    "smtp_host",
    "smtp_port",
    "smtp_security",
    "smtp_username",
    "smtp_password",
]


@admin_required
def mailbox_view(request: HttpRequest, acting: Acting, code: str) -> HttpResponse:
    unit, box = mail.access_mailbox(acting, code)
    values: dict[str, Any] = {}
    if box is not None:
        values = {f: getattr(box, f) for f in FIELDS if "password" not in f}
        values["folders"] = ", ".join(box.folders)
        values["senders"] = ", ".join(box.senders)
        values["kinds"] = box.kinds
        values["active"] = box.active
        values["since"] = box.since.isoformat() if box.since else ""
    error, status = "", 200
    if request.method == "POST":
        action = request.POST.get("action", "save")
        try:
            if action == "save":
                posted: dict[str, Any] = {f: request.POST.get(f, "") for f in FIELDS}
                posted["kinds"] = request.POST.getlist("kinds")
                posted["active"] = request.POST.get("active") == "on"
                values = {**posted, "password": "", "smtp_password": ""}
                mail.do_configure_mailbox(code, posted, actor=acting)
                messages.success(request, _("Đã lưu hộp thư của đơn vị."))
            elif action == "check":
                found = mail.check_mailbox(acting, code)
                messages.success(
                    request,
                    _("Kết nối được; thư mục: %(folders)s") % {"folders": ", ".join(found["folders"])},
                )
            elif action == "fetch":
                for result in mail.do_fetch_mail(unit_code=code, actor=acting):
                    counts = result.as_dict()
                    if counts["error"]:
                        raise CongvanError(str(counts["error"]))
                    messages.success(
                        request,
                        _("Đã lấy thư: %(taken)s thư mới, %(again)s thư nhận lại, %(skipped)s thư khác")
                        % counts,
                    )
            return redirect("web:mailbox", code)
        except CongvanError as exc:
            error, status = exc.message, 400
    context = {
        "unit": unit,
        "box": box,
        "v": values,
        "error": error,
        "securities": Security.choices,
        "afters": AfterFetch.choices,
        "kinds": mail.KINDS,
    }
    return render(request, "web/mailbox.html", context, status=status)


@member_required
def arrivals_view(request: HttpRequest, acting: Acting) -> HttpResponse:
    state = request.GET.get("state", ArrivalState.NEW)
    state = state if state in ArrivalState.values else ArrivalState.NEW
    rows = list(mail.visible_arrivals(acting).filter(state=state).order_by("-received_at", "-id")[:100])
    files = {a.pk: mail.arrival_intakes(a) for a in rows}
    return render(
        request,
        "web/mail_arrivals.html",
        {
            "rows": [(a, files[a.pk]) for a in rows],
            "state": state,
            "states": ArrivalState.choices,
        },
    )


@require_POST
@member_required
def arrival_action(request: HttpRequest, acting: Acting, arrival_id: int) -> HttpResponse:
    from congvan.web.forms import PaperForm, typed

    arrival = mail.access_arrival(acting, arrival_id)
    if request.POST.get("action") == "dismiss":
        mail.do_dismiss_mail_arrival(arrival.pk, reason=request.POST.get("reason", ""), actor=acting)
        messages.success(request, _("Đã bỏ qua thư."))
        return redirect("web:mail_arrivals")
    fields = {k: v for k, v in typed(PaperForm, request.POST).items() if v not in ("", None)}
    if "date" in fields:
        fields["date"] = fields["date"].isoformat()
    result = mail.do_register_mail_arrival(arrival.pk, fields, actor=acting)
    messages.success(
        request, _("Đã vào sổ văn bản đến, số đến %(number)s.") % {"number": result.receipt.incoming_number}
    )
    return redirect("web:document", result.receipt.document_id)


@admin_required
def contacts_view(request: HttpRequest, acting: Acting) -> HttpResponse:
    error, status = "", 200
    typed_in: dict[str, str] = {}
    if request.method == "POST":
        typed_in = {k: request.POST.get(k, "") for k in ("code", "name", "email", "abbreviation")}
        try:
            do_save_mail_contact(
                code=typed_in["code"],
                name=typed_in["name"],
                email=typed_in["email"],
                abbreviation=typed_in["abbreviation"],
                active=request.POST.get("active", "on") == "on",
                actor=acting,
            )
            messages.success(request, _("Đã lưu danh bạ."))
            return redirect("web:mail_contacts")
        except CongvanError as exc:
            error, status = exc.message, 400
    rows = mail_contacts()[:2000]
    return render(
        request, "web/mail_contacts.html", {"rows": rows, "error": error, "v": typed_in}, status=status
    )
