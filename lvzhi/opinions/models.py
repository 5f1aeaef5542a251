"""社情民意 (social conditions and public opinion): reports from a member's draft through the editors'
pipeline to the leaders and back (DESIGN §6.2), the bulletins that carry them, the feedback on them
(adoptions, leaders' instructions, transfers to departments and their replies), the appointed
information officers, and the suggestions members hand in after an inspection or research activity."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lvzhi.core.models import Authored, StatusChange, StoredFile, Versioned
from lvzhi.organization.models import CommitteeScopedQuerySet

# The categories a committee starts with (an editable list: staff rename, add and retire them).
DEFAULT_CATEGORIES = [
    "经济",
    "城市建设与管理",
    "教科文卫体",
    "人力资源和社会保障",
    "农业农村",
    "生态环境",
    "社会治理",
    "其他",
]
DEFAULT_BODY_LIMIT = 1500


class Category(models.Model):
    """A report category of one committee. Retired categories stay on the reports that used them."""

    committee = models.ForeignKey(
        "organization.Committee",
        on_delete=models.CASCADE,
        related_name="opinion_categories",
        verbose_name=_("committee"),
    )
    name = models.CharField(_("name"), max_length=50)
    order = models.PositiveSmallIntegerField(_("order"), default=0)
    is_active = models.BooleanField(_("in use"), default=True)

    objects = CommitteeScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("report category")
        verbose_name_plural = _("report categories")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "name"], name="opinion_category_unique_name")
        ]

    def __str__(self):
        return self.name


class OpinionPolicy(models.Model):
    """A committee's settings for the pipeline. A committee without a row uses the defaults
    (`selectors.policy_for`)."""

    committee = models.OneToOneField(
        "organization.Committee",
        on_delete=models.CASCADE,
        related_name="opinion_policy",
        verbose_name=_("committee"),
    )
    body_limit = models.PositiveIntegerField(_("body length limit (characters)"), default=DEFAULT_BODY_LIMIT)
    # Days a report may stay in a step before it counts as overdue: {status: days}.
    overdue_days = models.JSONField(_("days allowed per step"), default=dict, blank=True)

    class Meta:
        verbose_name = _("public-opinion settings")
        verbose_name_plural = _("public-opinion settings")

    def __str__(self):
        return str(self.committee)


class SerialCounter(models.Model):
    """The last number given per committee, year and series (reports 〔2026〕N, bulletins 第N期).
    Locked by the service that takes the next number, so numbers have no gaps and no duplicates."""

    class Series(models.TextChoices):
        REPORT = "report", _("Report")
        BULLETIN = "bulletin", _("Bulletin")

    committee = models.ForeignKey(
        "organization.Committee", on_delete=models.CASCADE, related_name="+", verbose_name=_("committee")
    )
    year = models.PositiveSmallIntegerField(_("year"))
    series = models.CharField(_("series"), max_length=16, choices=Series.choices)
    last = models.PositiveIntegerField(_("last number"), default=0)

    class Meta:
        verbose_name = _("serial counter")
        verbose_name_plural = _("serial counters")
        constraints = [
            models.UniqueConstraint(fields=["committee", "year", "series"], name="opinion_serial_unique")
        ]

    def __str__(self):
        return f"{self.committee_id} {self.year} {self.series} {self.last}"


class OpinionReportQuerySet(CommitteeScopedQuerySet):
    def visible_to(self, user):
        """Editors, office staff and leaders see every report of the committee except others' drafts;
        everyone else sees the reports they wrote or co-wrote, their unit's reports (unit staff) and
        those they were asked to verify."""
        qs = super().visible_to(user)
        if not user.is_authenticated or user.committee_id is None:
            return qs
        own = (
            models.Q(created_by=user)
            | models.Q(authors__user=user)
            | models.Q(authors__member__user=user)
            | models.Q(verifier=user)
        )
        if user.has_perm("opinions.view_opinionreport"):
            return qs.filter(own | ~models.Q(status=OpinionReport.Status.DRAFT)).distinct()
        unit_ids = user.unit_ids() if hasattr(user, "unit_ids") else set()
        if unit_ids:
            own |= models.Q(unit_id__in=unit_ids) & ~models.Q(status=OpinionReport.Status.DRAFT)
        return qs.filter(own).distinct()


class OpinionReport(Versioned, Authored, models.Model):
    """社情民意信息: one report, from the author's draft to the archive (DESIGN §6.2). The author's text
    stays as submitted (`title`, `body`); the editors' version is kept beside it (`edited_title`,
    `edited_body`) and is what the bulletin prints."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted")
        RETURNED = "returned", _("Returned for revision")
        REGISTERED = "registered", _("Registered")
        VERIFYING = "verifying", _("Being verified")
        EDITING = "editing", _("Being edited")
        AWAITING_SIGNOFF = "awaiting_signoff", _("Awaiting sign-off")
        SIGNED = "signed", _("Signed")
        REPORTED = "reported", pgettext_lazy("report status", "Reported")
        ARCHIVED = "archived", _("Archived")
        NOT_ADOPTED = "not_adopted", _("Not adopted")
        MERGED = "merged", _("Merged into another report")

    # The editors may return, decline or merge a report at any step before a leader signs it.
    _SIDE_EXITS = {Status.RETURNED, Status.NOT_ADOPTED, Status.MERGED}
    TRANSITIONS = {
        Status.DRAFT: {Status.SUBMITTED},
        Status.SUBMITTED: {Status.REGISTERED, *_SIDE_EXITS},
        Status.RETURNED: {Status.SUBMITTED},
        Status.REGISTERED: {Status.VERIFYING, Status.EDITING, *_SIDE_EXITS},
        Status.VERIFYING: {Status.EDITING, *_SIDE_EXITS},
        Status.EDITING: {Status.VERIFYING, Status.AWAITING_SIGNOFF, *_SIDE_EXITS},
        # A leader signs, or sends it back to editing with comments, or decides it is not to be reported.
        Status.AWAITING_SIGNOFF: {Status.SIGNED, Status.EDITING, Status.NOT_ADOPTED},
        Status.SIGNED: {Status.REPORTED, Status.EDITING},
        Status.REPORTED: {Status.ARCHIVED},
        Status.ARCHIVED: set(),
        Status.NOT_ADOPTED: set(),
        Status.MERGED: set(),
    }
    # Steps an editor or leader works on; the overdue lists count days in these.
    WORK_STEPS = (
        Status.SUBMITTED,
        Status.REGISTERED,
        Status.VERIFYING,
        Status.EDITING,
        Status.AWAITING_SIGNOFF,
        Status.SIGNED,
    )
    DEFAULT_OVERDUE_DAYS = {
        Status.SUBMITTED: 3,
        Status.REGISTERED: 3,
        Status.VERIFYING: 10,
        Status.EDITING: 5,
        Status.AWAITING_SIGNOFF: 3,
        Status.SIGNED: 7,
    }
    # Statuses in which the author may still change the text.
    AUTHOR_EDITABLE = (Status.DRAFT, Status.RETURNED)

    class Source(models.TextChoices):
        MEMBER = "member", _("Member")
        OFFICER = "officer", _("Information officer")
        UNIT = "unit", _("Unit")
        INSPECTION = "inspection", _("Inspection or research")
        PUBLIC = "public", _("Public message")
        OTHER = "other", _("Other channel")

    committee = models.ForeignKey(
        "organization.Committee",
        on_delete=models.PROTECT,
        related_name="opinion_reports",
        verbose_name=_("committee"),
    )
    # The year of the serial number (the year it was registered; the draft's year until then).
    year = models.PositiveSmallIntegerField(_("year"), db_index=True)
    serial = models.PositiveIntegerField(_("serial number"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    edited_title = models.CharField(_("edited title"), max_length=200, blank=True)
    edited_body = models.TextField(_("edited body"), blank=True)
    category = models.ForeignKey(
        Category,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("category"),
    )
    source = models.CharField(
        _("source channel"), max_length=16, choices=Source.choices, default=Source.MEMBER
    )
    # A report written in a unit's name (a special committee, a sector group, a party group).
    unit = models.ForeignKey(
        "organization.OrgUnit",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="opinion_reports",
        verbose_name=_("unit"),
    )
    agrees_to_publish = models.BooleanField(_("author agrees to publication"), default=False)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    # When it entered its present status: the queues count overdue days from here.
    status_changed_at = models.DateTimeField(_("in this step since"), null=True, blank=True, db_index=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    verifier = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="opinion_reports_to_verify",
        verbose_name=_("verifier"),
    )
    findings = models.TextField(_("verification findings"), blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signed by"),
    )
    signed_at = models.DateTimeField(_("signed at"), null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="merged_reports",
        verbose_name=_("merged into"),
    )
    bulletin = models.ForeignKey(
        "Bulletin",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("bulletin"),
    )
    bulletin_order = models.PositiveSmallIntegerField(_("order in the bulletin"), null=True, blank=True)
    reported_on = models.DateField(_("reported on"), null=True, blank=True)
    reported_to = models.CharField(_("reported to"), max_length=300, blank=True)
    # Title, both bodies, authors and serial number cut into words by jieba (search.search_text), for
    # full-text search: PostgreSQL indexes to_tsvector('simple', …) of it (GIN), SQLite scans it.
    search_document = models.TextField(editable=False, blank=True)

    objects = OpinionReportQuerySet.as_manager()

    class Meta:
        verbose_name = _("public-opinion report")
        verbose_name_plural = _("public-opinion reports")
        ordering = ["-year", "-serial", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "year", "serial"],
                condition=models.Q(serial__isnull=False),
                name="opinion_report_unique_serial",
            )
        ]
        permissions = [
            ("process_opinionreport", _("Can register, verify, edit and report public-opinion reports")),
            ("sign_opinionreport", _("Can sign public-opinion reports off")),
            ("manage_officers", _("Can appoint information officers")),
            ("record_paper_report", _("Can type in a paper report in a member's name")),
        ]

    def __str__(self):
        return f"{self.serial_label} {self.current_title}" if self.serial else self.current_title

    def get_absolute_url(self):
        return reverse("opinions:detail", args=[self.pk])

    @property
    def serial_label(self):
        """〔2026〕12, as the editors write it; empty before registration."""
        return f"〔{self.year}〕{self.serial}" if self.serial else ""

    @property
    def current_title(self):
        return self.edited_title or self.title

    @property
    def current_body(self):
        return self.edited_body or self.body


