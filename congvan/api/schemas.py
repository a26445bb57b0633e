"""Request and response shapes of the REST API (they make the OpenAPI document)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field, StrictInt, StrictStr

from congvan.api.types import Day


class ErrorBody(Schema):
    code: str
    message: str


class ErrorOut(Schema):
    error: ErrorBody


class TokenIn(Schema):
    username: str
    password: str
    new_password: str = ""  # required once after an administrator's reset (a temporary password)
    code: str = ""  # the authenticator's code (or a recovery code) of a person with two-factor sign-in


class TokenOut(Schema):
    token: str


class MembershipRef(Schema):
    unit: str
    unit_name: str
    role: str
    title: str


class MeOut(Schema):
    username: str
    full_name: str
    email: str = ""
    phone: str = ""
    email_notices: bool = True
    memberships: list[MembershipRef]


class UnitIn(Schema):
    code: str
    name: str
    abbreviation: str
    kind: str = ""
    sector: str = ""
    parent: str | None = None
    place: str = ""


class UnitOut(Schema):
    code: str
    name: str
    abbreviation: str
    kind: str
    sector: str
    parent: str | None


class UnitPage(Schema):
    results: list[UnitOut]
    next: str | None


class UserIn(Schema):
    username: str
    password: str
    full_name: str


class UserOut(Schema):
    username: str
    full_name: str


class MembershipIn(Schema):
    user: str
    unit: str
    role: str
    title: str = ""


class MembershipOut(Schema):
    user: str
    unit: str
    role: str
    title: str


class FileOut(Schema):
    id: int
    name: str
    role: str
    size: int
    mime: str
    sha256: str
    url: str
    signature: dict[str, Any] | None = None


class DeliveryOut(Schema):
    unit: str
    unit_name: str
    state: str
    status_code: str
    changed_at: dt.datetime
    note: str
    transport: str
    transport_note: str


class UnitRef(Schema):
    code: str
    name: str


class DocumentOut(Schema):
    id: int
    state: str
    type: str
    type_name: str
    subject: str
    issuer: UnitRef
    number: int | None
    symbol: str
    issued_date: dt.date | None
    place: str
    signer_name: str
    signer_position: str
    signer_competence: str
    urgency: str
    confidentiality: str
    reply_due: dt.date | None
    description: str
    page_count: int | None
    copies: int | None
    drafting_department: str
    recipients: list[str]
    groups: list[str] = []  # recipient groups planned while drafting (their slugs)
    in_reply_to: int | None = None  # the received document this one answers
    replaces: int | None
    review_comment: str
    created_at: dt.datetime
    released_at: dt.datetime | None
    files: list[FileOut]
    deliveries: list[DeliveryOut]
    # for a document that arrived as edXML: what the message carried beyond these fields, as it came
    received: dict[str, Any] | None = None


class DocumentSummary(Schema):
    id: int
    state: str
    type: str
    subject: str
    symbol: str
    urgency: str
    created_at: dt.datetime
    released_at: dt.datetime | None


class DocumentPage(Schema):
    results: list[DocumentSummary]
    next: str | None


class CommentIn(Schema):
    comment: str


class SubmitIn(Schema):
    note: str = ""


class ReleaseIn(Schema):
    recipients: list[str] | None = None
    groups: list[str] | None = None
    seal: bool | None = None  # true: the unit must sign; false: it does not; omitted: if it has a key
    passphrase: str | None = None  # for a seal key whose passphrase is typed each time (never stored)
    # also sent on paper, and why: personnel, inspection, complaints, finance, other (empty: not)
    paper_copy: str = ""


class ApproveIn(Schema):
    sign: bool | None = None  # true: the leader signs with their key; false: no; omitted: if they have one
    passphrase: str | None = None  # for a key whose passphrase is typed each time (never stored)
    session: str | None = None  # a signature made on the leader's own token: the prepared session
    signature: str | None = None  # and the signature value the agent returned (base64)


class ReleaseOut(Schema):
    id: int
    number: int
    symbol: str
    deliveries: list[DeliveryOut]


class InboxDocument(Schema):
    id: int
    symbol: str
    subject: str
    type: str
    issuer: str
    issuer_name: str
    issued_date: dt.date | None
    urgency: str


class ReceiptOut(Schema):
    id: int
    state: str
    arrived_at: dt.datetime
    incoming_number: int | None
    arrival_date: dt.date | None
    returned_reason: str
    # A unit merged into this one since the document was addressed to it (reorganisation).
    addressed_to: str | None = None
    document: InboxDocument


class InboxPage(Schema):
    results: list[ReceiptOut]
    next: str | None


class RegisterIn(Schema):
    arrival_date: Day | None = None


class RegisterOut(Schema):
    id: int
    incoming_number: int
    state: str
    duplicates: list[ReceiptOut]


class ReturnIn(Schema):
    reason: str


class ReturnedOut(Schema):
    id: int
    state: str
    reason: str


Count = Annotated[StrictInt, Field(gt=0, lt=100000)]


class DocumentMetadataIn(Schema):
    """The metadata of a draft (the ``metadata`` part of the multipart body, or the JSON of a PATCH).

    Types, choices and dates are checked here; what the domain decides (required fields, lengths,
    known types, classification, recipients) is checked by the action."""

    model_config = ConfigDict(extra="forbid")

    type: StrictStr | None = None
    subject: StrictStr | None = None
    signer_name: StrictStr | None = None
    signer_position: StrictStr | None = None
    signer_competence: StrictStr | None = None
    place: StrictStr | None = None
    description: StrictStr | None = None
    drafting_department: StrictStr | None = None
    urgency: Literal["normal", "urgent", "very_urgent", "flash"] | None = None
    confidentiality: StrictStr | None = None
    reply_due: Day | None = None
    page_count: Count | None = None
    copies: Count | None = None
    recipients: list[StrictStr] | None = None
    groups: list[StrictStr] | None = None  # recipient groups (slugs), expanded at release
    replaces: Annotated[StrictInt, Field(gt=0)] | None = None
