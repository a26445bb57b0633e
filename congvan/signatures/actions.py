"""Verify stored files: drained by the background worker, or on demand when a decision needs the verdict."""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from congvan.audit.actions import record
from congvan.documents.blobstore import open_blob
from congvan.documents.models import Blob
from congvan.lib import filetypes
from congvan.lib.errors import Conflict, InvalidInput
from congvan.orgs.access import Acting, access_unit_rules
from congvan.orgs.models import Unit
from congvan.signatures.models import PolicyAction, SignaturePolicy, SignatureReport, Verdict
from congvan.signatures.verify import verify_pdf

MAX_VERIFY_BYTES = 200 * 1024 * 1024


def do_verify_blob(sha256: str) -> SignatureReport:
    """Verify one stored PDF and keep its report (idempotent: an existing report is returned)."""
    existing = SignatureReport.objects.filter(blob_id=sha256).first()
    if existing is not None:
        return existing
    blob = Blob.objects.get(pk=sha256)
    if blob.size > MAX_VERIFY_BYTES:
        verdict, reasons, sigs = str(Verdict.INVALID), ["Tệp quá lớn để kiểm tra chữ ký"], []
    else:
        with open_blob(sha256) as fh:
            report = verify_pdf(fh.read())
        verdict, reasons, sigs = report.verdict, report.reasons, report.as_dict()["signatures"]
    try:
        with transaction.atomic():
            saved = SignatureReport.objects.create(
                blob=blob, verdict=verdict, reasons=reasons, signatures=sigs, checked_at=timezone.now()
            )
            record(
                "signature.verified",
                actor=None,
                target_type="blob",
                target_id=sha256[:16],
                details={"verdict": verdict},
            )
    except IntegrityError:  # another worker verified it meanwhile
        return SignatureReport.objects.get(blob_id=sha256)
    return saved


def verify_pending(limit: int = 50) -> int:
    """Verify PDFs that have no report yet (the seam: documents store blobs, this app drains them)."""
    pending = list(
        Blob.objects.filter(mime=filetypes.PDF, signature_report__isnull=True)
        .order_by("created_at")
        .values_list("sha256", flat=True)[:limit]
    )
    for sha in pending:
        do_verify_blob(sha)
    return len(pending)


class SignatureRefused(Conflict):
    code = "signature_refused"


def policy_decision(unit: Unit, report: SignatureReport) -> str:
    """Return accept, flag or refuse for a report under the unit's policy."""
    policy = SignaturePolicy.objects.filter(unit=unit).first() or SignaturePolicy(unit=unit)
    if report.verdict == Verdict.INVALID:
        return policy.on_invalid
    if report.verdict == Verdict.UNSIGNED:
        return policy.on_unsigned
    return PolicyAction.ACCEPT


def enforce_policy(unit: Unit, sha256: str) -> SignatureReport:
    """Refuse, with the reasons, a file the unit's policy does not accept; return its report."""
    report = do_verify_blob(sha256)
    if policy_decision(unit, report) == PolicyAction.REFUSE:
        label = Verdict(report.verdict).label
        raise SignatureRefused(
            f"Chữ ký số: {label}. "
            + "; ".join(report.reasons[:3])
            + _("— đơn vị không tiếp nhận, hãy trả lại nơi gửi")
        )
    return report


def do_set_policy(unit_code: str, *, on_invalid: str, on_unsigned: str, actor: Acting) -> SignaturePolicy:
    """Set a unit's policy for invalid and unsigned documents (its leader, or an admin above it)."""
    for name, value in (("on_invalid", on_invalid), ("on_unsigned", on_unsigned)):
        if value not in PolicyAction.values:
            raise InvalidInput(f"{name}: accept | flag | refuse")
    with transaction.atomic():
        unit = access_unit_rules(actor, unit_code)
        policy, _ = SignaturePolicy.objects.update_or_create(
            unit=unit, defaults={"on_invalid": on_invalid, "on_unsigned": on_unsigned}
        )
        record(
            "signature.policy",
            actor=actor.user,
            unit=unit.code,
            target_type="unit",
            target_id=unit.code,
            details={"on_invalid": on_invalid, "on_unsigned": on_unsigned},
        )
    return policy
