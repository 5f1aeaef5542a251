"""Field encryption and blind indexes (lvzhi.core.crypto, lvzhi.core.fields) on the Member file."""

import base64

import pytest
from cryptography.exceptions import InvalidTag
from django.core.exceptions import FieldError
from django.db import connection

from lvzhi.core import crypto
from lvzhi.factories import MemberFactory
from lvzhi.members.models import Member

CONTEXT = "members.Member.id_number"
ID_NUMBER = "11010519491231002X"  # the example of GB 11643 (female, born 1949-12-31)
PHONE = "13912345678"


@pytest.fixture
def other_field_key(settings):
    """Swap LVZHI_FIELD_KEY for the test; the derived keys are cached, so reset the caches around it."""

    def use_other_key():
        settings.LVZHI_FIELD_KEY = base64.b64encode(b"k" * 32).decode()
        crypto._master_key.cache_clear()
        crypto._derived_key.cache_clear()
        crypto._audit_key.cache_clear()

    yield use_other_key
    crypto._master_key.cache_clear()
    crypto._derived_key.cache_clear()
    crypto._audit_key.cache_clear()


def test_it_round_trips():
    for text in ["", ID_NUMBER, "青溪县城关镇东街1号", "x" * 1000]:
        assert crypto.decrypt(crypto.encrypt(text, context=CONTEXT), context=CONTEXT) == text


def test_ciphertext_is_versioned_and_hides_the_plaintext():
    token = crypto.encrypt(ID_NUMBER, context=CONTEXT)

    assert token.startswith("v1:")
    assert ID_NUMBER not in token
    assert ID_NUMBER.encode() not in base64.b64decode(token[3:])


def test_the_same_plaintext_encrypts_differently_each_time():
    first = crypto.encrypt(ID_NUMBER, context=CONTEXT)
    second = crypto.encrypt(ID_NUMBER, context=CONTEXT)

    assert first != second
    assert crypto.decrypt(first, context=CONTEXT) == crypto.decrypt(second, context=CONTEXT) == ID_NUMBER


def test_a_ciphertext_decrypts_only_under_its_own_context():
    token = crypto.encrypt(ID_NUMBER, context=CONTEXT)

    # A value copied into another column (or another model) does not decrypt there.
    with pytest.raises(InvalidTag):
        crypto.decrypt(token, context="members.Member.phone")


def test_a_tampered_ciphertext_does_not_decrypt():
    token = crypto.encrypt(ID_NUMBER, context=CONTEXT)
    raw = bytearray(base64.b64decode(token[3:]))
    raw[-1] ^= 1

    with pytest.raises(InvalidTag):
        crypto.decrypt("v1:" + base64.b64encode(bytes(raw)).decode(), context=CONTEXT)


def test_it_refuses_an_unknown_format():
    with pytest.raises(ValueError, match="Unknown ciphertext format"):
        crypto.decrypt(ID_NUMBER, context=CONTEXT)


def test_a_ciphertext_does_not_decrypt_under_another_key(other_field_key):
    token = crypto.encrypt(ID_NUMBER, context=CONTEXT)
    index = crypto.blind_index(ID_NUMBER, context=CONTEXT)

    other_field_key()

    with pytest.raises(InvalidTag):
        crypto.decrypt(token, context=CONTEXT)
    assert crypto.blind_index(ID_NUMBER, context=CONTEXT) != index


def test_bytes_round_trip_and_hide_the_plaintext():
    data = f"姓名,公民身份号码\n张三,{ID_NUMBER}\n".encode()

    sealed = crypto.encrypt_bytes(data, context="members.RosterImport.file")

    assert ID_NUMBER.encode() not in sealed
    assert crypto.decrypt_bytes(sealed, context="members.RosterImport.file") == data


def test_sealed_bytes_open_only_under_their_context_and_unaltered():
    sealed = crypto.encrypt_bytes(b"roster", context="members.RosterImport.file")
    altered = sealed[:-1] + bytes([sealed[-1] ^ 1])

    with pytest.raises(ValueError):
        crypto.decrypt_bytes(sealed, context="activities.Attachment.file")
    with pytest.raises(ValueError):
        crypto.decrypt_bytes(altered, context="members.RosterImport.file")
    with pytest.raises(ValueError, match="Unknown ciphertext format"):
        crypto.decrypt_bytes(b"PK\x03\x04plain zip", context="members.RosterImport.file")


def test_the_blind_index_is_deterministic():
    first = crypto.blind_index(ID_NUMBER, context=CONTEXT)

    assert first == crypto.blind_index(ID_NUMBER, context=CONTEXT)
    assert len(first) == 64
    assert first != crypto.blind_index("11010519491231003X", context=CONTEXT)


