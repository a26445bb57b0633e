"""REST endpoints of an office's own set-up: committee terms, numbering rules, registers; one's profile."""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.http import HttpRequest
from ninja import Schema, Status

from congvan.api import serialize
from congvan.api.base import acting, api
from congvan.api.incoming_schemas import Strict
from congvan.api.schemas import ErrorOut, MeOut
from congvan.api.types import Day
from congvan.orgs.access import access_unit_setup, usable_groups
from congvan.orgs.actions import (
    do_change_own_password,
    do_create_group,
    do_deactivate_unit,
    do_delete_group,
    do_dissolve_unit,
    do_move_unit,
    do_revoke_own_token,
    do_update_group,
    do_update_own_profile,
    do_update_unit,
    own_tokens,
    token_hash,
)
from congvan.orgs.models import Unit, UnitGroup, User
from congvan.registers.actions import do_create_term, do_set_rule_set, rule_set_of
from congvan.registers.models import CommitteeTerm, Register
from congvan.workflow import actions as wf

ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}


class TermIn(Strict):
    name: str
    starts_on: Day
    ends_on: Day | None = None


class TermOut(Schema):
    id: int
    name: str
    starts_on: dt.date
    ends_on: dt.date | None


class TermsOut(Schema):
    results: list[TermOut]


class NumberingIn(Strict):
    rule_set: Literal["party", "state"]


class NumberingOut(Schema):
    unit: str
    rule_set: str


class RegisterOut(Schema):
    id: int
    direction: str
    scope: str
    label: str
    last_number: int


class RegistersOut(Schema):
    results: list[RegisterOut]


class PasswordIn(Strict):
    old: str
    new: str


class ChangedOut(Schema):
    changed: bool


class ProfileIn(Strict):
    full_name: str | None = None
    email: str | None = None
    phone: str | None = None
    email_notices: bool | None = None  # notices by e-mail too (they are always in the pages)


def _term_out(t: CommitteeTerm) -> dict[str, Any]:
    return {"id": t.pk, "name": t.name, "starts_on": t.starts_on, "ends_on": t.ends_on}


@api.get("/units/{code}/terms", response={200: TermsOut, **ERRORS}, tags=["units"])
def list_terms(request: HttpRequest, code: str) -> Any:
    """The unit's committee terms (nhiệm kỳ), newest first."""
    unit = access_unit_setup(acting(request), code)
    return {"results": [_term_out(t) for t in CommitteeTerm.objects.filter(unit=unit)]}


@api.post("/units/{code}/terms", response={201: TermOut, **ERRORS}, tags=["units"])
def create_term(request: HttpRequest, code: str, body: TermIn) -> Any:
    """Declare a term (admins of the unit's subtree); the open current term ends the day before."""
    term = do_create_term(
        unit_code=code, name=body.name, starts_on=body.starts_on, ends_on=body.ends_on, actor=acting(request)
    )
    return Status(201, _term_out(term))


@api.get("/units/{code}/numbering", response={200: NumberingOut, **ERRORS}, tags=["units"])
def get_numbering(request: HttpRequest, code: str) -> Any:
    unit = access_unit_setup(acting(request), code)
    return {"unit": unit.code, "rule_set": rule_set_of(unit)}


@api.put("/units/{code}/numbering", response={200: NumberingOut, **ERRORS}, tags=["units"])
def set_numbering(request: HttpRequest, code: str, body: NumberingIn) -> Any:
    """Party (36-HD/VPTW: per type, per term) or State (Decree 30: one sequence a year) numbering."""
    rule = do_set_rule_set(unit_code=code, rule_set=body.rule_set, actor=acting(request))
    return {"unit": code, "rule_set": rule.rule_set}


