"""Units in a tree, people, and their memberships with roles."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class User(AbstractUser):
    full_name = models.CharField(max_length=100, blank=True)
    phone = models.CharField(max_length=20, blank=True)
    # Set by an administrator's reset: the temporary password only lets its holder choose a new one.
    password_must_change = models.BooleanField(default=False)
    # Notices are always shown in the pages; by e-mail too when the person has an address and wants them.
    email_notices = models.BooleanField(default=True)

    def __str__(self) -> str:
        return self.full_name or self.username


class UnitKind(models.TextChoices):
    PROVINCE = "province", _("Cấp tỉnh")
    DISTRICT = "district", _("Cấp huyện")
    BOARD = "board", _("Ban, văn phòng")
    GRASSROOTS = "grassroots", _("Cơ sở")
    AGENCY = "agency", _("Cơ quan")


class Sector(models.TextChoices):
    PARTY = "party", _("Đảng")
    STATE = "state", _("Nhà nước")


class Unit(models.Model):
    """An organisation (đơn vị) with its identifier code (mã định danh)."""

    code = models.CharField(max_length=32, unique=True)
    name = models.CharField(max_length=200)
    abbreviation = models.CharField(max_length=20)
    kind = models.CharField(max_length=16, choices=UnitKind.choices, default=UnitKind.AGENCY)
    sector = models.CharField(max_length=8, choices=Sector.choices, default=Sector.PARTY)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children"
    )
    # Materialised path of codes ("/000.00.00.T58/000.00.00.H57/"): subtree queries in one indexed LIKE.
    path = models.CharField(max_length=1000, db_index=True)
    place = models.CharField(max_length=150, blank=True)
    # An organisation off the system (a directory entry) with an address gets documents by e-mail.
    email = models.EmailField(max_length=254, blank=True, default="")
    active = models.BooleanField(default=True)
    # The code of the server (node) that hosts the unit; blank: this server. Filled by the directory.
    home_node = models.CharField(max_length=32, blank=True, default="", db_index=True)
    # Set when the unit was merged into another (reorganisation): later documents go to the successor,
    # and the successor's people read the unit's history.
    successor = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="predecessors"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["path"]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    CLERK = "clerk", _("Văn thư")
    LEADER = "leader", _("Lãnh đạo")
    SPECIALIST = "specialist", _("Chuyên viên")
    ADMIN = "admin", _("Quản trị")
    AUDITOR = "auditor", _("Kiểm tra")


class Membership(models.Model):
    """A person's role in a unit; every request acts as one membership."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    unit = models.ForeignKey(Unit, on_delete=models.PROTECT, related_name="memberships")
    role = models.CharField(max_length=16, choices=Role.choices)
    title = models.CharField(max_length=100, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "unit"], name="one_membership_per_unit")]
        ordering = ["unit__path"]

    def __str__(self) -> str:
        return f"{self.user} @ {self.unit.code} ({self.role})"


class UnitGroup(models.Model):
    """A named set of recipient units kept by a unit ("all grassroots units of the district")."""

    owner = models.ForeignKey(Unit, on_delete=models.CASCADE, related_name="groups")
    slug = models.SlugField(max_length=50)
    name = models.CharField(max_length=200)
    members = models.ManyToManyField(Unit, related_name="in_groups")
    # Offered to every unit below the owner too (a province's "all grassroots committees" list).
    shared = models.BooleanField(default=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["owner", "slug"], name="group_slug_per_owner")]

    def __str__(self) -> str:
        return self.name


class LoginThrottle(models.Model):
    """Failed sign-ins counted per key ("pair:<username>|<address>", "address:<address>",
    "account:<username>"), keyed by the name typed so unknown and existing accounts behave alike."""

    key = models.CharField(max_length=250, unique=True)
    failures = models.PositiveIntegerField(default=0)
    level = models.PositiveIntegerField(default=0)  # how many times it was blocked: the wait doubles
    blocked_until = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField()

    def __str__(self) -> str:
        return self.key


class ApiToken(models.Model):
    """A bearer token; only its SHA-256 is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"token of {self.user_id}"


class SavedView(models.Model):
    """A list's filters a person saved under a name (the query string of the page), to open again."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="saved_views")
    page = models.CharField(max_length=16)  # inbox | outbox | work | search
    name = models.CharField(max_length=60)
    query = models.CharField(max_length=1000, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "page", "name"], name="one_view_name_per_page")
        ]
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.page}: {self.name}"
