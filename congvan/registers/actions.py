"""Take numbers from registers under a row lock."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from congvan.orgs.models import Sector, Unit
from congvan.registers import numbering
from congvan.registers.errors import NumberingNotConfigured
from congvan.registers.models import CommitteeTerm, Direction, NumberingRule, Register, RegisterEntry, RuleSet


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
            f"Đơn vị {unit.name} chưa khai báo nhiệm kỳ chứa ngày {day:%d/%m/%Y} / "
            "no committee term covers that date: configure the unit's term first"
        )
    return term


def _take(unit: Unit, direction: str, scope: str, label: str, ref: str, symbol_of: object) -> tuple[int, str]:
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("numbers are taken inside the transaction that uses them")
    Register.objects.bulk_create(
        [Register(unit=unit, direction=direction, scope=scope, label=label)], ignore_conflicts=True
    )
    register = Register.objects.select_for_update().get(unit=unit, direction=direction, scope=scope)
    number = register.last_number + 1
    register.last_number = number
    register.save(update_fields=["last_number"])
    symbol = symbol_of(number) if callable(symbol_of) else ""
    RegisterEntry.objects.create(
        register=register, number=number, symbol=symbol, ref=ref, issued_at=timezone.now()
    )
    return number, symbol


def take_outgoing_number(
    unit: Unit, *, type_abbr: str, is_letter: bool, department: str, day: dt.date, ref: str
) -> tuple[int, str]:
    """Return the next outgoing number and symbol of the unit, by its rule set."""
    if rule_set_of(unit) == RuleSet.PARTY:
        term = term_on(unit, day)
        scope = numbering.party_scope(term.pk, type_abbr)
        label = f"Sổ văn bản đi {type_abbr}, nhiệm kỳ {term.name}"
        return _take(
            unit,
            Direction.OUTGOING,
            scope,
            label,
            ref,
            lambda n: numbering.party_symbol(n, type_abbr, unit.abbreviation),
        )
    label = f"Sổ văn bản đi năm {day.year}"
    return _take(
        unit,
        Direction.OUTGOING,
        numbering.state_scope(day),
        label,
        ref,
        lambda n: numbering.state_symbol(
            n, type_abbr, unit.abbreviation, is_letter=is_letter, department=department
        ),
    )


def take_incoming_number(unit: Unit, *, day: dt.date, ref: str) -> int:
    """Return the next incoming number (one sequence per unit per calendar year)."""
    number, _ = _take(unit, Direction.INCOMING, str(day.year), f"Sổ văn bản đến năm {day.year}", ref, None)
    return number
