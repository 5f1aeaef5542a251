from django.conf import settings
from django.db import models
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from lvzhi.core import chinese, idcard, masking
from lvzhi.core.fields import BlindIndexField, EncryptedCharField
from lvzhi.organization.models import Membership, OrgUnit


def normalize_phone(value):
    return "".join(c for c in value if c.isdigit())


class MemberQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Members the user may see: the whole committee for committee-wide roles, the members of
        their units for unit staff, and otherwise only their own file."""
        if not user.is_authenticated or user.committee_id is None:
            return self.none()
        qs = self.filter(committee_id=user.committee_id)
        if user.has_perm("members.view_member"):
            if user.is_committee_wide:
                return qs
            return qs.filter(Q(in_units_q(user.unit_ids())))
        return qs.filter(user=user)

    def find_by_id_number(self, value):
        return self._find("id_number_index", value)

    def find_by_phone(self, value):
        return self._find("phone_index", value)

    def _find(self, index_field, value):
        digest = Member._meta.get_field(index_field).digest(value)
        # An empty value has an empty digest, which every file without that data shares.
        return self.filter(**{index_field: digest}) if digest else self.none()


def in_units_q(unit_ids):
    """Members whose current term places them in one of the units, or who hold a post there."""
    unit_ids = list(unit_ids)
    terms = MemberTerm.objects.filter(member=OuterRef("pk"), term__is_current=True).filter(
        Q(sector_id__in=unit_ids) | Q(town_committee_id__in=unit_ids) | Q(special_committees__in=unit_ids)
    )
    posts = Membership.objects.current().filter(member=OuterRef("pk"), unit_id__in=unit_ids)
    return Q(Exists(terms)) | Q(Exists(posts))


class Member(models.Model):
    """委员档案: one person's file across terms. ID number and phone are encrypted at rest."""

    class Gender(models.TextChoices):
        MALE = "male", _("Male")
        FEMALE = "female", _("Female")

    class Party(models.TextChoices):
        CPC = "cpc", _("Communist Party of China")
        RCCK = "rcck", _("Revolutionary Committee of the Chinese Kuomintang")
        CDL = "cdl", _("China Democratic League")
        CNDCA = "cndca", _("China National Democratic Construction Association")
        CAPD = "capd", _("China Association for Promoting Democracy")
        PWDP = "pwdp", _("Chinese Peasants' and Workers' Democratic Party")
        CZGP = "czgp", _("China Zhi Gong Party")
        JIUSAN = "jiusan", _("Jiusan Society")
        TDSGL = "tdsgl", _("Taiwan Democratic Self-Government League")
        NON_PARTY = "non_party", _("Non-party")

    class Education(models.TextChoices):
        DOCTORATE = "doctorate", _("Doctorate")
        MASTER = "master", _("Master's degree")
        BACHELOR = "bachelor", _("Bachelor's degree")
        ASSOCIATE = "associate", _("Junior college")
        SECONDARY = "secondary", _("Senior secondary")
        BASIC = "basic", _("Junior secondary or below")

    committee = models.ForeignKey(
        "organization.Committee",
        on_delete=models.PROTECT,
        related_name="members",
        verbose_name=_("committee"),
    )
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="member",
        verbose_name=_("user account"),
    )
    name = models.CharField(_("name"), max_length=50)
    gender = models.CharField(_("gender"), max_length=8, choices=Gender.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, blank=True)
    birth_date = models.DateField(_("birth date"), null=True, blank=True)
    native_place = models.CharField(_("native place"), max_length=50, blank=True)
    id_number = EncryptedCharField(_("ID number"), blank=True)
    id_number_index = BlindIndexField(source="id_number", normalize=idcard.normalize)
    phone = EncryptedCharField(_("mobile phone"), blank=True)
    phone_index = BlindIndexField(source="phone", normalize=normalize_phone)
    email = models.EmailField(_("email"), blank=True)
    party = models.CharField(_("party affiliation"), max_length=16, choices=Party.choices, blank=True)
    education = models.CharField(_("education"), max_length=16, choices=Education.choices, blank=True)
    employer_post = models.CharField(_("employer and post"), max_length=200, blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    photo = models.ImageField(_("photo"), upload_to="members/photos/%Y/", blank=True)
    notes = models.TextField(_("notes"), blank=True)

    # Derived search and sort keys, kept in columns so that the database sorts and paginates.
    name_pinyin = models.CharField(max_length=255, blank=True, editable=False, db_index=True)
    name_pinyin_key = models.CharField(max_length=255, blank=True, editable=False)
    name_initials = models.CharField(max_length=50, blank=True, editable=False, db_index=True)
    name_stroke_key = models.CharField(max_length=255, blank=True, editable=False)

    # Optimistic lock: a save that started from an older version is refused (see services.update_member).
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)

    objects = MemberQuerySet.as_manager()

    # The fields of the file that people type: the edit form shows them and the history tracks them.
    FILE_FIELDS = [
        "name",
        "gender",
        "ethnicity",
        "birth_date",
        "native_place",
        "id_number",
        "phone",
        "email",
        "party",
        "education",
        "employer_post",
        "address",
        "photo",
        "notes",
    ]

    class Meta:
        verbose_name = _("member")
        verbose_name_plural = _("members")
        ordering = ["name_stroke_key", "id"]
        # The member list filters by committee and orders by one of these keys; with the committee first,
        # a page deep in a large list reads only its own committee's index entries (bench/member_list.py).
        indexes = [
            models.Index(fields=["committee", "name_stroke_key", "id"], name="member_committee_stroke"),
            models.Index(fields=["committee", "name_pinyin_key", "id"], name="member_committee_pinyin"),
        ]
        permissions = [
            ("unmask_personal_data", _("Can see full ID numbers and phone numbers")),
            ("approve_contact_update", _("Can approve members' contact updates")),
        ]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        # Sort and search keys follow the name; keeping them here means no writer can forget them.
        self.fill_derived_keys()
        update_fields = kwargs.get("update_fields")
        if update_fields is not None and "name" in update_fields:
            kwargs["update_fields"] = {
                *update_fields,
                "name_pinyin",
                "name_pinyin_key",
                "name_initials",
                "name_stroke_key",
            }
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        from django.urls import reverse

        return reverse("members:detail", args=[self.pk])

    def fill_derived_keys(self):
        """Set the sort and search keys from the name. The one place they are computed: save() calls
        it, and so does services.create_members, which writes with bulk_create and bypasses save()."""
        self.name_pinyin = chinese.pinyin_full(self.name)
        self.name_pinyin_key = chinese.pinyin_sort_key(self.name)
        self.name_initials = chinese.pinyin_initials(self.name)
        self.name_stroke_key = chinese.stroke_sort_key(self.name)

    @property
    def masked_id_number(self):
        return masking.mask_id_number(self.id_number)

    @property
    def masked_phone(self):
        return masking.mask_phone(self.phone)

    @property
    def age(self):
        if not self.birth_date:
            return None
        today = timezone.localdate()
        return (
            today.year
            - self.birth_date.year
            - ((today.month, today.day) < (self.birth_date.month, self.birth_date.day))
        )


