"""Web pages of incoming work: direct, my work, an assignment, oversight, notices, dossiers, registers."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Prefetch
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from congvan.dispatch import rules as dispatch_rules
from congvan.dispatch.models import Receipt
from congvan.documents.access import issued_documents
from congvan.documents.models import Urgency
from congvan.documents.queries import document_types
from congvan.documents.uploads import BlobUpload
from congvan.lib.access import parse_id
from congvan.lib.dates import lenient_date, local_today
from congvan.lib.errors import CongvanError, InvalidInput, TooLarge
from congvan.lib.filetypes import XLSX
from congvan.lib.http import content_disposition
from congvan.orgs.access import DRAFTERS, UNIT_WIDE, Acting, access_saved_views, visible_directory
from congvan.orgs.models import Role, Unit, User
from congvan.reports import registers
from congvan.web.decorators import member_required
from congvan.web.forms import AssignmentForm, DirectForm, DossierForm, PaperForm, sorting, typed
from congvan.workflow import actions as wf
from congvan.workflow import rules
from congvan.workflow.access import access_assignment, unit_dossiers, visible_documents
from congvan.workflow.deadlines import default_deadline
from congvan.workflow.models import Assignment, AssignmentRole, Direction, Notification, Retention
from congvan.workflow.queries import WORK_SORTS, WORK_VIEWS, oversight, receipts_to_direct, work_list


def processing_context(acting: Acting, receipt: Receipt) -> dict[str, Any]:
    """What the document page shows of a receipt's processing, and the direct form when allowed."""
    today = local_today(timezone.now())
    chain = list(
        Assignment.objects.filter(receipt=receipt)
        .select_related("assignee_user", "assignee_unit", "assigned_by")
        .order_by("id")
    )
    may_direct = rules.may_direct(acting, receipt)
    ctx: dict[str, Any] = {
        "directions": Direction.objects.filter(receipt=receipt).select_related("by"),
        "chain": chain,
        "today": today,
        "may_direct": may_direct,
        "clerk_routing": acting.role == Role.CLERK,
    }
    if may_direct:
        ctx["people"] = (
            User.objects.filter(memberships__unit=acting.unit, memberships__active=True, is_active=True)
            .order_by("full_name")
            .distinct()
        )
        ctx["sub_units"] = (
            Unit.objects.filter(path__startswith=acting.unit.path, active=True)
            .exclude(pk=acting.unit.pk)
            .order_by("path")
        )
        ctx["default_deadline"] = default_deadline(acting.unit, receipt.urgency, today)
    return ctx


def _assignee(value: str) -> dict[str, str]:
    kind, _sep, key = value.partition(":")
    if kind == "u" and key:
        return {"assignee": key}
    if kind == "n" and key:
        return {"unit": key}
    raise InvalidInput(_("Chọn người hoặc đơn vị"))


@require_POST
@member_required
def direct(request: HttpRequest, acting: Acting, receipt_id: int) -> HttpResponse:
    p = request.POST
    form = typed(DirectForm, p)
    lead_deadline, support_deadline = form.get("lead_deadline"), form.get("support_deadline")
    specs: list[wf.AssignmentRequest] = []
    if form.get("lead"):
        specs.append(
            wf.AssignmentRequest(AssignmentRole.LEAD, deadline=lead_deadline, **_assignee(form["lead"]))
        )
    for role, values in (
        (AssignmentRole.SUPPORT, p.getlist("support")),
        (AssignmentRole.FYI, p.getlist("fyi")),
    ):
        specs += [wf.AssignmentRequest(role, deadline=support_deadline, **_assignee(v)) for v in values]
    wf.do_direct_receipt(receipt_id, direction=form.get("direction", ""), assignments=specs, actor=acting)
    messages.success(request, _("Đã giao xử lý."))
    receipt = Receipt.objects.only("document_id").get(pk=receipt_id)
    return redirect("web:document", receipt.document_id)


WORK_PAGE = 100  # tasks on a page of the work list


@member_required
def my_work(request: HttpRequest, acting: Acting) -> HttpResponse:
    view = request.GET.get("view", "todo")
    view = view if view in WORK_VIEWS else "todo"
    today = local_today(timezone.now())
    order = sorting(request.GET, tuple(WORK_SORTS), default="deadline", legacy={"latest": "-deadline"})
    qs = work_list(acting, view, today)
    if view != "done" or "sort" in request.GET:  # what is done: the latest completed first, unless asked
        sign = "" if order.ascending else "-"
        qs = qs.order_by(sign + WORK_SORTS[order.key], sign + "pk")
    start = max(0, min(parse_id(request.GET.get("start")) or 0, 100_000))
    rows = list(qs[start : start + WORK_PAGE + 1])
    more = start + WORK_PAGE if len(rows) > WORK_PAGE else None
    rows = rows[:WORK_PAGE]
    return render(
        request,
        "web/work.html",
        {
            "rows": rows,
            "view": view,
            "views": WORK_VIEWS,
            "today": today,
            "to_direct": list(receipts_to_direct(acting)[:100]),
            "saved": access_saved_views(acting.user, "work"),
            "query": "&".join(q for q in (f"view={view}", order.given) if q),
            "sorting": order,
            "more": more,
        },
    )


