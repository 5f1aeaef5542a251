"""提案 (proposals): a member's (or several members', or a body's) written proposal from the draft through
the committee's review, the assignment to handling units and their replies, to the proposer's evaluation
(DESIGN §6.3). The handling units are county departments working in lvzhi with their own accounts
(User.department), each seeing only what was assigned to it."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lvzhi.core.models import Authored, StatusChange, StoredFile, Versioned
from lvzhi.organization.models import CommitteeScopedQuerySet

# The categories a committee starts with (an editable list).
DEFAULT_CATEGORIES = ["经济", "政治", "文化", "社会", "生态文明"]
# The reasons for 不立案 a committee starts with, after the usual wording of county proposal rules.
DEFAULT_REJECTION_REASONS = [
    "不属于政协提案受理范围",
    "属于个人或少数人利益的问题",
    "涉及党和国家秘密",
    "属于司法、检察机关正在处理的诉讼案件",
    "内容空泛，没有具体建议",
    "已经解决或正在解决的问题",
]
DEFAULT_BODY_LIMIT = 3000
DEFAULT_COSIGN_DAYS = 7
DEFAULT_RETURN_DAYS = 10
DEFAULT_REMIND_DAYS = 15
DEFAULT_HANDLING_MONTHS = 3


class ProposalCategory(models.Model):
    """A proposal category of one committee; retired categories stay on the proposals that used them."""

    committee = models.ForeignKey(
        "organization.Committee",
        on_delete=models.CASCADE,
        related_name="proposal_categories",
        verbose_name=_("committee"),
    )
    name = models.CharField(_("name"), max_length=50)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    objects = CommitteeScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposal category")
        verbose_name_plural = _("proposal categories")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "name"], name="proposal_category_unique_name")
        ]

    def __str__(self):
        return self.name


class RejectionReason(models.Model):
    """One reason of the committee's list for not accepting a proposal (不立案理由), editable."""

    committee = models.ForeignKey(
        "organization.Committee",
        on_delete=models.CASCADE,
        related_name="proposal_rejection_reasons",
        verbose_name=_("committee"),
    )
    text = models.CharField(_("reason"), max_length=100)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    objects = CommitteeScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("reason for not accepting a proposal")
        verbose_name_plural = _("reasons for not accepting a proposal")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "text"], name="proposal_rejection_reason_unique")
        ]

    def __str__(self):
        return self.text


class ProposalPolicy(models.Model):
    """A committee's proposal settings; a committee without a row uses the defaults
    (`selectors.policy_for`)."""

    committee = models.OneToOneField(
        "organization.Committee",
        on_delete=models.CASCADE,
        related_name="proposal_policy",
        verbose_name=_("committee"),
    )
    body_limit = models.PositiveIntegerField(
        _("length limit of case, analysis and suggestions (characters)"), default=DEFAULT_BODY_LIMIT
    )
    cosign_days = models.PositiveSmallIntegerField(
        _("days co-signers have to confirm"), default=DEFAULT_COSIGN_DAYS
    )
    return_days = models.PositiveSmallIntegerField(
        _("days a unit may ask to return an assignment"), default=DEFAULT_RETURN_DAYS
    )
    remind_days = models.PositiveSmallIntegerField(
        _("days before the deadline the units are reminded"), default=DEFAULT_REMIND_DAYS
    )

    class Meta:
        verbose_name = _("proposal settings")
        verbose_name_plural = _("proposal settings")

    def __str__(self):
        return str(self.committee)


class SessionPolicy(models.Model):
    """A session's handling deadline (months from the assignment); sessions without a row use 3."""

    session = models.OneToOneField(
        "organization.Session",
        on_delete=models.CASCADE,
        related_name="proposal_policy",
        verbose_name=_("session"),
    )
    handling_months = models.PositiveSmallIntegerField(
        _("handling deadline (months after assignment)"), default=DEFAULT_HANDLING_MONTHS
    )

    class Meta:
        verbose_name = _("session proposal settings")
        verbose_name_plural = _("session proposal settings")

    def __str__(self):
        return str(self.session)


class SerialCounter(models.Model):
    """The last case number (第N号) given in a session; locked by the service that takes the next one."""

    session = models.OneToOneField(
        "organization.Session", on_delete=models.CASCADE, related_name="+", verbose_name=_("session")
    )
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("proposal serial counter")
        verbose_name_plural = _("proposal serial counters")

    def __str__(self):
        return f"{self.session_id} {self.last}"


