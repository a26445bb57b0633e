"""Pages for signing: the administrator's keys page, and the leader's two-step signature on their own
token (the page asks the agent on 127.0.0.1; the server prepares and finishes)."""

from __future__ import annotations

import base64
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from congvan.documents.models import Document
from congvan.lib.errors import CongvanError
from congvan.orgs.access import Acting, administered_units, people_administered
from congvan.signatures import actions as sig
from congvan.signatures.models import KeyKind
from congvan.signatures.signing import key_choice
from congvan.web.administration import admin_required
from congvan.web.decorators import member_required
from congvan.workflow import actions as wf


@admin_required
def keys_view(request: HttpRequest, acting: Acting) -> HttpResponse:
    """The signing keys of the people and units the admin manages; register one."""
    if request.method == "POST":
        post = request.POST.copy()
        source = post.get("pin_source", "") if post.get("kind") != KeyKind.AGENT else ""
        post["pin_ask"] = "1" if source == "ask" else ""
        if source != "env":
            post["pin_env"] = ""
        if source != "file":
            post["pin_file"] = ""
        key = sig.do_register_signing_key(sig.key_request(post, request.FILES), actor=acting)
        messages.success(request, _("Đã đăng ký khóa ký của %(owner)s.") % {"owner": key.subject})
        return redirect("web:admin_keys")
    context = {
        "section": "keys",
        "keys": sig.visible_keys(acting).filter(active=True).select_related("user", "unit").order_by("owner"),
        "people": people_administered(acting).filter(is_active=True).order_by("username")[:1000],
        "units": administered_units(acting).filter(active=True).order_by("path")[:1000],
        "kinds": KeyKind.choices,
    }
    return render(request, "web/admin/keys.html", context)


@require_POST
@admin_required
def key_retire(request: HttpRequest, acting: Acting, key_id: int) -> HttpResponse:
    key = sig.do_retire_signing_key(key_id, actor=acting)
    messages.success(request, _("Đã ngừng dùng khóa ký %(serial)s.") % {"serial": key.serial})
    return redirect("web:admin_keys")


def signing_context(acting: Acting, doc: Document) -> dict[str, Any]:
    """What the document page offers the leader and the clerk for signing."""
    return {
        "leader_key": key_choice(f"user:{acting.user.username}"),
        "unit_key": key_choice(f"unit:{acting.unit.code}"),
        "agent_url": settings.SIGNER_AGENT_URL,
    }


@require_POST
@member_required
def prepare_signature(request: HttpRequest, acting: Acting, document_id: int) -> HttpResponse:
    """The page's first step of a signature on the leader's own token (JSON for the page's script)."""
    try:
        cert = base64.b64decode(request.POST.get("certificate", ""), validate=True)
        prepared = wf.do_prepare_approval_signature(document_id, certificate=cert, actor=acting)
    except (ValueError, CongvanError) as exc:
        message = exc.message if isinstance(exc, CongvanError) else _("Chứng thư số không hợp lệ")
        return JsonResponse({"error": message}, status=getattr(exc, "status", 400))
    return JsonResponse(prepared.payload())
