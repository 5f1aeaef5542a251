"""One-time form submissions. Forms that create rows carry `{% submission_token %}`; the view calls
`claim(request)` inside the transaction that creates, so a repeated POST of the same form raises
DuplicateSubmission and the whole second attempt rolls back."""

import secrets

from django.db import IntegrityError, transaction

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
