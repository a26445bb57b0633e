"""REST endpoints of the people an admin manages: accounts, their lockout, their roles in units."""

from __future__ import annotations

from typing import Any, Literal

from django.http import HttpRequest
from ninja import Schema

from congvan.api.admin import RevokedOut
from congvan.api.base import acting, api
from congvan.api.incoming_schemas import Strict
from congvan.api.schemas import ErrorOut
from congvan.lib.vntext import folded_form
from congvan.orgs.access import access_person_for_admin, memberships_administered, people_administered
from congvan.orgs.actions import (
    do_change_membership,
    do_end_membership,
    do_reset_password,
    do_revoke_tokens,
    do_unlock_person,
    do_update_person,
)
from congvan.orgs.models import Membership, User
from congvan.orgs.throttle import account_blocked

ERRORS: dict[int, type[Schema]] = {400: ErrorOut, 401: ErrorOut, 403: ErrorOut, 404: ErrorOut, 409: ErrorOut}
MAX_PEOPLE = 500


class MembershipRow(Schema):
    id: int
    unit: str
    unit_name: str
    role: str
    title: str
    active: bool


class PersonOut(Schema):
    username: str
    full_name: str
    email: str
    phone: str
    active: bool
    locked: bool
    memberships: list[MembershipRow]


class PeopleOut(Schema):
    results: list[PersonOut]


class PersonIn(Strict):
    full_name: str | None = None
    email: str | None = None
    phone: str | None = None
    active: bool | None = None


class MembershipsOut(Schema):
    results: list[MembershipRow]


class MembershipChangeIn(Strict):
    role: Literal["clerk", "leader", "specialist", "admin", "auditor"] | None = None
    title: str | None = None


def _membership_row(m: Membership) -> dict[str, Any]:
    return {
        "id": m.pk,
        "unit": m.unit.code,
        "unit_name": m.unit.name,
        "role": m.role,
        "title": m.title,
        "active": m.active,
    }


def _person_out(u: User) -> dict[str, Any]:
    from django.utils import timezone

    return {
        "username": u.username,
        "full_name": u.full_name,
        "email": u.email,
        "phone": u.phone,
        "active": u.is_active,
        "locked": account_blocked(u.username, timezone.now()),
        "memberships": [_membership_row(m) for m in u.memberships.select_related("unit").order_by("id")],
    }


@api.get("/users", response={200: PeopleOut, **ERRORS}, tags=["units"])
def list_people(request: HttpRequest, q: str = "") -> Any:
    """The people an admin manages; ``q`` matches the name or username, with or without diacritics."""
    rows = people_administered(acting(request)).order_by("username")[: MAX_PEOPLE * 4]
    wanted = folded_form(q[:100]) if q.strip() else ""
    found = [u for u in rows if not wanted or wanted in folded_form(f"{u.username} {u.full_name}")]
    return {"results": [_person_out(u) for u in found[:MAX_PEOPLE]]}


@api.get("/users/{username}", response={200: PersonOut, **ERRORS}, tags=["units"])
def get_person(request: HttpRequest, username: str) -> Any:
    return _person_out(access_person_for_admin(acting(request), username))


@api.patch("/users/{username}", response={200: PersonOut, **ERRORS}, tags=["units"])
def update_person(request: HttpRequest, username: str, body: PersonIn) -> Any:
    """Change the name, the notice address, or deactivate (``active: false``) and reactivate."""
    user = do_update_person(
        username,
        full_name=body.full_name,
        email=body.email,
        phone=body.phone,
        active=body.active,
        actor=acting(request),
    )
    return _person_out(user)


@api.post("/users/{username}/unlock", response={200: PersonOut, **ERRORS}, tags=["units"])
def unlock_person(request: HttpRequest, username: str) -> Any:
    return _person_out(do_unlock_person(username, actor=acting(request)))


@api.post("/users/{username}/tokens/revoke", response={200: RevokedOut, **ERRORS}, tags=["units"])
def revoke_tokens(request: HttpRequest, username: str) -> Any:
    """End every bearer token of the person (a lost laptop, a leaked script)."""
    return {"revoked": do_revoke_tokens(username, actor=acting(request))}


@api.get("/memberships", response={200: MembershipsOut, **ERRORS}, tags=["units"])
def list_memberships(request: HttpRequest, unit: str = "", user: str = "") -> Any:
    """Roles in the units an admin manages, by unit and/or person."""
    qs = memberships_administered(acting(request)).select_related("unit")
    if unit:
        qs = qs.filter(unit__code=unit[:32])
    if user:
        qs = qs.filter(user__username=user[:150])
    return {"results": [_membership_row(m) for m in qs.order_by("unit__path", "id")[:MAX_PEOPLE]]}


@api.patch("/memberships/{membership_id}", response={200: MembershipRow, **ERRORS}, tags=["units"])
def change_membership(request: HttpRequest, membership_id: int, body: MembershipChangeIn) -> Any:
    m = do_change_membership(membership_id, role=body.role, title=body.title, actor=acting(request))
    return _membership_row(m)


@api.post("/memberships/{membership_id}/end", response={200: MembershipRow, **ERRORS}, tags=["units"])
def end_membership(request: HttpRequest, membership_id: int) -> Any:
    return _membership_row(do_end_membership(membership_id, actor=acting(request)))


class ResetIn(Strict):
    password: str


@api.post("/users/{username}/password", response={200: PersonOut, **ERRORS}, tags=["units"])
def reset_password(request: HttpRequest, username: str, body: ResetIn) -> Any:
    """A temporary password: the person must choose a new one at the next sign-in; their tokens stop."""
    return _person_out(do_reset_password(username, password=body.password, actor=acting(request)))
