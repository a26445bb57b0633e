"""The one way protected objects are fetched: from a queryset already filtered by visibility."""

from __future__ import annotations

from typing import TypeVar

from django.db.models import Model, QuerySet

from congvan.lib.errors import NotFound

M = TypeVar("M", bound=Model)


def parse_id(value: object) -> int | None:
    """Return a positive database id from a path or body value, or None."""
    try:
        pk = int(str(value))
    except ValueError:
        return None
    return pk if 0 < pk < 2**63 else None


def form_id(value: str | None, field: str) -> int | None:
    """An id typed into a form: empty is None; anything but a positive id is refused."""
    from django.utils.translation import gettext as _

    from congvan.lib.errors import InvalidInput

    if value in (None, ""):
        return None
    pk = parse_id(value)
    if pk is None:
        raise InvalidInput(_("%(field)s: cần một mã số") % {"field": field})
    return pk


def fetch_visible(qs: QuerySet[M], object_id: object, error: NotFound, *, for_write: bool = False) -> M:
    """Return the object with that id from a visibility-filtered queryset; otherwise raise ``error``.

    An object that exists but is not visible raises the same error as a missing one.
    """
    pk = parse_id(object_id)
    if pk is None:
        raise error
    if for_write:
        qs = qs.select_for_update(of=("self",))
    found = qs.filter(pk=pk).first()
    if found is None:
        raise error
    return found
