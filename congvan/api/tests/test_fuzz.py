"""A bounded fuzz run of the whole OpenAPI: generated requests, valid and invalid, to every operation as
a signed-in clerk; any 5xx, or an answer the document does not declare, fails the run."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from schemathesis import GenerationMode
from schemathesis.specs.openapi.checks import status_code_conformance

from congvan.orgs.tests.support import Api

# About 1,500 cases in all: the operations times this, half valid, half invalid.
EXAMPLES_PER_OPERATION = 10


@pytest.fixture
def fuzz_schema(people: Any) -> Iterator[Any]:
    """The schema served by the app itself, called in process (as Django's test client does, the
    connection stays open between requests: the test's transaction holds the data)."""
    from django.core.signals import request_finished, request_started
    from django.core.wsgi import get_wsgi_application
    from django.db import close_old_connections

    request_started.disconnect(close_old_connections)
    request_finished.disconnect(close_old_connections)
    try:
        yield schemathesis.openapi.from_wsgi("/api/v1/openapi.json", get_wsgi_application())
    finally:
        request_started.connect(close_old_connections)
        request_finished.connect(close_old_connections)


def _run(operation: Any, mode: GenerationMode, headers: dict[str, str]) -> None:
    @settings(
        max_examples=EXAMPLES_PER_OPERATION,
        deadline=None,
        derandomize=True,  # the same cases on every run: a failure is reproducible
        suppress_health_check=list(HealthCheck),
        database=None,
        print_blob=False,
    )
    @given(case=operation.as_strategy(generation_mode=mode))
    def run(case: Any) -> None:
        case.call_and_validate(
            headers=headers, checks=[schemathesis.checks.not_a_server_error, status_code_conformance]
        )

    run()


def _summary(exc: BaseException) -> str:
    """What failed and how to repeat it, without the traceback."""
    text = str(exc)
    for sub in getattr(exc, "exceptions", []):
        text += " | " + str(sub)
    lines = [line.strip() for line in text.splitlines() if line.strip()]
    return " ".join(lines)[:700]


@pytest.mark.once("postgres")  # the stricter database: NUL bytes, integer ranges, column widths
def test_generated_requests_get_declared_answers(fuzz_schema: Any, people: Any) -> None:
    headers = {"Authorization": f"Bearer {Api(people['alice']).token}"}
    failures: list[str] = []
    operations = 0
    for result in fuzz_schema.get_all_operations():
        operation = result.ok()
        operations += 1
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):
            try:
                _run(operation, mode, headers)
            except BaseException as exc:
                failures.append(f"{operation.label} ({mode.value}): {_summary(exc)}")
    assert operations > 60
    assert not failures, "\n\n".join(failures)
