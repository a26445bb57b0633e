"""Releases, deliveries to each recipient, and receipts (the recipients' incoming copies)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from congvan.documents.models import Document, Urgency
from congvan.orgs.models import Unit, User


class DeliveryState(models.TextChoices):
    """A recipient's progress, with the edXML status codes (DOMAIN.md)."""

    ARRIVED = "arrived", _("Đã đến")
    RETURNED = "returned", _("Bị trả lại")
    REGISTERED = "registered", _("Đã vào sổ")
    DIRECTED = "directed", _("Đã phân công")
    IN_PROGRESS = "in_progress", _("Đang xử lý")
    COMPLETED = "completed", _("Hoàn thành")
    REVOKED = "revoked", _("Đã thu hồi")


STATUS_CODES = {
    DeliveryState.ARRIVED: "01",
    DeliveryState.RETURNED: "02",
    DeliveryState.REGISTERED: "03",
    DeliveryState.DIRECTED: "04",
    DeliveryState.IN_PROGRESS: "05",
    DeliveryState.COMPLETED: "06",
    DeliveryState.REVOKED: "15",  # the recipient confirmed the recall (codes 13-16, DOMAIN.md)
}
CODE_STATES = {code: state for state, code in STATUS_CODES.items()}


class Transport(models.TextChoices):
    """How a delivery travels: on this server, or as a message to the recipient's server."""

    LOCAL = "local", _("Cùng máy chủ")
    QUEUED = "queued", _("Chờ gửi")
    SENT = "sent", _("Đã gửi")
    ACKNOWLEDGED = "acknowledged", _("Đã xác nhận")
    FAILED = "failed", _("Gửi không được")
    BOUNCED = "bounced", _("Bị trả về")  # a document mailed out, reported undelivered by the mail servers


class PaperCopy(models.TextChoices):
    """Why an electronic document was also sent on paper (the inspection counts them by reason)."""

    NONE = "", _("Không gửi bản giấy")
    PERSONNEL = "personnel", _("Tổ chức, cán bộ")
    INSPECTION = "inspection", _("Thanh tra, kiểm tra")
    COMPLAINTS = "complaints", _("Khiếu nại, tố cáo")
    FINANCE = "finance", _("Tài chính")
    OTHER = "other", _("Khác")


class Dispatch(models.Model):
    """One release of a document to a set of recipients."""

    document = models.OneToOneField(Document, on_delete=models.PROTECT, related_name="dispatch")
    released_by = models.ForeignKey(User, on_delete=models.PROTECT, related_name="+")
    released_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoke_reason = models.CharField(max_length=500, blank=True)
    paper_copy = models.CharField(max_length=16, choices=PaperCopy.choices, blank=True, default="")

    def __str__(self) -> str:
        return f"dispatch of {self.document_id}"


class Delivery(models.Model):
    """The sender's view of one recipient."""

    dispatch = models.ForeignKey(Dispatch, on_delete=models.PROTECT, related_name="deliveries")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    state = models.CharField(max_length=16, choices=DeliveryState.choices, default=DeliveryState.ARRIVED)
    state_changed_at = models.DateTimeField()
    note = models.CharField(max_length=500, blank=True)
    # A recipient on another server: the release writes "queued" (the exchange's outbox seam), the
    # exchange moves it on as the message travels; the business states then follow as status messages.
    transport = models.CharField(max_length=16, choices=Transport.choices, default=Transport.LOCAL)
    transport_note = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["dispatch", "unit"], name="one_delivery_per_unit")]
        indexes = [
            models.Index(fields=["id"], name="delivery_to_send", condition=models.Q(transport="queued"))
        ]

    def __str__(self) -> str:
        return f"{self.dispatch_id} -> {self.unit_id}"


class Receipt(models.Model):
    """A recipient unit's incoming copy (văn bản đến), with the fields its inbox filters on."""

    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="receipts")
    document = models.ForeignKey(Document, on_delete=models.PROTECT, related_name="receipts")
    delivery = models.OneToOneField(Delivery, null=True, on_delete=models.PROTECT, related_name="receipt")
    issuer = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="+")
    urgency = models.CharField(max_length=16, choices=Urgency.choices, default=Urgency.NORMAL)
    state = models.CharField(max_length=16, choices=DeliveryState.choices, default=DeliveryState.ARRIVED)
    arrived_at = models.DateTimeField()
    incoming_number = models.PositiveIntegerField(null=True, blank=True)
    arrival_date = models.DateField(null=True, blank=True)
    registered_at = models.DateTimeField(null=True, blank=True)
    registered_by = models.ForeignKey(User, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    returned_reason = models.CharField(max_length=500, blank=True)
    # The unit the document was addressed to when that unit had been merged into this one (or the
    # receipt moved here with the merge): shown beside the receipt.
    addressed_to = models.ForeignKey(Unit, null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "document"], name="one_receipt_per_unit")]
        indexes = [
            models.Index(fields=["unit", "-arrived_at", "-id"], name="inbox_newest"),
            models.Index(fields=["unit", "state", "-arrived_at", "-id"], name="inbox_by_state"),
        ]

    def __str__(self) -> str:
        return f"receipt {self.pk} of {self.unit_id}"


class StateChange(models.Model):
    """A recipient's state change with its edXML status code, who made it and a note."""

    state = models.CharField(max_length=16, choices=DeliveryState.choices)
    code = models.CharField(max_length=2)
    at = models.DateTimeField()
    note = models.CharField(max_length=500, blank=True)
    by = models.CharField(max_length=150, blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "id"]

    @staticmethod
    def fields(state: str, note: str, at: object, by: str) -> dict[str, object]:
        return {
            "state": state,
            "code": STATUS_CODES[DeliveryState(state)],
            "at": at,
            "note": note[:500],
            "by": by[:150],
        }


class StatusEvent(StateChange):
    """A change of a recipient's state after arrival, in order, for the sender's tracking."""

    delivery = models.ForeignKey(Delivery, on_delete=models.CASCADE, related_name="events")

    def __str__(self) -> str:
        return f"{self.delivery_id}: {self.code}"


class ReceiptEvent(StateChange):
    """A change of a receipt that came without a local delivery (from another server, from paper).

    For a receipt that arrived from another server this is the outbox seam of the status messages
    back to the sender: the exchange drains the events of the receipts it brought in.
    """

    receipt = models.ForeignKey(Receipt, on_delete=models.CASCADE, related_name="events")

    def __str__(self) -> str:
        return f"receipt {self.receipt_id}: {self.code}"


class ReceiptCount(models.Model):
    """How many receipts a unit has in each state, kept in the transaction of every change.

    The oversight page of a province reads 200 x 6 of these rows instead of counting a million receipts.
    """

    unit = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="+")
    state = models.CharField(max_length=16, choices=DeliveryState.choices)
    n = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["unit", "state"], name="one_count_per_state")]

    def __str__(self) -> str:
        return f"{self.unit_id} {self.state}: {self.n}"