class OpinionAuthor(models.Model):
    """An author of a report: a member, an information officer who is not a member (a user), or just a
    name. The first (`role` lead) is the one who submitted; the ledger credits member authors."""

    class Role(models.TextChoices):
        LEAD = "lead", _("Lead author")
        CO = "co", _("Co-author")

    report = models.ForeignKey(
        OpinionReport, on_delete=models.CASCADE, related_name="authors", verbose_name=_("report")
    )
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="opinion_authorships",
        verbose_name=_("member"),
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="opinion_authorships",
        verbose_name=_("user"),
    )
    name = models.CharField(_("name"), max_length=50)
    role = models.CharField(_("role"), max_length=8, choices=Role.choices, default=Role.CO)
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    class Meta:
        verbose_name = _("report author")
        verbose_name_plural = _("report authors")
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["report", "member"],
                condition=models.Q(member__isnull=False),
                name="opinion_author_member_once",
            )
        ]

    def __str__(self):
        return self.name


class OpinionStatusChange(StatusChange):
    report = models.ForeignKey(
        OpinionReport, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("report")
    )
    from_status = models.CharField(_("from"), max_length=20, choices=OpinionReport.Status.choices)
    to_status = models.CharField(_("to"), max_length=20, choices=OpinionReport.Status.choices)

    class Meta(StatusChange.Meta):
        verbose_name = _("report status change")
        verbose_name_plural = _("report status changes")

    def __str__(self):
        return f"{self.report_id}: {self.from_status} → {self.to_status}"


