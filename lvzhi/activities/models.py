"""Duty activities (DESIGN §6.1): meetings, training, inspections, and who takes part in them."""

import datetime
import secrets

from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from lvzhi.core.models import Authored, StatusChange, StoredFile, Versioned
from lvzhi.organization.models import CommitteeScopedQuerySet

# Self check-in opens this long before the start when the activity names no window of its own.
DEFAULT_CHECKIN_OPENS_BEFORE = datetime.timedelta(minutes=60)
# Arriving later than this after the start counts as late.
LATE_AFTER = datetime.timedelta(minutes=15)


class ActivityQuerySet(CommitteeScopedQuerySet):
    def visible_to(self, user):
        """Committee-wide roles see every activity of their committee, unit staff their units'
        activities, and members the activities they are invited to (never drafts)."""
        qs = super().visible_to(user)
        if not user.is_authenticated or user.committee_id is None:
            return qs
        if user.has_perm("activities.view_activity") and user.is_committee_wide:
            return qs
        invited = Q(
            Exists(Participation.objects.filter(activity=OuterRef("pk"), member__user=user)),
            ~Q(status=Activity.Status.DRAFT),
        )
        if user.has_perm("activities.view_activity"):
            # Unit staff who are members themselves also see what they are invited to.
            return qs.filter(Q(organizing_unit_id__in=user.unit_ids()) | invited)
        return qs.filter(invited)


