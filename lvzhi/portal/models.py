"""The public website (DESIGN §6.4): announcements, the 委员建言 column (members' suggestions the office
publishes with their official answers) and the 公众留言 board (anyone's messages, moderated, followed with
a query code). Nothing here is public until staff publish it; a public page reads only published rows,
through the `public()` querysets, and never a submitter's contact data."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from lvzhi.core.fields import EncryptedCharField
from lvzhi.core.models import Authored, StatusChange, Versioned
from lvzhi.organization.models import CommitteeScopedQuerySet

TITLE_MAX = 100


class Category(models.TextChoices):
    """What a message or a suggestion is about: the columns' filter and the moderators' sorting."""

    ECONOMY = "economy", _("Economic development")
    URBAN_RURAL = "urban_rural", _("Urban and rural construction")
    EDUCATION = "education", _("Education and culture")
    HEALTH = "health", _("Health care")
    SOCIAL = "social", _("Social security and employment")
    ENVIRONMENT = "environment", _("Ecology and environment")
    GOVERNMENT = "government", _("Government services")
    OTHER = "other", pgettext_lazy("category", "Other")


class PortalSettings(Versioned, models.Model):
    """One committee's settings of its public site. A committee without a row has the defaults."""

    committee = models.OneToOneField(
        "organization.Committee",
        on_delete=models.CASCADE,
        related_name="portal_settings",
        verbose_name=_("committee"),
    )
    accepting_messages = models.BooleanField(_("accepting public messages"), default=True)
    # One word or phrase per line; a message containing one waits for a moderator's explicit check.
    sensitive_words = models.TextField(_("sensitive words"), blank=True)
    overdue_days = models.PositiveSmallIntegerField(_("days before a message is overdue"), default=7)
    # Shown beside the captcha and on every public page: the way to reach the office without the form.
    office_phone = models.CharField(_("office telephone"), max_length=40, blank=True)

    class Meta:
        verbose_name = _("public site settings")
        verbose_name_plural = _("public site settings")

    def __str__(self):
        return str(self.committee_id)

    def word_list(self):
        return [w.strip() for w in self.sensitive_words.splitlines() if w.strip()]


class AnnouncementQuerySet(CommitteeScopedQuerySet):
    def public(self, committee):
        return self.filter(committee=committee, status=Announcement.Status.PUBLISHED)


class Announcement(Versioned, Authored, models.Model):
    """通知公告 or 工作动态 on the public home page."""

    class Kind(models.TextChoices):
        NOTICE = "notice", _("Notices")
        NEWS = "news", _("Work news")

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        PUBLISHED = "published", pgettext_lazy("portal", "Published")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    committee = models.ForeignKey(
        "organization.Committee", on_delete=models.PROTECT, related_name="+", verbose_name=_("committee")
    )
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices, default=Kind.NOTICE)
    title = models.CharField(_("title"), max_length=200)
    # Plain text; a blank line starts a paragraph.
    body = models.TextField(_("text"))
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.DRAFT)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, db_index=True)

    objects = AnnouncementQuerySet.as_manager()

    class Meta:
        verbose_name = _("announcement")
        verbose_name_plural = _("announcements")
        ordering = ["-published_at", "-pk"]

    def __str__(self):
        return self.title


class PublicMessageQuerySet(CommitteeScopedQuerySet):
    def public(self, committee):
        """Published messages of the committee: the only ones a public page lists."""
        return self.filter(committee=committee, status=PublicMessage.Status.PUBLISHED)


class PublicMessage(Versioned, models.Model):
    """公众留言: a message anyone wrote on the public site (DESIGN §6.4). The submitter's name and phone are
    for the office only; the submitter follows the message with its query code, of which only a keyed
    digest is stored."""

    class Status(models.TextChoices):
        RECEIVED = "received", _("Awaiting moderation")
        PUBLISHED = "published", _("Answered publicly")
        ANSWERED = "answered", _("Answered privately")
        HIDDEN = "hidden", _("Hidden")
        CONVERTED = "converted", _("Turned into a public-opinion report")

    TRANSITIONS = {
        Status.RECEIVED: {Status.PUBLISHED, Status.ANSWERED, Status.HIDDEN, Status.CONVERTED},
        Status.ANSWERED: {Status.PUBLISHED, Status.HIDDEN},
        Status.PUBLISHED: {Status.HIDDEN},
        # A hidden message can be looked at again (hidden by mistake): it goes back to the queue.
        Status.HIDDEN: {Status.RECEIVED},
        # A converted message is still answered to its writer (publicly or not) once the report moved on.
        Status.CONVERTED: {Status.PUBLISHED, Status.ANSWERED},
    }
    # Statuses a moderator still owes an answer in: the overdue flag counts days in these.
    OPEN = (Status.RECEIVED, Status.CONVERTED)

    committee = models.ForeignKey(
        "organization.Committee",
        on_delete=models.PROTECT,
        related_name="public_messages",
        verbose_name=_("committee"),
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    content = models.TextField(_("content"))
    name = models.CharField(_("name"), max_length=50, blank=True)
    phone = EncryptedCharField(_("telephone"))
    code_digest = models.CharField(max_length=64, unique=True, editable=False)
    # The sensitive words found at submission: non-empty means held for an explicit check.
    sensitive_hits = models.CharField(_("sensitive words found"), max_length=500, blank=True)
    client_ip = models.GenericIPAddressField(_("client address"), null=True, blank=True)
    submitted_at = models.DateTimeField(_("submitted at"), default=timezone.now, db_index=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.RECEIVED, db_index=True
    )
    status_changed_at = models.DateTimeField(_("in this step since"), default=timezone.now)
    reply = models.TextField(_("reply"), blank=True)
    replied_at = models.DateTimeField(_("replied at"), null=True, blank=True)
    replied_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("replied by"),
    )
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, db_index=True)
    hidden_reason = models.TextField(_("reason for hiding"), blank=True)
    # The 社情民意 report it became (the report's page names the message through this link).
    report = models.ForeignKey(
        "opinions.OpinionReport",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="public_messages",
        verbose_name=_("public-opinion report"),
    )

    objects = PublicMessageQuerySet.as_manager()

    class Meta:
        verbose_name = _("public message")
        verbose_name_plural = _("public messages")
        ordering = ["-submitted_at", "-pk"]
        permissions = [("moderate_publicmessage", _("Can moderate and answer public messages"))]

    def __str__(self):
        return self.title

    @property
    def held(self):
        return bool(self.sensitive_hits)