def test_the_blind_index_is_bound_to_its_context():
    # The same digits as an ID number and as a phone must not be linkable through their indexes.
    assert crypto.blind_index(PHONE, context=CONTEXT) != crypto.blind_index(
        PHONE, context="members.Member.phone"
    )


def test_the_blind_index_is_keyed():
    import hashlib

    assert crypto.blind_index(ID_NUMBER, context=CONTEXT) != hashlib.sha256(ID_NUMBER.encode()).hexdigest()


# --- on the Member model -----------------------------------------------------------------


@pytest.fixture
def member(committee):
    return MemberFactory(committee=committee, id_number=ID_NUMBER, phone=PHONE, gender=Member.Gender.FEMALE)


def raw_row(member):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT id_number, phone, id_number_index, phone_index FROM members_member WHERE id = %s",
            [member.pk],
        )
        return cursor.fetchone()


def test_the_database_holds_only_ciphertext(member):
    id_number, phone, id_index, phone_index = raw_row(member)

    assert id_number.startswith("v1:")
    assert phone.startswith("v1:")
    for column in (id_number, phone, id_index, phone_index):
        assert ID_NUMBER not in column
        assert PHONE not in column
        assert "19491231" not in column


def test_the_orm_returns_plaintext(member):
    fresh = Member.objects.get(pk=member.pk)

    assert fresh.id_number == ID_NUMBER
    assert fresh.phone == PHONE
    assert Member.objects.values_list("id_number", "phone").get(pk=member.pk) == (ID_NUMBER, PHONE)


def test_a_queryset_update_encrypts_too(member):
    Member.objects.filter(pk=member.pk).update(phone="13800000000")

    assert raw_row(member)[1].startswith("v1:")
    assert Member.objects.get(pk=member.pk).phone == "13800000000"


def test_empty_values_stay_empty(committee):
    member = MemberFactory(committee=committee, id_number="", phone="")

    id_number, phone, id_index, phone_index = raw_row(member)
    assert (id_number, phone, id_index, phone_index) == ("", "", "", "")
    assert Member.objects.get(pk=member.pk).id_number == ""


def test_it_finds_a_member_by_id_number(member, committee):
    MemberFactory(committee=committee)

    assert list(Member.objects.find_by_id_number(ID_NUMBER)) == [member]


@pytest.mark.parametrize(
    "typed", ["11010519491231002x", " 110105 19491231 002X ", "１１０１０５１９４９１２３１００２Ｘ"]
)
def test_it_finds_a_member_however_the_id_is_typed(member, typed):
    assert list(Member.objects.find_by_id_number(typed)) == [member]


def test_it_does_not_find_a_different_id_number(member):
    assert not Member.objects.find_by_id_number("110105194912310011").exists()


@pytest.mark.parametrize("typed", [PHONE, "139 1234 5678", "139-1234-5678"])
def test_it_finds_a_member_by_phone(member, committee, typed):
    MemberFactory(committee=committee)

    assert list(Member.objects.find_by_phone(typed)) == [member]


def test_the_index_follows_a_changed_value(member):
    member.phone = "13800000000"
    member.save()

    assert not Member.objects.find_by_phone(PHONE).exists()
    assert list(Member.objects.find_by_phone("13800000000")) == [member]


@pytest.mark.parametrize(
    "lookup",
    [
        {"id_number": ID_NUMBER},
        {"id_number__exact": ID_NUMBER},
        {"id_number__icontains": "1949"},
        {"phone__startswith": "139"},
        {"phone__in": [PHONE]},
    ],
)
def test_an_encrypted_field_cannot_be_filtered(member, lookup):
    # Comparing ciphertexts would silently find nothing; the field refuses the lookup instead.
    with pytest.raises(FieldError, match="Unsupported lookup"):
        Member.objects.filter(**lookup)


def test_an_encrypted_field_allows_null_checks(member):
    assert list(Member.objects.filter(id_number__isnull=False)) == [member]


@pytest.mark.parametrize(
    "bad_key", ["changeme", "not base64!", base64.b64encode(b"16 bytes only!!!").decode()]
)
def test_the_system_check_reports_a_malformed_key(settings, other_field_key, bad_key):
    other_field_key()
    settings.LVZHI_FIELD_KEY = bad_key

    assert [error.id for error in crypto.check_field_key(None)] == ["lvzhi.E001"]


def test_the_system_check_accepts_a_good_key():
    assert crypto.check_field_key(None) == []
