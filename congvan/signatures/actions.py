"""Verify stored files: drained by the background worker, or on demand when a decision needs the verdict."""

from __future__ import annotations

import datetime as dt
import io
import os
import re
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from asn1crypto import x509
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from congvan.audit.actions import record
from congvan.documents import blobstore
from congvan.documents.blobstore import open_blob
from congvan.documents.models import Blob
from congvan.lib import filetypes
from congvan.lib.errors import Conflict, InvalidInput, NotFound
from congvan.lib.text import clean_text
from congvan.orgs.access import (
    Acting,
    access_person_for_admin,
    access_unit_for_admin,
    access_unit_rules,
    administered_units,
    people_administered,
)
from congvan.orgs.models import Unit, User
from congvan.signatures import remote
from congvan.signatures.keys import KeySpec, KeyUnavailable, key_dir, open_signer
from congvan.signatures.models import (
    KeyKind,
    PolicyAction,
    SignaturePolicy,
    SignatureReport,
    SigningKey,
    SigningRecord,
    SigningSession,
    Verdict,
)
from congvan.signatures.signing import Signed
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


class KeyNotFound(NotFound):
    code = "signing_key_not_found"


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


# -- registered keys ---------------------------------------------------------------------------------

MAX_KEY_FILE = 64 * 1024
MAX_IMAGE = 2 * 1024 * 1024


@dataclass(frozen=True)
class KeyRequest:
    """What an administrator registers (typed values from the page or the API)."""

    owner: str  # user:<username> | unit:<code>
    kind: str  # pkcs12 | pkcs11 | agent
    pkcs12: bytes | None = None
    certificate: bytes | None = None
    passphrase: str = ""  # to open the PKCS#12 once, now; never stored
    pin_env: str = ""
    pin_file: str = ""
    pin_ask: bool = False
    module: str = ""
    token: str = ""
    key_label: str = ""
    image: bytes | None = None
    position: str = ""


def _small_upload(files: Any, name: str, limit: int) -> bytes | None:
    f = files.get(name)
    if f is None or not f.size:
        return None
    if f.size > limit:
        raise InvalidInput(_("%(name)s: tệp quá lớn") % {"name": name}, code="file_too_large")
    return bytes(f.read())


def key_request(post: Any, files: Any) -> KeyRequest:
    """The typed request from a form's fields and its uploaded files (API and pages)."""

    def text(name: str, limit: int = 300) -> str:
        value = post.get(name, "")
        if not isinstance(value, str) or len(value) > limit:
            raise InvalidInput(_("%(name)s: giá trị không hợp lệ") % {"name": name})
        return value.strip()

    return KeyRequest(
        owner=text("owner", 200),
        kind=text("kind", 10),
        pkcs12=_small_upload(files, "pkcs12", MAX_KEY_FILE),
        certificate=_small_upload(files, "certificate", MAX_KEY_FILE),
        image=_small_upload(files, "image", MAX_IMAGE),
        passphrase=post.get("passphrase", "") if isinstance(post.get("passphrase", ""), str) else "",
        pin_env=text("pin_env", 100),
        pin_file=text("pin_file"),
        pin_ask=text("pin_ask", 5).lower() in ("1", "true", "on", "yes"),
        module=text("module"),
        token=text("token", 100),
        key_label=text("key_label", 100),
        position=text("position", 200),
    )


def _owner(actor: Acting, owner: str) -> tuple[User | None, Unit | None]:
    kind, _sep, name = str(owner).partition(":")
    if kind == "user" and name:
        return access_person_for_admin(actor, name), None
    if kind == "unit" and name:
        return None, access_unit_for_admin(actor, name)
    raise InvalidInput(_("owner: user:<tên đăng nhập> hoặc unit:<mã đơn vị>"), code="invalid_owner")


