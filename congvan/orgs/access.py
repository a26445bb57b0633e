"""Who acts, as which membership, and what a role may do."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Q, QuerySet
from django.utils.translation import gettext as _

from congvan.orgs.errors import (
    NoMembership,
    NotAllowed,
    UnknownGroup,
    UnknownMembership,
    UnknownUnit,
    UnknownUser,
)
from congvan.orgs.models import Membership, Role, SavedView, Unit, UnitGroup, User

DRAFTERS = {Role.CLERK, Role.LEADER, Role.SPECIALIST}
# Roles that see all of their unit's work (a specialist sees released work and their own drafts).
UNIT_WIDE = {Role.CLERK, Role.LEADER, Role.ADMIN, Role.AUDITOR}


@dataclass(frozen=True)
class Acting:
    """The person and the membership a request acts as."""

    user: User
    membership: Membership

    @property
    def unit(self) -> Unit:
        return self.membership.unit

    @property
    def role(self) -> str:
        return self.membership.role

    def require(self, *roles: str, what: str) -> None:
        """Refuse unless the acting role is one of ``roles``."""
        if self.role not in roles:
            raise NotAllowed(_("Vai trò của bạn không được %(what)s") % {"what": what})


def acting_as(user: User, unit_code: str | None) -> Acting:
    """Return the membership the user acts as: the named unit's, or the only one they have.

    A superuser needs no membership of their own: without one (or naming a unit they are not a member
    of) they act as the administrator of that unit, or of the first root unit.
    """
    memberships = Membership.objects.select_related("unit", "user").filter(
        user=user, active=True, unit__active=True
    )
    if unit_code:
        m = memberships.filter(unit__code=unit_code).first()
        if m is None:
            admin = superuser_acting(user, unit_code)
            if admin is not None:
                return admin
            raise NoMembership(_("Bạn không thuộc đơn vị %(unit_code)s") % {"unit_code": unit_code})
        return Acting(user, m)
    found = list(memberships[:2])
    if not found:
        admin = superuser_acting(user, None)
        if admin is not None:
            return admin
        raise NoMembership(_("Tài khoản chưa thuộc đơn vị nào"))
    if len(found) > 1:
        raise NoMembership(_("Hãy chọn đơn vị (X-Congvan-Unit)"))
    return Acting(user, found[0])


def superuser_acting(user: User, unit_code: str | None) -> Acting | None:
    """A superuser acting as the administrator of a unit (the named one, or the first root unit): a
    membership that is not stored, so the system administrator works without belonging to a unit."""
    if not (user.is_superuser and user.is_active):
        return None
    units = Unit.objects.filter(active=True, home_node="")
    unit = (
        units.filter(code=unit_code).first()
        if unit_code
        else units.filter(parent=None).order_by("path").first()
    )
    if unit is None:
        return None
    return Acting(user, Membership(user=user, unit=unit, role=Role.ADMIN, title=_("Quản trị hệ thống")))


def administered_units(acting: Acting) -> QuerySet[Unit]:
    """Return the units an admin manages: their unit's subtree (everything for a superuser)."""
    if acting.user.is_superuser:
        return Unit.objects.all()
    if acting.role != Role.ADMIN:
        return Unit.objects.none()
    return Unit.objects.filter(path__startswith=acting.unit.path)


def access_unit_for_admin(acting: Acting, code: str) -> Unit:
    """Return a unit the acting admin manages, or refuse as if it did not exist."""
    unit = administered_units(acting).filter(code=code).first()
    if unit is None:
        raise UnknownUnit(_("Không có đơn vị %(code)s trong phạm vi quản trị") % {"code": code})
    return unit


def access_unit_rules(acting: Acting, code: str) -> Unit:
    """The unit whose own rules (processing, signature policy) the acting person may set: their unit
    when they lead it, or a unit an admin manages."""
    if acting.unit.code == code and acting.role == Role.LEADER:
        return acting.unit
    return access_unit_for_admin(acting, code)


def visible_directory() -> QuerySet[Unit]:
    """Return the unit directory every member may read (names and codes are not secret)."""
    return Unit.objects.filter(active=True)


def subtree(unit: Unit) -> Q:
    return Q(path__startswith=unit.path)


def people_administered(acting: Acting) -> QuerySet[User]:
    """The accounts an admin manages: people with a membership in their subtree (a superuser: all)."""
    if acting.user.is_superuser:
        return User.objects.all()
    units = administered_units(acting)
    return User.objects.filter(memberships__unit__in=units).distinct()


