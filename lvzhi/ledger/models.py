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
