"""Typed bodies and answers of the incoming-work endpoints (the OpenAPI document describes each)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any, Literal

from ninja import Schema
from pydantic import ConfigDict, Field, StrictBool, StrictInt

from congvan.api.types import Day


class Strict(Schema):
    """A body whose unknown fields are refused (a typo is an error, not silently ignored)."""

    model_config = ConfigDict(extra="forbid")


class AssignmentIn(Strict):
    assignee: str | None = None
    unit: str | None = None
    role: Literal["lead", "support", "fyi"]
    deadline: Day | None = None


class DirectIn(Strict):
    direction: str = ""
    assignments: list[AssignmentIn]


class DocumentRef(Schema):
    id: int
    symbol: str
    subject: str


class AssignmentOut(Schema):
    id: int
    receipt: int
    document: DocumentRef
    role: str
    state: str
    deadline: dt.date
    overdue: bool
    assignee: str | None
    unit: str | None
    parent: int | None
    assigned_by: str
    created_at: dt.datetime
    completed_at: dt.datetime | None
    result: str
    reply_document: int | None


class AssignmentsOut(Schema):
    assignments: list[AssignmentOut]


class DirectionOut(Schema):
    text: str
    by: str
    at: dt.datetime


class ProcessingOut(Schema):
    receipt: int
    state: str
    directions: list[DirectionOut]
    assignments: list[AssignmentOut]


class NoteFileOut(Schema):
    name: str
    sha256: str
    size: int


class NoteOut(Schema):
    id: int
    by: str
    at: dt.datetime
    text: str
    files: list[NoteFileOut]


class ExtensionOut(Schema):
    id: int
    until: dt.date
    reason: str
    state: str


class AssignmentDetailOut(AssignmentOut):
    notes: list[NoteOut]
    extensions: list[ExtensionOut]


class ReassignIn(Strict):
    assignee: str
    deadline: Day | None = None


class CompleteIn(Strict):
    result: str
    reply_document: int | None = None


class ExtendIn(Strict):
    until: Day
    reason: str


class DecideIn(Strict):
    approve: bool


class ReasonIn(Strict):
    reason: str


class ProgressOut(Schema):
    id: int
    at: dt.datetime
    files: int


class ExtensionStateOut(Schema):
    id: int
    until: dt.date
    state: str


class PersonOverdue(Schema):
    username: str
    full_name: str
    overdue: int


class UnitOverdue(Schema):
    unit: str
    name: str
    overdue: int


class UnitFiguresOut(Schema):
    unit: str
    name: str
    receipts_by_state: dict[str, int]
    overdue: int


class OversightOut(Schema):
    unit: str
    receipts_by_state: dict[str, int]
    overdue_by_person: list[PersonOverdue]
    overdue_by_unit: list[UnitOverdue]
    below: list[UnitFiguresOut]


class AboutOut(Schema):
    type: str
    id: int | None


class NoticeOut(Schema):
    id: int
    kind: str
    text: str
    link: str
    about: AboutOut | None
    created_at: dt.datetime
    read: bool


class NoticesOut(Schema):
    unread: int
    results: list[NoticeOut]


class ReadIn(Strict):
    ids: list[Annotated[int, Field(ge=1, le=2**63 - 1)]] = []
    all: bool = False


class MarkedOut(Schema):
    marked: int


class DossierIn(Strict):
    code: str
    title: str
    retention: str = "10"


class DossierDocIn(Strict):
    document: int


class DossierOut(Schema):
    id: int
    code: str
    title: str
    retention: str
    closed: bool
    documents: list[DocumentRef]


class DossierRow(Schema):
    id: int
    code: str
    title: str
    closed: bool


class DossiersOut(Schema):
    results: list[DossierRow]


class HolidayIn(Strict):
    day: Day
    name: str


class HolidayOut(Schema):
    day: dt.date
    name: str


class HolidaysOut(Schema):
    results: list[HolidayOut]


class UnitSettingsIn(Strict):
    clerk_may_route: StrictBool | None = None
    days_normal: StrictInt | None = None
    days_urgent: StrictInt | None = None
    days_very_urgent: StrictInt | None = None
    days_flash: StrictInt | None = None


class UnitSettingsOut(Schema):
    clerk_may_route: bool
    days_normal: int
    days_urgent: int
    days_very_urgent: int
    days_flash: int


class PolicyIn(Strict):
    on_invalid: Literal["accept", "flag", "refuse"]
    on_unsigned: Literal["accept", "flag", "refuse"]


class PolicyOut(Schema):
    unit: str
    on_invalid: str
    on_unsigned: str


class HitOut(Schema):
    id: int
    symbol: str
    subject: str
    type: str
    issuer: str
    issued_date: dt.date | None
    state: str
    snippet: str


class SearchOut(Schema):
    count: int
    results: list[HitOut]


class IntakeCreatedOut(Schema):
    id: int
    state: str


class IntakeOut(Schema):
    id: int
    state: str
    progress: int
    reason: str
    kind: str
    pages: int | None
    suggested: dict[str, Any] | None
    document: int | None
    rendition: str | None


class PaperFieldsIn(Strict):
    """Corrections to what was read from a paper arrival: the issuer, its number, symbol and date..."""

    type: str | None = None
    subject: str | None = None
    signer_name: str | None = None
    signer_position: str | None = None
    signer_competence: str | None = None
    urgency: Literal["normal", "urgent", "very_urgent", "flash"] | None = None
    issuer: str | None = None
    number: int | None = None
    symbol: str | None = None
    date: Day | None = None
    place: str | None = None


class DraftCreatedOut(Schema):
    id: int
    state: str
    subject: str


class PaperRegisteredOut(Schema):
    receipt: int
    document: int
    incoming_number: int | None
    state: str
