from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.text import capfirst
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class CommitteeScopedQuerySet(models.QuerySet):
    """Rows of the user's committee only (DESIGN §6.6). Models with unit-level scope override this."""

    committee_path = "committee"

    def for_committee(self, committee):
        return self.filter(**{self.committee_path: committee})

    def visible_to(self, user):
        if not user.is_authenticated or user.committee_id is None:
            return self.none()
        return self.filter(**{f"{self.committee_path}_id": user.committee_id})


class Committee(models.Model):
    """A CPPCC body, the tenant of all data. Committees form a tree from national to county."""

    class Level(models.TextChoices):
        NATIONAL = "national", _("National")
        PROVINCE = "province", _("Province")
        CITY = "city", _("City")
        COUNTY = "county", _("County")

    name = models.CharField(pgettext_lazy("organization", "name"), max_length=100)
    code = models.SlugField(_("code"), max_length=32, unique=True)
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent"),
    )

    class Meta:
        verbose_name = _("committee")
        verbose_name_plural = _("committees")
        ordering = ["code"]

    def __str__(self):
        return self.name

    def current_term(self):
        return self.terms.filter(is_current=True).first()

    def ancestors(self):
        """Committees above this one, from the top of the tree down (a few levels at most)."""
        chain, parent = [], self.parent
        while parent is not None:
            chain.insert(0, parent)
            parent = parent.parent
        return chain


class Term(models.Model):
    """届: a five-year term of a committee."""

    committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, related_name="terms", verbose_name=_("committee")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(
        pgettext_lazy("organization", "name"), max_length=32, help_text=_("For example 第九届")
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)
    is_current = models.BooleanField(_("current term"), default=False)

    objects = CommitteeScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("term")
        verbose_name_plural = _("terms")
        ordering = ["committee", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "number"], name="term_unique_number"),
            models.UniqueConstraint(
                fields=["committee"], condition=Q(is_current=True), name="term_one_current_per_committee"
            ),
        ]

    def __str__(self):
        return self.name


class SessionQuerySet(CommitteeScopedQuerySet):
    committee_path = "term__committee"


class Session(models.Model):
    """次会议: a plenary session within a term."""

    term = models.ForeignKey(Term, on_delete=models.PROTECT, related_name="sessions", verbose_name=_("term"))
    number = models.PositiveSmallIntegerField(_("number"))
    name = models.CharField(
        pgettext_lazy("organization", "name"), max_length=32, help_text=_("For example 第二次会议")
    )
    start_date = models.DateField(_("start date"))
    end_date = models.DateField(_("end date"), null=True, blank=True)

    objects = SessionQuerySet.as_manager()

    class Meta:
        verbose_name = _("session")
        verbose_name_plural = _("sessions")
        ordering = ["term", "number"]
        constraints = [models.UniqueConstraint(fields=["term", "number"], name="session_unique_number")]

    def __str__(self):
        return f"{self.term.name}{self.name}"


class OrgUnitQuerySet(CommitteeScopedQuerySet):
    def visible_to(self, user):
        qs = super().visible_to(user)
        if user.is_authenticated and not user.is_committee_wide:
            qs = qs.filter(Q(id__in=user.unit_ids()) | Q(parent_id__in=user.unit_ids()))
        return qs


class OrgUnit(models.Model):
    """A body inside the committee: 常委会, 专委会, 界别, 镇区政协工委, 委员小组, 办公室…"""

    class Kind(models.TextChoices):
        STANDING_COMMITTEE = "standing_committee", _("Standing committee")
        CHAIRS_COUNCIL = "chairs_council", _("Chairs' council")
        SPECIAL_COMMITTEE = "special_committee", _("Special committee")
        SECTOR = "sector", _("Sector")
        TOWN_COMMITTEE = "town_committee", _("Town committee")
        MEMBER_GROUP = "member_group", _("Member group")
        OFFICE = "office", _("Office")

    committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, related_name="units", verbose_name=_("committee")
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, db_index=True)
    name = models.CharField(pgettext_lazy("organization", "name"), max_length=100)
    short_name = models.CharField(_("short name"), max_length=50, blank=True)
    parent = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="children",
        verbose_name=_("parent unit"),
    )
    sort_order = models.PositiveIntegerField(_("sort order"), default=0)
    description = models.TextField(_("description"), blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = OrgUnitQuerySet.as_manager()

    class Meta:
        verbose_name = _("organization unit")
        verbose_name_plural = _("organization units")
        ordering = ["kind", "sort_order", "name"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "kind", "name"], name="orgunit_unique_name")
        ]

    def __str__(self):
        return self.name


class MembershipQuerySet(CommitteeScopedQuerySet):
    committee_path = "unit__committee"

    def visible_to(self, user):
        return self.filter(unit__in=OrgUnit.objects.visible_to(user))

    def current(self, on=None):
        on = on or timezone.localdate()
        return self.filter(Q(start_date__isnull=True) | Q(start_date__lte=on)).filter(
            Q(end_date__isnull=True) | Q(end_date__gte=on)
        )


# Posts from the highest: lists show 主任 before 副主任 (the codes' alphabetical order would not).
POSITION_RANK = ["director", "deputy_director", "convener", "group_leader", "member"]
_BY_RANK = models.Case(
    *(models.When(position=code, then=models.Value(rank)) for rank, code in enumerate(POSITION_RANK)),
    default=models.Value(len(POSITION_RANK)),
    output_field=models.IntegerField(),
)