class ProposalQuerySet(CommitteeScopedQuerySet):
    def visible_to(self, user):
        """Proposal staff and leaders see every proposal of the committee except others' drafts; a
        handling unit's account sees the proposals assigned to its department (and not returned); everyone
        else the proposals they wrote, co-signed or were invited to co-sign."""
        qs = super().visible_to(user)
        if not user.is_authenticated or user.committee_id is None:
            return qs
        own = models.Q(created_by=user) | models.Q(authors__user=user) | models.Q(authors__member__user=user)
        if user.has_perm("proposals.view_proposal"):
            return qs.filter(own | ~models.Q(status=Proposal.Status.DRAFT)).distinct()
        department_id = getattr(user, "department_id", None)
        if department_id:
            own |= models.Q(
                assignments__department_id=department_id,
                assignments__status__in=Assignment.ACTIVE,
            )
        return qs.filter(own).distinct()


class Proposal(Versioned, Authored, models.Model):
    """提案: one proposal from the draft to the closed case (DESIGN §6.3)."""

    # The labels carry a context: "Accepted", "Submitted", "Closed"… mean other things in other apps.
    class Status(models.TextChoices):
        DRAFT = "draft", pgettext_lazy("proposal status", "Draft")
        SUBMITTED = "submitted", pgettext_lazy("proposal status", "Submitted")
        ACCEPTED = "accepted", pgettext_lazy("proposal status", "Accepted")
        MERGED = "merged", pgettext_lazy("proposal status", "Merged into another case")
        CONVERTED = "converted", pgettext_lazy("proposal status", "Converted to an opinion or letter")
        REJECTED = "rejected", pgettext_lazy("proposal status", "Not accepted")
        ASSIGNED = "assigned", pgettext_lazy("proposal status", "Assigned")
        HANDLING = "handling", pgettext_lazy("proposal status", "Being handled")
        REPLIED = "replied", pgettext_lazy("proposal status", "Replied")
        EVALUATED = "evaluated", pgettext_lazy("proposal status", "Evaluated")
        CLOSED = "closed", pgettext_lazy("proposal status", "Closed")

    TRANSITIONS = {
        Status.DRAFT: {Status.SUBMITTED},
        # Review; a submitted proposal may also be merged into another one before that one is assigned.
        Status.SUBMITTED: {Status.ACCEPTED, Status.MERGED, Status.CONVERTED, Status.REJECTED},
        Status.ACCEPTED: {Status.ASSIGNED},
        # Units sign for it; if the lead unit's return is accepted it goes back to be assigned again.
        Status.ASSIGNED: {Status.HANDLING, Status.ACCEPTED},
        Status.HANDLING: {Status.REPLIED, Status.ACCEPTED},
        # The proposer is satisfied (or basically), or not: handled again with a new deadline. Staff may
        # close a replied case the proposer never evaluated.
        Status.REPLIED: {Status.EVALUATED, Status.HANDLING, Status.CLOSED},
        Status.EVALUATED: {Status.CLOSED},
        Status.MERGED: set(),
        Status.CONVERTED: set(),
        Status.REJECTED: set(),
        Status.CLOSED: set(),
    }
    # Statuses in which the first proposer may still change the text.
    AUTHOR_EDITABLE = (Status.DRAFT,)
    # Accepted cases (立案), whatever became of them since.
    ACCEPTED_STATUSES = (
        Status.ACCEPTED,
        Status.ASSIGNED,
        Status.HANDLING,
        Status.REPLIED,
        Status.EVALUATED,
        Status.CLOSED,
    )

    class Kind(models.TextChoices):
        INDIVIDUAL = "individual", _("Individual proposal")
        JOINT = "joint", _("Joint proposal")
        COLLECTIVE = "collective", _("Collective proposal")

    class Timing(models.TextChoices):
        DURING = "during", _("During the session")
        BETWEEN = "between", _("Between sessions")

    class Conversion(models.TextChoices):
        OPINION = "opinion", _("Public-opinion report")
        LETTER = "letter", _("Letter to a department")

    committee = models.ForeignKey(
        "organization.Committee",
        on_delete=models.PROTECT,
        related_name="proposals",
        verbose_name=_("committee"),
    )
    session = models.ForeignKey(
        "organization.Session", on_delete=models.PROTECT, related_name="proposals", verbose_name=_("session")
    )
    # 第N号 within the session, given when the proposal is accepted (立案).
    serial = models.PositiveIntegerField(_("case number"), null=True, blank=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.INDIVIDUAL)
    timing = models.CharField(_("filed"), max_length=8, choices=Timing.choices, default=Timing.DURING)
    # A collective proposal's body: a sector, special committee or party group (by name when it is not
    # one of the committee's units, e.g. a democratic party's county committee).
    collective_unit = models.ForeignKey(
        "organization.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("proposing body"),
    )
    collective_name = models.CharField(_("proposing body (name)"), max_length=100, blank=True)
    title = models.CharField(_("title"), max_length=200)
    case = models.TextField(_("case"), blank=True)
    analysis = models.TextField(_("analysis"), blank=True)
    suggestions = models.TextField(pgettext_lazy("proposal part", "suggestions"), blank=True)
    category = models.ForeignKey(
        ProposalCategory,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("category"),
    )
    suggested_departments = models.ManyToManyField(
        "organization.Department", blank=True, related_name="+", verbose_name=_("suggested handling units")
    )
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    status_changed_at = models.DateTimeField(_("in this status since"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    # Joint proposals: co-signers confirm until then; the unconfirmed drop off.
    cosign_deadline = models.DateTimeField(_("co-signers confirm until"), null=True, blank=True)
    reviewed_on = models.DateField(_("reviewed on"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reviewed by"),
    )
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_proposals",
        verbose_name=_("merged into"),
    )
    converted_to = models.CharField(_("converted to"), max_length=8, choices=Conversion.choices, blank=True)
    # The 社情民意 draft it became (linked both ways: the report's `proposal_origin`).
    converted_report = models.OneToOneField(
        "opinions.OpinionReport",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposal_origin",
        verbose_name=_("public-opinion report"),
    )
    letter_department = models.ForeignKey(
        "organization.Department",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("letter sent to"),
    )
    rejection_reason = models.ForeignKey(
        RejectionReason,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("reason for not accepting"),
    )
    # What the reviewer writes to the proposer (the reason in their words, where the conversion went).
    review_note = models.TextField(_("note to the proposer"), blank=True)
    assigned_on = models.DateField(_("assigned on"), null=True, blank=True)
    deadline = models.DateField(_("handling deadline"), null=True, blank=True)
    # 1 for the first handling, 2 after a 不满意 evaluation sent it back, ...
    round = models.PositiveSmallIntegerField(_("handling round"), default=1)
    is_key = models.BooleanField(_("key proposal"), default=False)
    key_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("supervising leader"),
    )
    key_marked_on = models.DateField(_("marked key on"), null=True, blank=True)
    is_excellent = models.BooleanField(_("excellent proposal"), default=False)
    excellent_marked_on = models.DateField(_("marked excellent on"), null=True, blank=True)
    closed_on = models.DateField(_("closed on"), null=True, blank=True)
    # An inspection or research suggestion this proposal was started from.
    from_suggestion = models.ForeignKey(
        "opinions.Suggestion",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="proposals",
        verbose_name=_("started from the suggestion"),
    )

    objects = ProposalQuerySet.as_manager()

    class Meta:
        verbose_name = _("proposal")
        verbose_name_plural = _("proposals")
        ordering = ["-pk"]
        permissions = [
            ("review_proposal", _("Can review and assign proposals")),
            ("handle_proposal", _("Can handle proposals assigned to the own department")),
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["session", "serial"],
                condition=models.Q(serial__isnull=False),
                name="proposal_unique_serial",
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("proposals:detail", args=[self.pk])

    @property
    def serial_label(self):
        # Translators: a proposal's case number within its session, e.g. 第12号.
        return _("No. %(n)s") % {"n": self.serial} if self.serial else ""

    @property
    def body_length(self):
        return len(self.case) + len(self.analysis) + len(self.suggestions)


class ProposalAuthor(models.Model):
    """One proposer: the first proposer (role lead), a co-signer of a joint proposal (co: invited, then
    confirmed, declined or dropped at the deadline) or a main author of a collective proposal."""

    class Role(models.TextChoices):
        LEAD = "lead", _("First proposer")
        CO = "co", _("Co-signer")
        COLLECTIVE = "collective", _("Main author of a collective proposal")

    class Consent(models.TextChoices):
        PENDING = "pending", pgettext_lazy("co-signing", "Invited")
        CONFIRMED = "confirmed", pgettext_lazy("co-signing", "Confirmed")
        DECLINED = "declined", pgettext_lazy("co-signing", "Declined")
        DROPPED = "dropped", _("Did not confirm in time")

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="authors", verbose_name=_("proposal")
    )
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="proposal_authorships",
        verbose_name=_("member"),
    )
    # The account that acts for this author (the member's, or the staff account of a body's proposal).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("account"),
    )
    name = models.CharField(pgettext_lazy("person", "name"), max_length=50)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.LEAD)
    consent = models.CharField(
        _("co-signing"), max_length=16, choices=Consent.choices, default=Consent.CONFIRMED
    )
    responded_at = models.DateTimeField(_("answered at"), null=True, blank=True)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("proposer")
        verbose_name_plural = _("proposers")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["proposal", "member"],
                condition=models.Q(member__isnull=False),
                name="proposal_author_once",
            )
        ]

    def __str__(self):
        return self.name