class Activity(Versioned, Authored, models.Model):
    class Kind(models.TextChoices):
        PLENARY = "plenary", _("Plenary session")
        STANDING = "standing", _("Standing committee meeting")
        CHAIRS = "chairs", _("Chairs' council meeting")
        COMMITTEE_MEETING = "committee_meeting", _("Special committee meeting")
        GROUP = "group", _("Member group activity")
        TRAINING = "training", _("Study and training")
        INSPECTION = "inspection", _("Inspection")
        RESEARCH = "research", _("Research")
        STUDY_TOUR = "study_tour", _("Study tour")
        CONSULTATION = "consultation", _("Consultation")
        LIAISON = "liaison", _("Counterpart liaison")
        OTHER = "other", _("Other activity")

    # The committee's own meetings (全体会议, 常委会议, 主席会议): only committee-wide staff (the office)
    # create, edit and run them, whichever unit they name; unit staff run every other kind for their
    # units. Leave from them is decided by a chair (selectors.leave_approvers).
    COMMITTEE_KINDS = (Kind.PLENARY, Kind.STANDING, Kind.CHAIRS)

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", _("Published")
        IN_PROGRESS = "in_progress", _("In progress")
        CLOSED = "closed", _("Closed")
        CANCELLED = "cancelled", _("Cancelled")

    # Invitations, answers, leave and check-in happen while the activity is open.
    OPEN_STATUSES = (Status.PUBLISHED, Status.IN_PROGRESS)

    # Every legal status change; services refuse anything else. closed → in_progress is a reopening.
    TRANSITIONS = {
        Status.DRAFT: {Status.PUBLISHED, Status.CANCELLED},
        Status.PUBLISHED: {Status.IN_PROGRESS, Status.CANCELLED},
        Status.IN_PROGRESS: {Status.CLOSED},
        Status.CLOSED: {Status.IN_PROGRESS},
        Status.CANCELLED: set(),
    }

    committee = models.ForeignKey(
        "organization.Committee",
        on_delete=models.PROTECT,
        related_name="activities",
        verbose_name=_("committee"),
    )
    organizing_unit = models.ForeignKey(
        "organization.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="activities",
        verbose_name=_("organizing unit"),
        help_text=_("Leave empty for activities run by the office."),
    )
    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"), db_index=True)
    ends_at = models.DateTimeField(_("ends at"))
    place = models.CharField(_("place"), max_length=200, blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    is_required = models.BooleanField(
        _("attendance required"),
        default=True,
        help_text=_("Members may decline optional activities; for required ones they ask for leave."),
    )
    registration_deadline = models.DateTimeField(_("registration deadline"), null=True, blank=True)
    checkin_opens_at = models.DateTimeField(
        _("check-in opens at"), null=True, blank=True, help_text=_("Empty: one hour before the start.")
    )
    checkin_closes_at = models.DateTimeField(
        _("check-in closes at"), null=True, blank=True, help_text=_("Empty: at the end of the activity.")
    )
    invitee_rules = models.JSONField(
        _("invitees"),
        default=dict,
        blank=True,
        help_text=_("Who is invited: all members, all standing committee members, units, named members."),
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )

    objects = ActivityQuerySet.as_manager()

    class Meta:
        verbose_name = _("activity")
        verbose_name_plural = _("activities")
        ordering = ["-starts_at", "pk"]
        permissions = [
            ("run_activity", _("Can run activities (publish, check in, close)")),
            ("approve_leave", _("Can approve leave from activities")),
            (
                "approve_plenary_leave",
                _("Can approve leave from plenary, standing committee and chairs' meetings"),
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(ends_at__gte=models.F("starts_at")), name="activity_ends_after_start"
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("activities:detail", args=[self.pk])

    @property
    def checkin_opens(self) -> datetime.datetime:
        return self.checkin_opens_at or self.starts_at - DEFAULT_CHECKIN_OPENS_BEFORE

    @property
    def checkin_closes(self) -> datetime.datetime:
        return self.checkin_closes_at or self.ends_at

    def checkin_open_at(self, when: datetime.datetime) -> bool:
        return self.checkin_opens <= when <= self.checkin_closes

    def is_late(self, when: datetime.datetime) -> bool:
        return when > self.starts_at + LATE_AFTER


class ActivityStatusChange(StatusChange):
    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("activity")
    )
    from_status = models.CharField(_("from"), max_length=16, choices=Activity.Status.choices)
    to_status = models.CharField(_("to"), max_length=16, choices=Activity.Status.choices)

    class Meta(StatusChange.Meta):
        verbose_name = _("activity status change")
        verbose_name_plural = _("activity status changes")

    def __str__(self):
        return f"{self.activity}: {self.from_status} → {self.to_status}"


class Participation(models.Model):
    """A member's place on an activity's list (DESIGN §6.1): invited, their answer, leave, attendance.
    A workflow like the others: every status change goes through TRANSITIONS (core.workflow.move)
    and leaves a ParticipationStatusChange with who and why.

    It has no version: no page posts a participation's version back, and every act locks the row and
    checks its status against the table, which is what refuses a move from a status someone else
    changed meanwhile."""

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        CONFIRMED = "confirmed", _("Confirmed")
        DECLINED = "declined", _("Declined")
        LEAVE_REQUESTED = "leave_requested", _("Leave requested")
        LEAVE_APPROVED = "leave_approved", _("Leave approved")
        LEAVE_DENIED = "leave_denied", _("Leave refused")
        PRESENT = "present", _("Present")
        LATE = "late", _("Late")
        LEFT_EARLY = "left_early", _("Left early")
        ABSENT = "absent", _("Absent")

    # Before check-in: what the member or the leave approver may do.
    REPLIES = {Status.INVITED, Status.CONFIRMED, Status.DECLINED, Status.LEAVE_REQUESTED, Status.LEAVE_DENIED}
    ATTENDED = {Status.PRESENT, Status.LATE, Status.LEFT_EARLY}
    # What a closed activity leaves: the statuses the ledger reads.
    FINAL = {Status.PRESENT, Status.LATE, Status.LEFT_EARLY, Status.LEAVE_APPROVED, Status.ABSENT}

    # Every legal move, and the acts that take it (services/attendance.py, closing in lifecycle.py):
    # - the member's answer (respond): to confirmed, declined (optional activities only) or leave
    #   requested; approved leave can be withdrawn (to confirmed or declined) but not asked for again,
    #   and refused leave can be asked for again or given up for coming, not turned into declining;
    # - the leave decision (decide_leave): leave requested → approved or refused; undoing it
    #   (undo_leave_decision, until the activity closes): approved or refused → leave requested;
    # - check-in (check_in, add_participant): to present or late, from anything not yet attended
    #   (absent too: a reopened activity takes the check-in that was missed);
    # - leaving early (mark_left_early): present or late → left early;
    # - closing (close_activity): every status that is not final → absent;
    # - a staff correction of a closed activity (correct_attendance): every final status → every other.
    TRANSITIONS = {
        Status.INVITED: {
            Status.CONFIRMED,
            Status.DECLINED,
            Status.LEAVE_REQUESTED,
            Status.PRESENT,
            Status.LATE,
            Status.ABSENT,
        },
        Status.CONFIRMED: {
            Status.DECLINED,
            Status.LEAVE_REQUESTED,
            Status.PRESENT,
            Status.LATE,
            Status.ABSENT,
        },
        Status.DECLINED: {
            Status.CONFIRMED,
            Status.LEAVE_REQUESTED,
            Status.PRESENT,
            Status.LATE,
            Status.ABSENT,
        },
        Status.LEAVE_REQUESTED: {
            Status.CONFIRMED,
            Status.DECLINED,
            Status.LEAVE_APPROVED,
            Status.LEAVE_DENIED,
            Status.PRESENT,
            Status.LATE,
            Status.ABSENT,
        },
        Status.LEAVE_APPROVED: {
            Status.LEAVE_REQUESTED,
            Status.CONFIRMED,
            Status.DECLINED,
            Status.PRESENT,
            Status.LATE,
            Status.LEFT_EARLY,
            Status.ABSENT,
        },
        Status.LEAVE_DENIED: {
            Status.CONFIRMED,
            Status.LEAVE_REQUESTED,
            Status.PRESENT,
            Status.LATE,
            Status.ABSENT,
        },
        Status.PRESENT: {Status.LEFT_EARLY, Status.LATE, Status.LEAVE_APPROVED, Status.ABSENT},
        Status.LATE: {Status.LEFT_EARLY, Status.PRESENT, Status.LEAVE_APPROVED, Status.ABSENT},
        Status.LEFT_EARLY: {Status.PRESENT, Status.LATE, Status.LEAVE_APPROVED, Status.ABSENT},
        Status.ABSENT: {Status.PRESENT, Status.LATE, Status.LEFT_EARLY, Status.LEAVE_APPROVED},
    }

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="participations", verbose_name=_("activity")
    )
    member = models.ForeignKey(
        "members.Member", on_delete=models.CASCADE, related_name="participations", verbose_name=_("member")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.INVITED, db_index=True
    )
    leave_reason = models.TextField(_("reason for leave"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("leave decided by"),
    )
    decided_at = models.DateTimeField(_("leave decided at"), null=True, blank=True)
    responded_at = models.DateTimeField(_("responded at"), null=True, blank=True)
    checked_in_at = models.DateTimeField(_("checked in at"), null=True, blank=True)
    checked_in_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("checked in by"),
        help_text=_("Empty when the member checked in themselves."),
    )
    # The leave decision's note (decide_leave). Why the status changed otherwise (check-in outside the
    # window, leaving early, a correction) is the reason on its history row, so a later move never
    # overwrites what the approver wrote.
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("participation")
        verbose_name_plural = _("participations")
        ordering = ["activity", "member__name_stroke_key", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "member"], name="participation_unique_member")
        ]

    def __str__(self):
        return f"{self.member} · {self.activity}"

    @property
    def committee(self):
        """The activity's committee: core.workflow.move writes the audit row under it."""
        return self.activity.committee

    @property
    def is_checked_in(self):
        return self.checked_in_at is not None or self.status in self.ATTENDED


