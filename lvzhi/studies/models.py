"""Study and training (学习培训): the committee's yearly training plan and the study notes and essays
members hand in, which staff acknowledge and the duty ledger counts."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lvzhi.core.models import Authored, StatusChange, StoredFile, Versioned
from lvzhi.organization.models import CommitteeScopedQuerySet


class TrainingPlanQuerySet(CommitteeScopedQuerySet):
    def visible_to(self, user):
        """Staff who may view plans see drafts too; everyone else of the committee sees published plans."""
        qs = super().visible_to(user)
        if user.is_authenticated and user.has_perm("studies.view_trainingplan"):
            return qs
        return qs.filter(status=TrainingPlan.Status.PUBLISHED)


class TrainingPlan(Versioned, Authored, models.Model):
    """学习培训方案: one per committee and year, listing the planned sessions."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")

    # Publishing shows the plan to members; taking it back to draft hides it again for corrections.
    TRANSITIONS = {
        Status.DRAFT: {Status.PUBLISHED},
        Status.PUBLISHED: {Status.DRAFT},
    }

    committee = models.ForeignKey(
        "organization.Committee",
        on_delete=models.PROTECT,
        related_name="training_plans",
        verbose_name=_("committee"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    title = models.CharField(_("title"), max_length=200)
    summary = models.TextField(_("summary"), blank=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )

    objects = TrainingPlanQuerySet.as_manager()

    class Meta:
        verbose_name = _("training plan")
        verbose_name_plural = _("training plans")
        ordering = ["-year", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "year"], name="trainingplan_one_per_year")
        ]

    def __str__(self):
        return self.title


class TrainingPlanStatusChange(StatusChange):
    plan = models.ForeignKey(
        TrainingPlan, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("plan")
    )
    from_status = models.CharField(_("from"), max_length=16, choices=TrainingPlan.Status.choices)
    to_status = models.CharField(_("to"), max_length=16, choices=TrainingPlan.Status.choices)

    class Meta(StatusChange.Meta):
        verbose_name = _("training plan status change")
        verbose_name_plural = _("training plan status changes")

    def __str__(self):
        return f"{self.plan}: {self.from_status} → {self.to_status}"


class TrainingSession(models.Model):
    """One planned session of the plan. Once the real training activity is set up, it is linked here
    so that members can follow the plan to the meeting notice."""

    plan = models.ForeignKey(
        TrainingPlan, on_delete=models.CASCADE, related_name="sessions", verbose_name=_("plan")
    )
    planned_on = models.DateField(_("planned date"))
    topic = models.CharField(_("topic"), max_length=200)
    lecturer = models.CharField(_("lecturer"), max_length=100, blank=True)
    audience = models.CharField(_("audience"), max_length=200, blank=True)
    activity = models.ForeignKey(
        "activities.Activity",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="training_sessions",
        verbose_name=_("training activity"),
    )

    class Meta:
        verbose_name = _("training session")
        verbose_name_plural = _("training sessions")
        ordering = ["planned_on", "pk"]

    def __str__(self):
        return f"{self.planned_on:%Y-%m-%d} {self.topic}"


class StudySubmissionQuerySet(CommitteeScopedQuerySet):
    def visible_to(self, user):
        """Staff who may view submissions see those of the members they may see (the whole committee,
        or their units' members); everyone else only their own."""
        from lvzhi.members.models import Member

        qs = super().visible_to(user)
        if not user.is_authenticated or user.committee_id is None:
            return qs
        if user.has_perm("studies.view_studysubmission"):
            if user.is_committee_wide:
                return qs
            return qs.filter(member__in=Member.objects.visible_to(user).values("pk"))
        return qs.filter(member__user=user)


class StudySubmission(Versioned, StoredFile, models.Model):
    """学习笔记 or 心得体会 handed in by a member, with a file if they like (StoredFile, stored by
    uploads.store); acknowledged ones count in the duty ledger."""

    class Kind(models.TextChoices):
        NOTES = "notes", _("Study notes")
        ESSAY = "essay", _("Essay on what was learned")

    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("Submitted")
        ACKNOWLEDGED = "acknowledged", _("Acknowledged")
        RETURNED = "returned", _("Returned")

    # Returned ones come back as submitted once the member has edited them; staff may withdraw an
    # acknowledgement (with a reason), which returns the submission and takes it out of the ledger.
    TRANSITIONS = {
        Status.SUBMITTED: {Status.ACKNOWLEDGED, Status.RETURNED},
        Status.RETURNED: {Status.SUBMITTED},
        Status.ACKNOWLEDGED: {Status.RETURNED},
    }
    LEDGER_KINDS = {Kind.NOTES: "study.notes", Kind.ESSAY: "study.essay"}

    committee = models.ForeignKey(
        "organization.Committee",
        on_delete=models.PROTECT,
        related_name="study_submissions",
        verbose_name=_("committee"),
    )
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.PROTECT,
        related_name="study_submissions",
        verbose_name=_("member"),
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("text"))
    session = models.ForeignKey(
        TrainingSession,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="submissions",
        verbose_name=_("training session"),
    )
    submitted_at = models.DateTimeField(_("submitted at"))
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.SUBMITTED, db_index=True
    )
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    review_note = models.TextField(_("review note"), blank=True)

    objects = StudySubmissionQuerySet.as_manager()

    class Meta:
        verbose_name = _("study submission")
        verbose_name_plural = _("study submissions")
        ordering = ["-submitted_at", "pk"]
        permissions = [("acknowledge_studysubmission", _("Can acknowledge or return study notes and essays"))]
        indexes = [models.Index(fields=["committee", "status", "submitted_at"], name="studysub_queue")]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("studies:submission_detail", args=[self.pk])

    def upload_folder(self):
        return f"studies/{self.committee_id}"

    @property
    def ledger_kind(self):
        return self.LEDGER_KINDS[self.Kind(self.kind)]


class StudySubmissionStatusChange(StatusChange):
    submission = models.ForeignKey(
        StudySubmission,
        on_delete=models.CASCADE,
        related_name="status_changes",
        verbose_name=_("submission"),
    )
    from_status = models.CharField(
        _("from"), max_length=16, choices=StudySubmission.Status.choices, blank=True
    )
    to_status = models.CharField(_("to"), max_length=16, choices=StudySubmission.Status.choices)

    class Meta(StatusChange.Meta):
        verbose_name = _("study submission status change")
        verbose_name_plural = _("study submission status changes")

    def __str__(self):
        return f"{self.submission}: {self.from_status} → {self.to_status}"
