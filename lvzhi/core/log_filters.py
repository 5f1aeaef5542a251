"""Keeping personal data out of the logs: whatever a log line says (a request line with a search query,
an error with a form's values), ID and mobile numbers in it are masked as the pages mask them. Every
handler of settings.LOGGING carries this filter (a test checks it), so a new handler cannot forget it."""

import logging
import re

from .masking import mask_id_number, mask_phone

# Digits may be typed with spaces or dashes between groups, which a URL carries as "+" or "%20".
_SEP = r"(?:[ +\-]|%20)?"
ID_NUMBER = re.compile(rf"(?<![0-9A-Za-z])(?:\d{_SEP}){{17}}[\dXx](?![0-9A-Za-z])")
MOBILE = re.compile(rf"(?<![0-9A-Za-z])1[3-9](?:{_SEP}\d){{9}}(?![0-9A-Za-z])")
_SEPARATORS = re.compile(r"[ +\-]|%20")


def redact(text):
    text = ID_NUMBER.sub(lambda m: mask_id_number(_SEPARATORS.sub("", m.group()).upper()), text)
    return MOBILE.sub(lambda m: mask_phone(_SEPARATORS.sub("", m.group())), text)


class RedactPersonalData(logging.Filter):
    def filter(self, record):
        message = record.getMessage()
        redacted = redact(message)
        if redacted != message:
            record.msg, record.args = redacted, ()
        if record.exc_info and not record.exc_text:
            # The traceback is formatted once and cached here; redact that text too.
            record.exc_text = redact(logging.Formatter().formatException(record.exc_info))
        elif record.exc_text:
            record.exc_text = redact(record.exc_text)
        return True
