"""Import units, and people with their roles, from CSV files: every row is checked; nothing is written
unless all rows are right, and the errors are listed by line."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator
from dataclasses import dataclass

from django.db import transaction
from django.db.models import QuerySet
from django.utils.translation import gettext as _

from congvan.lib.errors import CongvanError
from congvan.orgs.access import Acting
from congvan.orgs.actions import do_create_membership, do_create_unit, do_create_user, validate_unit_fields
from congvan.orgs.models import Membership, Unit, User

COLUMNS = ["code", "name", "abbreviation", "kind", "sector", "parent", "place"]
REQUIRED = {"code", "name", "abbreviation"}
MAX_ROWS = 50_000


@dataclass(frozen=True)
class RowError:
    line: int
    message: str


class ImportFailed(CongvanError):
    code = "import_failed"

    def __init__(self, errors: list[RowError]) -> None:
        self.errors = errors
        super().__init__(_("%(count)s dòng lỗi, không nhập gì") % {"count": len(errors)})


def _check_header(header: set[str]) -> None:
    missing = REQUIRED - header
    if missing:
        raise ImportFailed([RowError(1, (_("thiếu cột: %(items)s") % {"items": ", ".join(sorted(missing))}))])
    unknown = header - set(COLUMNS)
    if unknown:
        raise ImportFailed([RowError(1, (_("cột lạ: %(items)s") % {"items": ", ".join(sorted(unknown))}))])


def _placement_problem(code: str, parent: str, existing: set[str], seen: dict[str, int]) -> str:
    """Why a row's code or parent cannot be placed ("" when it can)."""
    if code in existing:
        return _("mã %(code)s đã có trong hệ thống") % {"code": code}
    if code in seen:
        return _("mã %(code)s lặp lại dòng %(value)s") % {"code": code, "value": seen[code]}
    if parent and parent not in existing and parent not in seen:
        return _("đơn vị cấp trên %(parent)s chưa có") % {"parent": parent}
    return ""


def _reader(text: str) -> csv.DictReader[str]:
    """A CSV's rows by its header. The separator is the one its header line uses: a comma, or a
    semicolon (Excel on a Vietnamese Windows, whose list separator is ";"), or a tab."""
    first = text.lstrip("\ufeff").split("\n", 1)[0]
    delimiter = max([",", ";", "\t"], key=lambda d: (first.count(d), d == ","))
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")), delimiter=delimiter)
    try:
        reader.fieldnames  # noqa: B018 - reads the header line now, where its errors are answered
    except csv.Error as exc:
        raise ImportFailed([RowError(1, _("dòng không đọc được: %(err)s") % {"err": exc})]) from None
    return reader


def _rows(reader: csv.DictReader[str]) -> Iterator[dict[str, str]]:
    """The rows; a line the CSV reader cannot read (a field past its size limit) fails the import with
    its line."""
    done = reader.line_num  # the lines read so far: the failing row begins on the next one
    try:
        for row in reader:
            yield row
            done = reader.line_num
    except csv.Error as exc:
        problem = _("dòng không đọc được: %(err)s") % {"err": exc}
        raise ImportFailed([RowError(done + 1, problem)]) from None


