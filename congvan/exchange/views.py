"""``/exchange/v1/``: the node-to-node endpoints (messages in, the unit directory out)."""

from __future__ import annotations

import base64
import json

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_GET, require_POST

from congvan.documents.uploads import BlobUpload, HeldPart
from congvan.exchange import nodesig
from congvan.exchange.inbound import Incoming, receive, receive_batch, signed
from congvan.exchange.models import Peer
from congvan.exchange.peers import directory
from congvan.lib.errors import CongvanError

XML = "application/xml; charset=utf-8"
MAX_XML = 200 * 1024 * 1024  # the national format may carry its files inside the XML
STRANGER_MAX_BYTES = 1024 * 1024  # what a node that is not a configured peer may post


def _error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse(
        {"error": {"code": code, "message": message}},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def _refuse_early(request: HttpRequest) -> HttpResponse | None:
    """What is decided before a byte of the body is read, then whether the body came whole."""
    try:
        nodesig.identity()
    except CongvanError as exc:
        return _error(503, exc.code, exc.message)
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > 2 * settings.EXCHANGE_MAX_BYTES:
        return _error(413, "too_large", _("Thông điệp quá lớn"))
    if not (request.content_type or "").startswith("multipart/form-data"):
        return _error(400, "malformed", _("Cần multipart/form-data: 'message' rồi các tệp"))
    node = request.headers.get("X-Congvan-Node", "")[:32]
    if length > STRANGER_MAX_BYTES and not Peer.objects.filter(code=node, active=True).exists():
        # Decided before a byte of the body is read: a stranger's large post costs neither memory nor
        # disk. A small one is read and answered with a signed refusal (02), as the national format asks.
        return _error(403, "unknown_node", _("Máy chủ %(node)s không có trong danh sách") % {"node": node})
    files = request.FILES
    stream = getattr(request, "_stream", None)
    if stream is not None and getattr(stream, "_pos", 0) < getattr(stream, "limit", 0):
        # The sender went away mid-body: nothing is recorded, so its retry is taken as new.
        for f in files.values():
            if isinstance(f, BlobUpload):
                f.close()
        return _error(400, "incomplete", _("Thông điệp không trọn vẹn"))
    return None


def _read_xml(part: object) -> bytes | None:
    """A message part's XML (the part is dropped), or None when it is missing or too large."""
    if isinstance(part, HeldPart):  # a small part, kept in memory as it came
        return part.data
    if not isinstance(part, BlobUpload):
        return None
    if (part.size or 0) > MAX_XML:
        part.close()
        return None
    with open(part.temp, "rb") as fh:
        xml = fh.read()
    part.close()
    return xml


@csrf_exempt
@require_POST
def messages(request: HttpRequest) -> HttpResponse:
    """Take one signed message (multipart: ``message`` then the files by content id)."""
    refused = _refuse_early(request)
    if refused is not None:
        return refused
    files = request.FILES
    xml = _read_xml(files.get("message"))
    if xml is None:
        return _error(400, "malformed", _("Thiếu phần 'message' (edXML)"))
    incoming = Incoming(
        node=request.headers.get("X-Congvan-Node", "")[:32],
        xml=xml,
        files={k: f for k, f in files.items() if k != "message" and isinstance(f, BlobUpload)},
        too_large=bool(getattr(request, "congvan_too_large", [])),
    )
    return HttpResponse(signed(receive(incoming)), content_type=XML)


MAX_BATCH = 100


@csrf_exempt
@require_POST
def batch(request: HttpRequest) -> HttpResponse:
    """Take several signed messages of one peer (multipart: ``message-0``, ``message-1``... then each
    file once, ``blob-<sha256>``); answer ``{"answers": [...]}``, each message's answer (base64) in
    order, each message taken as if posted alone. A sender that says ``X-Congvan-Answers:
    signed-together`` gets the answers unsigned and one signature over them all (``"signature"``,
    ``nodesig.sign_answers``); any other, each answer signed on its own."""
    refused = _refuse_early(request)
    if refused is not None:
        return refused
    files = request.FILES
    shared = {}
    for name, f in files.items():
        if name.startswith("blob-") and isinstance(f, BlobUpload):
            if f.sha256 == name[5:]:
                shared[f.sha256] = f
            else:
                f.close()  # not the content its name says: the messages that list it are retried
    found = [_read_xml(files.get(f"message-{i}")) for i in range(MAX_BATCH + 1) if f"message-{i}" in files]
    if not found or len(found) > MAX_BATCH or any(xml is None for xml in found):
        for f in shared.values():
            f.close()
        return _error(400, "malformed", _("Cần từ 1 đến %(n)s phần 'message-N' (edXML)") % {"n": MAX_BATCH})
    node = request.headers.get("X-Congvan-Node", "")[:32]
    answers = receive_batch(
        node,
        [x for x in found if x is not None],
        shared,
        too_large=bool(getattr(request, "congvan_too_large", [])),
    )
    if request.headers.get("X-Congvan-Answers") == "signed-together":
        signature = nodesig.sign_answers(answers)
        return JsonResponse(
            {"answers": [base64.b64encode(a).decode() for a in answers], "signature": signature}
        )
    return JsonResponse({"answers": [base64.b64encode(signed(a)).decode() for a in answers]})


@csrf_exempt
@require_POST
def echo(request: HttpRequest) -> HttpResponse:
    """Read a body and say how long it was: measures the link to a peer (``congvan exchange``
    benchmarks compare the exchange with plain POSTs of the same bytes). Nothing is kept."""
    length = int(request.META.get("CONTENT_LENGTH") or 0)
    if length > 2 * settings.EXCHANGE_MAX_BYTES:
        return _error(413, "too_large", _("Quá lớn"))
    n = 0
    while chunk := request.read(256 * 1024):
        n += len(chunk)
    return JsonResponse({"bytes": n})


@require_GET
def units(request: HttpRequest) -> HttpResponse:
    """The units this node hosts or relays for, signed by the node (``X-Congvan-Signature``)."""
    try:
        me = nodesig.identity()
    except CongvanError as exc:
        return _error(503, exc.code, exc.message)
    body = json.dumps({"node": me.code, "units": directory()}, ensure_ascii=False).encode()
    response = HttpResponse(body, content_type="application/json; charset=utf-8")
    response["X-Congvan-Signature"] = nodesig.sign_bytes(body, me)
    return response