class OpinionAttachment(StoredFile):
    """A file sent with a report (a photo, a survey table). Served only to those who may see the report."""

    report = models.ForeignKey(
        OpinionReport, on_delete=models.CASCADE, related_name="attachments", verbose_name=_("report")
    )

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]

    def __str__(self):
        return self.original_name

    def upload_folder(self):
        return f"opinions/{self.report_id}"


class BulletinQuerySet(CommitteeScopedQuerySet):
    def visible_to(self, user):
        qs = super().visible_to(user)
        if user.is_authenticated and user.has_perm("opinions.view_opinionreport"):
            return qs
        return qs.none()


class Bulletin(Versioned, Authored, models.Model):
    """社情民意专报: a numbered issue (第N期 of a year) compiling signed reports, sent to the leaders as a
    Word document. Sending it marks its reports as reported."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Being compiled")
        SENT = "sent", _("Sent")

    TRANSITIONS = {Status.DRAFT: {Status.SENT}, Status.SENT: set()}

    committee = models.ForeignKey(
        "organization.Committee",
        on_delete=models.PROTECT,
        related_name="bulletins",
        verbose_name=_("committee"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    number = models.PositiveIntegerField(_("issue number"))
    title = models.CharField(_("title"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    recipients = models.TextField(_("recipients"), blank=True)
    sent_on = models.DateField(_("sent on"), null=True, blank=True)

    objects = BulletinQuerySet.as_manager()

    class Meta:
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        ordering = ["-year", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["committee", "year", "number"], name="bulletin_unique_number")
        ]

    def __str__(self):
        return _("%(year)s issue %(number)s") % {"year": self.year, "number": self.number}

    def get_absolute_url(self):
        return reverse("opinions:bulletin", args=[self.pk])


class BulletinStatusChange(StatusChange):
    bulletin = models.ForeignKey(
        Bulletin, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("bulletin")
    )
    from_status = models.CharField(_("from"), max_length=8, choices=Bulletin.Status.choices)
    to_status = models.CharField(_("to"), max_length=8, choices=Bulletin.Status.choices)

    class Meta(StatusChange.Meta):
        verbose_name = _("bulletin status change")
        verbose_name_plural = _("bulletin status changes")

    def __str__(self):
        return f"{self.bulletin_id}: {self.from_status} → {self.to_status}"


class Adoption(Authored, models.Model):
    """采用: a body at some level took the report up (in its own bulletin, a combined digest, ...)."""

    class Level(models.TextChoices):
        COUNTY = "county", _("County level")
        CITY = "city", _("City level")
        PROVINCE = "province", _("Province level")
        NATIONAL = "national", _("National level")

    class Form(models.TextChoices):
        SINGLE = "single", _("Single report")
        COMBINED = "combined", _("Combined with others")

    report = models.ForeignKey(
        OpinionReport, on_delete=models.CASCADE, related_name="adoptions", verbose_name=_("report")
    )
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    form = models.CharField(_("form"), max_length=16, choices=Form.choices, default=Form.SINGLE)
    adopted_by = models.CharField(_("adopted by"), max_length=200)
    adopted_on = models.DateField(_("adopted on"))
    note = models.TextField(_("note"), blank=True)

    class Meta:
        verbose_name = _("adoption")
        verbose_name_plural = _("adoptions")
        ordering = ["adopted_on", "pk"]

    def __str__(self):
        return f"{self.get_level_display()} {self.adopted_by}"


class Instruction(Authored, models.Model):
    """批示: a leader's written instruction on the report."""

    class Level(models.TextChoices):
        COUNTY = "county", _("County leader")
        CITY = "city", _("City leader")
        PROVINCE = "province", _("Province leader")
        CENTRAL = "central", _("Central leader")

    report = models.ForeignKey(
        OpinionReport, on_delete=models.CASCADE, related_name="instructions", verbose_name=_("report")
    )
    level = models.CharField(_("level"), max_length=16, choices=Level.choices)
    leader_post = models.CharField(_("leader's post"), max_length=100)
    text = models.TextField(_("instruction"))
    instructed_on = models.DateField(_("instructed on"))

    class Meta:
        verbose_name = _("instruction")
        verbose_name_plural = _("instructions")
        ordering = ["instructed_on", "pk"]

    def __str__(self):
        return f"{self.get_level_display()} {self.leader_post}"


