"""Numbering of each unit: its rule set, its committee terms, and numbers taken under a row lock."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from congvan.audit.actions import record
from congvan.lib.text import clean_line
from congvan.orgs.access import Acting, access_unit_for_admin
from congvan.orgs.errors import InvalidOrgData
from congvan.orgs.models import Sector, Unit
from congvan.registers import numbering
from congvan.registers.errors import NumberingNotConfigured, NumberMoved, RegisterExists, TermOverlaps
from congvan.registers.models import CommitteeTerm, Direction, NumberingRule, Register, RegisterEntry, RuleSet


def _unit(code: str, actor: Acting | None) -> Unit:
    """The unit an admin manages (``actor`` None: a command run by the server's operator)."""
    if actor is not None:
        return access_unit_for_admin(actor, code)
    unit = Unit.objects.filter(code=code).first()
    if unit is None:
        raise InvalidOrgData(_("unit: không có đơn vị %(code)s") % {"code": code})
    return unit


def do_create_term(
    *, unit_code: str, name: str, starts_on: dt.date, ends_on: dt.date | None = None, actor: Acting | None
) -> CommitteeTerm:
    """Declare a committee term (nhiệm kỳ) of a unit; Party numbering restarts with each term.

    Terms of one unit do not overlap; the open-ended current term is closed by declaring the next one
    (it then ends the day before the new one starts).
    """
    name = clean_line(name, field="name", max_length=50, required=True)
    if ends_on is not None and ends_on < starts_on:
        raise InvalidOrgData(_("ends_on: phải sau ngày bắt đầu"))
    with transaction.atomic():
        unit = _unit(unit_code, actor)
        Unit.objects.select_for_update().filter(pk=unit.pk).first()  # one term change at a time per unit
        current = CommitteeTerm.objects.filter(unit=unit, ends_on__isnull=True, starts_on__lt=starts_on)
        closed = [t.name for t in current]
        current.update(ends_on=starts_on - dt.timedelta(days=1))
        clash = CommitteeTerm.objects.filter(unit=unit, starts_on__lte=ends_on or dt.date.max).filter(
            Q(ends_on__isnull=True) | Q(ends_on__gte=starts_on)
        )
        if clash.exists():
            raise TermOverlaps(
                _("Nhiệm kỳ trùng thời gian với nhiệm kỳ %(value)s") % {"value": clash.first()}
            )
        term = CommitteeTerm.objects.create(unit=unit, name=name, starts_on=starts_on, ends_on=ends_on)
        record(
            "term.created",
            actor=actor.user if actor else None,
            unit=unit.code,
            target_type="term",
            target_id=term.pk,
            details={
                "name": name,
                "starts_on": starts_on.isoformat(),
                "ends_on": ends_on.isoformat() if ends_on else None,
                "closed": closed,
            },
        )
    return term


def do_set_rule_set(*, unit_code: str, rule_set: str, actor: Acting | None) -> NumberingRule:
    """Choose the unit's numbering rules: Party (36-HD/VPTW) or State (Decree 30)."""
    if rule_set not in RuleSet.values:
        raise InvalidOrgData(f"rule_set: {' | '.join(RuleSet.values)}")
    with transaction.atomic():
        unit = _unit(unit_code, actor)
        rule, _ = NumberingRule.objects.update_or_create(unit=unit, defaults={"rule_set": rule_set})
        record(
            "numbering.rule_set",
            actor=actor.user if actor else None,
            unit=unit.code,
            target_type="unit",
            target_id=unit.code,
            details={"rule_set": rule_set},
        )
    return rule


def do_open_register(*, unit_code: str, direction: str, year: int, actor: Acting | None) -> Register:
    """Open a unit's register of a year ahead of its first number (the new year's book): the State
    outgoing register and the incoming register run by calendar year. Opening one twice is refused."""
    if direction not in Direction.values:
        raise InvalidOrgData(f"direction: {' | '.join(Direction.values)}")
    if not 2000 <= year <= 2200:
        raise InvalidOrgData(_("year: năm không hợp lệ"))
    with transaction.atomic():
        unit = _unit(unit_code, actor)
        if direction == Direction.OUTGOING and rule_set_of(unit) == RuleSet.PARTY:
            raise InvalidOrgData(_("Sổ văn bản đi của Đảng theo nhiệm kỳ: hãy khai báo nhiệm kỳ"))
        label = f"Sổ văn bản {'đi' if direction == Direction.OUTGOING else 'đến'} năm {year}"
        register, created = Register.objects.get_or_create(
            unit=unit, direction=direction, scope=str(year), defaults={"label": label}
        )
        if not created:
            raise RegisterExists(_("Sổ này đã mở"))
        record(
            "register.opened",
            actor=actor.user if actor else None,
            unit=unit.code,
            target_type="register",
            target_id=register.pk,
            details={"direction": direction, "year": year},
        )
    return register


def rule_set_of(unit: Unit) -> str:
    rule = NumberingRule.objects.filter(unit=unit).values_list("rule_set", flat=True).first()
    if rule:
        return rule
    return RuleSet.STATE if unit.sector == Sector.STATE else RuleSet.PARTY


def term_on(unit: Unit, day: dt.date) -> CommitteeTerm:
    term = (
        CommitteeTerm.objects.filter(unit=unit, starts_on__lte=day)
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=day))
        .order_by("-starts_on")
        .first()
    )
    if term is None:
        raise NumberingNotConfigured(
            _("Đơn vị %(name)s chưa khai báo nhiệm kỳ chứa ngày %(day)s")
            % {"name": unit.name, "day": f"{day:%d/%m/%Y}"}
        )
    return term