class MemberTerm(models.Model):
    """A member's place in one term: sector, town committee, special committees, 常委, status."""

    class Status(models.TextChoices):
        SERVING = "serving", _("Serving")
        RESIGNED = "resigned", _("Resigned")
        REMOVED = "removed", _("Removed")
        DECEASED = "deceased", _("Deceased")
        TRANSFERRED = "transferred", _("Transferred away")

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="terms", verbose_name=_("member")
    )
    term = models.ForeignKey(
        "organization.Term", on_delete=models.PROTECT, related_name="member_terms", verbose_name=_("term")
    )
    sector = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="sector_member_terms",
        limit_choices_to={"kind": OrgUnit.Kind.SECTOR},
        verbose_name=_("sector"),
    )
    town_committee = models.ForeignKey(
        OrgUnit,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="town_member_terms",
        limit_choices_to={"kind": OrgUnit.Kind.TOWN_COMMITTEE},
        verbose_name=_("town committee"),
    )
    special_committees = models.ManyToManyField(
        OrgUnit,
        blank=True,
        related_name="special_member_terms",
        limit_choices_to={"kind": OrgUnit.Kind.SPECIAL_COMMITTEE},
        verbose_name=_("special committees"),
    )
    is_standing = models.BooleanField(_("standing committee member"), default=False)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.SERVING)
    status_date = models.DateField(_("status date"), null=True, blank=True)
    status_reason = models.CharField(_("status reason"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("term served")
        verbose_name_plural = _("terms served")
        ordering = ["member", "-term__number"]
        constraints = [models.UniqueConstraint(fields=["member", "term"], name="memberterm_unique")]

    def __str__(self):
        return f"{self.member} · {self.term}"


class MemberChange(models.Model):
    """One save of a member file: who, when, which fields, old → new (masked for personal data)."""

    class Source(models.TextChoices):
        CREATE = "create", _("Created")
        EDIT = "edit", _("Edited by staff")
        SELF_SERVICE = "self_service", _("Member's update, approved")
        IMPORT = "import", _("Import")

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="changes", verbose_name=_("member")
    )
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("changed by"),
    )
    at = models.DateTimeField(_("time"), default=timezone.now)
    source = models.CharField(_("source"), max_length=16, choices=Source.choices, default=Source.EDIT)
    changes = models.JSONField(_("changes"), default=list)
    version = models.PositiveIntegerField(_("version"))

    class Meta:
        verbose_name = _("member file change")
        verbose_name_plural = _("member file changes")
        ordering = ["-at", "-id"]

    def __str__(self):
        return f"{self.member} v{self.version}"


