"""The API object: bearer authentication, the acting membership, and errors as JSON."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Any

from django.core.exceptions import RequestDataTooBig, SuspiciousOperation
from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.http.multipartparser import MultiPartParserError
from django.utils.translation import gettext as _
from ninja import NinjaAPI
from ninja.errors import AuthenticationError, HttpError, ValidationError
from ninja.parser import Parser
from ninja.security import HttpBearer

from congvan.lib.errors import CongvanError, InvalidInput, TooLarge
from congvan.lib.http import refuse_replaced_text
from congvan.orgs.access import Acting, acting_as
from congvan.orgs.actions import user_for_token
from congvan.orgs.models import User

log = logging.getLogger(__name__)


class BearerAuth(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str) -> User | None:
        return user_for_token(token)


def error(status: int, code: str, message: str) -> JsonResponse:
    return JsonResponse(
        {"error": {"code": code, "message": message}},
        status=status,
        json_dumps_params={"ensure_ascii": False},
    )


def loads_strict(data: bytes | str) -> Any:
    """JSON as the API accepts it: UTF-8 only (invalid bytes are refused, never replaced), no lone
    surrogate in a string (it cannot be stored), nesting within Python's limits. Raises InvalidInput."""
    import json

    try:
        text = data.decode("utf-8") if isinstance(data, bytes) else data
    except UnicodeDecodeError:
        raise InvalidInput(_("Dữ liệu không phải UTF-8"), code="bad_encoding") from None
    try:
        value = json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            _("JSON hỏng (%(msg)s, dòng %(lineno)s)") % {"msg": exc.msg, "lineno": exc.lineno},
            code="malformed_json",
        ) from None
    except RecursionError:
        raise InvalidInput(_("JSON lồng quá sâu"), code="malformed_json") from None
    except ValueError:  # e.g. an integer of thousands of digits
        raise InvalidInput(_("JSON có số quá dài"), code="malformed_json") from None
    stack = [value]
    while stack:  # every string must be encodable (a lone "\ud800" is not)
        item = stack.pop()
        if isinstance(item, str):
            try:
                item.encode("utf-8")
            except UnicodeEncodeError:
                raise InvalidInput(_("Chuỗi có ký tự không hợp lệ"), code="bad_encoding") from None
        elif isinstance(item, dict):
            stack.extend(item.keys())
            stack.extend(item.values())
        elif isinstance(item, list):
            stack.extend(item)
    return value


class StrictJsonParser(Parser):
    """The request bodies' JSON, read by ``loads_strict``."""

    def parse_body(self, request: HttpRequest) -> Any:
        return loads_strict(request.body)


api = NinjaAPI(
    title="congvan API",
    version="1",
    description="Văn bản đi, văn bản đến / outgoing and incoming official documents.",
    docs_url=None,  # the hosted Swagger page would load assets from outside the server
    openapi_url="/openapi.json",
    urls_namespace="api",
    auth=BearerAuth(),
    parser=StrictJsonParser(),
)


@api.exception_handler(CongvanError)
def _congvan_error(request: HttpRequest, exc: CongvanError) -> HttpResponse:
    response = error(exc.status, exc.code, exc.message)
    retry_after = getattr(exc, "retry_after", None)
    if retry_after:
        response["Retry-After"] = str(retry_after)
    return response


@api.exception_handler(ValidationError)
def _validation_error(request: HttpRequest, exc: ValidationError) -> HttpResponse:
    return error(400, "invalid", _("Dữ liệu không hợp lệ: ") + validation_summary(exc.errors, skip=1))


def validation_summary(errors: Sequence[Any], *, skip: int = 0) -> str:
    """The first few validation errors as "field: problem" (``skip``: leading parts of the location
    that name the request part, not the field)."""
    parts = []
    for e in list(errors)[:5]:
        loc = ".".join(str(p) for p in e.get("loc", ())[skip:]) or "body"
        parts.append(f"{loc}: {e.get('msg', 'invalid')}")
    return "; ".join(parts)


@api.exception_handler(AuthenticationError)
def _auth_error(request: HttpRequest, exc: AuthenticationError) -> HttpResponse:
    return error(401, "unauthorized", _("Cần đăng nhập (Authorization: Bearer)"))


@api.exception_handler(HttpError)
def _http_error(request: HttpRequest, exc: HttpError) -> HttpResponse:
    cause = exc.__cause__
    if isinstance(cause, CongvanError):  # the body parser's own refusal, wrapped by django-ninja
        return error(cause.status, cause.code, cause.message)
    if exc.status_code == 400:
        return error(400, "bad_request", _("Yêu cầu không hợp lệ"))
    return error(exc.status_code, "http_error", str(exc))


@api.exception_handler(Http404)
def _not_found(request: HttpRequest, exc: Http404) -> HttpResponse:
    return error(404, "not_found", _("Không tìm thấy"))


@api.exception_handler(MultiPartParserError)
def _bad_multipart(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error(400, "bad_multipart", _("Dữ liệu multipart hỏng"))


@api.exception_handler(RequestDataTooBig)
def _too_big(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error(413, "too_large", _("Yêu cầu quá lớn"))


@api.exception_handler(SuspiciousOperation)
def _suspicious(request: HttpRequest, exc: Exception) -> HttpResponse:
    return error(400, "bad_request", _("Yêu cầu không hợp lệ"))


def acting(request: HttpRequest) -> Acting:
    """Return the membership the request acts as (header X-Congvan-Unit picks among several)."""
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    return acting_as(user, request.headers.get("X-Congvan-Unit") or None)


def check_uploads(request: HttpRequest) -> None:
    """Refuse a request in which an upload was cut off for being over the size limit."""
    try:
        request.FILES  # noqa: B018 - parses the body through the streaming handler
    except MultiPartParserError as exc:
        raise InvalidInput(_("Dữ liệu multipart hỏng"), code="bad_multipart") from exc
    refuse_replaced_text(request.POST)
    too_large: list[str] = getattr(request, "congvan_too_large", [])
    if too_large:
        from django.conf import settings

        mb = settings.MAX_UPLOAD_BYTES // (1024 * 1024)
        raise TooLarge(
            (_("Tệp %(value)s vượt quá %(mb)s MB") % {"value": f"{too_large[0]!r}", "mb": mb}),
            code="file_too_large",
        )


def parse_json_field(text: Any, field: str) -> Any:

    if not isinstance(text, str) or not text.strip():
        raise InvalidInput((_("%(field)s: cần JSON") % {"field": field}), code="missing_field")
    try:
        return loads_strict(text)
    except InvalidInput as exc:
        raise InvalidInput(f"{field}: {exc.message}", code=exc.code) from None


def json_object(request: HttpRequest) -> dict[str, Any]:
    """The request body as a JSON object (empty body: {}), or a clear refusal."""

    body = loads_strict(request.body or b"{}")
    if not isinstance(body, dict):
        raise InvalidInput(_("Cần một đối tượng JSON"))
    return body