class InformationOfficerQuerySet(CommitteeScopedQuerySet):
    def visible_to(self, user):
        qs = super().visible_to(user)
        if user.is_authenticated and (
            user.has_perm("opinions.manage_officers") or user.has_perm("opinions.view_opinionreport")
        ):
            return qs
        return qs.filter(models.Q(user=user) | models.Q(member__user=user)) if user.is_authenticated else qs


class InformationOfficer(Authored, models.Model):
    """信息员: appointed for a year to report 社情民意, a member or not, with a quota of reports."""

    committee = models.ForeignKey(
        "organization.Committee",
        on_delete=models.PROTECT,
        related_name="information_officers",
        verbose_name=_("committee"),
    )
    year = models.PositiveSmallIntegerField(_("year"))
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="officer_appointments",
        verbose_name=_("member"),
    )
    # The account the officer signs in with (a member's own, or one made for an officer who is not a member).
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="officer_appointments",
        verbose_name=_("account"),
    )
    name = models.CharField(_("name"), max_length=50)
    workplace = models.CharField(_("workplace"), max_length=100, blank=True)
    quota = models.PositiveSmallIntegerField(_("reports expected in the year"), default=12)
    appointed_on = models.DateField(_("appointed on"))
    ended_on = models.DateField(_("appointment ended on"), null=True, blank=True)

    objects = InformationOfficerQuerySet.as_manager()

    class Meta:
        verbose_name = _("information officer")
        verbose_name_plural = _("information officers")
        ordering = ["-year", "name", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["committee", "year", "member"],
                condition=models.Q(member__isnull=False),
                name="officer_member_once_a_year",
            ),
            models.UniqueConstraint(
                fields=["committee", "year", "user"],
                condition=models.Q(user__isnull=False),
                name="officer_user_once_a_year",
            ),
        ]

    def __str__(self):
        return f"{self.year} {self.name}"


