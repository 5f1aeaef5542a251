"""The document library: charters, working rules, opinions and study materials that members read
(their right to know, 知情权), each meant for an audience of the committee."""

from django.db import models
from django.db.models import Exists, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lvzhi.core.models import Authored, StoredFile, Versioned
from lvzhi.members.models import MemberTerm
from lvzhi.organization.models import CommitteeScopedQuerySet


class DocumentQuerySet(CommitteeScopedQuerySet):
    def visible_to(self, user):
        """The documents of the user's committee meant for them, in one query.

        Staff and leaders (library.read_staff_documents) read every audience; serving members of the
        current term read "everyone" and "members and staff", standing committee members also
        "standing committee"; anyone else signed in (a handling unit, an information officer who is not
        a member) reads "everyone" only. Unpublished documents only for those who may edit them.
        """
        qs = super().visible_to(user)
        if not user.is_authenticated or user.committee_id is None:
            return qs
        if not user.has_perm("library.change_document"):
            qs = qs.filter(is_published=True)
        if user.has_perm("library.read_staff_documents"):
            return qs
        Audience = Document.Audience
        serving = MemberTerm.objects.filter(
            member__user_id=user.pk,
            member__committee_id=user.committee_id,
            term__committee_id=user.committee_id,
            term__is_current=True,
            status=MemberTerm.Status.SERVING,
        )
        return qs.filter(
            Q(audience=Audience.EVERYONE)
            | Q(Exists(serving), audience=Audience.MEMBERS_AND_STAFF)
            | Q(Exists(serving.filter(is_standing=True)), audience=Audience.STANDING)
        )


class Document(Versioned, Authored, StoredFile, models.Model):
    """A document of the library: its text, or a file (StoredFile, stored by uploads.store), or both."""

    class Category(models.TextChoices):
        CHARTER = "charter", _("Charter")
        RULES = "rules", _("Working rules")
        OPINION = "opinion", _("Opinions and documents")
        STUDY = "study", _("Study materials")
        OTHER = "other", _("Other")

    class Audience(models.TextChoices):
        EVERYONE = "everyone", _("Everyone signed in")
        MEMBERS_AND_STAFF = "members_and_staff", _("Members and staff")
        STANDING = "standing", _("Standing committee members and staff")
        STAFF = "staff", _("Staff only")

    committee = models.ForeignKey(
        "organization.Committee",
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=_("committee"),
    )
    title = models.CharField(_("title"), max_length=200)
    category = models.CharField(_("category"), max_length=16, choices=Category.choices, db_index=True)
    audience = models.CharField(
        _("audience"),
        max_length=24,
        choices=Audience.choices,
        default=Audience.MEMBERS_AND_STAFF,
        help_text=_("Who may read it. Staff and leaders read every document."),
    )
    summary = models.TextField(_("summary"), max_length=1000, blank=True)
    body = models.TextField(_("text"), blank=True)
    published_on = models.DateField(_("published on"), default=timezone.localdate)
    is_published = models.BooleanField(
        _("published"), default=True, help_text=_("Unpublished documents are seen by the office only.")
    )
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = DocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")
        ordering = ["-published_on", "-pk"]
        permissions = [
            ("read_staff_documents", _("Can read library documents of every audience")),
        ]
        indexes = [models.Index(fields=["committee", "category", "-published_on"], name="document_list")]

    def __str__(self):
        return self.title

    def upload_folder(self):
        return f"library/{self.committee_id}"