@member_required
def note_file(request: HttpRequest, acting: Acting, assignment_id: int, file_id: int) -> HttpResponseBase:
    """A file of a progress note, for whoever sees the task."""
    from congvan.documents.downloads import file_response
    from congvan.workflow.access import access_note_file

    return file_response(
        access_note_file(acting, assignment_id, file_id), inline=request.GET.get("inline") == "1"
    )


@member_required
def assignment_view(request: HttpRequest, acting: Acting, assignment_id: int) -> HttpResponse:
    return render(request, "web/assignment.html", _assignment_context(acting, assignment_id))


def _assignment_context(acting: Acting, assignment_id: int) -> dict[str, Any]:
    a = access_assignment(acting, assignment_id)
    a = Assignment.objects.select_related(
        "receipt__document", "assignee_user", "assignee_unit", "assigned_by", "parent", "reply_document"
    ).get(pk=a.pk)
    mine = rules.is_own_open(acting, a)
    ctx = {
        "a": a,
        "mine": mine,
        "today": local_today(timezone.now()),
        "notes": a.notes.select_related("by").prefetch_related("files__blob"),
        "extensions": a.extensions.order_by("id"),
        "pending": a.extensions.filter(state="pending").first(),
        "may_decide": rules.may_decide_extension(acting, a),
        "may_reassign": rules.may_reassign(acting, a),
        "children": a.children.select_related("assignee_user"),
        "replies": issued_documents(acting).order_by("-created_at")[:50] if mine else [],
        "members": User.objects.filter(memberships__unit=acting.unit, is_active=True).order_by("full_name")
        if a.assignee_unit_id == acting.unit.pk
        else [],
    }
    return ctx


@require_POST
@member_required
def assignment_action(request: HttpRequest, acting: Acting, assignment_id: int, action: str) -> HttpResponse:
    f = typed(AssignmentForm, request.POST)
    if action == "progress":
        request.FILES  # noqa: B018 - parse the body through the streaming handler
        files = [f for f in request.FILES.getlist("files") if isinstance(f, BlobUpload)]
        try:
            if getattr(request, "congvan_too_large", None):
                raise TooLarge(_("Tệp vượt quá giới hạn dung lượng"))
            wf.do_add_progress_note(assignment_id, note=f.get("note", ""), files=files, actor=acting)
        except CongvanError as exc:  # the note typed is kept, with why the file was refused
            context = {
                **_assignment_context(acting, assignment_id),
                "error": exc.message,
                "typed_note": f.get("note", ""),
            }
            return render(request, "web/assignment.html", context, status=400)
    elif action == "complete":
        wf.do_complete_assignment(
            assignment_id, result=f.get("result", ""), reply_document=f.get("reply_document"), actor=acting
        )
    elif action == "extend":
        if f.get("until") is None:
            raise InvalidInput(_("Chọn ngày gia hạn"))
        wf.do_request_extension(assignment_id, until=f["until"], reason=f.get("reason", ""), actor=acting)
    elif action == "decide":
        wf.do_decide_extension(assignment_id, approve=f.get("approve") == "1", actor=acting)
    elif action == "handback":
        wf.do_hand_back_assignment(assignment_id, reason=f.get("reason", ""), actor=acting)
    elif action == "reassign":
        wf.do_reassign_assignment(
            assignment_id, assignee=f.get("assignee", ""), deadline=f.get("deadline"), actor=acting
        )
    else:
        raise InvalidInput(_("Không có thao tác này"))
    messages.success(request, _("Đã cập nhật."))
    return redirect("web:assignment", assignment_id)


@member_required
def oversight_view(request: HttpRequest, acting: Acting) -> HttpResponse:
    o = oversight(acting, request.GET.get("unit") or None, local_today(timezone.now()))
    return render(request, "web/oversight.html", {"o": o})


@member_required
def unread_count(request: HttpRequest, acting: Acting) -> HttpResponse:
    """The header's count of unread notices (the page asks for it again every 30 seconds)."""
    return render(request, "web/_unread.html")


@member_required
def notifications_view(request: HttpRequest, acting: Acting) -> HttpResponse:
    if request.method == "POST":
        wf.do_mark_read(None, actor=acting)
        return redirect("web:notifications")
    rows = Notification.objects.filter(user=acting.user).order_by("-created_at", "-id")[:200]
    return render(request, "web/notifications.html", {"rows": rows})


@member_required
def dossiers_view(request: HttpRequest, acting: Acting) -> HttpResponse:
    if request.method == "POST":
        d = typed(DossierForm, request.POST)
        document, close = d.get("document"), d.get("close")
        if document is not None:
            wf.do_add_to_dossier(d.get("dossier") or 0, document, actor=acting)
            messages.success(request, _("Đã đưa vào hồ sơ."))
            return redirect("web:document", document)
        if close is not None:
            wf.do_close_dossier(close, actor=acting)
        else:
            wf.do_create_dossier(
                code=d.get("code", ""),
                title=d.get("title", ""),
                retention=d.get("retention") or "10",
                actor=acting,
            )
        return redirect("web:dossiers")
    shown = Prefetch("documents", queryset=visible_documents(acting).order_by("id"))
    rows = unit_dossiers(acting).prefetch_related(shown).order_by("-created_at")[:200]
    return render(request, "web/dossiers.html", {"rows": rows, "retentions": Retention.choices})


