"""The unit's seal is made before the release's transaction, and made again when the number moved."""

from __future__ import annotations

from congvan.documents.models import Document
from congvan.orgs.tests.support import released
from congvan.signatures.models import SigningRecord
from congvan.signatures.tests.test_signing_flow import CS1, blob_bytes, keys
from congvan.signatures.verify import VALID, verify_pdf

__all__ = ["keys"]  # the fixture, used by name


def test_the_seal_is_made_before_the_transaction_and_again_when_the_number_moved(api, keys, monkeypatch):
    """The slow signature is made outside the register's lock with the number the register would give;
    when another release takes that number first, the seal is made again with the next one."""
    from congvan.registers.actions import peek_number

    first = released(api, [CS1])  # takes 01-KH/HU
    real_peek = peek_number
    calls = []

    def stale_then_real(seq):
        calls.append(seq)
        number, symbol = real_peek(seq)
        return (number - 1, symbol) if len(calls) == 1 else (number, symbol)

    monkeypatch.setattr("congvan.dispatch.actions.peek_number", stale_then_real)
    second = released(api, [CS1])
    assert len(calls) == 2 and first["symbol"] == "01-KH/HU" and second["symbol"] == "02-KH/HU"
    doc = Document.objects.get(pk=second["id"])
    main = doc.files.get(role="main")
    report = verify_pdf(blob_bytes(main.blob_id))
    assert report.verdict == VALID, report.reasons
    seals = SigningRecord.objects.filter(key_label="unit:000.00.01.H57")
    assert seals.count() == 3  # one for the first release, two for the second (the first one wasted)
    assert seals.filter(blob_id=main.blob_id).count() == 1
