"""The web interface: server-rendered pages over the same access rules and actions as the API."""

from __future__ import annotations

import base64
import time
from typing import Any

from django.contrib import messages
from django.contrib.auth import login, logout
from django.http import HttpRequest, HttpResponse, QueryDict
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from congvan.dispatch import rules as dispatch_rules
from congvan.dispatch.models import DeliveryState, PaperCopy
from congvan.dispatch.queries import (
    INBOX_SORTS,
    InboxFilter,
    deliveries_of,
    duplicates_of,
    inbox,
    inbox_counts,
)
from congvan.documents import actions as doc_actions
from congvan.documents.access import access_issued_document, issued_documents
from congvan.documents.downloads import file_response
from congvan.documents.errors import DocumentNotFound
from congvan.documents.models import Confidentiality, DocState, Document, Urgency
from congvan.documents.queries import OUTBOX_SORTS, document_types, files_of, outbox
from congvan.documents.uploads import BlobUpload
from congvan.lib.access import parse_id
from congvan.lib.dates import lenient_date, local_today
from congvan.lib.errors import CongvanError, InvalidInput, TooLarge
from congvan.lib.http import client_address
from congvan.orgs import actions as org
from congvan.orgs.access import Acting, access_saved_views, group_unit_codes, usable_groups
from congvan.orgs.errors import PasswordChangeRequired
from congvan.orgs.models import Membership, Unit
from congvan.registers.actions import rule_set_of
from congvan.security import actions as security
from congvan.security.errors import SecondFactorNeeded
from congvan.web.decorators import member_required
from congvan.web.forms import DraftForm, sorting, typed
from congvan.web.middleware import SESSION_KEY
from congvan.web.processing import processing_context
from congvan.web.signing_pages import signing_context
from congvan.workflow import actions as wf_actions
from congvan.workflow import rules as wf_rules
from congvan.workflow.access import access_document, access_receipt, unit_dossiers, visible_receipts
from congvan.workflow.history import access_history

PENDING = "congvan_2fa_pending"  # a sign-in whose password was right, waiting for its code
PENDING_SECONDS = 300
MUST_ENROLL = "congvan_must_enroll"


def login_view(request: HttpRequest) -> HttpResponse:
    error, must_change, otp_step = "", False, False
    pending = request.session.get(PENDING) if request.method == "POST" else None
    if request.method == "POST":
        p = request.POST
        address = client_address(request.META)
        try:
            if pending and "username" not in p:  # the second step: the authenticator's code
                if time.time() - float(pending.get("at", 0)) > PENDING_SECONDS:
                    request.session.pop(PENDING, None)
                    raise InvalidInput(_("Đã quá thời gian nhập mã: hãy đăng nhập lại"))
                otp_step = True
                signed = security.do_complete_sign_in(
                    int(pending["user"]), p.get("code", ""), address=address, via="web"
                )
            else:
                if p.get("new_password", "") != p.get("new_password2", ""):
                    raise InvalidInput(_("Hai lần nhập mật khẩu không khớp"))
                signed = security.do_sign_in(
                    username=p.get("username", ""),
                    password=p.get("password", ""),
                    new_password=p.get("new_password", ""),
                    code=p.get("code", ""),
                    address=address,
                    via="web",
                )
        except SecondFactorNeeded as exc:
            request.session[PENDING] = {"user": exc.user_id, "at": time.time(), "next": p.get("next", "")}
            otp_step = True
        except PasswordChangeRequired as exc:
            error, must_change = exc.message, True
        except CongvanError as exc:
            error, must_change = exc.message, "new_password" in p
        else:
            nxt = (pending or {}).get("next", "") if otp_step else p.get("next", "")
            request.session.pop(PENDING, None)
            login(request, signed.user, backend="django.contrib.auth.backends.ModelBackend")
            security.do_open_session(
                signed.user,
                request.session.session_key or "",
                address=address,
                agent=request.META.get("HTTP_USER_AGENT", ""),
            )
            if signed.must_enroll:
                request.session[MUST_ENROLL] = True
                return redirect("web:two_factor")
            return redirect(nxt if nxt.startswith("/") and not nxt.startswith("//") else "web:dashboard")
    return render(
        request,
        "web/login.html",
        {
            "error": error,
            "must_change": must_change,
            "otp_step": otp_step,
            "username": request.POST.get("username", "") if must_change else "",
            "next": request.GET.get("next", ""),
        },
        status=400 if error else 200,
    )


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    if request.session.session_key:
        security.do_close_session(request.session.session_key)
    logout(request)
    return redirect("web:login")