@member_required
def register_view(request: HttpRequest, acting: Acting, direction: str) -> HttpResponse:
    if direction not in ("out", "in") or acting.role not in UNIT_WIDE:
        raise InvalidInput(_("Không in được sổ này"))
    lo, hi = lenient_date(request.GET.get("from", "")), lenient_date(request.GET.get("to", ""))
    if lo is None or hi is None:
        raise InvalidInput(_("Chọn từ ngày, đến ngày"))
    fmt = "xlsx" if request.GET.get("format") == "xlsx" else "pdf"
    reg = (registers.outgoing_register if direction == "out" else registers.incoming_register)(acting, lo, hi)
    data = registers.to_pdf(reg) if fmt == "pdf" else registers.to_xlsx(reg)
    response = HttpResponse(data, content_type="application/pdf" if fmt == "pdf" else XLSX)
    name = f"so-van-ban-{'di' if direction == 'out' else 'den'}-{lo:%Y%m%d}-{hi:%Y%m%d}.{fmt}"
    response["Content-Disposition"] = content_disposition(name)
    return response


@member_required
def search_view(request: HttpRequest, acting: Acting) -> HttpResponse:
    """Results of the search box on every page, with filters."""
    from congvan.search.queries import Filters, search

    g = request.GET
    q = g.get("q", "").strip()
    f = Filters(
        direction=g.get("direction", "") if g.get("direction") in ("out", "in") else "",
        doc_type=g.get("type", "")[:10],
        date_from=lenient_date(g.get("from", "")),
        date_to=lenient_date(g.get("to", "")),
        state=g.get("state", "")[:16],
    )
    hits: list[Any] = []
    total, error = 0, ""
    if q:
        try:
            hits, total = search(acting, q, f, limit=50)
        except InvalidInput as exc:
            error = exc.message
    return render(
        request,
        "web/search.html",
        {"q": q, "f": f, "hits": hits, "total": total, "error": error},
        status=400 if error else 200,
    )


@member_required
def intake_list(request: HttpRequest, acting: Acting) -> HttpResponse:
    """Take a file in (scan, PDF, DOCX, ODT) and see the unit's recent intakes."""
    from congvan.capture.actions import do_take_in_file
    from congvan.lib.errors import CongvanError

    error = ""
    if request.method == "POST":
        request.FILES  # noqa: B018 - parse the body through the streaming handler
        upload = request.FILES.get("file")
        try:
            intake = do_take_in_file(upload if isinstance(upload, BlobUpload) else None, actor=acting)
        except CongvanError as exc:
            error = exc.message
        else:
            return redirect("web:intake", intake.pk)
    from congvan.capture.actions import visible_intakes

    rows = visible_intakes(acting).order_by("-created_at")[:50]
    return render(
        request, "web/intake_list.html", {"rows": rows, "error": error}, status=400 if error else 200
    )


@member_required
def intake_view(request: HttpRequest, acting: Acting, intake_id: int) -> HttpResponse:
    """An intake's progress (the page refreshes itself while the worker runs) and what was read."""
    from congvan.capture.actions import access_intake, do_make_draft_from_intake
    from congvan.dispatch.actions import do_register_paper_arrival

    intake = access_intake(acting, intake_id)
    if request.method == "POST" and request.POST.get("action") == "register":
        fields = {k: v for k, v in typed(PaperForm, request.POST).items() if v not in ("", None)}
        if "date" in fields:
            fields["date"] = fields["date"].isoformat()
        result = do_register_paper_arrival(intake.pk, fields, actor=acting)
        messages.success(
            request,
            _("Đã vào sổ văn bản đến, số đến %(number)s.") % {"number": result.receipt.incoming_number},
        )
        return redirect("web:document", result.receipt.document_id)
    if request.method == "POST":
        doc = do_make_draft_from_intake(intake.pk, {}, actor=acting)
        messages.success(request, _("Đã tạo dự thảo từ tệp tiếp nhận."))
        return redirect("web:document", doc.pk)
    from congvan.mail.actions import arrival_intakes, arrival_of_intake

    arrival = arrival_of_intake(intake)
    template = "web/_intake_status.html" if request.htmx else "web/intake.html"  # type: ignore[attr-defined]
    context = {
        "intake": intake,
        "arrival": arrival,
        "arrival_files": arrival_intakes(arrival) if arrival else [],
        "s": intake.suggested or {},
        "can_register": acting.role in dispatch_rules.CLERKS,
        "can_draft": acting.role in DRAFTERS,
        "types": document_types(),
        "urgencies": Urgency.choices,
        "directory": visible_directory().order_by("name")[:2000],
    }
    return render(request, template, context)