def _pkcs12_certificate(data: bytes, passphrase: str) -> x509.Certificate:
    from cryptography.hazmat.primitives.serialization import Encoding, pkcs12

    try:
        key, cert, _extra = pkcs12.load_key_and_certificates(data, passphrase.encode() or None)
    except (ValueError, TypeError):
        raise InvalidInput(
            _("Không mở được tệp PKCS#12: sai mật khẩu hoặc tệp hỏng"), code="invalid_key_file"
        ) from None
    if key is None or cert is None:
        raise InvalidInput(_("Tệp PKCS#12 phải chứa khóa bí mật và chứng thư số"), code="invalid_key_file")
    return x509.Certificate.load(cert.public_bytes(Encoding.DER))


def _token_certificate(req: KeyRequest) -> x509.Certificate:
    if not Path(req.module).is_file():
        raise InvalidInput(
            _("Không có thư viện PKCS#11 %(path)s") % {"path": req.module}, code="invalid_module"
        )
    spec = KeySpec(
        "new",
        "pkcs11",
        {
            "module": req.module,
            "token": req.token,
            "key_label": req.key_label,
            "pin_env": req.pin_env,
            "pin_file": req.pin_file,
        },
    )
    with open_signer(spec, req.passphrase or None) as signer:
        cert = signer.signing_cert
    if cert is None:
        raise InvalidInput(_("Không đọc được chứng thư số trên thiết bị ký"), code="invalid_key_file")
    return cert


def _check_request(req: KeyRequest, user: User | None) -> None:
    if req.kind not in KeyKind.values:
        raise InvalidInput(_("kind: pkcs12 | pkcs11 | agent"), code="invalid_kind")
    if req.kind == KeyKind.AGENT and user is None:
        raise InvalidInput(_("Khóa của đơn vị (con dấu) phải ở trên máy chủ"), code="invalid_kind")
    if sum(bool(x) for x in (req.pin_env, req.pin_file, req.pin_ask)) > 1:
        raise InvalidInput(_("Chọn một cách lấy mật khẩu/PIN"), code="invalid_pin_source")
    if req.kind != KeyKind.AGENT and not (req.pin_env or req.pin_file or req.pin_ask):
        raise InvalidInput(
            _("Cần cách lấy mật khẩu/PIN: biến môi trường, tệp, hoặc nhập mỗi lần ký"),
            code="invalid_pin_source",
        )
    if req.pin_env and not re.fullmatch(r"CONGVAN_[A-Z0-9_]{1,60}", req.pin_env):
        raise InvalidInput(_("Tên biến môi trường phải có dạng CONGVAN_…"), code="invalid_pin_source")
    for blob, limit in ((req.pkcs12, MAX_KEY_FILE), (req.certificate, MAX_KEY_FILE), (req.image, MAX_IMAGE)):
        if blob is not None and len(blob) > limit:
            raise InvalidInput(_("Tệp quá lớn"), code="file_too_large")


def _certificate_of(req: KeyRequest) -> x509.Certificate:
    if req.kind == KeyKind.PKCS12:
        if not req.pkcs12:
            raise InvalidInput(_("Cần tệp PKCS#12 (.p12/.pfx)"), code="missing_field")
        secret = req.passphrase
        if not secret and req.pin_env:
            secret = os.environ.get(req.pin_env, "")
        if not secret and req.pin_file:
            try:
                secret = Path(req.pin_file).read_text(encoding="utf-8").strip()
            except OSError:
                secret = ""
        return _pkcs12_certificate(req.pkcs12, secret)
    if req.kind == KeyKind.PKCS11:
        return _token_certificate(req)
    if not req.certificate:
        raise InvalidInput(_("Cần tệp chứng thư số của người ký (.cer/.crt/.pem)"), code="missing_field")
    return remote.load_certificate(req.certificate)


def _image_name(image: bytes | None) -> str:
    if not image:
        return ""
    from PIL import Image

    try:
        with Image.open(io.BytesIO(image)) as im:
            if im.format not in ("PNG", "JPEG"):
                raise ValueError(im.format)
            im.load()  # decoded whole now, as the signing will: a file that breaks half-way is refused here
    except (*filetypes.IMAGE_ERRORS, Image.DecompressionBombError):  # UnidentifiedImageError: an OSError
        raise InvalidInput(_("Ảnh chữ ký/con dấu phải là tệp PNG hoặc JPEG"), code="invalid_image") from None
    name = f"{uuid.uuid4().hex}.img"
    (key_dir() / name).write_bytes(image)
    return name