class ParticipationStatusChange(StatusChange):
    participation = models.ForeignKey(
        Participation,
        on_delete=models.CASCADE,
        related_name="status_changes",
        verbose_name=_("participation"),
    )
    from_status = models.CharField(_("from"), max_length=16, choices=Participation.Status.choices)
    to_status = models.CharField(_("to"), max_length=16, choices=Participation.Status.choices)

    class Meta(StatusChange.Meta):
        verbose_name = _("participation status change")
        verbose_name_plural = _("participation status changes")

    def __str__(self):
        return f"{self.participation}: {self.from_status} → {self.to_status}"


class ActivityAttachment(StoredFile):
    """A file sent with the meeting notice: agenda, materials, a draft to discuss. Stored by
    uploads.store (services.add_attachment); served only through a view that checks the reader may see
    the activity."""

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("activity")
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name

    def upload_folder(self):
        return f"activities/{self.activity_id}"


class Speech(models.Model):
    """A member's speech at an activity: given at the meeting (大会发言) or handed in writing (书面发言).
    Each speech is its own ledger source, so recording or deleting one never touches the attendance."""

    class Kind(models.TextChoices):
        ORAL = "oral", _("Oral speech")
        WRITTEN = "written", _("Written speech")

    activity = models.ForeignKey(
        Activity, on_delete=models.CASCADE, related_name="speeches", verbose_name=_("activity")
    )
    member = models.ForeignKey(
        "members.Member", on_delete=models.PROTECT, related_name="speeches", verbose_name=_("member")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=200)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("speech")
        verbose_name_plural = _("speeches")
        ordering = ["activity", "kind", "member__name_stroke_key", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["activity", "member", "kind"], name="speech_one_per_kind")
        ]

    def __str__(self):
        # Also the label of its duty record, which sits on the member's own page: no name needed.
        return f"{self.get_kind_display()} · {self.title}"

    def get_absolute_url(self):
        # The activity's page lists its speeches; by id, so a list of speeches costs no extra query.
        return reverse("activities:detail", args=[self.activity_id])


def new_feed_token():
    return secrets.token_urlsafe(32)


class CalendarFeed(models.Model):
    """The secret address of a member's calendar subscription. Calendar apps send no cookies, so the
    token in the URL is the only credential: long, random, and replaced when the member resets it."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feed",
        verbose_name=_("user"),
    )
    token = models.CharField(_("token"), max_length=64, unique=True, default=new_feed_token)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("calendar feed")
        verbose_name_plural = _("calendar feeds")

    def __str__(self):
        return f"{self.user}"