class ProposalStatusChange(StatusChange):
    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("proposal")
    )
    from_status = models.CharField(_("from"), max_length=16, choices=Proposal.Status.choices)
    to_status = models.CharField(_("to"), max_length=16, choices=Proposal.Status.choices)

    class Meta(StatusChange.Meta):
        verbose_name = _("proposal status change")
        verbose_name_plural = _("proposal status changes")

    def __str__(self):
        return f"{self.proposal_id}: {self.from_status} → {self.to_status}"


class ProposalAttachment(StoredFile):
    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("proposal")
    )

    class Meta:
        verbose_name = _("proposal attachment")
        verbose_name_plural = _("proposal attachments")
        ordering = ["pk"]

    def __str__(self):
        return self.original_name

    def upload_folder(self):
        return f"proposals/{self.proposal_id}"


class AssignmentQuerySet(CommitteeScopedQuerySet):
    def visible_to(self, user):
        """Proposal staff see every assignment of the committee; a handling unit's account only its
        department's."""
        qs = super().visible_to(user)
        if not user.is_authenticated:
            return qs
        if user.has_perm("proposals.view_proposal"):
            return qs
        department_id = getattr(user, "department_id", None)
        return qs.filter(department_id=department_id) if department_id else qs.none()


class Assignment(Versioned, Authored, models.Model):
    """交办: a proposal given to one department, as the lead unit (主办) or a co-unit (协办). The unit
    signs for it, or asks within the committee's days (10) to return it with a reason, which staff
    accept (the assignment ends) or refuse (it stands, signed for)."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead unit")
        CO = "co", _("Co-unit")

    class Status(models.TextChoices):
        ASSIGNED = "assigned", _("Waiting to be signed for")
        SIGNED = "signed", pgettext_lazy("assignment status", "Signed for")
        RETURN_REQUESTED = "return_requested", _("Return requested")
        RETURNED = "returned", pgettext_lazy("assignment status", "Returned")

    # Staff end a unit's assignment directly (RETURNED) when the lead unit's return is accepted and
    # the case is assigned afresh.
    TRANSITIONS = {
        Status.ASSIGNED: {Status.SIGNED, Status.RETURN_REQUESTED, Status.RETURNED},
        Status.SIGNED: {Status.RETURN_REQUESTED, Status.RETURNED},
        Status.RETURN_REQUESTED: {Status.RETURNED, Status.SIGNED},
        Status.RETURNED: set(),
    }
    # The assignments a unit works on (and sees the proposal through).
    ACTIVE = (Status.ASSIGNED, Status.SIGNED, Status.RETURN_REQUESTED)

    committee = models.ForeignKey(
        "organization.Committee", on_delete=models.PROTECT, related_name="+", verbose_name=_("committee")
    )
    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="assignments", verbose_name=_("proposal")
    )
    department = models.ForeignKey(
        "organization.Department",
        on_delete=models.PROTECT,
        related_name="proposal_assignments",
        verbose_name=_("handling unit"),
    )
    role = models.CharField(_("role"), max_length=8, choices=Role.choices)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.ASSIGNED)
    assigned_on = models.DateField(_("assigned on"))
    signed_at = models.DateTimeField(_("signed for at"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    return_reason = models.TextField(_("reason for returning"), blank=True)
    return_requested_at = models.DateTimeField(_("return requested at"), null=True, blank=True)
    # Staff's answer to a refused return request.
    return_answer = models.TextField(_("answer to the return request"), blank=True)
    # A co-unit's views for the lead unit (协办意见), given before the lead unit replies.
    views = models.TextField(_("co-unit's views"), blank=True)
    views_given_at = models.DateTimeField(_("views given at"), null=True, blank=True)
    # The deadline the unit was last reminded of, so the daily reminder goes once per deadline.
    reminded_for = models.DateField(_("reminded of the deadline"), null=True, blank=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        verbose_name = _("assignment to a handling unit")
        verbose_name_plural = _("assignments to handling units")
        ordering = ["role", "pk"]
        constraints = [
            # One lead unit at a time; a returned assignment makes room for the next.
            models.UniqueConstraint(
                fields=["proposal"],
                condition=models.Q(role="lead") & ~models.Q(status="returned"),
                name="proposal_one_lead_unit",
            ),
            models.UniqueConstraint(
                fields=["proposal", "department"],
                condition=~models.Q(status="returned"),
                name="proposal_unit_once",
            ),
        ]

    def __str__(self):
        return f"{self.department} ({self.get_role_display()})"


class AssignmentStatusChange(StatusChange):
    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("assignment")
    )
    from_status = models.CharField(_("from"), max_length=16, choices=Assignment.Status.choices)
    to_status = models.CharField(_("to"), max_length=16, choices=Assignment.Status.choices)

    class Meta(StatusChange.Meta):
        verbose_name = _("assignment status change")
        verbose_name_plural = _("assignment status changes")

    def __str__(self):
        return f"{self.assignment_id}: {self.from_status} → {self.to_status}"


class ContactRecord(Authored, models.Model):
    """A handling unit's contact with the proposer (面商, phone, meeting, site visit) in one round."""

    class Way(models.TextChoices):
        MEETING = "meeting", _("Face to face")
        PHONE = "phone", _("Phone")
        FORUM = "forum", _("Forum")
        VISIT = "visit", _("Site visit")
        WRITING = "writing", _("In writing")

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("proposal")
    )
    assignment = models.ForeignKey(
        Assignment, on_delete=models.CASCADE, related_name="contacts", verbose_name=_("assignment")
    )
    round = models.PositiveSmallIntegerField(_("handling round"), default=1)
    date = models.DateField(_("date"))
    way = models.CharField(_("way"), max_length=16, choices=Way.choices)
    note = models.TextField(_("what was discussed"))

    class Meta:
        verbose_name = _("contact with the proposer")
        verbose_name_plural = _("contacts with the proposer")
        ordering = ["date", "pk"]

    def __str__(self):
        return f"{self.proposal_id} {self.date}"


