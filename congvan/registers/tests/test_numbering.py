"""Both rule sets: Party (per type, per committee term) and State (Decree 30: one sequence a year)."""

from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connection, connections, transaction

from congvan.orgs.errors import InvalidOrgData
from congvan.orgs.models import Unit
from congvan.registers import numbering
from congvan.registers.actions import (
    do_create_term,
    do_set_rule_set,
    take_incoming_number,
    take_outgoing_number,
)
from congvan.registers.errors import NumberingNotConfigured
from congvan.registers.models import CommitteeTerm, RegisterEntry


def test_symbols_follow_both_forms():
    assert numbering.party_symbol(35, "KH", "HU") == "35-KH/HU"
    assert numbering.party_symbol(8, "NQ", "TU") == "08-NQ/TU"
    assert numbering.state_symbol(15, "QĐ", "BNV", is_letter=False) == "15/QĐ-BNV"
    assert numbering.state_symbol(5, "CV", "BNV", is_letter=True, department="VP") == "05/BNV-VP"
    assert numbering.state_symbol(12, "CV", "UBND", is_letter=True, department="VX") == "12/UBND-VX"


def take(unit: Unit, type_abbr: str, day: dt.date, *, letter: bool = False, dept: str = "") -> str:
    with transaction.atomic():
        return take_outgoing_number(
            unit, type_abbr=type_abbr, is_letter=letter, department=dept, day=day, ref="test"
        )[1]


def test_party_numbers_run_per_type_and_restart_with_the_term(org):
    hu = org["hu"]
    day = dt.date(2026, 3, 1)
    assert [take(hu, "KH", day) for _ in range(3)] == ["01-KH/HU", "02-KH/HU", "03-KH/HU"]
    assert take(hu, "NQ", day) == "01-NQ/HU"
    # A new calendar year does not restart Party numbering...
    assert take(hu, "KH", dt.date(2027, 1, 2)) == "04-KH/HU"
    # ...a new term does.
    do_create_term(unit_code=hu.code, name="2030-2035", starts_on=dt.date(2030, 7, 1), actor=None)
    assert CommitteeTerm.objects.get(unit=hu, name="2025-2030").ends_on == dt.date(2030, 6, 30)
    assert take(hu, "KH", dt.date(2030, 7, 2)) == "01-KH/HU"
    assert take(hu, "KH", dt.date(2030, 6, 30)) == "05-KH/HU"  # a late one of the old term


def test_terms_do_not_overlap_and_are_audited(org, people):
    from congvan.audit.models import AuditEvent
    from congvan.orgs.access import acting_as
    from congvan.orgs.errors import InvalidOrgData, UnknownUnit
    from congvan.registers.errors import TermOverlaps

    hu = org["hu"]
    with pytest.raises(TermOverlaps):
        do_create_term(
            unit_code=hu.code,
            name="x",
            starts_on=dt.date(2020, 1, 1),
            ends_on=dt.date(2025, 6, 1),
            actor=None,
        )
    with pytest.raises(InvalidOrgData):
        do_create_term(
            unit_code=hu.code,
            name="x",
            starts_on=dt.date(2020, 1, 1),
            ends_on=dt.date(2019, 1, 1),
            actor=None,
        )
    root = acting_as(people["root"], None)
    term = do_create_term(
        unit_code=org["ubnd"].code, name="2026-2031", starts_on=dt.date(2026, 1, 1), actor=root
    )
    assert AuditEvent.objects.filter(action="term.created", target_id=str(term.pk)).exists()
    clerk = acting_as(people["alice"], None)  # not an admin: the unit is not in their scope
    with pytest.raises(UnknownUnit):
        do_create_term(unit_code=hu.code, name="2031", starts_on=dt.date(2031, 1, 1), actor=clerk)


def test_state_numbers_share_one_sequence_and_restart_each_year(org):
    ubnd = org["ubnd"]
    day = dt.date(2026, 5, 1)
    assert take(ubnd, "QĐ", day) == "01/QĐ-UBND"
    assert take(ubnd, "CV", day, letter=True, dept="VX") == "02/UBND-VX"
    assert take(ubnd, "KH", day) == "03/KH-UBND"
    assert take(ubnd, "QĐ", dt.date(2027, 1, 1)) == "01/QĐ-UBND"


def test_rule_can_be_chosen_per_unit(org):
    do_set_rule_set(unit_code=org["cs1"].code, rule_set="state", actor=None)
    assert take(org["cs1"], "KH", dt.date(2026, 1, 5)) == "01/KH-ĐU"


def test_party_unit_without_a_term_gets_a_clear_error(org):
    from congvan.orgs.actions import do_create_unit

    new = do_create_unit(
        code="000.01.09.H57", name="Đảng ủy xã mới", abbreviation="ĐU", parent_code=org["hu"].code, actor=None
    )
    with pytest.raises(NumberingNotConfigured, match="nhiệm kỳ"):
        take(new, "KH", dt.date(2026, 1, 5))


def test_incoming_numbers_one_sequence_per_unit_per_year(org):
    with transaction.atomic():
        got = [take_incoming_number(org["cs1"], day=dt.date(2026, 12, 31), ref="r") for _ in range(2)]
        got.append(take_incoming_number(org["cs1"], day=dt.date(2027, 1, 1), ref="r"))
        got.append(take_incoming_number(org["cs2"], day=dt.date(2027, 1, 1), ref="r"))
    assert got == [1, 2, 1, 1]


@pytest.mark.django_db(transaction=True)
def test_concurrent_releases_never_gap_or_duplicate(org):
    """Real concurrent transactions, each on its own connection (PostgreSQL row locks; SQLite serialises)."""
    hu = org["hu"]
    workers, per_worker = 6, 8
    errors: list[BaseException] = []
    barrier = threading.Barrier(workers)

    def work() -> None:
        try:
            barrier.wait()
            for _ in range(per_worker):
                take(hu, "KH", dt.date(2026, 6, 1))
        except BaseException as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=work) for _ in range(workers)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    numbers = sorted(RegisterEntry.objects.filter(register__unit=hu).values_list("number", flat=True))
    assert numbers == list(range(1, workers * per_worker + 1))
    assert connection.vendor in ("postgresql", "sqlite")


def test_next_years_register_is_opened_once_and_numbers_continue_in_it(org, people):
    from congvan.orgs.access import acting_as
    from congvan.registers.actions import do_open_register
    from congvan.registers.errors import RegisterExists

    root = acting_as(people["root"], None)
    reg = do_open_register(unit_code=org["ubnd"].code, direction="out", year=2027, actor=root)
    assert reg.label == "Sổ văn bản đi năm 2027" and reg.last_number == 0
    with pytest.raises(RegisterExists):
        do_open_register(unit_code=org["ubnd"].code, direction="out", year=2027, actor=root)
    assert take(org["ubnd"], "QĐ", dt.date(2027, 1, 4)) == "01/QĐ-UBND"
    with pytest.raises(InvalidOrgData):  # Party outgoing numbers run by term, not by year
        do_open_register(unit_code=org["hu"].code, direction="out", year=2027, actor=root)
    do_open_register(unit_code=org["hu"].code, direction="in", year=2027, actor=root)
