"""Rule sets (考核细则) as stored text, and the scores computed with them (DESIGN §5: RuleSet, MemberScore).

A rule set is kept as the YAML staff wrote (comments and order included) and parsed on use through
rules.load, so the file exported is the file loaded. Scores are a cache of engine.compute over the
ledger: services.compute_year replaces them, nothing edits them by hand.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lvzhi.core.models import StoredFile
from lvzhi.organization.models import CommitteeScopedQuerySet

from . import rules

MANAGE_RULES = "scoring.manage_rules"
# Every member's score, the rankings and the reports (office, leaders); a member sees only their own.
VIEW_SCORES = "scoring.view_scores"
# Inspection groups, findings and tiers of the town committees and sectors (the office).
ASSESS_UNITS = "scoring.assess_units"


class RuleSet(models.Model):
    """One version of a committee's rules for a year. Versions count 1, 2, … per committee and year; at
    most one is active, and that one is what the year's scores are computed with."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        ACTIVE = "active", _("Active")
        RETIRED = "retired", _("Retired")

    committee = models.ForeignKey(
        "organization.Committee",
        on_delete=models.PROTECT,
        related_name="rule_sets",
        verbose_name=_("committee"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    version = models.PositiveIntegerField(_("version"))
    name = models.CharField(_("name"), max_length=200)
    text = models.TextField(_("rules"), help_text=_("The rule set in the documented YAML/JSON format."))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    activated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("activated by"),
    )
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)

    objects = CommitteeScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("rule set")
        verbose_name_plural = _("rule sets")
        ordering = ["committee", "-year", "-version"]
        permissions = [("manage_rules", _("Can edit, activate and compute duty assessment rule sets"))]
        constraints = [
            models.UniqueConstraint(fields=["committee", "year", "version"], name="ruleset_unique_version"),
            models.UniqueConstraint(
                fields=["committee", "year"],
                condition=Q(status="active"),
                name="ruleset_one_active_per_committee_year",
            ),
        ]

    def __str__(self):
        return f"{self.name} ({self.year} v{self.version})"

    def parsed(self) -> rules.RuleSet:
        """The rules as the engine reads them (raises rules.RuleSetError if the text no longer loads,
        e.g. a kind it names was removed since it was saved)."""
        return rules.load(self.text)