def do_register_signing_key(req: KeyRequest, *, actor: Acting) -> SigningKey:
    """Register a person's or a unit's signing key (an admin over them); the earlier one is retired."""
    user, unit = _owner(actor, req.owner)
    _check_request(req, user)
    cert = _certificate_of(req)
    now = timezone.now()
    problem = remote.expiry_problem(cert, now)
    if problem:
        raise InvalidInput(problem, code="certificate_expired")
    stored = ""
    if req.kind == KeyKind.PKCS12 and req.pkcs12:
        stored = f"{uuid.uuid4().hex}.p12"
        path = key_dir() / stored
        path.write_bytes(req.pkcs12)
        path.chmod(0o600)
    image = _image_name(req.image)
    label = f"user:{user.username}" if user is not None else f"unit:{unit.code}"  # type: ignore[union-attr]
    subject = cert.subject.native
    with transaction.atomic():
        SigningKey.objects.filter(owner=label, active=True).update(active=False, retired_at=now)
        key = SigningKey.objects.create(
            owner=label,
            user=user,
            unit=unit,
            kind=req.kind,
            certificate=cert.dump(),
            subject=str(subject.get("common_name", ""))[:300],
            issuer=str(cert.issuer.native.get("common_name", ""))[:300],
            serial=format(cert.serial_number, "X")[:80],
            not_before=cert.not_valid_before,
            not_after=cert.not_valid_after,
            stored_file=stored,
            image_file=image,
            pin_env=req.pin_env,
            pin_file=req.pin_file,
            pin_ask=req.pin_ask,
            module=req.module,
            token=req.token[:100],
            key_label=req.key_label[:100],
            position=clean_text(req.position, field="position", max_length=200),
            created_at=now,
            created_by=actor.user,
        )
        record(
            "signature.key_registered",
            actor=actor.user,
            unit=unit.code if unit is not None else actor.unit.code,
            target_type="signing_key",
            target_id=key.pk,
            details={
                "owner": label,
                "kind": req.kind,
                "serial": key.serial,
                "until": key.not_after.isoformat(),
            },
        )
    return key


def do_retire_signing_key(key_id: int, *, actor: Acting) -> SigningKey:
    """Stop using a key (a lost token, a certificate replaced)."""
    with transaction.atomic():
        key = access_signing_key(actor, key_id, for_write=True)
        if key.active:
            key.active, key.retired_at = False, timezone.now()
            key.save(update_fields=["active", "retired_at"])
            record(
                "signature.key_retired",
                actor=actor.user,
                unit=key.unit.code if key.unit is not None else actor.unit.code,
                target_type="signing_key",
                target_id=key.pk,
                details={"owner": key.owner, "serial": key.serial},
            )
    return key


# -- signatures made on the signer's own token --------------------------------------------------------

SESSION_MINUTES = 10


def _signing_dir() -> Path:
    path = Path(settings.DATA_DIR) / "signing"
    path.mkdir(mode=0o700, parents=True, exist_ok=True)
    return path