@dataclass(frozen=True)
class Sequence:
    """Where an outgoing number comes from: the register's scope and label, and how a number reads."""

    unit: Unit
    direction: str
    scope: str
    label: str
    symbol_of: Callable[[int], str] | None

    def symbol(self, number: int) -> str:
        return self.symbol_of(number) if self.symbol_of is not None else ""


def outgoing_sequence(
    unit: Unit, *, type_abbr: str, is_letter: bool, department: str, day: dt.date
) -> Sequence:
    """The sequence an outgoing document of this type takes its number from, by the unit's rule set."""
    if rule_set_of(unit) == RuleSet.PARTY:
        term = term_on(unit, day)
        return Sequence(
            unit,
            Direction.OUTGOING,
            numbering.party_scope(term.pk, type_abbr),
            f"Sổ văn bản đi {type_abbr}, nhiệm kỳ {term.name}",
            lambda n: numbering.party_symbol(n, type_abbr, unit.abbreviation),
        )
    return Sequence(
        unit,
        Direction.OUTGOING,
        numbering.state_scope(day),
        f"Sổ văn bản đi năm {day.year}",
        lambda n: numbering.state_symbol(
            n, type_abbr, unit.abbreviation, is_letter=is_letter, department=department
        ),
    )


def peek_number(seq: Sequence) -> tuple[int, str]:
    """The number the sequence would give next (no lock: slow work prepared with it is checked by
    ``take_number(..., expect=)`` under the lock)."""
    last = (
        Register.objects.filter(unit=seq.unit, direction=seq.direction, scope=seq.scope)
        .values_list("last_number", flat=True)
        .first()
    )
    number = (last or 0) + 1
    return number, seq.symbol(number)


def take_number(seq: Sequence, *, ref: str, expect: int | None = None) -> tuple[int, str]:
    """Take the next number under the register's row lock; with ``expect``, refuse (NumberMoved) when
    another release took that one first."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("numbers are taken inside the transaction that uses them")
    Register.objects.bulk_create(
        [Register(unit=seq.unit, direction=seq.direction, scope=seq.scope, label=seq.label)],
        ignore_conflicts=True,
    )
    register = Register.objects.select_for_update().get(
        unit=seq.unit, direction=seq.direction, scope=seq.scope
    )
    number = register.last_number + 1
    if expect is not None and number != expect:
        raise NumberMoved(f"expected {expect}, the next is {number}")
    register.last_number = number
    register.save(update_fields=["last_number"])
    symbol = seq.symbol(number)
    RegisterEntry.objects.create(
        register=register, number=number, symbol=symbol, ref=ref, issued_at=timezone.now()
    )
    return number, symbol


def take_outgoing_number(
    unit: Unit, *, type_abbr: str, is_letter: bool, department: str, day: dt.date, ref: str
) -> tuple[int, str]:
    """Return the next outgoing number and symbol of the unit, by its rule set."""
    seq = outgoing_sequence(unit, type_abbr=type_abbr, is_letter=is_letter, department=department, day=day)
    return take_number(seq, ref=ref)


def take_incoming_number(unit: Unit, *, day: dt.date, ref: str) -> int:
    """Return the next incoming number (one sequence per unit per calendar year)."""
    seq = Sequence(unit, Direction.INCOMING, str(day.year), f"Sổ văn bản đến năm {day.year}", None)
    number, _symbol = take_number(seq, ref=ref)
    return number