@require_POST
@member_required
def choose_membership(request: HttpRequest, acting: Acting) -> HttpResponse:
    pk = _int(request.POST.get("membership"))
    m = Membership.objects.filter(user=acting.user, active=True, pk=pk or 0).first()
    if m is not None:
        request.session[SESSION_KEY] = m.pk
    return redirect("web:dashboard")


def _int(value: object) -> int | None:
    try:
        return int(str(value))
    except ValueError:
        return None


@member_required
def dashboard(request: HttpRequest, acting: Acting) -> HttpResponse:
    if acting.role == "admin":  # an administrator's work is the organisation
        return redirect("web:admin_units")
    from congvan.mail.actions import visible_arrivals
    from congvan.workflow.dashboard import access_dashboard

    counts = inbox_counts(acting)
    docs = issued_documents(acting)
    context = {
        "sections": access_dashboard(acting, local_today(timezone.now())),
        "mail_waiting": visible_arrivals(acting).filter(state="new").count() if acting.role == "clerk" else 0,
        "arrived": counts.get(DeliveryState.ARRIVED, 0),
        "registered": counts.get(DeliveryState.REGISTERED, 0),
        "returned": counts.get(DeliveryState.RETURNED, 0),
        "drafts": docs.filter(state=DocState.DRAFT).count(),
        "submitted": docs.filter(state=DocState.SUBMITTED).count(),
        "approved": docs.filter(state=DocState.APPROVED).count(),
        "released": docs.filter(state=DocState.RELEASED).count(),
    }
    return render(request, "web/dashboard.html", context)


@member_required
def inbox_view(request: HttpRequest, acting: Acting) -> HttpResponse:
    g = request.GET
    order = sorting(g, tuple(INBOX_SORTS), default="-arrived", legacy={"oldest": "arrived"})
    f = InboxFilter(
        view=g.get("view", "all") if g.get("view") in ("new", "registered", "all") else "all",
        state=g.get("state", "") if g.get("state") in DeliveryState.values else "",
        urgency=g.get("urgency", "") if g.get("urgency") in Urgency.values else "",
        issuer=g.get("issuer", "")[:32],
        date_from=lenient_date(g.get("from", "")),
        date_to=lenient_date(g.get("to", "")),
        oldest_first=order.ascending,
        sort=order.key,
    )
    page = inbox(acting, f, cursor=g.get("cursor") or None, limit=50)
    issuers = Unit.objects.filter(pk__in=visible_receipts(acting).values("issuer_id")).order_by("name")
    query = g.copy()
    query.pop("cursor", None)
    template = "web/_inbox_rows.html" if request.htmx else "web/inbox.html"  # type: ignore[attr-defined]
    return render(
        request,
        template,
        {
            "page": page,
            "f": f,
            "issuers": issuers,
            "states": DeliveryState.choices,
            "urgencies": Urgency.choices,
            "query": query.urlencode(),
            "sorting": order,
            "saved": access_saved_views(acting.user, "inbox"),
        },
    )


@require_POST
@member_required
def save_view(request: HttpRequest, acting: Acting) -> HttpResponse:
    """Keep the list's current filters under a name; back to the list."""
    page = request.POST.get("page", "")
    view = org.do_save_view(
        page=page, name=request.POST.get("name", ""), query=request.POST.get("query", ""), actor=acting.user
    )
    messages.success(request, _("Đã lưu bộ lọc."))
    return redirect(reverse(f"web:{view.page}") + ("?" + view.query if view.query else ""))


