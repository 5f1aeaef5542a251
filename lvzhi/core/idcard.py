"""Resident identity card numbers (GB 11643-1999): 6-digit area, 8-digit birth date, 3-digit sequence
whose parity gives the sex (odd: male, even: female), and an ISO 7064 MOD 11-2 check character."""

import datetime
import re
import unicodedata
from dataclasses import dataclass

WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
CHECK_CHARS = "10X98765432"
# ASCII only: \d would also match full-width and other scripts' digits, which int() accepts.
PATTERN = re.compile(r"^[0-9]{17}[0-9X]$")


class InvalidIdNumber(ValueError):
    pass


@dataclass(frozen=True)
class IdNumber:
    value: str
    birth_date: datetime.date
    is_male: bool


def check_char(first17: str) -> str:
    return CHECK_CHARS[sum(int(d) * w for d, w in zip(first17, WEIGHTS, strict=True)) % 11]


def normalize(value: str) -> str:
    # NFKC turns full-width digits and Ｘ (typed with a Chinese input method) into ASCII, so the
    # stored value and its blind index are the same however the number was typed.
    return unicodedata.normalize("NFKC", value or "").strip().replace(" ", "").upper()


def parse(value: str) -> IdNumber:
    """Validate an 18-character ID number and return what it encodes; raise InvalidIdNumber (message in
    English msgid form, translated by the caller's form) when it is not valid."""
    value = normalize(value)
    if not PATTERN.match(value):
        raise InvalidIdNumber("format")
    try:
        birth = datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError as exc:
        raise InvalidIdNumber("birth_date") from exc
    if birth.year < 1900 or birth > datetime.date.today():
        raise InvalidIdNumber("birth_date")
    if check_char(value[:17]) != value[17]:
        raise InvalidIdNumber("check_digit")
    return IdNumber(value=value, birth_date=birth, is_male=int(value[16]) % 2 == 1)


def make(area: str, birth: datetime.date, sequence: int) -> str:
    """Build a valid number (for demo data and tests): area 6 digits, sequence 0–999."""
    first17 = f"{area}{birth:%Y%m%d}{sequence:03d}"
    return first17 + check_char(first17)
