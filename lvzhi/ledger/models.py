from decimal import Decimal

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lvzhi.members.models import Member

from . import kinds


class DutyRecordQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Records of the members the user may see (Member.objects.visible_to): the committee for
        committee-wide roles, the members of their units for unit staff, otherwise their own."""
        if not user.is_authenticated or user.committee_id is None:
            return self.none()
        qs = self.filter(committee_id=user.committee_id)
        if user.has_perm("members.view_member") and user.is_committee_wide:
            return qs
        return qs.filter(member__in=Member.objects.visible_to(user).values("pk"))


class DutyRecord(models.Model):
    """履职记录: one countable fact about a member, written only by services.sync_records (DESIGN §6.5).

    The source is the object the fact comes from (an activity, a report, a proposal); together with
    member and kind it identifies the fact, so the same fact can never be recorded twice.
    """

    member = models.ForeignKey(
        Member, on_delete=models.PROTECT, related_name="duty_records", verbose_name=_("member")
    )
    committee = models.ForeignKey(
        "organization.Committee",
        on_delete=models.PROTECT,
        related_name="duty_records",
        verbose_name=_("committee"),
    )
    date = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=64, validators=[kinds.validate_kind])
    role = models.CharField(_("role"), max_length=32, blank=True, help_text=_("e.g. lead or co"))
    share = models.DecimalField(
        _("share"),
        max_digits=5,
        decimal_places=4,
        default=Decimal("1"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("1"))],
        help_text=_("The member's part of a joint piece of work, from 0 to 1."),
    )
    source_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("source type")
    )
    source_id = models.PositiveBigIntegerField(_("source ID"))
    source = GenericForeignKey("source_type", "source_id")
    source_label = models.CharField(_("source"), max_length=255, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)
    note = models.CharField(_("note"), max_length=255, blank=True)

    objects = DutyRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("duty record")
        verbose_name_plural = _("duty records")
        ordering = ["date", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["source_type", "source_id", "member", "kind"], name="dutyrecord_one_fact_per_source"
            ),
            models.CheckConstraint(
                condition=models.Q(share__gte=0, share__lte=1), name="dutyrecord_share_between_0_and_1"
            ),
        ]
        indexes = [
            models.Index(fields=["committee", "date"], name="dutyrecord_committee_date"),
            models.Index(fields=["member", "date"], name="dutyrecord_member_date"),
        ]

    def __str__(self):
        return f"{self.member} · {self.kind_label} · {self.date:%Y-%m-%d}"

    @property
    def kind_label(self):
        return kinds.label(self.kind)

    @property
    def role_label(self):
        return kinds.role_label(self.role)

    @property
    def group(self):
        return kinds.group_of(self.kind)

    @property
    def source_url(self):
        """The source's page when it has one; needs `source` loaded (prefetch it in lists)."""
        source = self.source
        get_url = getattr(source, "get_absolute_url", None)
        return get_url() if get_url else ""


class DutyImport(models.Model):
    """One upload of a year's existing duty records (attendance sheets, proposal and 社情民意 lists) from a
    spreadsheet: checked into a preview, imported on confirmation, and undone if it was wrong. Each row
    becomes a ledger record whose source is one of this import's items (DutyImportItem), so undoing the
    import retracts exactly what it wrote.

    The file names members by ID number: it waits encrypted until the import is confirmed or discarded,
    then is deleted; its size and SHA-256 stay here and in the audit log."""

    class Status(models.TextChoices):
        PREVIEW = "preview", _("Preview ready")
        IMPORTED = "imported", _("Imported")
        DISCARDED = "discarded", _("Discarded")
        UNDONE = "undone", _("Undone")

    TRANSITIONS = {
        Status.PREVIEW: {Status.IMPORTED, Status.DISCARDED},
        Status.IMPORTED: {Status.UNDONE},
    }

    committee = models.ForeignKey(
        "organization.Committee", on_delete=models.PROTECT, related_name="+", verbose_name=_("committee")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    file = models.FileField(_("file"), upload_to="private/duty-imports/%Y/%m/", blank=True)
    original_name = models.CharField(_("file name"), max_length=255)
    file_bytes = models.PositiveBigIntegerField(_("file size in bytes"), default=0)
    file_sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PREVIEW)
    # {"rows", "valid", "errors": [{"row", "column", "message"}], "sample": [...], "by_kind": {...}}
    preview = models.JSONField(default=dict, blank=True)
    # {"records", "items", "members"} once imported
    result = models.JSONField(default=dict, blank=True)
    imported_at = models.DateTimeField(_("imported at"), null=True, blank=True)
    undone_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("undone by"),
    )
    undone_at = models.DateTimeField(_("undone at"), null=True, blank=True)

    class Meta:
        verbose_name = _("duty record import")
        verbose_name_plural = _("duty record imports")
        ordering = ["-created_at", "-id"]
        permissions = [("import_records", _("Can import historical duty records"))]

    def __str__(self):
        return f"{self.original_name} ({self.get_status_display()})"


class DutyImportItem(models.Model):
    """One piece of work in an import: the rows with the same item (a proposal's title or number) share
    it, so joint work is split among its authors; a row without an item is an item of its own. The
    ledger records of the import have these as their source."""

    job = models.ForeignKey(
        DutyImport, on_delete=models.CASCADE, related_name="items", verbose_name=_("import")
    )
    key = models.CharField(_("item"), max_length=255)
    label = models.CharField(_("label"), max_length=255, blank=True)
    first_row = models.PositiveIntegerField(_("first row"), default=0)

    class Meta:
        verbose_name = _("imported item")
        verbose_name_plural = _("imported items")
        ordering = ["job", "first_row", "pk"]
        constraints = [models.UniqueConstraint(fields=["job", "key"], name="dutyimportitem_unique_key")]

    def __str__(self):
        return self.label or self.key