class PublicMessageStatusChange(StatusChange):
    message = models.ForeignKey(PublicMessage, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=16, choices=PublicMessage.Status.choices)
    to_status = models.CharField(max_length=16, choices=PublicMessage.Status.choices)

    class Meta(StatusChange.Meta):
        verbose_name = _("public message status change")
        verbose_name_plural = _("public message status changes")


class ReplyTemplate(models.Model):
    """A reply the moderators start from (thanks, forwarded to a department, outside the CPPCC's remit)."""

    committee = models.ForeignKey(
        "organization.Committee", on_delete=models.CASCADE, related_name="+", verbose_name=_("committee")
    )
    title = models.CharField(_("title"), max_length=100)
    text = models.TextField(_("text"))
    order = models.PositiveSmallIntegerField(_("order"), default=0)

    objects = CommitteeScopedQuerySet.as_manager()

    class Meta:
        verbose_name = _("reply template")
        verbose_name_plural = _("reply templates")
        ordering = ["order", "pk"]

    def __str__(self):
        return self.title


class MemberSuggestionQuerySet(CommitteeScopedQuerySet):
    def public(self, committee):
        return self.filter(committee=committee, status=MemberSuggestion.Status.PUBLISHED)


class MemberSuggestion(Versioned, Authored, models.Model):
    """委员建言: a member's suggestion for the public column. The member writes and submits it; the office
    publishes it (with the member's name, or as "委员" when the member prefers) and its official answer."""

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Awaiting review")
        RETURNED = "returned", _("Returned for revision")
        PUBLISHED = "published", pgettext_lazy("portal", "Published")
        WITHDRAWN = "withdrawn", _("Taken off the site")

    TRANSITIONS = {
        Status.DRAFT: {Status.SUBMITTED},
        Status.SUBMITTED: {Status.PUBLISHED, Status.RETURNED},
        Status.RETURNED: {Status.SUBMITTED},
        Status.PUBLISHED: {Status.WITHDRAWN},
        Status.WITHDRAWN: {Status.PUBLISHED},
    }
    AUTHOR_EDITABLE = (Status.DRAFT, Status.RETURNED)

    committee = models.ForeignKey(
        "organization.Committee",
        on_delete=models.PROTECT,
        related_name="member_suggestions",
        verbose_name=_("committee"),
    )
    member = models.ForeignKey(
        "members.Member",
        on_delete=models.PROTECT,
        related_name="portal_suggestions",
        verbose_name=_("member"),
    )
    category = models.CharField(_("category"), max_length=20, choices=Category.choices)
    title = models.CharField(_("title"), max_length=TITLE_MAX)
    content = models.TextField(_("content"))
    # False: published as "委员" without the member's name.
    show_name = models.BooleanField(_("publish with my name"), default=True)
    status = models.CharField(
        _("status"), max_length=16, choices=Status.choices, default=Status.DRAFT, db_index=True
    )
    status_changed_at = models.DateTimeField(_("in this step since"), default=timezone.now)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True, db_index=True)
    return_reason = models.TextField(_("reason for returning"), blank=True)
    # The official answer shown under the suggestion (by the body that answered it).
    answer = models.TextField(_("official answer"), blank=True)
    answered_by_unit = models.CharField(_("answered by"), max_length=100, blank=True)
    answered_at = models.DateTimeField(_("answered at"), null=True, blank=True)

    objects = MemberSuggestionQuerySet.as_manager()

    class Meta:
        verbose_name = _("member's suggestion")
        verbose_name_plural = _("members' suggestions")
        ordering = ["-published_at", "-pk"]
        permissions = [("review_membersuggestion", _("Can review and publish members' suggestions"))]

    def __str__(self):
        return self.title


class MemberSuggestionStatusChange(StatusChange):
    suggestion = models.ForeignKey(MemberSuggestion, on_delete=models.CASCADE, related_name="history")
    from_status = models.CharField(max_length=16, choices=MemberSuggestion.Status.choices)
    to_status = models.CharField(max_length=16, choices=MemberSuggestion.Status.choices)

    class Meta(StatusChange.Meta):
        verbose_name = _("member's suggestion status change")
        verbose_name_plural = _("member's suggestion status changes")
