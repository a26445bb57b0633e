"""edXML status codes and what congvan does with each.

DOMAIN.md: 01-06 are a recipient's progress (arrived, refused, registered, assigned, in progress,
completed); 13-16 are about recalls and updates, and sources disagree on them. The default follows
VNPT's SDK samples: 13 is sent by a document's issuer to its recipients ("Văn thư yêu cầu lấy lại văn
bản": a recall request), 14 by the issuer too (an update request), 15 and 16 by a recipient (agreed to
the update or recall / refused it). ``CONGVAN_EDXML_STATUS_CODES`` changes any code
("14=ignored,17=recall_requested").

Meanings: about a document this server sent, a delivery state (``arrived`` ... ``completed``),
``request_agreed`` (a recall agreed when the document was recalled, else an update taken) and
``request_refused``; about a document this server received, ``recall_requested`` (the receipt is
recalled, as by a revocation message) and ``update_requested`` (recorded; the update itself comes as a
document message); and ``ignored``.
"""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.utils.translation import gettext as _

from congvan.dispatch.models import DeliveryState

RECALL_REQUESTED = "recall_requested"
UPDATE_REQUESTED = "update_requested"
FROM_ISSUER = {RECALL_REQUESTED, UPDATE_REQUESTED}  # about a document this server received
REQUEST_AGREED = "request_agreed"
REQUEST_REFUSED = "request_refused"
IGNORED = "ignored"
MEANINGS = {*DeliveryState.values, *FROM_ISSUER, REQUEST_AGREED, REQUEST_REFUSED, IGNORED}

DEFAULT = {
    "01": DeliveryState.ARRIVED.value,
    "02": DeliveryState.RETURNED.value,
    "03": DeliveryState.REGISTERED.value,
    "04": DeliveryState.DIRECTED.value,
    "05": DeliveryState.IN_PROGRESS.value,
    "06": DeliveryState.COMPLETED.value,
    "13": RECALL_REQUESTED,
    "14": UPDATE_REQUESTED,
    "15": REQUEST_AGREED,
    "16": REQUEST_REFUSED,
}


def table() -> dict[str, str]:
    """The codes in force: the defaults with the configured changes."""
    out = dict(DEFAULT)
    for item in settings.EDXML_STATUS_CODES:
        code, sep, meaning = item.partition("=")
        code, meaning = code.strip(), meaning.strip()
        if not sep or not code.isdigit() or meaning not in MEANINGS:
            raise ImproperlyConfigured(
                f"CONGVAN_EDXML_STATUS_CODES: {item!r} is not CODE=MEANING with one of {sorted(MEANINGS)}"
            )
        out[code.zfill(2)] = meaning
    return out


def meaning(code: str) -> str:
    """What a status code means here ("" for a code nobody configured)."""
    return table().get(code.zfill(2) if code.isdigit() else code, "")


def answer_note(what: str, *, recalled: bool) -> str:
    """The history line of an answer that changes no state, when the peer wrote no description."""
    if what == REQUEST_REFUSED:
        return _("Nơi nhận từ chối thu hồi") if recalled else _("Nơi nhận từ chối cập nhật")
    return _("Nơi nhận đã cập nhật theo yêu cầu")
