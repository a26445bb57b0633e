"""Signing and verification through congvan beside pyHanko called directly on the same files.

A test PKI (Certomancer: OCSP, CRL, time-stamping on 127.0.0.1) is made for the run. Prints
throughput of verifying a 10-page PDF with two signatures, and of signing, for both; then releases a
signed document to 1,000 recipients and counts the signatures made (it must be one per file).
Targets (issue "Digital signatures"): both at least 0.8x of direct pyHanko.

    .venv/bin/python -m bench.signatures [--quick]
"""

from __future__ import annotations

import io
import json
import os
import tempfile
from pathlib import Path

from bench.common import median, parse_args, setup_django, size, timed, verdict


def main() -> None:
    args = parse_args(__doc__ or "")
    setup_django(args)
    import datetime as dt

    from django.conf import settings
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko.sign import fields, signers, timestamps
    from pyhanko.sign.validation import validate_pdf_signature
    from pyhanko_certvalidator import ValidationContext

    from congvan.lib.pdfgen import simple_pdf
    from congvan.signatures.sign import load_pkcs12_signer, sign_pdf
    from congvan.signatures.tests.pki import PASS, TestPKI
    from congvan.signatures.verify import _quiet_pyhanko, verify_pdf

    _quiet_pyhanko()
    folder = Path(tempfile.mkdtemp(prefix="congvan-pki-"))
    pki = TestPKI(folder)
    settings.TRUST_DIR = str(pki.write_trust_dir(folder / "trust"))
    leader = load_pkcs12_signer(str(pki.pkcs12("leader")), PASS)
    seal = load_pkcs12_signer(str(pki.pkcs12("seal")), PASS)
    ten_pages = simple_pdf(["Kế hoạch tổ chức đại hội"] * 30, pages=10)
    one = sign_pdf(ten_pages, leader, field_name="LanhDao", tsa_url=pki.tsa_url).data
    two = sign_pdf(one, seal, field_name="DonVi", tsa_url=pki.tsa_url).data
    n = size(args, 20, 5, 1)

    def ours_verify() -> None:
        assert verify_pdf(two).verdict == "valid"

    def direct_verify() -> None:
        reader = PdfFileReader(io.BytesIO(two))
        for sig in reader.embedded_signatures:
            vc = ValidationContext(
                trust_roots=[pki.cert("root")],
                other_certs=[pki.cert("interm")],
                allow_fetching=True,
                revocation_mode="soft-fail",
            )
            assert validate_pdf_signature(sig, signer_validation_context=vc).bottom_line

    ours_verify()  # warm up both
    direct_verify()
    v_ours, v_direct = timed(ours_verify, n), timed(direct_verify, n)

    def ours_sign() -> None:
        sign_pdf(ten_pages, leader, field_name="LanhDao", tsa_url=pki.tsa_url)

    def direct_sign() -> None:
        meta = signers.PdfSignatureMetadata(field_name="LanhDao", subfilter=fields.SigSeedSubFilter.PADES)
        from pyhanko.pdf_utils.incremental_writer import IncrementalPdfFileWriter

        signers.sign_pdf(
            IncrementalPdfFileWriter(io.BytesIO(ten_pages)),
            meta,
            signer=leader,  # type: ignore[arg-type]
            timestamper=timestamps.HTTPTimeStamper(pki.tsa_url),
            output=io.BytesIO(),
        )

    s_ours, s_direct = timed(ours_sign, n), timed(direct_sign, n)
    print(f"verification of a 10-page PDF with two signatures (B-T, OCSP on 127.0.0.1), {n} runs")
    vr = median(v_direct) / median(v_ours)
    print(
        f"  congvan verify_pdf       {1 / median(v_ours):6.2f} files/s   (median {median(v_ours) * 1000:6.1f} ms)"
    )
    print(
        f"  pyHanko directly         {1 / median(v_direct):6.2f} files/s   (median {median(v_direct) * 1000:6.1f} ms)"
    )
    print(f"  ratio                    {vr:6.2f}x   target >= 0.8x: {verdict(vr >= 0.8)}")
    sr = median(s_direct) / median(s_ours)
    print(f"signing (B-T, one signature), {n} runs")
    print(
        f"  congvan sign_pdf         {1 / median(s_ours):6.2f} files/s   (median {median(s_ours) * 1000:6.1f} ms)"
    )
    print(
        f"  pyHanko directly         {1 / median(s_direct):6.2f} files/s   (median {median(s_direct) * 1000:6.1f} ms)"
    )
    print(f"  ratio                    {sr:6.2f}x   target >= 0.8x: {verdict(sr >= 0.8)}")
    release_once(pki, folder, dt)
    pki.stop()


