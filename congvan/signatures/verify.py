"""Verify the PAdES signatures of a PDF and say, in Vietnamese, whether it can be trusted.

An adapter over pyHanko: the rest of congvan sees only the frozen dataclasses below.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
from dataclasses import asdict, dataclass, field
from typing import Any

from asn1crypto import x509
from django.conf import settings

from congvan.lib.dates import VN
from congvan.lib.loops import off_running_loop
from congvan.signatures.trust import trust_store

VALID, WARNINGS, INVALID, UNSIGNED = "valid", "valid_with_warnings", "invalid", "unsigned"
VERDICT_TEXT = {
    VALID: "Hợp lệ",
    WARNINGS: "Hợp lệ có cảnh báo",
    INVALID: "Không hợp lệ",
    UNSIGNED: "Không có chữ ký",
}


@dataclass(frozen=True)
class SignatureInfo:
    field_name: str
    signer: str
    organisation: str
    serial: str
    signed_at: str | None
    timestamp: str | None
    level: str
    intact: bool
    trusted: bool
    revoked: bool
    modification: str
    problems: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class VerificationReport:
    verdict: str
    reasons: list[str]
    signatures: list[SignatureInfo]

    @property
    def verdict_text(self) -> str:
        return VERDICT_TEXT[self.verdict]

    def as_dict(self) -> dict[str, Any]:
        return {
            "verdict": self.verdict,
            "verdict_text": self.verdict_text,
            "reasons": self.reasons,
            "signatures": [asdict(s) for s in self.signatures],
        }


def _unreadable() -> tuple[type[BaseException], ...]:
    """What pyHanko and its parsers raise on a broken or hostile file (a verdict, never a crash)."""
    import zlib

    from pyhanko.pdf_utils.misc import PdfError
    from pyhanko.sign.validation.errors import SignatureValidationError
    from pyhanko_certvalidator.errors import ValidationError

    return (
        PdfError,
        SignatureValidationError,
        ValidationError,
        ValueError,  # asn1crypto and pyHanko's own value errors
        KeyError,
        IndexError,
        TypeError,
        AttributeError,  # a dictionary where a stream was expected, and the like
        OverflowError,
        RecursionError,  # deeply nested objects
        zlib.error,
        NotImplementedError,  # filters and algorithms pyHanko does not know
    )


def _quiet_pyhanko() -> None:
    # pyHanko logs a full traceback at WARNING for every failed validation: the report says it all.
    for name in ("pyhanko", "pyhanko_certvalidator", "pyhanko.sign.validation"):
        logging.getLogger(name).setLevel(logging.ERROR)


def _vn(when: dt.datetime | None) -> str | None:
    return when.astimezone(VN).isoformat(timespec="seconds") if when else None


def _name(cert: x509.Certificate) -> tuple[str, str, str]:
    subject = cert.subject.native
    return (
        str(subject.get("common_name", "")),
        str(subject.get("organization_name", "")),
        format(cert.serial_number, "X"),
    )


@off_running_loop
def verify_pdf(
    data: bytes,
    *,
    extra_roots: list[x509.Certificate] | None = None,
    online: bool | None = None,
    hard_fail: bool | None = None,
) -> VerificationReport:
    """Return the verdict on every signature of a PDF (never raises on a broken or hostile file)."""
    from pyhanko.pdf_utils.reader import PdfFileReader
    from pyhanko_certvalidator import ValidationContext

    _quiet_pyhanko()
    online = settings.SIGNATURE_ONLINE if online is None else online
    hard_fail = settings.SIGNATURE_HARD_FAIL if hard_fail is None else hard_fail
    store = trust_store(extra_roots)
    try:
        reader = PdfFileReader(io.BytesIO(data), strict=False)
        embedded = list(reader.embedded_signatures)
        fields = _signature_fields(reader)
    except _unreadable() as exc:  # a broken file is a verdict, not a crash
        return VerificationReport(
            INVALID, [f"Tệp PDF hỏng, không đọc được chữ ký ({type(exc).__name__})"], []
        )
    if not embedded:
        if fields:
            return VerificationReport(INVALID, ["Có ô chữ ký nhưng chưa được ký (ô chữ ký trống)"], [])
        return VerificationReport(UNSIGNED, ["Văn bản không có chữ ký số"], [])
    infos = []
    for sig in embedded:
        kwargs: dict[str, Any] = {
            "trust_roots": list(store.roots),
            "other_certs": list(store.intermediates),
            "allow_fetching": online,
            "revocation_mode": "hard-fail" if hard_fail else "soft-fail",
        }
        vc = _with_embedded_data(reader, kwargs) or ValidationContext(**kwargs)
        infos.append(_check_one(sig, vc, hard_fail=hard_fail))
    problems = [f"{s.signer or s.field_name}: {p}" for s in infos for p in s.problems]
    warnings = [f"{s.signer or s.field_name}: {w}" for s in infos for w in s.warnings]
    if problems:
        return VerificationReport(INVALID, problems + warnings, infos)
    if warnings:
        return VerificationReport(WARNINGS, warnings, infos)
    return VerificationReport(VALID, [f"{len(infos)} chữ ký hợp lệ"], infos)


def _with_embedded_data(reader: Any, kwargs: dict[str, Any]) -> Any:
    """A validation context preloaded with the file's own validation data (PAdES B-LT), if it has any:
    revocation is then known without the network."""
    from pyhanko.sign.validation.dss import DocumentSecurityStore
    from pyhanko.sign.validation.errors import NoDSSFoundError

    try:
        return DocumentSecurityStore.read_dss(reader).as_validation_context(kwargs)
    except NoDSSFoundError:
        return None
    except _unreadable():  # a damaged DSS is ignored: the signature is still checked the usual way
        return None


def _signature_fields(reader: Any) -> list[str]:
    from pyhanko.sign.fields import enumerate_sig_fields

    try:
        return [name for name, _, _ in enumerate_sig_fields(reader, filled_status=False)]
    except _unreadable():
        return []


def _check_one(sig: Any, vc: Any, *, hard_fail: bool) -> SignatureInfo:
    from pyhanko.sign.validation import validate_pdf_signature

    try:
        cert = sig.signer_cert
        signer, org, serial = _name(cert)
    except _unreadable():
        return _broken(str(sig.field_name), "", "", "", "Cấu trúc chữ ký hỏng")
    try:
        status = validate_pdf_signature(sig, signer_validation_context=vc)
    except _unreadable() as exc:
        return _broken(
            str(sig.field_name), signer, org, serial, f"Không kiểm tra được chữ ký ({type(exc).__name__})"
        )
    # Revocation data seen while validating: fetched (OCSP/CRL) or embedded in the file (LTV).
    problems, warnings, revoked = _trust_findings(
        status, revocation_known=bool(vc.ocsps or vc.crls), hard_fail=hard_fail
    )
    ts = status.timestamp_validity
    if ts is not None and not (ts.intact and ts.valid and ts.trusted):
        problems.append("Dấu thời gian không hợp lệ")
    modification = _modification(status)
    if status.docmdp_ok is False or modification == "OTHER":
        problems.append("Tệp đã bị sửa đổi sau khi ký (không được phép)")
    if ts is None:
        warnings.append("Không có dấu thời gian: thời điểm ký do người ký tự khai")
    return SignatureInfo(
        str(sig.field_name),
        signer,
        org,
        serial,
        _vn(ts.timestamp if ts is not None else status.signer_reported_dt),
        _vn(ts.timestamp) if ts else None,
        _level(sig, ts is not None),
        bool(status.intact and status.valid),
        bool(status.trusted),
        revoked,
        modification,
        problems,
        warnings,
    )


def _broken(field_name: str, signer: str, org: str, serial: str, problem: str) -> SignatureInfo:
    return SignatureInfo(field_name, signer, org, serial, None, None, "", False, False, False, "", [problem])


def _trust_findings(
    status: Any, *, revocation_known: bool, hard_fail: bool
) -> tuple[list[str], list[str], bool]:
    """Problems, warnings and "revoked" from pyHanko's integrity flags and AdES sub-indication."""
    from pyhanko.sign.ades.report import AdESFailure, AdESIndeterminate

    indic = status.trust_problem_indic
    problems: list[str] = []
    warnings: list[str] = []
    if not status.intact or not status.valid:
        problems.append("Nội dung đã bị thay đổi sau khi ký (chữ ký không khớp)")
    revoked = indic in (
        AdESIndeterminate.REVOKED_NO_POE,
        AdESIndeterminate.REVOKED_CA_NO_POE,
        AdESFailure.REVOKED,
    )
    if revoked:
        problems.append("Chứng thư số đã bị thu hồi")
    elif indic in (
        AdESIndeterminate.OUT_OF_BOUNDS_NO_POE,
        AdESIndeterminate.OUT_OF_BOUNDS_NOT_REVOKED,
        AdESIndeterminate.EXPIRED,
        AdESIndeterminate.NOT_YET_VALID,
        AdESFailure.NOT_YET_VALID,
    ):
        problems.append("Chứng thư số đã hết hạn hoặc chưa có hiệu lực tại thời điểm ký")
    elif indic == AdESIndeterminate.NO_CERTIFICATE_CHAIN_FOUND:
        problems.append("Chứng thư số không do tổ chức cung cấp dịch vụ tin cậy cấp")
    elif not revocation_known and status.intact:
        (problems if hard_fail else warnings).append(
            "Không kiểm tra được tình trạng thu hồi của chứng thư số (không kết nối được OCSP/CRL, "
            "tệp không kèm dữ liệu kiểm tra)"
        )
    elif indic is not None and not status.trusted:
        problems.append(f"Chứng thư số không được tin cậy ({indic.name})")
    return problems, warnings, revoked


def _modification(status: Any) -> str:
    """pyHanko's modification level after signing: NONE, LTA_UPDATES, FORM_FILLING, ANNOTATIONS, OTHER."""
    level = status.modification_level
    return "NONE" if level is None else str(level.name)


def _level(sig: Any, has_timestamp: bool) -> str:
    try:
        dss = sig.reader.root.get("/DSS")
    except _unreadable():
        dss = None
    if has_timestamp and dss is not None:
        return "B-LT"
    return "B-T" if has_timestamp else "B-B"


def last_signer_expiry(data: bytes) -> tuple[str, dt.datetime] | None:
    """The name and expiry of the certificate of a PDF's last signature (the health page's seal
    certificates); None for a file without a readable signature."""
    from pyhanko.pdf_utils.reader import PdfFileReader

    _quiet_pyhanko()
    try:
        embedded = list(PdfFileReader(io.BytesIO(data), strict=False).embedded_signatures)
        if not embedded:
            return None
        cert = embedded[-1].signer_cert
        return _name(cert)[0], cert.not_valid_after
    except _unreadable():
        return None
