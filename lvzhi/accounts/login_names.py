"""Login names: the names members type in the sign-in box.

Two ways in, for people who sign in a few times a year:

- a readable login name made from the pinyin of their name (张三 → ``zhangsan``, the second 张三 of the
  whole platform ``zhangsan2``), made by :func:`generate_username`. It holds letters and at most a
  small counter, never a phone or ID number: a login name appears on printed letters and in the audit
  log, where those numbers must not;
- their mobile number, as kept (encrypted) in their member file: :func:`resolve` turns what was typed
  into the username to authenticate, through the phone's blind index. When two accounts share the
  number (a couple with one phone, a member who sits in two committees) the number names nobody and the
  person must use their login name; the sign-in page says so, without saying which accounts exist.
"""

from __future__ import annotations

import re
import unicodedata
from typing import TYPE_CHECKING

from lvzhi.core import chinese

from .models import User

if TYPE_CHECKING:
    from lvzhi.members.models import Member

# Longest base of a generated name: long names (a transliterated foreign name) are cut, the counter
# still fits, and the name stays typeable on a phone.
MAX_BASE_LENGTH = 24

# The base for a name without any letters to read (no pinyin for its characters): 委员 "weiyuan".
FALLBACK_BASE = "weiyuan"

# A mainland mobile number, optionally with the country code (+86, 0086 or 86), after removing the
# spaces, dashes, dots and brackets that people type between the groups of digits.
_MOBILE = re.compile(r"(?:\+86|0086|86)?(1[3-9]\d{9})")
_SEPARATORS = re.compile(r"[\s\-.()]")


def login_name_base(name: str) -> str:
    """Lowercase ASCII letters of the name's pinyin: 张三 → "zhangsan", 吕 → "lv", "O'Neil" → "oneil"."""
    letters = "".join(ch for ch in chinese.pinyin_full(name) if "a" <= ch <= "z")
    return letters[:MAX_BASE_LENGTH] or FALLBACK_BASE


def taken_usernames() -> set[str]:
    """Every username in use, lowercased: the ``taken`` set for :func:`generate_username`.

    One query for a whole batch. Usernames are unique across the platform (all committees), and a
    generated name must not differ from an existing one only by case, so the set is lowercased.
    """
    return {name.lower() for name in User.objects.values_list("username", flat=True)}


def generate_username(member: Member, taken: set[str]) -> str:
    """A free login name for the member, from the pinyin of their name: "zhangsan", "zhangsan2", …

    ``taken`` is the set of usernames already in use, lowercased; it is trusted, not queried: fill it
    once with :func:`taken_usernames` for a batch, so that 280 members cost one query, not 280. The
    chosen name is added to ``taken``, so that the next member of the same batch called 张三 gets
    "zhangsan2". Should the set be stale (an account created meanwhile), the unique username column
    refuses the duplicate when the account is saved.
    """
    base = login_name_base(member.name)
    candidate, counter = base, 1
    while candidate in taken:
        counter += 1
        candidate = f"{base}{counter}"
    taken.add(candidate)
    return candidate


def mobile_number(text: str) -> str | None:
    """The 11 digits of a mainland mobile number typed with spaces, dashes or +86; None if it is none."""
    compact = _SEPARATORS.sub("", unicodedata.normalize("NFKC", text or ""))
    match = _MOBILE.fullmatch(compact)
    return match.group(1) if match else None


def phone_key(phone: str) -> str:
    """A key for counting sign-in failures under a typed phone number without keeping it in clear: its
    blind index (the one the member files use), cut to fit the counters' username column."""
    from lvzhi.members.models import Member

    return "tel:" + Member._meta.get_field("phone_index").digest(phone)[:64]


def resolve(text: str) -> str | None:
    """What a person typed in the login-name box → the username to authenticate.

    - a mobile number (11 digits, spaces, dashes, +86 allowed) → the username of the one active account
      whose member file has that phone; if no active account has it, the 11 digits themselves (so that
      it fails like any unknown name); if two or more do → None: the number is ambiguous, and the person
      must use their login name;
    - anything else → the text as typed (a username).
    """
    from lvzhi.members.models import Member

    phone = mobile_number(text)
    if phone is None:
        return text
    usernames = list(
        Member.objects.find_by_phone(phone)
        .filter(user__isnull=False, user__is_active=True)
        .values_list("user__username", flat=True)
        .distinct()[:2]
    )
    if len(usernames) > 1:
        return None
    return usernames[0] if usernames else phone
