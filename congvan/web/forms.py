"""The pages' forms: what a person types becomes typed values here (dates, numbers, ids), and a wrong
value is refused with Django's own message in the person's language; the actions check the rules."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django import forms
from django.http import QueryDict

from congvan.lib.dates import office_day
from congvan.lib.errors import InvalidInput
from congvan.lib.http import refuse_replaced_text


@dataclass(frozen=True)
class Sorting:
    """A list's order as the ``sort`` parameter names it ("subject" ascending, "-subject" descending),
    with each sortable column's link (the other direction when it is the column in use) and arrow."""

    key: str
    ascending: bool
    param: str  # the value of ``sort``: "subject", "-arrived"
    given: str  # "sort=..." when it is not the list's default order, else ""
    links: dict[str, dict[str, str]] = field(default_factory=dict)


def sorting(
    get: QueryDict, keys: tuple[str, ...], *, default: str, legacy: dict[str, str] | None = None
) -> Sorting:
    """Read a list's order from its query string. ``keys`` are the sortable columns, ``default`` the
    order with no parameter (e.g. "-arrived": newest first); a column clicked first sorts as the default
    does for its own (dates newest first, texts A to Z). ``legacy`` maps older ``order`` values."""
    param = get.get("sort", "") or (legacy or {}).get(get.get("order", ""), "") or default
    key = param.lstrip("-")
    if key not in keys:
        param, key = default, default.lstrip("-")
    ascending = not param.startswith("-")
    rest = get.copy()
    for name in ("sort", "order", "cursor", "start"):
        rest.pop(name, None)
    base = rest.urlencode()
    links = {}
    for k in keys:
        first = default if k == default.lstrip("-") else k
        target = ("" if param.startswith("-") else "-") + k if k == key else first
        links[k] = {
            "href": "?" + "&".join(p for p in (base, f"sort={target}") if p),
            "arrow": ("↑" if ascending else "↓") if k == key else "",
        }
    return Sorting(key, ascending, param, "" if param == default else f"sort={param}", links)


def typed(form_class: type[forms.Form], data: QueryDict) -> dict[str, Any]:
    """The form's cleaned values for the fields the request sent, or a refusal naming the first error."""
    refuse_replaced_text(data)
    form = form_class(data)
    if not form.is_valid():
        name, errors = next(iter(form.errors.items()))
        label = form.fields[name].label or name if name in form.fields else name
        raise InvalidInput(f"{label}: {errors[0]}")
    values = {k: v for k, v in form.cleaned_data.items() if k in data}
    for name, value in values.items():
        if isinstance(value, dt.date):
            try:
                office_day(value)
            except ValueError as exc:
                raise InvalidInput(f"{form.fields[name].label or name}: {exc}") from None
    return values


def _text(max_length: int = 4000) -> forms.CharField:
    return forms.CharField(required=False, max_length=max_length, strip=True)


class DraftForm(forms.Form):
    """The compose page: a draft's metadata (the recipients are read as a list beside it)."""

    type = _text(20)
    subject = _text(500)
    signer_name = _text(50)
    signer_position = _text(100)
    signer_competence = _text(100)
    urgency = _text(16)
    confidentiality = _text(16)
    place = _text(150)
    description = _text(500)
    drafting_department = _text(20)
    reply_due = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    page_count = forms.IntegerField(required=False, min_value=1, max_value=99999)
    copies = forms.IntegerField(required=False, min_value=1, max_value=99999)
    replaces = forms.IntegerField(required=False, min_value=1)


class DirectForm(forms.Form):
    direction = _text()
    lead = _text(200)
    lead_deadline = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    support_deadline = forms.DateField(required=False, input_formats=["%Y-%m-%d"])


class AssignmentForm(forms.Form):
    note = _text()
    result = _text()
    reply_document = forms.IntegerField(required=False, min_value=1)
    until = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    reason = _text(500)
    approve = _text(1)
    assignee = _text(150)
    deadline = forms.DateField(required=False, input_formats=["%Y-%m-%d"])


class DossierForm(forms.Form):
    document = forms.IntegerField(required=False, min_value=1)
    dossier = forms.IntegerField(required=False, min_value=1)
    close = forms.IntegerField(required=False, min_value=1)
    code = _text(50)
    title = _text(300)
    retention = _text(10)


class UnitForm(forms.Form):
    """A new unit, or the fields of one being corrected."""

    code = _text(32)
    name = _text(200)
    abbreviation = _text(20)
    kind = _text(16)
    sector = _text(8)
    parent = _text(32)
    place = _text(150)


class MoveForm(forms.Form):
    parent = _text(32)
    into = _text(32)
    people = forms.ChoiceField(required=False, choices=[("end", "end"), ("move", "move")])


class TermForm(forms.Form):
    name = forms.CharField(max_length=50, strip=True)
    starts_on = forms.DateField(input_formats=["%Y-%m-%d"])
    ends_on = forms.DateField(required=False, input_formats=["%Y-%m-%d"])


class RegisterForm(forms.Form):
    direction = forms.ChoiceField(choices=[("out", "out"), ("in", "in")])
    year = forms.IntegerField(min_value=2000, max_value=2100)


class SettingsForm(forms.Form):
    clerk_may_route = forms.BooleanField(required=False)
    days_normal = forms.IntegerField(min_value=0, max_value=365)
    days_urgent = forms.IntegerField(min_value=0, max_value=365)
    days_very_urgent = forms.IntegerField(min_value=0, max_value=365)
    days_flash = forms.IntegerField(min_value=0, max_value=365)


class PersonForm(forms.Form):
    """A new person and their first role, or the fields of one being corrected."""

    username = _text(150)
    full_name = _text(100)
    email = _text(254)
    phone = _text(20)
    password = forms.CharField(required=False, max_length=200, strip=False)
    unit = _text(32)
    role = _text(16)
    title = _text(100)


class HolidayForm(forms.Form):
    day = forms.DateField(input_formats=["%Y-%m-%d"])
    name = _text(100)


class GroupForm(forms.Form):
    name = _text(200)
    shared = forms.BooleanField(required=False)


class PasswordForm(forms.Form):
    old = forms.CharField(max_length=200, strip=False)
    new = forms.CharField(max_length=200, strip=False)
    new2 = forms.CharField(max_length=200, strip=False)


class CodeForm(forms.Form):
    code = forms.CharField(max_length=20, strip=True)


class ConfirmPasswordForm(forms.Form):
    password = forms.CharField(max_length=200, strip=False)


class NoteForm(forms.Form):
    note = forms.CharField(required=False, max_length=2000, strip=True)


class AuditFilterForm(forms.Form):
    unit = _text(32)
    person = _text(150)
    action = _text(64)
    target_type = _text(32)
    target_id = _text(64)
    since = forms.DateField(required=False, label="from")
    until = forms.DateField(required=False, label="to")
    before = forms.IntegerField(required=False, min_value=1, max_value=2**62)


class PaperForm(forms.Form):
    """A paper arrival registered as incoming: what was read, corrected by the clerk."""

    type = _text(20)
    subject = _text(500)
    signer_name = _text(50)
    signer_position = _text(100)
    signer_competence = _text(100)
    urgency = _text(16)
    issuer = _text(200)
    number = forms.IntegerField(required=False, min_value=1, max_value=10**6)
    symbol = _text(40)
    date = forms.DateField(required=False, label="date")
    place = _text(150)