@require_POST
@member_required
def delete_view(request: HttpRequest, acting: Acting, view_id: int) -> HttpResponse:
    page = request.POST.get("page", "inbox")
    org.do_delete_view(view_id, actor=acting.user)
    messages.success(request, _("Đã xóa bộ lọc."))
    return redirect(reverse(f"web:{page if page in org.SAVED_VIEW_PAGES else 'inbox'}"))


@member_required
def outbox_view(request: HttpRequest, acting: Acting) -> HttpResponse:
    state = request.GET.get("state", "")
    state = state if state in DocState.values else ""
    order = sorting(request.GET, tuple(OUTBOX_SORTS), default="-created", legacy={"oldest": "created"})
    rows, nxt = outbox(
        issued_documents(acting),
        state=state,
        cursor=request.GET.get("cursor") or None,
        oldest_first=order.ascending,
        sort=order.key,
    )
    context = {
        "rows": rows,
        "next": nxt,
        "state": state,
        "states": DocState.choices,
        "sorting": order,
        "saved": access_saved_views(acting.user, "outbox"),
        "query": "&".join(q for q in (f"state={state}" if state else "", order.given) if q),
    }
    return render(request, "web/outbox.html", context)


def _metadata_from_post(acting: Acting, post: QueryDict) -> dict[str, Any]:
    """The compose form's fields, typed (the fields the form sent; the units and the recipient groups
    ticked, each as a list: a group stays a group until the release expands it)."""
    meta = typed(DraftForm, post)
    if "recipients" in post or "recipients_present" in post:
        meta["recipients"] = list(dict.fromkeys(post.getlist("recipients")))
        meta["groups"] = list(dict.fromkeys(post.getlist("groups")))
    return meta


def _uploads(request: HttpRequest) -> tuple[BlobUpload | None, list[BlobUpload]]:
    request.FILES  # noqa: B018 - parse the body through the streaming handler
    if getattr(request, "congvan_too_large", None):
        raise TooLarge(_("Tệp vượt quá giới hạn dung lượng"))
    from congvan.capture.actions import office_main

    main = request.FILES.get("file")
    return office_main(main, request.FILES.getlist("attachments"))  # type: ignore[arg-type]


def _recipient_choices(acting: Acting) -> dict[str, Any]:
    units = Unit.objects.filter(active=True).exclude(pk=acting.unit.pk).order_by("path")
    groups = usable_groups(acting).order_by("name")
    return {"units": units, "groups": groups}


def _form_of(doc: Document) -> dict[str, Any]:
    fields = (
        "subject",
        "signer_name",
        "signer_position",
        "signer_competence",
        "urgency",
        "confidentiality",
        "place",
        "description",
        "drafting_department",
    )
    form: dict[str, Any] = {name: getattr(doc, name) for name in fields}
    form["type"] = doc.doc_type.abbreviation
    form["reply_due"] = doc.reply_due.isoformat() if doc.reply_due else ""
    form["recipients"] = doc.planned_recipients
    form["groups"] = doc.planned_groups
    form["replaces"] = doc.replaces_id
    return form