class ContactUpdateRequest(models.Model):
    """A member's own update of their contact data, applied only when staff approve it."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Pending")
        APPROVED = "approved", _("Approved")
        REJECTED = "rejected", _("Rejected")

    member = models.ForeignKey(
        Member, on_delete=models.CASCADE, related_name="contact_requests", verbose_name=_("member")
    )
    phone = EncryptedCharField(_("mobile phone"), blank=True)
    email = models.EmailField(_("email"), blank=True)
    address = models.CharField(_("address"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    decision_note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        verbose_name = _("contact update request")
        verbose_name_plural = _("contact update requests")
        ordering = ["-requested_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"], condition=Q(status="pending"), name="contactupdate_one_pending_per_member"
            )
        ]

    def __str__(self):
        return f"{self.member} {self.get_status_display()}"

    CONTACT_FIELDS = ("phone", "email", "address")

    @property
    def masked_phone(self):
        return masking.mask_phone(self.phone)


class RosterImport(models.Model):
    """One upload of a roster file: checked in the background into a preview, then imported on request.

    The uploaded file waits in private storage (never under a public URL), encrypted, so that the import
    re-reads and re-checks it at the moment it is applied: what is written matches the database as it is
    then. It holds every member's ID and phone number, so it is deleted as soon as the job is over (done,
    failed, or left unconfirmed for a day: import_jobs.purge_stale); its size and SHA-256 stay here and
    in the audit log, to tell later which file it was.
    """

    class Status(models.TextChoices):
        CHECKING = "checking", _("Checking the file")
        PREVIEW = "preview", _("Preview ready")
        IMPORTING = "importing", _("Importing")
        DONE = "done", _("Imported")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired, not imported")

    TRANSITIONS = {
        Status.CHECKING: {Status.PREVIEW, Status.FAILED, Status.EXPIRED},
        Status.PREVIEW: {Status.IMPORTING, Status.EXPIRED},
        Status.IMPORTING: {Status.DONE, Status.FAILED},
    }

    committee = models.ForeignKey(
        "organization.Committee", on_delete=models.CASCADE, related_name="+", verbose_name=_("committee")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", verbose_name=_("uploaded by")
    )
    created_at = models.DateTimeField(_("uploaded at"), default=timezone.now)
    file = models.FileField(_("file"), upload_to="private/imports/%Y/%m/", blank=True)
    original_name = models.CharField(_("file name"), max_length=255)
    file_bytes = models.PositiveBigIntegerField(_("file size in bytes"), default=0)
    file_sha256 = models.CharField(_("SHA-256 of the file"), max_length=64, blank=True)
    # Where the person who started the current step works from: the worker's audit rows carry it.
    client_ip = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=255, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.CHECKING)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    valid_only = models.BooleanField(_("import the valid rows only"), default=True)
    preview = models.JSONField(default=dict, blank=True)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(_("error"), blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)

    class Meta:
        verbose_name = _("roster import")
        verbose_name_plural = _("roster imports")
        ordering = ["-created_at", "-id"]

    def __str__(self):
        return f"{self.original_name} ({self.get_status_display()})"

    @property
    def percent(self):
        if not self.progress_total:
            return 0
        return min(100, round(100 * self.progress_done / self.progress_total))

    @property
    def is_running(self):
        return self.status in {self.Status.CHECKING, self.Status.IMPORTING}