def import_units_csv(text: str, *, actor: Acting | None = None) -> int:
    """Create the units of a CSV (code,name,abbreviation[,kind,sector,parent,place]); return the count.
    With ``actor`` (the pages): only under units that admin manages."""
    reader = _reader(text)
    _check_header(set(reader.fieldnames or []))
    rows: list[tuple[dict[str, str], str, int]] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    existing = set(Unit.objects.values_list("code", flat=True))
    for row in _rows(reader):
        line = reader.line_num
        if len(rows) >= MAX_ROWS:
            raise ImportFailed([RowError(line, (_("tối đa %(MAX_ROWS)s dòng") % {"MAX_ROWS": MAX_ROWS}))])
        try:
            fields = validate_unit_fields(
                row.get("code") or "",
                row.get("name") or "",
                row.get("abbreviation") or "",
                row.get("kind") or "",
                row.get("sector") or "",
            )
        except CongvanError as exc:
            errors.append(RowError(line, exc.message))
            continue
        code, parent = fields["code"], (row.get("parent") or "").strip()
        problem = _placement_problem(code, parent, existing, seen)
        if problem:
            errors.append(RowError(line, problem))
        seen.setdefault(code, line)
        rows.append((row, parent, line))
    if errors:
        raise ImportFailed(errors)
    with transaction.atomic():
        for row, parent, line in rows:
            try:
                do_create_unit(
                    code=row["code"],
                    name=row["name"],
                    abbreviation=row["abbreviation"],
                    kind=row.get("kind") or "",
                    sector=row.get("sector") or "",
                    parent_code=parent or None,
                    place=row.get("place") or "",
                    actor=actor,
                )
            except CongvanError as exc:  # outside the admin's scope: nothing is written
                errors.append(RowError(line, exc.message))
        if errors:
            raise ImportFailed(errors)
    return len(rows)


PEOPLE_COLUMNS = ["username", "full_name", "email", "unit", "role", "title", "password"]
PEOPLE_REQUIRED = {"username", "full_name", "unit", "role", "password"}


def import_people_csv(text: str, *, actor: Acting | None = None) -> int:
    """Create the people of a CSV (one row per role: a person in several units has several rows) with
    their roles; the passwords are temporary (the first sign-in asks for a new one). Return the rows."""
    reader = _reader(text)
    header = set(reader.fieldnames or [])
    missing, unknown = PEOPLE_REQUIRED - header, header - set(PEOPLE_COLUMNS)
    if missing or unknown:
        problem = ", ".join(sorted(missing)) if missing else ", ".join(sorted(unknown))
        raise ImportFailed([RowError(1, _("cột thiếu hoặc lạ: %(items)s") % {"items": problem})])
    errors: list[RowError] = []
    count = 0
    with transaction.atomic():
        for row in _rows(reader):
            if count >= MAX_ROWS:
                raise ImportFailed(
                    [RowError(reader.line_num, _("tối đa %(MAX_ROWS)s dòng") % {"MAX_ROWS": MAX_ROWS})]
                )
            try:
                with (
                    transaction.atomic()
                ):  # a bad row is undone alone; all are undone at the end if any is bad
                    _import_person(row, actor)
            except CongvanError as exc:
                errors.append(RowError(reader.line_num, exc.message))
            count += 1
        if errors:
            raise ImportFailed(errors)
    return count


def _import_person(row: dict[str, str], actor: Acting | None) -> None:
    username = (row.get("username") or "").strip().lower()
    if not User.objects.filter(username=username).exists():
        do_create_user(
            username=username,
            password=row.get("password") or "",
            full_name=row.get("full_name") or "",
            email=row.get("email") or "",
            must_change=True,
            actor=actor,
        )
    do_create_membership(
        username=username,
        unit_code=(row.get("unit") or "").strip(),
        role=(row.get("role") or "").strip(),
        title=row.get("title") or "",
        actor=actor,
    )


def units_csv(units: QuerySet[Unit]) -> str:
    """The units as a CSV that ``import_units_csv`` reads back (parents before their children)."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(COLUMNS)
    for u in units.select_related("parent").order_by("path")[:MAX_ROWS]:
        parent = u.parent.code if u.parent else ""
        w.writerow([u.code, u.name, u.abbreviation, u.kind, u.sector, parent, u.place])
    return out.getvalue()


def people_csv(memberships: QuerySet[Membership]) -> str:
    """The active roles as a CSV of people (the password column left empty: it is never exported)."""
    out = io.StringIO()
    w = csv.writer(out)
    w.writerow(PEOPLE_COLUMNS)
    rows = (
        memberships.filter(active=True)
        .select_related("user", "unit")
        .order_by("unit__path", "user__username")
    )
    for m in rows[:MAX_ROWS]:
        w.writerow([m.user.username, m.user.full_name, m.user.email, m.unit.code, m.role, m.title, ""])
    return out.getvalue()
