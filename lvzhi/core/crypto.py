"""Field encryption (AES-256-GCM) and keyed blind indexes (HMAC-SHA256).

Both keys are derived from LVZHI_FIELD_KEY with HKDF, so an operator keeps one secret. Ciphertext is
stored as text: "v1:" + base64(nonce || ciphertext+tag); the version prefix leaves room for a key
rotation or an SM4 variant without guessing what a stored value is.
"""

import base64
import hashlib
import hmac
import os
from functools import cache

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from django.conf import settings
from django.core import checks
from django.core.exceptions import ImproperlyConfigured

PREFIX = "v1:"
NONCE_BYTES = 12


@cache
def _master_key() -> bytes:
    try:
        key = base64.b64decode(settings.LVZHI_FIELD_KEY, validate=True)
    except ValueError as exc:
        raise ImproperlyConfigured("LVZHI_FIELD_KEY must be base64.") from exc
    if len(key) < 32:
        raise ImproperlyConfigured("LVZHI_FIELD_KEY must decode to at least 32 bytes.")
    return key


@cache
def _derived_key(purpose: bytes) -> bytes:
    return HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"lvzhi:" + purpose).derive(
        _master_key()
    )


def encrypt(plaintext: str, *, context: str) -> str:
    """Encrypt text; `context` (e.g. "members.Member.id_number") is bound as associated data so a
    ciphertext copied into another column does not decrypt."""
    nonce = os.urandom(NONCE_BYTES)
    sealed = AESGCM(_derived_key(b"encrypt")).encrypt(nonce, plaintext.encode(), context.encode())
    return PREFIX + base64.b64encode(nonce + sealed).decode()


def decrypt(token: str, *, context: str) -> str:
    if not token.startswith(PREFIX):
        raise ValueError("Unknown ciphertext format")
    raw = base64.b64decode(token[len(PREFIX) :])
    nonce, sealed = raw[:NONCE_BYTES], raw[NONCE_BYTES:]
    return AESGCM(_derived_key(b"encrypt")).decrypt(nonce, sealed, context.encode()).decode()


# Binary sealing (uploads that carry personal data while they wait): magic, version, nonce, ciphertext.
BYTES_MAGIC = b"LVZ1"


def encrypt_bytes(data: bytes, *, context: str) -> bytes:
    """Encrypt a whole file's bytes; `context` names what it is, as for `encrypt`."""
    nonce = os.urandom(NONCE_BYTES)
    return BYTES_MAGIC + nonce + AESGCM(_derived_key(b"encrypt-bytes")).encrypt(nonce, data, context.encode())


def decrypt_bytes(blob: bytes, *, context: str) -> bytes:
    """The bytes sealed by `encrypt_bytes`; raises ValueError for anything else or a wrong context."""
    if not blob.startswith(BYTES_MAGIC):
        raise ValueError("Unknown ciphertext format")
    nonce = blob[len(BYTES_MAGIC) : len(BYTES_MAGIC) + NONCE_BYTES]
    sealed = blob[len(BYTES_MAGIC) + NONCE_BYTES :]
    try:
        return AESGCM(_derived_key(b"encrypt-bytes")).decrypt(nonce, sealed, context.encode())
    except InvalidTag as exc:
        raise ValueError("The sealed bytes were altered or belong to another context") from exc


def blind_index(value: str, *, context: str) -> str:
    """A keyed, deterministic digest for exact-match lookup of an encrypted value."""
    key = _derived_key(b"blind-index:" + context.encode())
    return hmac.new(key, value.encode(), hashlib.sha256).hexdigest()


@cache
def _audit_key() -> bytes:
    """LVZHI_AUDIT_KEY when the operator keeps a separate one (base64), else derived from the field key:
    either way it lives outside the database, so a database writer cannot forge the audit chain."""
    configured = getattr(settings, "LVZHI_AUDIT_KEY", "")
    if configured:
        try:
            key = base64.b64decode(configured, validate=True)
        except ValueError as exc:
            raise ImproperlyConfigured("LVZHI_AUDIT_KEY must be base64.") from exc
        if len(key) < 32:
            raise ImproperlyConfigured("LVZHI_AUDIT_KEY must decode to at least 32 bytes.")
        return key
    return _derived_key(b"audit-chain")


def audit_mac(data: bytes) -> str:
    """HMAC-SHA256 (hex) under the audit key: the links of the audit chain and its anchors."""
    return hmac.new(_audit_key(), data, hashlib.sha256).hexdigest()


@checks.register(checks.Tags.security)
def check_field_key(app_configs, **kwargs):
    """A malformed key would otherwise pass start-up and `check --deploy`, then fail every read of an
    encrypted field."""
    try:
        _master_key()
    except ImproperlyConfigured as exc:
        return [
            checks.Error(str(exc), hint="Set LVZHI_FIELD_KEY to base64 of 32 random bytes.", id="lvzhi.E001")
        ]
    try:
        _audit_key()
    except ImproperlyConfigured as exc:
        return [
            checks.Error(
                str(exc),
                hint="Set LVZHI_AUDIT_KEY to base64 of 32 random bytes, or leave it unset.",
                id="lvzhi.E002",
            )
        ]
    return []