def do_prepare_remote_signature(
    user: User, document_id: int, source_sha: str, certificate: bytes, *, position: str, name: str
) -> SigningSession:
    """Prepare the file for the person's signature on their own token (the caller checked that they
    may sign it): the certificate must be the one registered for them."""
    key = SigningKey.objects.filter(owner=f"user:{user.username}", active=True, kind=KeyKind.AGENT).first()
    if key is None:
        raise KeyUnavailable(_("Chưa đăng ký chứng thư số của thiết bị ký cho tài khoản này"))
    cert = remote.load_certificate(certificate)
    if cert.dump() != bytes(key.certificate):
        raise InvalidInput(
            _("Chứng thư số trên thiết bị ký không phải chứng thư đã đăng ký (số hiệu %(serial)s)")
            % {"serial": key.serial},
            code="certificate_mismatch",
        )
    now = timezone.now()
    problem = remote.expiry_problem(cert, now)
    if problem:
        raise KeyUnavailable(problem)
    with open_blob(source_sha) as fh:
        source = fh.read()
    prepared_name = f"{uuid.uuid4().hex}.pdf"
    image = str(key_dir() / key.image_file) if key.image_file else None
    prepared = remote.prepare(
        source,
        cert,
        _signing_dir() / prepared_name,
        position=key.position or position,
        name=name,
        image=image,
    )
    with transaction.atomic():
        session = SigningSession.objects.create(
            token=secrets.token_urlsafe(32),
            key=key,
            user=user,
            document_id=document_id,
            source=source_sha,
            prepared_file=prepared_name,
            signed_attrs=prepared.signed_attrs,
            document_digest=prepared.document_digest,
            region_start=prepared.region_start,
            region_end=prepared.region_end,
            created_at=now,
            expires_at=now + dt.timedelta(minutes=SESSION_MINUTES),
        )
        record(
            "signature.prepared",
            actor=user,
            target_type="document",
            target_id=document_id,
            details={"key": key.pk, "digest": prepared.document_digest.hex()[:16]},
        )
    return session


def do_finish_remote_signature(
    user: User, document_id: int, token: str, signature: bytes, *, source: str
) -> Signed:
    """Embed the signature value the person's agent returned (once, before the session expires), for
    a session prepared on ``source`` (the document's main file now). The value is checked first; the
    session is then taken, and the timestamp and revocation data fetched outside any transaction."""
    session = (
        SigningSession.objects.select_related("key")
        .filter(token=str(token)[:64], user=user, document_id=document_id)
        .first()
    )
    if session is None or session.used_at is not None:
        raise InvalidInput(_("Phiên ký không còn hiệu lực: hãy ký lại"), code="signing_session")
    if session.expires_at < timezone.now():
        raise InvalidInput(_("Phiên ký đã quá hạn: hãy ký lại"), code="signing_session")
    if session.source != source:
        raise InvalidInput(
            _("Tệp văn bản đã thay đổi sau khi chuẩn bị ký: hãy ký lại"), code="signing_session"
        )
    cert = x509.Certificate.load(bytes(session.key.certificate))
    prepared = remote.Prepared(
        bytes(session.signed_attrs), bytes(session.document_digest), session.region_start, session.region_end
    )
    remote.check_value(cert, prepared.signed_attrs, signature)
    with transaction.atomic():
        taken = SigningSession.objects.filter(pk=session.pk, used_at=None).update(used_at=timezone.now())
    if not taken:  # the same value sent twice at once: the other request embeds it
        raise InvalidInput(_("Phiên ký không còn hiệu lực: hãy ký lại"), code="signing_session")
    prepared_path = _signing_dir() / session.prepared_file
    try:
        data, level = remote.finish(prepared_path, cert, prepared, signature)
    finally:
        prepared_path.unlink(missing_ok=True)
    sha, size = blobstore.put_bytes(data)
    with transaction.atomic():
        Blob.objects.get_or_create(sha256=sha, defaults={"size": size, "mime": filetypes.PDF})
        SigningRecord.objects.create(
            blob_id=sha, source_id=session.source, key_label=session.key.owner, level=level, at=timezone.now()
        )
    return Signed(sha, level)


def access_signing_key(actor: Acting, key_id: int, *, for_write: bool = False) -> SigningKey:
    """A key of a person or unit the acting admin manages."""
    qs = visible_keys(actor).filter(pk=key_id)
    if for_write:
        qs = qs.select_for_update(of=("self",))  # PostgreSQL locks no row of an outer join's side
    key = qs.select_related("unit", "user").first()
    if key is None:
        raise KeyNotFound(_("Không có khóa ký này trong phạm vi quản trị"))
    return key


def visible_keys(actor: Acting) -> QuerySet[SigningKey]:
    units = administered_units(actor)
    people = people_administered(actor)
    return SigningKey.objects.filter(Q(unit__in=units) | Q(user__in=people))