def release_once(pki, folder: Path, dt) -> None:
    """Release to 1,000 units with the unit's key configured: a sealed, numbered release (the number
    and date written into the PDF, then the seal) beside the same release unsigned (the number
    written, no seal); count the signatures made (one per file)."""
    import subprocess
    import time

    from django.conf import settings
    from django.db import transaction

    from congvan.dispatch.actions import do_release
    from congvan.documents.actions import do_create_draft
    from congvan.documents.blobstore import blob_path
    from congvan.documents.models import Document
    from congvan.documents.uploads import stage_bytes
    from congvan.orgs.access import acting_as
    from congvan.orgs.models import Membership, Unit, User
    from congvan.registers.actions import do_create_term
    from congvan.signatures.models import SigningRecord
    from congvan.signatures.tests import drafts
    from congvan.signatures.tests.pki import PASS

    (folder / "pin").write_text(PASS.decode())
    (folder / "keys.json").write_text(
        json.dumps(
            {"unit:HU": {"kind": "pkcs12", "path": str(pki.pkcs12("seal")), "pin_file": str(folder / "pin")}}
        )
    )
    settings.SIGNING_KEYS, settings.TSA_URL = str(folder / "keys.json"), pki.tsa_url
    with transaction.atomic():
        hu = Unit.objects.create(code="HU", name="Huyện ủy", abbreviation="HU", path="/HU/")
        Unit.objects.bulk_create(
            [
                Unit(code=f"R{i:04d}", name=f"Chi bộ {i}", abbreviation="CB", path=f"/R{i}/")
                for i in range(1000)
            ]
        )
        do_create_term(unit_code=hu.code, name="2025-2030", starts_on=dt.date(2025, 1, 1), actor=None)
        clerk = User.objects.create_user(username="clerk", password="x")
        Membership.objects.create(user=clerk, unit=hu, role="clerk")
    acting = acting_as(clerk, None)
    codes = [f"R{i:04d}" for i in range(1000)]
    times: dict[bool, float] = {}
    for seal in (False, True):
        doc = do_create_draft(
            {"type": "KH", "subject": "Kế hoạch"},
            main=stage_bytes("a.pdf", drafts.party_blank()),
            attachments=[],
            actor=acting,
        )
        Document.objects.filter(pk=doc.pk).update(state="approved")
        start = time.perf_counter()
        do_release(doc.pk, recipients=codes, seal=seal, actor=acting)
        times[seal] = time.perf_counter() - start
        doc.refresh_from_db()
        path = blob_path(doc.files.get(role="main").blob_id)
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
        written = f"Số {doc.symbol}" in text
        print(
            f"release to {len(codes)} recipients, {'sealed' if seal else 'unsigned'} "
            f"(number and date written into the PDF: {'yes' if written else 'NO'}): {times[seal] * 1000:.0f} ms"
        )
    made = SigningRecord.objects.count()
    print(
        f"  the seal adds {(times[True] - times[False]) * 1000:.0f} ms (x{times[True] / times[False]:.1f}); "
        f"signatures made: {made} (one per file: {'yes' if made == 1 else 'NO'})"
    )


if __name__ == "__main__":
    os.environ.setdefault("CONGVAN_SIGNATURE_ONLINE", "true")
    main()