class Reply(StoredFile, Authored, models.Model):
    """The lead unit's reply in one handling round: the result code and the reply document (the
    stored file). A draft until sent (`sent_at`)."""

    class Result(models.TextChoices):
        A = "A", _("A: solved or basically solved")
        B = "B", _("B: being solved or planned")
        C = "C", _("C: to be solved later")
        D = "D", _("D: kept for reference")

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="replies", verbose_name=_("proposal")
    )
    department = models.ForeignKey(
        "organization.Department", on_delete=models.PROTECT, related_name="+", verbose_name=_("handling unit")
    )
    round = models.PositiveSmallIntegerField(_("handling round"), default=1)
    # The round's deadline, kept with its reply: a 不满意 gives the case a new one, and the first reply
    # was still on time (or late) by its own.
    deadline = models.DateField(_("deadline of this round"), null=True, blank=True)
    result = models.CharField(_("result"), max_length=1, choices=Result.choices, blank=True)
    text = models.TextField(_("reply"), blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # Typed in by staff from the unit's paper reply.
    on_paper = models.BooleanField(_("paper reply recorded by staff"), default=False)

    class Meta:
        verbose_name = _("reply to a proposal")
        verbose_name_plural = _("replies to proposals")
        ordering = ["round", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["proposal", "round"], name="proposal_one_reply_a_round")
        ]

    def __str__(self):
        return f"{self.proposal_id} #{self.round} {self.result}"

    def upload_folder(self):
        return f"proposals/{self.proposal_id}/replies"