@member_required
def compose(request: HttpRequest, acting: Acting, document_id: int | None = None) -> HttpResponse:
    """Create a draft, or edit one (``document_id``): metadata, a new main file, more attachments."""
    doc = access_issued_document(acting, document_id) if document_id is not None else None
    # a new draft: a letter (công văn), the most common, until the drafter picks another type
    form: dict[str, Any] = _form_of(doc) if doc is not None else {"type": "CV", "confidentiality": "none"}
    # a reply: to a task's document (reply_to: the task) or to a receipt's (reply_receipt)
    reply_to = parse_id(request.POST.get("reply_to") or request.GET.get("reply_to")) if doc is None else None
    answers = parse_id(request.POST.get("reply_receipt") or request.GET.get("reply_receipt"))
    answers = answers if doc is None and reply_to is None else None
    if (reply_to is not None or answers is not None) and request.method != "POST":
        form.update(wf_actions.reply_prefill(acting, reply_to, receipt_id=answers))
    error = ""
    if request.method == "POST":
        form = {
            **request.POST.dict(),
            "recipients": request.POST.getlist("recipients"),
            "groups": request.POST.getlist("groups"),
        }
        try:
            main, attachments = _uploads(request)
            meta = _metadata_from_post(acting, request.POST)
            if doc is None and (reply_to is not None or answers is not None):
                doc = wf_actions.do_start_reply(
                    reply_to, meta, main=main, attachments=attachments, actor=acting, receipt_id=answers
                )
            elif doc is None:
                doc = doc_actions.do_create_draft(meta, main=main, attachments=attachments, actor=acting)
            else:
                doc_actions.do_update_draft(doc.pk, meta, main=main, attachments=attachments, actor=acting)
        except CongvanError as exc:
            error = exc.message
        else:
            messages.success(request, _("Đã lưu dự thảo."))
            return redirect("web:document", doc.pk)
    context = {
        "form": form,
        "doc": doc,
        "error": error,
        "reply_to": reply_to,
        "reply_receipt": answers,
        "types": document_types(rule_set_of(acting.unit), keep=form.get("type", "")),
        "urgencies": Urgency.choices,
        # only documents that are not classified travel through the system: nothing else is offered
        "confidentialities": [c for c in Confidentiality.choices if c[0] == Confidentiality.NONE],
        "today": local_today(timezone.now()).isoformat(),
        "replaceable": issued_documents(acting)
        .filter(state=DocState.RELEASED)
        .exclude(pk=doc.pk if doc is not None else 0)
        .order_by("-released_at")
        .only("pk", "symbol", "subject")[:200],
        **_recipient_choices(acting),
    }
    return render(request, "web/compose.html", context, status=400 if error else 200)


@member_required
def document_view(request: HttpRequest, acting: Acting, document_id: int) -> HttpResponse:
    doc = access_document(acting, document_id)
    doc_actions.do_note_document_read(doc, actor=acting)
    own = doc.issuing_unit_id == acting.unit.pk
    receipt = None if own else visible_receipts(acting).filter(document=doc).first()
    files = list(files_of(doc).select_related("blob__signature_report"))
    context = {
        "doc": doc,
        "own": own,
        "receipt": receipt,
        "files": files,
        "main": next((f for f in files if f.role == "main"), None),
        "deliveries": deliveries_of(doc) if own else [],
        "can_edit": wf_rules.may_edit_draft(acting, doc),
        "can_submit": wf_rules.may_edit_draft(acting, doc),
        "can_review": wf_rules.may_review(acting, doc),
        "can_release": dispatch_rules.may_release(acting, doc),
        "paper_copies": PaperCopy.choices,
        "can_revoke": dispatch_rules.may_revoke(acting, doc),
        "can_register": receipt is not None and dispatch_rules.may_register(acting, receipt),
        "can_return": receipt is not None and dispatch_rules.may_return(acting, receipt),
        "can_reply": receipt is not None and wf_rules.may_start_reply(acting, receipt),
        "replies": issued_documents(acting).filter(in_reply_to=doc).order_by("created_at")[:50]
        if receipt is not None
        else [],
        "duplicates": duplicates_of(receipt) if receipt is not None and receipt.incoming_number else [],
        "dossiers": unit_dossiers(acting).filter(closed_at=None).order_by("-created_at")[:100],
        "history": access_history(acting, doc, receipt),
        "planned": _planned(acting, doc) if own else [],
        **(processing_context(acting, receipt) if receipt is not None else {}),
        **(_recipient_choices(acting) if own and doc.state == DocState.APPROVED else {}),
        **(signing_context(acting, doc) if own else {}),
    }
    return render(request, "web/document.html", context)


