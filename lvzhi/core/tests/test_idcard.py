"""GB 11643 ID numbers (lvzhi.core.idcard) and masking of personal data (lvzhi.core.masking)."""

import datetime

import pytest

from lvzhi.core import idcard, masking
from lvzhi.core.idcard import InvalidIdNumber

# The example number printed in GB 11643-1999 itself.
STANDARD_EXAMPLE = "11010519491231002X"


def reason(value):
    with pytest.raises(InvalidIdNumber) as excinfo:
        idcard.parse(value)
    return str(excinfo.value)


def test_it_accepts_the_example_of_the_standard():
    parsed = idcard.parse(STANDARD_EXAMPLE)

    assert parsed.value == STANDARD_EXAMPLE
    assert parsed.birth_date == datetime.date(1949, 12, 31)
    assert parsed.is_male is False  # 17th digit 2 is even


def test_it_computes_the_check_character_by_hand():
    # Weighted sum of 11010519491231002 with 7 9 10 5 8 4 2 1 6 3 7 9 10 5 8 4 2 is 167; 167 mod 11 = 2 → X.
    assert sum(int(d) * w for d, w in zip("11010519491231002", idcard.WEIGHTS, strict=True)) == 167
    assert idcard.check_char("11010519491231002") == "X"


@pytest.mark.parametrize(
    ("area", "birth", "sequence"),
    [
        ("990101", datetime.date(1975, 3, 1), 1),
        ("990102", datetime.date(1960, 2, 29), 2),
        ("440305", datetime.date(2000, 1, 1), 999),
        ("110105", datetime.date(1949, 12, 31), 0),
    ],
)
def test_numbers_from_make_are_valid(area, birth, sequence):
    number = idcard.make(area, birth, sequence)

    parsed = idcard.parse(number)
    assert len(number) == 18
    assert number.startswith(area)
    assert parsed.birth_date == birth
    assert parsed.is_male is (sequence % 2 == 1)


def test_make_reproduces_the_standard_example():
    assert idcard.make("110105", datetime.date(1949, 12, 31), 2) == STANDARD_EXAMPLE


def test_it_refuses_a_wrong_check_digit():
    assert reason("110105194912310021") == "check_digit"
    assert reason("110105194912310020") == "check_digit"


def test_it_refuses_a_changed_digit():
    # Any single changed digit changes the check character (that is what MOD 11-2 guarantees).
    assert reason("11010519491231003X") == "check_digit"
    assert reason("21010519491231002X") == "check_digit"


@pytest.mark.parametrize("birth", ["19490230", "19491301", "19490000", "18991231"])
def test_it_refuses_an_impossible_birth_date(birth):
    first17 = f"110105{birth}002"
    assert reason(first17 + idcard.check_char(first17)) == "birth_date"


def test_it_refuses_a_birth_date_in_the_future():
    tomorrow = datetime.date.today() + datetime.timedelta(days=1)
    first17 = f"110105{tomorrow:%Y%m%d}002"

    assert reason(first17 + idcard.check_char(first17)) == "birth_date"


def test_it_accepts_a_birth_date_of_today():
    number = idcard.make("110105", datetime.date.today(), 1)

    assert idcard.parse(number).birth_date == datetime.date.today()


@pytest.mark.parametrize(
    "value",
    [
        "",
        "11010519491231002",  # 17 characters
        "11010519491231002X1",  # 19 characters
        "110105491231002",  # old 15-digit form
        "1101051949123100X2",  # X not last
        "11010519491231002Y",
        "١١٠١٠٥١٩٤٩١٢٣١٠٠٢X",  # Arabic-Indic digits: int() reads them, the standard does not
        "11010519491231002-",
    ],
)
def test_it_refuses_wrong_length_or_characters(value):
    assert reason(value) == "format"


def test_it_normalises_lower_case_x_and_spaces():
    assert idcard.normalize(" 110105 19491231 002x ") == STANDARD_EXAMPLE
    assert idcard.parse("11010519491231002x").value == STANDARD_EXAMPLE
    assert idcard.parse("110105 1949 1231 002X").value == STANDARD_EXAMPLE


def test_it_normalises_full_width_input():
    # What a Chinese input method types; it must be stored (and blind-indexed) as ASCII.
    assert idcard.normalize("１１０１０５１９４９１２３１００２ｘ") == STANDARD_EXAMPLE
    assert idcard.parse("１１０１０５１９４９１２３１００２Ｘ").value == STANDARD_EXAMPLE


def test_the_seventeenth_digit_gives_the_sex():
    birth = datetime.date(1980, 6, 15)
    for sequence in range(10, 20):
        number = idcard.make("990101", birth, sequence)
        assert idcard.parse(number).is_male is (int(number[16]) % 2 == 1)
    assert idcard.parse(idcard.make("990101", birth, 123)).is_male is True
    assert idcard.parse(idcard.make("990101", birth, 124)).is_male is False


def test_the_error_is_a_value_error():
    # Callers that only know ValueError (forms, importers) still catch it.
    with pytest.raises(ValueError):
        idcard.parse("nonsense")


# --- masking (DESIGN §8: ID 6+4, phone 3+4) --------------------------------------------


def test_it_masks_an_id_number_keeping_six_and_four():
    assert masking.mask_id_number(STANDARD_EXAMPLE) == "110105********002X"


def test_it_masks_a_phone_keeping_three_and_four():
    assert masking.mask_phone("13912345678") == "139****5678"


def test_a_masked_value_keeps_its_length():
    assert len(masking.mask_id_number(STANDARD_EXAMPLE)) == 18
    assert len(masking.mask_phone("0799-6212345")) == 12


@pytest.mark.parametrize("value", ["1", "1234567890", "123456789"])
def test_it_masks_short_id_numbers_entirely(value):
    assert masking.mask_id_number(value) == "*" * len(value)


@pytest.mark.parametrize("value", ["1", "1234567"])
def test_it_masks_short_phones_entirely(value):
    assert masking.mask_phone(value) == "*" * len(value)


def test_the_shortest_values_that_show_anything():
    # One hidden character in the middle: nothing shorter may reveal digits.
    assert masking.mask_id_number("12345678901") == "123456*8901"
    assert masking.mask_phone("12345678") == "123*5678"


@pytest.mark.parametrize("empty", ["", None])
def test_it_masks_nothing_as_nothing(empty):
    assert masking.mask_id_number(empty) == ""
    assert masking.mask_phone(empty) == ""