class Evaluation(models.Model):
    """The proposer's rating of one reply. 不满意 sends the case back for another round."""

    class Rating(models.TextChoices):
        SATISFIED = "satisfied", _("Satisfied")
        BASIC = "basic", _("Basically satisfied")
        UNSATISFIED = "unsatisfied", _("Not satisfied")

    reply = models.OneToOneField(
        Reply, on_delete=models.CASCADE, related_name="evaluation", verbose_name=_("reply")
    )
    rating = models.CharField(_("rating"), max_length=16, choices=Rating.choices)
    comments = models.TextField(_("comments"), blank=True)
    by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)

    class Meta:
        verbose_name = _("evaluation of a reply")
        verbose_name_plural = _("evaluations of replies")

    def __str__(self):
        return f"{self.reply_id} {self.rating}"


class SupervisionNote(Authored, models.Model):
    """督办: a note of the committee's (or the supervising leader's) follow-up on a case."""

    proposal = models.ForeignKey(
        Proposal, on_delete=models.CASCADE, related_name="supervision_notes", verbose_name=_("proposal")
    )
    date = models.DateField(_("date"))
    note = models.TextField(_("note"))

    class Meta:
        verbose_name = _("supervision note")
        verbose_name_plural = _("supervision notes")
        ordering = ["date", "pk"]

    def __str__(self):
        return f"{self.proposal_id} {self.date}"