class InspectionReport(Versioned, Authored, models.Model):
    """视察报告 / 调研报告: what staff compile from the findings and suggestions members handed in after an
    inspection or research activity, sent to the departments concerned."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Being compiled")
        SENT = "sent", _("Sent to the departments")

    TRANSITIONS = {Status.DRAFT: {Status.SENT}, Status.SENT: set()}

    committee = models.ForeignKey(
        "organization.Committee", on_delete=models.PROTECT, related_name="+", verbose_name=_("committee")
    )
    activity = models.OneToOneField(
        "activities.Activity",
        on_delete=models.PROTECT,
        related_name="inspection_report",
        verbose_name=_("activity"),
    )
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"), blank=True)
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.DRAFT)
    sent_on = models.DateField(_("sent on"), null=True, blank=True)

    objects = CommitteeScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection report")
        verbose_name_plural = _("inspection reports")
        ordering = ["-pk"]

    def __str__(self):
        return self.title


class InspectionReportStatusChange(StatusChange):
    inspection_report = models.ForeignKey(
        InspectionReport, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("report")
    )
    from_status = models.CharField(_("from"), max_length=8, choices=InspectionReport.Status.choices)
    to_status = models.CharField(_("to"), max_length=8, choices=InspectionReport.Status.choices)

    class Meta(StatusChange.Meta):
        verbose_name = _("inspection report status change")
        verbose_name_plural = _("inspection report status changes")

    def __str__(self):
        return f"{self.inspection_report_id}: {self.from_status} → {self.to_status}"


class Suggestion(Versioned, Authored, models.Model):
    """A member's findings and suggestions from an inspection or research activity. Staff list it in the
    inspection report (credited), mark it adopted when a department takes it up, and it can become a
    社情民意 draft in one step (`report`, linked both ways)."""

    committee = models.ForeignKey(
        "organization.Committee", on_delete=models.PROTECT, related_name="+", verbose_name=_("committee")
    )
    activity = models.ForeignKey(
        "activities.Activity",
        on_delete=models.PROTECT,
        related_name="suggestions",
        verbose_name=_("activity"),
    )
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.PROTECT,
        related_name="inspection_suggestions",
        verbose_name=_("member"),
    )
    findings = models.TextField(_("findings"), blank=True)
    text = models.TextField(_("suggestions"))
    included = models.BooleanField(_("listed in the report"), default=True)
    adopted = models.BooleanField(_("adopted"), default=False)
    report = models.OneToOneField(
        OpinionReport,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="from_suggestion",
        verbose_name=_("public-opinion report made from it"),
    )

    objects = CommitteeScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("inspection suggestion")
        verbose_name_plural = _("inspection suggestions")
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.member} {self.text[:20]}"


class TransferQuerySet(CommitteeScopedQuerySet):
    def visible_to(self, user):
        """Staff of the committee see every transfer; a handling unit's account only its department's."""
        qs = super().visible_to(user)
        if not user.is_authenticated:
            return qs
        if user.has_perm("opinions.view_opinionreport"):
            return qs
        department_id = getattr(user, "department_id", None)
        return qs.filter(department_id=department_id) if department_id else qs.none()


class Transfer(StoredFile, Authored, models.Model):
    """交办: a report (or an inspection report) sent to a department for an answer. The department signs
    for it and replies with its account, or staff record the paper reply; the reply document is the
    stored file."""

    class Status(models.TextChoices):
        SENT = "sent", pgettext_lazy("transfer status", "Sent")
        SIGNED = "signed", _("Signed for")
        REPLIED = "replied", _("Replied")

    TRANSITIONS = {
        Status.SENT: {Status.SIGNED, Status.REPLIED},
        Status.SIGNED: {Status.REPLIED},
        Status.REPLIED: set(),
    }

    committee = models.ForeignKey(
        "organization.Committee", on_delete=models.PROTECT, related_name="+", verbose_name=_("committee")
    )
    report = models.ForeignKey(
        OpinionReport,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="transfers",
        verbose_name=_("report"),
    )
    inspection_report = models.ForeignKey(
        InspectionReport,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="transfers",
        verbose_name=_("inspection report"),
    )
    department = models.ForeignKey(
        "organization.Department",
        on_delete=models.PROTECT,
        related_name="opinion_transfers",
        verbose_name=_("department"),
    )
    status = models.CharField(_("status"), max_length=8, choices=Status.choices, default=Status.SENT)
    transferred_on = models.DateField(_("transferred on"))
    note = models.TextField(_("note to the department"), blank=True)
    signed_at = models.DateTimeField(_("signed for at"), null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    reply = models.TextField(_("reply"), blank=True)
    replied_on = models.DateField(_("replied on"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # The reply came on paper and staff typed it in.
    on_paper = models.BooleanField(_("paper reply recorded by staff"), default=False)

    objects = TransferQuerySet.as_manager()

    class Meta:
        verbose_name = _("transfer to a department")
        verbose_name_plural = _("transfers to departments")
        ordering = ["transferred_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(report__isnull=False, inspection_report__isnull=True)
                | models.Q(report__isnull=True, inspection_report__isnull=False),
                name="transfer_of_one_thing",
            )
        ]

    def __str__(self):
        return f"{self.department} {self.transferred_on}"

    def upload_folder(self):
        return f"opinions/transfers/{self.pk or 'new'}"


class TransferStatusChange(StatusChange):
    transfer = models.ForeignKey(
        Transfer, on_delete=models.CASCADE, related_name="status_changes", verbose_name=_("transfer")
    )
    from_status = models.CharField(_("from"), max_length=8, choices=Transfer.Status.choices)
    to_status = models.CharField(_("to"), max_length=8, choices=Transfer.Status.choices)

    class Meta(StatusChange.Meta):
        verbose_name = _("transfer status change")
        verbose_name_plural = _("transfer status changes")

    def __str__(self):
        return f"{self.transfer_id}: {self.from_status} → {self.to_status}"