def access_person_for_admin(acting: Acting, username: str) -> User:
    """A person the acting admin manages, or a refusal as if they did not exist."""
    user = people_administered(acting).filter(username=str(username)[:150]).first()
    if user is None:
        raise UnknownUser(
            _("Không có tài khoản %(username)s trong phạm vi quản trị") % {"username": username}
        )
    return user


def access_membership_for_admin(acting: Acting, membership_id: int) -> Membership:
    m = memberships_administered(acting).select_related("user", "unit").filter(pk=membership_id).first()
    if m is None:
        raise UnknownMembership(_("Không có vai trò này trong phạm vi quản trị"))
    return m


def unit_groups(acting: Acting) -> QuerySet[UnitGroup]:
    """The recipient groups the acting unit keeps."""
    return UnitGroup.objects.filter(owner_id=acting.unit.pk)


def ancestor_codes(unit: Unit) -> list[str]:
    """The codes of the units above ``unit``, the nearest last (read from its path)."""
    return [c for c in unit.path.strip("/").split("/")[:-1] if c]


def usable_groups(acting: Acting) -> QuerySet[UnitGroup]:
    """The recipient groups the acting unit may send to: its own, and those the units above it share."""
    above = ancestor_codes(acting.unit)
    return UnitGroup.objects.filter(Q(owner_id=acting.unit.pk) | Q(shared=True, owner__code__in=above))


def group_unit_codes(acting: Acting, slugs: list[str]) -> list[str]:
    """The codes of the active units in the groups named (those the acting unit may use)."""
    if not slugs:
        return []
    groups = usable_groups(acting).filter(slug__in=[str(s)[:50] for s in slugs[:100]])
    units = Unit.objects.filter(in_groups__in=groups, active=True).distinct().order_by("path")
    return list(units.values_list("code", flat=True))


def access_group(acting: Acting, group_id: int, *, for_write: bool = False) -> UnitGroup:
    from congvan.lib.access import fetch_visible

    return fetch_visible(
        unit_groups(acting), group_id, UnknownGroup(_("Không có nhóm nơi nhận này")), for_write=for_write
    )


def access_unit_setup(acting: Acting, code: str) -> Unit:
    """A unit whose set-up (terms, numbering, registers, detail) the person may read: their own unit,
    or one they administer."""
    if acting.unit.code == code:
        return acting.unit
    return access_unit_for_admin(acting, code)


def memberships_administered(acting: Acting) -> QuerySet[Membership]:
    """The roles in the units an admin manages."""
    return Membership.objects.filter(unit__in=administered_units(acting))


# Reorganisation: a merged unit points to its successor (``Unit.successor``).
MAX_MERGES = 20


def current_unit(unit: Unit) -> Unit | None:
    """The unit that now stands for ``unit``: itself while active, else its successor's successor...,
    or None (closed without successor)."""
    seen = 0
    while not unit.active:
        if unit.successor_id is None or seen >= MAX_MERGES:
            return None
        unit = Unit.objects.get(pk=unit.successor_id)
        seen += 1
    return unit


def lineage_ids(unit: Unit) -> list[int]:
    """The unit and every unit merged into it, directly or through others (whose history it carries)."""
    ids, frontier = [unit.pk], [unit.pk]
    for _hop in range(MAX_MERGES):
        frontier = list(
            Unit.objects.filter(successor_id__in=frontier).exclude(pk__in=ids).values_list("pk", flat=True)
        )
        if not frontier:
            break
        ids.extend(frontier)
    return ids


def mail_contacts() -> QuerySet[Unit]:
    """The directory's organisations off the system that receive documents by e-mail (every member may
    address them, as any recipient)."""
    return Unit.objects.filter(code__startswith="EXT-", home_node="").exclude(email="").order_by("name")


def role_holders(unit_ids: Iterable[int], role: str) -> dict[int, list[int]]:
    """The people (ids) holding ``role`` in each unit, active memberships of active accounts only."""
    found: dict[int, list[int]] = {}
    for unit_id, user_id in Membership.objects.filter(
        unit_id__in=set(unit_ids), role=role, active=True, user__is_active=True
    ).values_list("unit_id", "user_id"):
        found.setdefault(unit_id, []).append(user_id)
    return found


def access_saved_views(user: User, page: str) -> list[SavedView]:
    """The person's own saved filters of a page (nobody else's)."""
    return list(SavedView.objects.filter(user=user, page=page))