class MemberScore(models.Model):
    """A member's computed score for a year under one rule set: the totals after caps, the grade, and
    what the engine flagged. The explanation is recomputed on demand from the ledger, not stored."""

    committee = models.ForeignKey(
        "organization.Committee",
        on_delete=models.PROTECT,
        related_name="member_scores",
        verbose_name=_("committee"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="scores", verbose_name=_("member")
    )
    rule_set = models.ForeignKey(
        RuleSet, on_delete=models.CASCADE, related_name="scores", verbose_name=_("rule set")
    )
    total = models.DecimalField(_("total"), max_digits=7, decimal_places=2)
    grade = models.CharField(_("grade"), max_length=50, blank=True)
    passed = models.BooleanField(_("passed"), null=True, blank=True)
    # {code: {"name", "score", "raw", "capped", "floored"}}, numbers as strings (exact decimals)
    categories = models.JSONField(_("categories"), default=dict, blank=True)
    # [{"code", "text"}] of the requirements not met / the flags raised
    unmet = models.JSONField(_("unmet requirements"), default=list, blank=True)
    flags = models.JSONField(_("flags"), default=list, blank=True)
    computed_at = models.DateTimeField(_("computed at"))

    objects = CommitteeScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("member score")
        verbose_name_plural = _("member scores")
        ordering = ["committee", "-year", "-total", "member"]
        permissions = [("view_scores", _("Can see every member's duty score, the rankings and the reports"))]
        constraints = [models.UniqueConstraint(fields=["rule_set", "member"], name="memberscore_unique")]
        indexes = [models.Index(fields=["committee", "year"], name="memberscore_committee_year")]

    def __str__(self):
        return f"{self.member} · {self.year} · {self.total}"


class ScoringPolicy(models.Model):
    """A committee's choices about who sees what of the assessment."""

    committee = models.OneToOneField(
        "organization.Committee",
        on_delete=models.CASCADE,
        related_name="scoring_policy",
        verbose_name=_("committee"),
    )
    rankings_enabled = models.BooleanField(
        _("show rankings"),
        default=True,
        help_text=_("Staff and leaders see members ranked by score. Members never see rankings."),
    )

    objects = CommitteeScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("scoring policy")
        verbose_name_plural = _("scoring policies")

    def __str__(self):
        return str(self.committee)


class InspectionGroup(models.Model):
    """考核组: a group that inspects some of the town committees and sectors in a year, led by a
    vice-chair (a member of the committee), with other members and staff in it."""

    committee = models.ForeignKey(
        "organization.Committee",
        on_delete=models.PROTECT,
        related_name="inspection_groups",
        verbose_name=_("committee"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    name = models.CharField(_("name"), max_length=100)
    leader = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="+", verbose_name=_("leader")
    )
    leader_title = models.CharField(_("leader's title"), max_length=50, blank=True)
    members = models.ManyToManyField(
        "members.Member", blank=True, related_name="inspection_groups", verbose_name=_("group members")
    )
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = CommitteeScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection group")
        verbose_name_plural = _("inspection groups")
        ordering = ["committee", "-year", "order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "year", "name"], name="inspectiongroup_unique_name")
        ]

    def __str__(self):
        return f"{self.year} {self.name}"


class UnitAssessment(models.Model):
    """A town committee's or sector's assessment for a year: indicators computed from its members'
    ledger, the inspection's findings and scores per indicator, and the tier decided (一类/二类/三类)."""

    class Tier(models.TextChoices):
        FIRST = "first", _("Tier one")
        SECOND = "second", _("Tier two")
        THIRD = "third", _("Tier three")

    committee = models.ForeignKey(
        "organization.Committee",
        on_delete=models.PROTECT,
        related_name="unit_assessments",
        verbose_name=_("committee"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    unit = models.ForeignKey(
        "organization.OrgUnit", on_delete=models.PROTECT, related_name="assessments", verbose_name=_("unit")
    )
    group = models.ForeignKey(
        InspectionGroup,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="assessments",
        verbose_name=_("inspection group"),
    )
    # {code: {"name", "value"}} computed from the ledger (numbers as strings); refreshed on demand
    indicators = models.JSONField(_("indicators"), default=dict, blank=True)
    # {code: {"score": "12.5", "finding": "…"}} per inspection indicator of the rule set's `units` part
    inspection = models.JSONField(_("inspection scores"), default=dict, blank=True)
    findings = models.TextField(_("findings"), blank=True)
    score = models.DecimalField(_("score"), max_digits=7, decimal_places=2, null=True, blank=True)
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Optimistic lock: a form carries the version it showed (two staff typing findings at once).
    version = models.PositiveIntegerField(default=1)

    objects = CommitteeScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("unit assessment")
        verbose_name_plural = _("unit assessments")
        ordering = ["committee", "-year", "unit__kind", "unit__sort_order", "unit__name"]
        permissions = [("assess_units", _("Can run the assessment of town committees and sectors"))]
        constraints = [models.UniqueConstraint(fields=["unit", "year"], name="unitassessment_unique_year")]

    def __str__(self):
        return f"{self.unit} · {self.year}"


# The ledger kinds no other app produces: a member claims them with evidence, the office approves
# (DutyClaim). Counties' rules give them points (commendations 10/8/6/4, service to a key enterprise,
# help to a family in need); a rule set names them like any other kind.
CLAIM_KINDS = {
    "commendation.national": _("National commendation"),
    "commendation.provincial": _("Provincial commendation"),
    "commendation.prefecture": _("Prefecture commendation"),
    "commendation.city": _("County or city commendation"),
    "commendation.enterprise_service": _("Service to a key enterprise or project"),
    "commendation.family_help": _("Help to a family in need"),
}


class DutyClaim(StoredFile):
    """A duty fact that only the member or the office knows of (a commendation, a key enterprise served,
    a family helped), claimed with evidence (the file this row carries) and approved by the office
    before it reaches the ledger. An approved claim is the source of one ledger record; withdrawing
    or rejecting it after approval retracts that record."""

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Awaiting approval")
        APPROVED = "approved", pgettext_lazy("duty claim", "Approved")
        REJECTED = "rejected", pgettext_lazy("duty claim", "Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    TRANSITIONS = {
        Status.SUBMITTED: {Status.APPROVED, Status.REJECTED, Status.WITHDRAWN},
        Status.APPROVED: {Status.REJECTED},
        Status.REJECTED: {Status.SUBMITTED},
    }

    committee = models.ForeignKey(
        "organization.Committee", on_delete=models.PROTECT, related_name="+", verbose_name=_("committee")
    )
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="duty_claims", verbose_name=_("member")
    )
    kind = models.CharField(_("kind"), max_length=64)
    date = models.DateField(_("date"))
    title = models.CharField(_("title"), max_length=200)
    description = models.TextField(_("description"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("submitted by"),
    )
    submitted_at = models.DateTimeField(_("submitted at"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("note on the decision"), max_length=500, blank=True)
    version = models.PositiveIntegerField(default=1)

    objects = CommitteeScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("duty claim")
        verbose_name_plural = _("duty claims")
        ordering = ["-submitted_at", "-pk"]
        permissions = [("approve_dutyclaim", _("Can approve members' claims of commendations and services"))]

    def __str__(self):
        return f"{self.member} · {self.title}"

    def upload_folder(self):
        return f"scoring/claims/{self.member_id}"

    def get_absolute_url(self):
        # The ledger record's source link: the score explanation opens the claim behind the points.
        return reverse("scoring:claim_detail", args=[self.pk])

    @property
    def kind_label(self):
        return CLAIM_KINDS.get(self.kind, self.kind)
