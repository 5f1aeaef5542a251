"""Model fields for personal data that must be unreadable in the database."""

from django.db import models

from . import crypto


class EncryptedCharField(models.TextField):
    """Text encrypted at rest. Python code sees plaintext; the column holds ciphertext.

    Encrypted columns cannot be searched or sorted; pair one with a BlindIndexField for exact lookup.
    """

    def contribute_to_class(self, cls, name, *args, **kwargs):
        super().contribute_to_class(cls, name, *args, **kwargs)
        self.crypto_context = f"{cls._meta.label}.{name}"

    def from_db_value(self, value, expression, connection):
        if not value:
            return value
        return crypto.decrypt(value, context=self.crypto_context)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if not value:
            return value
        return crypto.encrypt(value, context=self.crypto_context)

    def get_lookup(self, lookup_name):
        # Comparing ciphertexts is meaningless (random nonces); only null checks are allowed.
        if lookup_name not in {"isnull"}:
            return None
        return super().get_lookup(lookup_name)


class BlindIndexField(models.CharField):
    """HMAC of another field's normalised plaintext, recomputed on every save."""

    def __init__(self, *args, source, normalize=None, **kwargs):
        self.source = source
        self.normalize = normalize
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("editable", False)
        kwargs.setdefault("blank", True)
        kwargs.setdefault("db_index", True)
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        kwargs["source"] = self.source
        for key in ("max_length", "editable", "blank", "db_index"):
            kwargs.pop(key, None)
        return name, path, args, kwargs

    def contribute_to_class(self, cls, name, *args, **kwargs):
        super().contribute_to_class(cls, name, *args, **kwargs)
        self.crypto_context = f"{cls._meta.label}.{self.source}"

    def digest(self, plaintext):
        if not plaintext:
            return ""
        if self.normalize:
            plaintext = self.normalize(plaintext)
        return crypto.blind_index(plaintext, context=self.crypto_context)

    def pre_save(self, model_instance, add):
        value = self.digest(getattr(model_instance, self.source))
        setattr(model_instance, self.attname, value)
        return value
