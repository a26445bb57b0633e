"""Shared test fixtures: a small hierarchy with named people, and an API client per person."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from congvan.documents.doctypes import load_document_types
from congvan.documents.models import DocumentType
from congvan.lib.tests.migrated import POSTGRES_TEMPLATE, SQLITE_TEMPLATE, copy_sqlite, postgres_copy
from congvan.orgs.actions import do_create_membership, do_create_unit
from congvan.orgs.models import Unit, User
from congvan.orgs.tests.support import CS1, HU, Api, make_user, released, send_to_hu
from congvan.registers.actions import do_create_term

__all__ = ["CS1", "HU", "Api", "make_user", "released", "send_to_hu"]

FAST_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def _test_settings(settings: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    from django.utils import translation

    settings.PASSWORD_HASHERS = FAST_HASHERS
    # Two-factor sign-in is required of admins and leaders by default; the tests of it turn it on.
    settings.TWO_FACTOR_ROLES = []
    settings.BLOB_DIR = tmp_path_factory.mktemp("blobs")
    # Each test's chain is rolled back with its database: its checkpoints go with it.
    settings.AUDIT_CHECKPOINT_FILE = str(tmp_path_factory.mktemp("audit") / "checkpoints.log")
    # A request in English leaves its language active in the thread (as each request of a server
    # sets its own); a test starts in the default language, as a command or a new request does.
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.deactivate()


if os.environ.get(POSTGRES_TEMPLATE if os.environ.get("CONGVAN_DATABASE_URL") else SQLITE_TEMPLATE):

    @pytest.fixture(scope="session")
    def django_db_setup(
        django_test_environment: None, django_db_blocker: Any, worker_id: str
    ) -> Iterator[None]:
        """The test database copied from the one scripts/test migrated for this pass (``lib/tests/
        migrated.py``) instead of migrated again by each test process; pytest-django's own setup when
        pytest runs alone."""
        from django.conf import settings
        from django.db import connections

        db = connections["default"]
        if db.vendor == "sqlite":
            name = str(copy_sqlite(Path(settings.DATA_DIR) / f"test-{worker_id}.sqlite3"))
        else:
            name = f"test_{settings.DATABASES['default']['NAME']}_{worker_id}"
            url = os.environ["CONGVAN_DATABASE_URL"].rsplit("/", 1)[0] + "/" + name
            with django_db_blocker.unblock():
                postgres_copy(url)
        db.close()
        settings.DATABASES["default"]["NAME"] = name
        db.settings_dict["NAME"] = name
        yield
        with django_db_blocker.unblock():
            db.close()


@pytest.fixture
def org(db: None) -> dict[str, Unit]:
    """Province TU > district HU > boards and four grassroots cells; a State agency beside them."""
    # Data from migrations is gone after a transactional test flushed the tables: load it again.
    load_document_types(DocumentType)
    units = {
        "tu": do_create_unit(
            code="000.00.00.T58",
            name="Tỉnh ủy Tiền Giang",
            abbreviation="TU",
            kind="province",
            parent_code=None,
            place="Tiền Giang",
            actor=None,
        ),
    }
    units["hu"] = do_create_unit(
        code="000.00.01.H57",
        name="Huyện ủy Gò Công Tây",
        abbreviation="HU",
        kind="district",
        parent_code="000.00.00.T58",
        place="Gò Công Tây",
        actor=None,
    )
    for i in range(1, 5):
        units[f"cs{i}"] = do_create_unit(
            code=f"000.01.{i:02d}.H57",
            name=f"Đảng ủy xã {i}",
            abbreviation="ĐU",
            kind="grassroots",
            parent_code="000.00.01.H57",
            actor=None,
        )
    units["ubnd"] = do_create_unit(
        code="000.00.02.H57",
        name="Ủy ban nhân dân huyện Gò Công Tây",
        abbreviation="UBND",
        kind="agency",
        sector="state",
        parent_code="000.00.00.T58",
        actor=None,
    )
    for key in ("tu", "hu", "cs1", "cs2", "cs3", "cs4"):
        do_create_term(unit_code=units[key].code, name="2025-2030", starts_on=dt.date(2025, 1, 1), actor=None)
    return units


@pytest.fixture
def people(org: dict[str, Unit]) -> dict[str, User]:
    return {
        "alice": make_user("alice", "Trần Thị An", "000.00.01.H57", "clerk"),
        "bob": make_user("bob", "Lê Văn Bình", "000.00.01.H57", "leader"),
        "carol": make_user("carol", "Phạm Thị Cúc", "000.00.01.H57", "specialist"),
        "dan": make_user("dan", "Võ Văn Dân", "000.01.01.H57", "clerk"),
        "erin": make_user("erin", "Ngô Thị Em", "000.01.02.H57", "clerk"),
        "frank": make_user("frank", "Đỗ Văn Phong", "000.00.01.H57", "auditor"),
        "gina": make_user("gina", "Huỳnh Thị Giang", "000.00.02.H57", "clerk"),
        "hai": make_user("hai", "Mai Văn Hải", "000.00.02.H57", "leader"),
        "root": _superuser(),
    }


def _superuser() -> User:
    user = User.objects.create_user(
        username="root", password="correct horse 1", full_name="Quản trị", is_superuser=True
    )
    do_create_membership(username="root", unit_code="000.00.00.T58", role="admin", actor=None)
    return user


@pytest.fixture
def api(people: dict[str, User]) -> Iterator[dict[str, Api]]:
    yield {name: Api(user) for name, user in people.items()}


@pytest.fixture
def crew(api: dict[str, Api], org: Any) -> dict[str, Api]:
    """The API clients plus a second HU specialist and the head and a member of sub-unit CS1."""
    api["vy"] = Api(make_user("vy", "Lý Thị Vy", HU, "specialist"))
    api["ly"] = Api(make_user("ly", "Lý Văn Lực", CS1, "leader"))
    api["son"] = Api(make_user("son", "Trần Văn Sơn", CS1, "specialist"))
    return api


@pytest.fixture
def incoming_doc(crew: dict[str, Api]) -> dict[str, Any]:
    return send_to_hu(crew)


DATABASE_FIXTURES = {
    "db",
    "transactional_db",
    "live_server",
    "django_db_reset_sequences",
    "django_db_serialized_rollback",
}


def pytest_collection_modifyitems(config: Any, items: list[Any]) -> None:
    """Run the browser tests last: Playwright's sync API keeps an event loop running in the main thread
    for the rest of the session (pyHanko's asyncio.run() is run off that loop: ``lib/loops.py``).

    The test command runs the suite on SQLite, then on PostgreSQL: a test that touches no database
    (no database fixture, no django_db mark, not the exchange cluster whose nodes use the server's
    databases) has nothing to learn from the second pass and runs in the first only."""
    from django.conf import settings

    on_postgres = "postgresql" in str(settings.DATABASES["default"]["ENGINE"])
    if on_postgres:
        once = pytest.mark.skip(reason="no database involved: the SQLite pass ran it")
        for item in items:
            uses_db = DATABASE_FIXTURES & set(getattr(item, "fixturenames", ()))
            marked = item.get_closest_marker("django_db") or item.get_closest_marker("cluster")
            if not uses_db and not marked and not item.nodeid.startswith("bench/"):
                item.add_marker(once)
    _once_per_command(items, on_postgres=on_postgres)
    # The longest files first, so that the workers (one file each at a time) do not end on them alone;
    # the browser tests last (above).
    items.sort(
        key=lambda item: (
            item.get_closest_marker("browser") is not None,
            not item.nodeid.startswith(LONG_FILES),
        )
    )


# Files of a minute or more of work each (subprocesses, OCR, the exchange nodes, the API fuzz).
LONG_FILES = (
    "bench/tests/",
    "congvan/exchange/tests/test_cluster.py",
    "congvan/api/tests/test_fuzz.py",
    "congvan/capture/tests/test_metadata.py",
    "congvan/capture/tests/test_guard_files.py",
    "congvan/capture/tests/test_intake.py",
    "congvan/web/tests/test_serve.py",
    "congvan/ops/tests/test_backup.py",
)


def _once_per_command(items: list[Any], *, on_postgres: bool) -> None:
    """Slow tests whose subject is not the database run in one pass only: the browser walks in the
    SQLite pass (the pages are the same on both); the exchange cluster and the API fuzz in the
    PostgreSQL pass (the scaled shape, the stricter database), or in the SQLite pass when no
    PostgreSQL pass follows (``CONGVAN_TEST_POSTGRES_FOLLOWS``, set by scripts/test)."""
    import os

    postgres_follows = os.environ.get("CONGVAN_TEST_POSTGRES_FOLLOWS") == "1"
    for item in items:
        wanted = item.get_closest_marker("once")
        if wanted is None and item.get_closest_marker("browser") is not None:
            wanted = pytest.mark.once("sqlite").mark
        if wanted is None:
            continue
        where = wanted.args[0]
        if where == "sqlite" and on_postgres:
            item.add_marker(pytest.mark.skip(reason="once per test command: the SQLite pass ran it"))
        if where == "postgres" and not on_postgres and postgres_follows:
            item.add_marker(pytest.mark.skip(reason="once per test command: in the PostgreSQL pass"))


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The test PKI (root, intermediate, signers, OCSP/CRL/TSA served on 127.0.0.1), once per process."""
    from congvan.signatures.tests.pki import TestPKI

    p = TestPKI(tmp_path_factory.mktemp("pki"))
    yield p
    p.stop()


@pytest.fixture
def trusted(pki: Any, settings: Any, tmp_path: Any) -> Any:
    settings.TRUST_DIR = str(pki.write_trust_dir(tmp_path / "trust"))
    return pki


@pytest.fixture(scope="session")
def dovecot() -> Iterator[Any]:
    """A real IMAP server (Debian's Dovecot) on 127.0.0.1 for this test process; accounts per test."""
    from congvan.mail.tests.servers import Dovecot

    server = Dovecot()
    server.start()
    yield server
    server.stop()