def _planned(acting: Acting, doc: Document) -> list[str]:
    """The planned recipients as the approver reads them: each group by name with its units' count,
    then the units named one by one."""
    groups = usable_groups(acting).filter(slug__in=doc.planned_groups[:100]).order_by("name")
    named = [
        _("%(group)s (nhóm, %(count)d đơn vị)")
        % {"group": g.name, "count": len(group_unit_codes(acting, [g.slug]))}
        for g in groups
    ]
    units = Unit.objects.filter(code__in=doc.planned_recipients[:200]).order_by("name")
    return named + list(units.values_list("name", flat=True))


@member_required
def download(request: HttpRequest, acting: Acting, document_id: int, file_id: int) -> HttpResponseBase:
    doc = access_document(acting, document_id)
    f = files_of(doc).filter(pk=file_id).first()
    if f is None:
        raise DocumentNotFound(_("Không tìm thấy tệp"))
    doc_actions.do_note_document_read(doc, file_id=f.pk, actor=acting)
    return file_response(f, inline=request.GET.get("inline") == "1")


@require_POST
@member_required
def document_action(request: HttpRequest, acting: Acting, document_id: int, action: str) -> HttpResponse:
    p = request.POST
    if action == "submit":
        wf_actions.do_submit_document(document_id, actor_note=p.get("note", ""), actor=acting)
        messages.success(request, _("Đã trình lãnh đạo duyệt."))
    elif action == "approve":
        _approve(request, acting, document_id)
    elif action == "reject":
        wf_actions.do_reject_document(document_id, comment=p.get("comment", ""), actor=acting)
        messages.success(request, _("Đã trả lại dự thảo."))
    elif action == "release":
        dispatch = wf_actions.do_release_document(
            document_id,
            recipients=p.getlist("recipients"),
            groups=p.getlist("groups"),
            seal={"1": True, "0": False}.get(p.get("seal", "")),
            passphrase=p.get("passphrase") or None,
            paper_copy=p.get("paper_copy", ""),
            actor=acting,
        )
        messages.success(request, _("Đã ban hành văn bản số %s.") % dispatch.document.symbol)
    elif action == "revoke":
        wf_actions.do_revoke_release(document_id, reason=p.get("reason", ""), actor=acting)
        messages.success(request, _("Đã thu hồi văn bản."))
    else:
        raise DocumentNotFound(_("Không có thao tác này"))
    return redirect("web:document", document_id)


def _approve(request: HttpRequest, acting: Acting, document_id: int) -> None:
    """ "Duyệt" (no signature), "Ký số và duyệt" with a key on the server (a passphrase typed when the
    key asks for one), or the second step of a signature made on the leader's own token."""
    p = request.POST
    remote = None
    if p.get("session"):
        try:
            value = base64.b64decode(p.get("signature", ""), validate=True)
        except ValueError:
            raise InvalidInput(_("Chữ ký trả về không hợp lệ"), code="bad_signature") from None
        remote = wf_actions.RemoteSignature(p["session"], value)
    sign = {"1": True, "0": False}.get(p.get("sign", ""))
    wf_actions.do_approve_document(
        document_id, sign=sign, passphrase=p.get("passphrase") or None, remote=remote, actor=acting
    )
    if sign or remote is not None:
        messages.success(request, _("Đã ký số và duyệt văn bản."))
    else:
        messages.success(request, _("Đã duyệt văn bản."))


@require_POST
@member_required
def receipt_action(request: HttpRequest, acting: Acting, receipt_id: int, action: str) -> HttpResponse:
    receipt = access_receipt(acting, receipt_id)
    if action == "register":
        result = wf_actions.do_register_receipt(receipt_id, actor=acting)
        messages.success(request, _("Đã vào sổ, số đến %s.") % result.receipt.incoming_number)
        for d in result.duplicates:
            messages.warning(request, _("Có thể trùng với văn bản đến số %s.") % d.incoming_number)
    elif action == "return":
        wf_actions.do_return_receipt(receipt_id, reason=request.POST.get("reason", ""), actor=acting)
        messages.success(request, _("Đã trả lại văn bản cho nơi gửi."))
    else:
        raise DocumentNotFound(_("Không có thao tác này"))
    return redirect("web:document", receipt.document_id)
