from __future__ import annotations

from collections.abc import Iterator

import pytest

from congvan.signatures.tests.pki import TestPKI


@pytest.fixture(scope="session")
def pki(tmp_path_factory: pytest.TempPathFactory) -> Iterator[TestPKI]:
    p = TestPKI(tmp_path_factory.mktemp("pki"))
    yield p
    p.stop()


@pytest.fixture
def trusted(pki: TestPKI, settings, tmp_path) -> TestPKI:
    settings.TRUST_DIR = str(pki.write_trust_dir(tmp_path / "trust"))
    return pki
