"""Rule sets (考核细则) as stored text, and the scores computed with them (DESIGN §5: RuleSet, MemberScore).

A rule set is kept as the YAML staff wrote (comments and order included) and parsed on use through
rules.load, so the file exported is the file loaded. Scores are a cache of engine.compute over the
ledger: services.compute_year replaces them, nothing edits them by hand.
"""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from lvzhi.organization.models import CommitteeScopedQuerySet

from . import rules

MANAGE_RULES = "scoring.manage_rules"


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
        constraints = [models.UniqueConstraint(fields=["rule_set", "member"], name="memberscore_unique")]
        indexes = [models.Index(fields=["committee", "year"], name="memberscore_committee_year")]

    def __str__(self):
        return f"{self.member} · {self.year} · {self.total}"