class Membership(models.Model):
    """A member's post in a unit (主任 of a special committee, 召集人 of a sector…), with dates."""

    class Position(models.TextChoices):
        DIRECTOR = "director", _("Director")
        DEPUTY_DIRECTOR = "deputy_director", _("Deputy director")
        CONVENER = "convener", _("Convener")
        GROUP_LEADER = "group_leader", _("Group leader")
        MEMBER = "member", _("Member")

    unit = models.ForeignKey(
        OrgUnit, on_delete=models.CASCADE, related_name="memberships", verbose_name=_("unit")
    )
    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="memberships", verbose_name=_("member")
    )
    position = models.CharField(
        _("position"), max_length=32, choices=Position.choices, default=Position.MEMBER
    )
    start_date = models.DateField(_("start date"), null=True, blank=True)
    end_date = models.DateField(_("end date"), null=True, blank=True)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["unit", _BY_RANK.asc(), "member__name_stroke_key"]

    def __str__(self):
        return f"{self.unit} · {self.get_position_display()}"


class Department(models.Model):
    """A county body outside the CPPCC: liaison target now, proposal handling unit later."""

    class Kind(models.TextChoices):
        PARTY = "party", _("Party organ")
        GOVERNMENT = "government", _("Government department")
        PEOPLES_CONGRESS = "congress", _("People's congress")
        JUDICIAL = "judicial", _("Court or procuratorate")
        MASS_ORGANIZATION = "mass_org", _("People's organization")
        ENTERPRISE = "enterprise", _("Enterprise or institution")
        OTHER = "other", _("Other")

    committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, related_name="departments", verbose_name=_("committee")
    )
    name = models.CharField(pgettext_lazy("organization", "name"), max_length=100)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.GOVERNMENT)
    contact_person = models.CharField(_("contact person"), max_length=50, blank=True)
    contact_phone = models.CharField(_("office phone"), max_length=30, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    is_active = models.BooleanField(_("active"), default=True)

    objects = CommitteeScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("department")
        verbose_name_plural = _("departments")
        ordering = ["kind", "name"]
        constraints = [models.UniqueConstraint(fields=["committee", "name"], name="department_unique_name")]

    def __str__(self):
        return self.name


class LiaisonQuerySet(CommitteeScopedQuerySet):
    def visible_to(self, user):
        return self.filter(unit__in=OrgUnit.objects.visible_to(user))


class Liaison(models.Model):
    """对口联络: a standing link from a special committee to a department, town committee or sector."""

    committee = models.ForeignKey(
        Committee, on_delete=models.PROTECT, related_name="liaisons", verbose_name=_("committee")
    )
    unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.CASCADE,
        related_name="liaisons",
        limit_choices_to={"kind": OrgUnit.Kind.SPECIAL_COMMITTEE},
        verbose_name=_("special committee"),
    )
    department = models.ForeignKey(
        Department,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="liaisons",
        verbose_name=_("department"),
    )
    target_unit = models.ForeignKey(
        OrgUnit,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="liaised_by",
        verbose_name=_("town committee or sector"),
    )
    note = models.CharField(_("note"), max_length=200, blank=True)

    objects = LiaisonQuerySet.as_manager()

    class Meta:
        verbose_name = _("counterpart liaison")
        verbose_name_plural = _("counterpart liaisons")
        ordering = ["unit", "department__name", "target_unit__name"]
        constraints = [
            models.CheckConstraint(
                condition=(
                    Q(department__isnull=False, target_unit__isnull=True)
                    | Q(department__isnull=True, target_unit__isnull=False)
                ),
                name="liaison_exactly_one_target",
            ),
            models.UniqueConstraint(fields=["unit", "department"], name="liaison_unique_department"),
            models.UniqueConstraint(fields=["unit", "target_unit"], name="liaison_unique_target_unit"),
        ]

    def __str__(self):
        return f"{self.unit} ↔ {self.target}"

    @property
    def target(self):
        return self.department or self.target_unit


class LiaisonContactQuerySet(CommitteeScopedQuerySet):
    committee_path = "liaison__committee"

    def visible_to(self, user):
        return self.filter(liaison__in=Liaison.objects.visible_to(user))


class LiaisonContact(models.Model):
    """One logged contact along a liaison: when, who took part, what was discussed, what follows."""

    liaison = models.ForeignKey(
        Liaison, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("liaison")
    )
    date = models.DateField(_("date"))
    participants = models.CharField(_("participants"), max_length=300)
    topic = models.TextField(_("what was discussed"))
    follow_up = models.TextField(_("follow-up"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("recorded by")
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    objects = LiaisonContactQuerySet.as_manager()

    class Meta:
        verbose_name = _("liaison contact")
        verbose_name_plural = _("liaison contacts")
        ordering = ["-date", "-id"]

    def __str__(self):
        return f"{self.date} {self.liaison}"

    def clean(self):
        # A contact is logged after it took place: a future date is a typing slip (2062 for 2026).
        today = timezone.localdate()
        if self.date and self.date > today:
            raise ValidationError(
                {
                    "date": _(
                        "%(field)s cannot be later than today (%(today)s): give the day the contact took place."
                    )
                    % {
                        "field": capfirst(self._meta.get_field("date").verbose_name),
                        "today": today.isoformat(),
                    }
                }
            )
