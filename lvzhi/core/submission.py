"""One-time form submissions. Forms that create rows carry `{% submission_token %}`; the view calls
`claim(request)` inside the transaction that creates, so a repeated POST of the same form raises
DuplicateSubmission and the whole second attempt rolls back."""

import re
import secrets

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .models import SubmissionToken

FIELD = "submission_token"
# What new_token() makes (URL-safe base64); anything else was not written by our page.
TOKEN_FORMAT = re.compile(r"[A-Za-z0-9_-]{1,64}")


class DuplicateSubmission(Exception):
    pass


def new_token():
    return secrets.token_urlsafe(24)


def claim(request):
    token = request.POST.get(FIELD, "")
    if not TOKEN_FORMAT.fullmatch(token):
        # A client that sends no token (a script, an older page) or a garbled one is not protected, not
        # refused; a garbled token never reaches the database (a NUL in it would be an error there).
        return
    try:
        with transaction.atomic():
            SubmissionToken.objects.create(token=token, user=request.user)
    except IntegrityError as exc:
        raise DuplicateSubmission from exc


def tell_already_submitted(request):
    """The one message for a repeated form: the first submission did the work."""
    messages.info(request, _("This form was already submitted; nothing was saved twice."))