@api.get("/units/{code}/registers", response={200: RegistersOut, **ERRORS}, tags=["units"])
def list_registers(request: HttpRequest, code: str) -> Any:
    """The unit's registers (sổ) and the last number each issued."""
    unit = access_unit_setup(acting(request), code)
    rows = Register.objects.filter(unit=unit).order_by("direction", "-id")[:500]
    return {
        "results": [
            {
                "id": r.pk,
                "direction": r.direction,
                "scope": r.scope,
                "label": r.label,
                "last_number": r.last_number,
            }
            for r in rows
        ]
    }


@api.post("/me/password", response={200: ChangedOut, **ERRORS}, tags=["auth"])
def change_password(request: HttpRequest, body: PasswordIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    do_change_own_password(old=body.old, new=body.new, actor=user)
    return {"changed": True}


class TokenRow(Schema):
    id: int
    created_at: dt.datetime
    expires_at: dt.datetime
    current: bool


class TokensOut(Schema):
    results: list[TokenRow]


class RevokedOut(Schema):
    revoked: int


@api.get("/me/tokens", response={200: TokensOut, **ERRORS}, tags=["auth"])
def list_own_tokens(request: HttpRequest) -> Any:
    """The person's bearer tokens in force (``current``: the one of this request)."""
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    raw = request.headers.get("Authorization", "").removeprefix("Bearer ").strip()
    here = token_hash(raw)
    rows = [
        {"id": t.pk, "created_at": t.created_at, "expires_at": t.expires_at, "current": t.key_hash == here}
        for t in own_tokens(user)
    ]
    return {"results": rows}


@api.delete("/me/tokens/{token_id}", response={200: RevokedOut, **ERRORS}, tags=["auth"])
def revoke_own_token(request: HttpRequest, token_id: int) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    do_revoke_own_token(token_id, actor=user)
    return {"revoked": 1}


@api.patch("/me", response={200: MeOut, **ERRORS}, tags=["auth"])
def update_me(request: HttpRequest, body: ProfileIn) -> Any:
    user = request.auth  # type: ignore[attr-defined]
    assert isinstance(user, User)
    do_update_own_profile(
        full_name=body.full_name,
        email=body.email,
        phone=body.phone,
        email_notices=body.email_notices,
        actor=user,
    )
    return serialize.me_out(user)


class UnitChangeIn(Strict):
    name: str | None = None
    abbreviation: str | None = None
    place: str | None = None
    kind: Literal["province", "district", "board", "grassroots", "agency"] | None = None


class MoveIn(Strict):
    parent: str


class UnitDetailOut(Schema):
    code: str
    name: str
    abbreviation: str
    kind: str
    sector: str
    parent: str | None
    place: str
    active: bool
    children: list[str]
    successor: str | None


class MergeIn(Strict):
    into: str
    people: Literal["end", "move"] = "end"


class MergeOut(Schema):
    unit: UnitDetailOut
    successor: str
    children_moved: list[str]
    people_moved: list[str]
    people_ended: list[str]
    receipts_moved: int
    receipts_kept: int
    assignments_moved: int


def _unit_detail(u: Unit) -> dict[str, Any]:
    children = Unit.objects.filter(parent=u).order_by("code").values_list("code", flat=True)[:1000]
    successor = u.successor.code if u.successor_id is not None and u.successor else None
    return serialize.unit_out(u) | {
        "place": u.place,
        "active": u.active,
        "children": list(children),
        "successor": successor,
    }


@api.get("/units/{code}", response={200: UnitDetailOut, **ERRORS}, tags=["units"])
def get_unit(request: HttpRequest, code: str) -> Any:
    return _unit_detail(access_unit_setup(acting(request), code))


@api.patch("/units/{code}", response={200: UnitDetailOut, **ERRORS}, tags=["units"])
def update_unit(request: HttpRequest, code: str, body: UnitChangeIn) -> Any:
    unit = do_update_unit(
        code,
        name=body.name,
        abbreviation=body.abbreviation,
        place=body.place,
        kind=body.kind,
        actor=acting(request),
    )
    return _unit_detail(unit)


@api.post("/units/{code}/deactivate", response={200: UnitDetailOut, **ERRORS}, tags=["units"])
def deactivate_unit(request: HttpRequest, code: str) -> Any:
    return _unit_detail(do_deactivate_unit(code, actor=acting(request)))


@api.post("/units/{code}/move", response={200: UnitDetailOut, **ERRORS}, tags=["units"])
def move_unit(request: HttpRequest, code: str, body: MoveIn) -> Any:
    """Move the unit, and all below it, under another parent (both in the admin's scope)."""
    return _unit_detail(do_move_unit(code, parent=body.parent, actor=acting(request)))


@api.post("/units/{code}/merge", response={200: MergeOut, **ERRORS}, tags=["units"])
def merge_unit(request: HttpRequest, code: str, body: MergeIn) -> Any:
    """Merge the unit into a successor (``into``): it closes, its open receipts and assignments move
    to the successor, documents later addressed to it go to the successor, its people's roles end or
    move (``people``); its history stays readable by the successor."""
    done = wf.do_merge_unit(code, into=body.into, move_people=body.people == "move", actor=acting(request))
    m = done.merged
    return {
        "unit": _unit_detail(m.unit),
        "successor": m.successor.code,
        "children_moved": m.children,
        "people_moved": m.people_moved,
        "people_ended": m.people_ended,
        "receipts_moved": done.receipts_moved,
        "receipts_kept": done.receipts_kept,
        "assignments_moved": done.assignments_moved,
    }


class GroupIn(Strict):
    name: str
    units: list[str]
    shared: bool = False


class GroupChangeIn(Strict):
    name: str | None = None
    units: list[str] | None = None
    shared: bool | None = None


class GroupOut(Schema):
    id: int
    slug: str
    name: str
    units: list[str]
    owner: str
    shared: bool


class GroupsOut(Schema):
    results: list[GroupOut]


def _group_out(g: UnitGroup) -> dict[str, Any]:
    units = sorted(u.code for u in g.members.all())
    return {
        "id": g.pk,
        "slug": g.slug,
        "name": g.name,
        "units": units,
        "owner": g.owner.code,
        "shared": g.shared,
    }


@api.get("/groups", response={200: GroupsOut, **ERRORS}, tags=["units"])
def list_groups(request: HttpRequest) -> Any:
    """The recipient groups the acting unit may use (named in a release as ``groups`` by their slug):
    its own, and those shared by the units above it (``owner`` tells which; only the owner changes one)."""
    rows = usable_groups(acting(request)).select_related("owner").prefetch_related("members")
    rows = rows.order_by("owner__path", "name")[:500]
    return {"results": [_group_out(g) for g in rows]}


@api.post("/groups", response={201: GroupOut, **ERRORS}, tags=["units"])
def create_group(request: HttpRequest, body: GroupIn) -> Any:
    who = acting(request)
    group = do_create_group(
        owner=who.unit, name=body.name, member_codes=body.units, shared=body.shared, actor=who
    )
    return Status(201, _group_out(group))


@api.patch("/groups/{group_id}", response={200: GroupOut, **ERRORS}, tags=["units"])
def update_group(request: HttpRequest, group_id: int, body: GroupChangeIn) -> Any:
    group = do_update_group(
        group_id, name=body.name, member_codes=body.units, shared=body.shared, actor=acting(request)
    )
    return _group_out(group)


@api.delete("/groups/{group_id}", response={204: None, **ERRORS}, tags=["units"])
def delete_group(request: HttpRequest, group_id: int) -> Any:
    do_delete_group(group_id, actor=acting(request))
    return Status(204, None)


@api.post("/units/{code}/dissolve", response={200: UnitDetailOut, **ERRORS}, tags=["units"])
def dissolve_unit(request: HttpRequest, code: str) -> Any:
    """Remove a level: the units below move to this unit's parent, then it is closed."""
    return _unit_detail(do_dissolve_unit(code, actor=acting(request)))
