"""One-time form submissions. Forms that create rows carry `{% submission_token %}`; the view calls
`claim(request)` inside the transaction that creates, so a repeated POST of the same form raises
DuplicateSubmission and the whole second attempt rolls back."""

import secrets

from django.contrib import messages
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from .models import SubmissionToken

FIELD = "submission_token"


class DuplicateSubmission(Exception):
    pass


def new_token():
    return secrets.token_urlsafe(24)


def claim(request):
    token = request.POST.get(FIELD, "")[:64]
    if not token:
        return  # a client that sends no token (a script, an older page) is not protected, not refused
    try:
        with transaction.atomic():
            SubmissionToken.objects.create(token=token, user=request.user)
    except IntegrityError as exc:
        raise DuplicateSubmission from exc


def tell_already_submitted(request):
    """The one message for a repeated form: the first submission did the work."""
    messages.info(request, _("This form was already submitted; nothing was saved twice."))
