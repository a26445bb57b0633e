"""Transport between servers: peers, the messages sent (outbox) and the messages received.

A server's own identity (node code, key, certificate, URL) is configuration (``CONGVAN_NODE_*``);
the peers it trusts are rows, managed with ``congvan peer``.
"""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from congvan.dispatch.models import Delivery, Receipt, ReceiptEvent


class Peer(models.Model):
    """Another server: reached at ``url``, or through the peer ``via`` (a province relays)."""

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200, blank=True)
    url = models.CharField(max_length=300, blank=True)
    via = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    certificate = models.TextField(blank=True)  # PEM; required for a peer reached directly
    # a hub gateway that posts status messages unsigned over a transport trusted otherwise (a VPN)
    trust_unsigned_status = models.BooleanField(default=False)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["code"]

    def __str__(self) -> str:
        return self.code


class OutState(models.TextChoices):
    QUEUED = "queued", _("Chờ gửi")
    SENDING = "sending", _("Đang gửi")
    DONE = "done", _("Đã xác nhận")
    FAILED = "failed", _("Gửi không được")


class OutKind(models.TextChoices):
    DOCUMENT = "document", _("Văn bản")
    REVOKE = "revoke", _("Thu hồi")
    STATUS = "status", _("Trạng thái")
    RELAY = "relay", _("Chuyển tiếp")


class OutMessage(models.Model):
    """One message to one next hop, written in the transaction that caused it, sent after commit.

    ``header`` is the unsigned edXML (attachments only listed, with their SHA-256): the sender signs it
    and streams the blobs after it. A message that must not overtake another names it in ``after``.
    """

    message_id = models.UUIDField(default=uuid.uuid4, unique=True)
    hop = models.CharField(max_length=32)  # the peer it is sent to (the destination or a relay)
    destination = models.CharField(max_length=32)  # the node that hosts the recipient
    kind = models.CharField(max_length=16, choices=OutKind.choices)
    delivery = models.ForeignKey(Delivery, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    receipt_event = models.OneToOneField(
        ReceiptEvent, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    relay_of = models.ForeignKey(
        "InMessage", null=True, blank=True, on_delete=models.PROTECT, related_name="relays"
    )
    after = models.ForeignKey("self", null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    header = models.TextField()
    size = models.BigIntegerField(default=0)
    state = models.CharField(max_length=16, choices=OutState.choices, default=OutState.QUEUED)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    lease_until = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField()
    acked_at = models.DateTimeField(null=True, blank=True)
    result = models.CharField(max_length=16, blank=True)  # accepted | relayed | refused
    last_error = models.CharField(max_length=500, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["delivery", "kind"],
                condition=Q(delivery__isnull=False),
                name="one_message_per_delivery",
            )
        ]
        indexes = [
            models.Index(
                fields=["next_attempt_at", "id"],
                name="outbox_due",
                condition=Q(state__in=["queued", "sending"]),
            )
        ]

    def __str__(self) -> str:
        return f"{self.kind} {self.message_id} -> {self.hop}"


class InMessage(models.Model):
    """A message received from a peer, once per message id; the answer given is kept for repeats."""

    message_id = models.UUIDField(unique=True)
    from_node = models.CharField(max_length=32)
    kind = models.CharField(max_length=16)
    document_id = models.CharField(max_length=300, blank=True)
    sender_organ = models.CharField(max_length=32, blank=True)
    recipient_organ = models.CharField(max_length=32, blank=True)
    received_at = models.DateTimeField()
    result = models.CharField(max_length=16)  # accepted | relayed | refused
    reason = models.CharField(max_length=500, blank=True)
    receipt = models.ForeignKey(Receipt, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    header = models.TextField(blank=True)  # the edXML as received (signature removed), for relays
    answer = models.BinaryField()

    class Meta:
        indexes = [models.Index(fields=["document_id", "recipient_organ"], name="inbound_by_document")]

    def __str__(self) -> str:
        return f"{self.kind} {self.message_id} from {self.from_node}"
