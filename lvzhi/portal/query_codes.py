"""查询码: what a message's writer keeps to follow it. Twelve characters of an alphabet without the
look-alikes (0/O, 1/I/L), written in three groups (ABCD-EFGH-JKMN): about 2^59 codes, and lookups are
rate-limited per address, so a code cannot be guessed. Only a keyed digest is stored: a copy of the
database does not give the codes away."""

import secrets

from lvzhi.core import crypto

ALPHABET = "ABCDEFGHJKMNPQRSTUVWXYZ23456789"
LENGTH = 12
_CONTEXT = "portal.PublicMessage.query_code"


def new_code() -> str:
    raw = "".join(secrets.choice(ALPHABET) for _ in range(LENGTH))
    return "-".join(raw[i : i + 4] for i in range(0, LENGTH, 4))


def normalize(code: str) -> str:
    """What the writer typed, as the code was issued: upper case, without spaces or dashes."""
    return "".join(ch for ch in (code or "").upper() if ch.isascii() and ch.isalnum())


def digest(code: str) -> str:
    """The stored form of a code; "" for anything that cannot be a code (never matches a row)."""
    cleaned = normalize(code)
    if len(cleaned) != LENGTH or any(ch not in ALPHABET for ch in cleaned):
        return ""
    return crypto.blind_index(cleaned, context=_CONTEXT)
