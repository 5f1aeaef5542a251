import json
import uuid

from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .crypto import audit_mac


class AuditEventQuerySet(models.QuerySet):
    """Bulk writes skip Model.save()/delete(), so refuse them here too: the log is append-only."""

    def update(self, **kwargs):
        raise ValueError("Audit events are append-only.")

    def delete(self):
        raise ValueError("Audit events are append-only.")


class AuditHead(models.Model):
    """The end of the audit chain: one row, locked by every writer, so that two concurrent writers can
    never chain onto the same predecessor (locking the newest event would not do: in PostgreSQL the
    second writer would wake up still holding the row it first read)."""

    last_id = models.BigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, blank=True)
    count = models.BigIntegerField(default=0)

    def __str__(self):
        return f"#{self.last_id} ({self.count})"


class AuditEvent(models.Model):
    """An append-only, hash-chained record of a security-relevant act (DESIGN §8).

    Each row's hash is an HMAC, under a key kept outside the database (lvzhi.core.crypto.audit_mac), of
    its content and the previous row's hash. Editing or deleting a row breaks the chain, and whoever
    can write to the database still cannot forge a new chain without the key. Deleting the newest rows
    leaves a shorter chain that is intact: the anchors written outside the database (audit_anchor.py)
    catch that.
    """

    class Action(models.TextChoices):
        LOGIN = "login", _("Login")
        LOGIN_FAILED = "login_failed", _("Failed login")
        LOCKOUT = "lockout", _("Account locked")
        LOGOUT = "logout", _("Logout")
        SESSION_EXPIRED = "session_expired", _("Session expired")
        PERMISSION_DENIED = "permission_denied", _("Permission denied")
        UNMASK = "unmask", _("Personal data unmasked")
        EXPORT = "export", _("Export")
        IMPORT = "import", _("Import")
        CREATE = "create", _("Create")
        UPDATE = "update", _("Update")
        DELETE = "delete", _("Delete")
        APPROVE = "approve", _("Approve")
        REJECT = "reject", _("Reject")
        PASSWORD_CHANGE = "password_change", _("Password change")
        PASSWORD_RESET = "password_reset", _("Password reset by an administrator")
        ROLE_CHANGE = "role_change", _("Role change")
        SECOND_FACTOR_RESET = "second_factor_reset", _("Second factor reset by an administrator")
        UNLOCK = "unlock", _("Account unlocked")
        LOOKUP = "lookup", _("Lookup by personal data")
        VERIFY = "verify", _("Audit log verified")

    class Result(models.TextChoices):
        SUCCESS = "success", _("Success")
        FAILURE = "failure", _("Failure")

    at = models.DateTimeField(_("time"), default=timezone.now, db_index=True)
    # The committee's id, not a foreign key: core is the base layer and knows no app above it (the
    # column is the one the foreign key had; compute_hash has always hashed this id).
    committee_id = models.BigIntegerField(_("committee"), null=True, blank=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, verbose_name=_("user")
    )
    username = models.CharField(_("username"), max_length=150, blank=True)
    ip_address = models.GenericIPAddressField(_("IP address"), null=True, blank=True)
    user_agent = models.CharField(_("user agent"), max_length=255, blank=True)
    action = models.CharField(_("action"), max_length=32, choices=Action.choices, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object ID"), max_length=64, blank=True)
    # What happened, as a code that an app declared with its message (lvzhi.core.audit.event_types) and
    # the parameters of that message: the log is shown in the reader's language. Rows written before
    # events existed have only an English `summary`.
    event = models.CharField(_("event"), max_length=64, blank=True, db_index=True)
    params = models.JSONField(_("parameters"), default=dict, blank=True)
    summary = models.CharField(_("summary"), max_length=255, blank=True)
    detail = models.JSONField(_("detail"), default=dict, blank=True)
    result = models.CharField(_("result"), max_length=16, choices=Result.choices, default=Result.SUCCESS)
    prev_hash = models.CharField(max_length=64, blank=True, editable=False)
    hash = models.CharField(max_length=64, blank=True, editable=False)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        ordering = ["-at", "-id"]
        permissions = [("view_audit_log", _("Can view the audit log"))]

    def __str__(self):
        return f"{self.at:%Y-%m-%d %H:%M:%S} {self.username} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValueError("Audit events are append-only.")
        with transaction.atomic():
            head = AuditHead.objects.select_for_update().filter(pk=1).first()
            if head is None:  # a new database (or one flushed by the tests)
                AuditHead.objects.get_or_create(pk=1)
                head = AuditHead.objects.select_for_update().get(pk=1)
            self.prev_hash = head.last_hash
            self.hash = self.compute_hash()
            super().save(*args, **kwargs)
            head.last_id, head.last_hash, head.count = self.pk, self.hash, head.count + 1
            head.save(update_fields=["last_id", "last_hash", "count"])
        from . import audit_anchor  # the anchor module reads these models

        audit_anchor.after_event(head)

    def delete(self, *args, **kwargs):
        raise ValueError("Audit events are append-only.")

    def compute_hash(self) -> str:
        fields = [
            self.prev_hash,
            self.at.isoformat(),
            self.committee_id,
            self.actor_id,
            self.username,
            self.ip_address,
            self.user_agent,
            self.action,
            self.object_type,
            self.object_id,
            self.summary,
            self.detail,
            self.result,
        ]
        if self.event:
            # Rows with an event hash it and its parameters too; rows written before events existed
            # have none and keep the hash they were written with.
            fields += [self.event, self.params]
        content = json.dumps(fields, ensure_ascii=False, sort_keys=True, default=str)
        return audit_mac(content.encode())

    @property
    def object_label(self):
        """The object's kind in the reader's language ("委员档案 12"), or the raw label if unknown."""
        from django.apps import apps

        try:
            name = apps.get_model(self.object_type)._meta.verbose_name if self.object_type else ""
        except (LookupError, ValueError):
            name = self.object_type
        return f"{name} {self.object_id}".strip()

    @classmethod
    def verify_chain(cls):
        """Return the first event whose hash or link is wrong, or None when the chain is intact (the
        anchors are checked by audit_anchor.verify, which also uses this walk)."""
        prev = ""
        for event in cls.objects.order_by("id").iterator(chunk_size=2000):
            if event.prev_hash != prev or event.compute_hash() != event.hash:
                return event
            prev = event.hash
        return None


class AuditVerification(models.Model):
    """One run of the audit-log verification (manage.py verify_audit, or the auditor's button): what it
    found, shown on the auditor's page."""

    class Status(models.TextChoices):
        RUNNING = "running", _("Running")
        INTACT = "intact", _("Intact")
        BROKEN = "broken", _("Broken")
        ERROR = "error", _("Could not finish")

    started_at = models.DateTimeField(_("started at"), default=timezone.now)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    started_by = models.CharField(_("started by"), max_length=150, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.RUNNING)
    rows_total = models.BigIntegerField(_("rows to check"), default=0)
    rows_checked = models.BigIntegerField(_("rows checked"), default=0)
    anchors_checked = models.IntegerField(_("anchors checked"), default=0)
    first_bad_id = models.BigIntegerField(_("first bad row"), null=True, blank=True)
    problem = models.CharField(_("problem"), max_length=32, blank=True)
    problem_detail = models.JSONField(_("detail"), default=dict, blank=True)

    class Meta:
        verbose_name = _("audit log verification")
        verbose_name_plural = _("audit log verifications")
        ordering = ["-started_at", "-id"]

    def __str__(self):
        return f"{self.started_at:%Y-%m-%d %H:%M} {self.status}"

    @property
    def percent(self):
        if self.status != self.Status.RUNNING:
            return 100
        return min(99, self.rows_checked * 100 // self.rows_total) if self.rows_total else 0


class SubmissionToken(models.Model):
    """A one-time token carried by a form that creates something: a second submission of the same form
    (double click, reload, flaky network) finds the token used and creates nothing (DESIGN §8)."""

    token = models.CharField(max_length=64, unique=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    used_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("used form submission")
        verbose_name_plural = _("used form submissions")

    def __str__(self):
        return self.token


class StatusChange(models.Model):
    """The history row every workflow keeps (DESIGN §6): who moved the object, when, and why. A concrete
    history adds the foreign key to its object and `from_status` / `to_status` with its own choices."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("by"),
    )
    at = models.DateTimeField(_("at"), auto_now_add=True)
    reason = models.TextField(_("reason"), blank=True)

    class Meta:
        abstract = True
        ordering = ["at", "pk"]


class Versioned(models.Model):
    """A row that several people edit: `version` counts its saves, so that a save from an editor who
    opened an older version is refused (core.workflow.lock) instead of overwriting the newer one."""

    version = models.PositiveIntegerField(_("version"), default=1, editable=False)

    class Meta:
        abstract = True


class Authored(models.Model):
    """Who created the row, and when."""

    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("created by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        abstract = True


def stored_file_path(instance, filename):
    """A random name in the model's `upload_folder()`, with the extension that `uploads.store` found by
    the content (it passes it as `filename`): never the uploaded name, so nothing in the media folder
    can be guessed from a document's name or run by a browser."""
    extension = filename.rsplit(".", 1)[-1]
    return f"{instance.upload_folder()}/{uuid.uuid4().hex}.{extension}"


class StoredFile(models.Model):
    """An uploaded file that lvzhi keeps: the file under a random name, the name it was uploaded under
    (shown, and downloaded with the checked extension), the content type its content was judged to
    have, its size, and who uploaded it when. Written only by `lvzhi.core.uploads.store` and `clear`,
    read by `uploads.attachment_response`.

    A row that is a file (an activity's attachment) and a row that may carry one (a library document)
    both derive from it; the fields are empty while there is no file. The rows stored before lvzhi
    kept a size or an uploader have none. A concrete model says where its files go in
    `upload_folder()`."""

    file = models.FileField(_("file"), upload_to=stored_file_path, max_length=200, blank=True)
    original_name = models.CharField(_("file name"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=100, blank=True)
    size = models.PositiveIntegerField(_("size"), null=True, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), null=True, blank=True)

    class Meta:
        abstract = True

    def upload_folder(self):
        raise NotImplementedError(f"{type(self).__name__} must say where its files go (upload_folder).")
