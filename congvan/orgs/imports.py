"""Import units from a CSV file: every row is checked first; nothing is written unless all are right."""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from congvan.lib.errors import CongvanError
from congvan.orgs.actions import do_create_unit, validate_unit_fields
from congvan.orgs.models import Unit

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


def import_units_csv(text: str) -> int:
    """Create the units of a CSV (code,name,abbreviation[,kind,sector,parent,place]); return the count."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    _check_header(set(reader.fieldnames or []))
    rows: list[tuple[dict[str, str], str]] = []
    errors: list[RowError] = []
    seen: dict[str, int] = {}
    existing = set(Unit.objects.values_list("code", flat=True))
    for row in reader:
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
        rows.append((row, parent))
    if errors:
        raise ImportFailed(errors)
    with transaction.atomic():
        for row, parent in rows:
            do_create_unit(
                code=row["code"],
                name=row["name"],
                abbreviation=row["abbreviation"],
                kind=row.get("kind") or "",
                sector=row.get("sector") or "",
                parent_code=parent or None,
                place=row.get("place") or "",
                actor=None,
            )
    return len(rows)
