"""Login names members can remember, and what the sign-in box accepts (accounts/login_names.py)."""

import pytest

from lvzhi.accounts import login_names
from lvzhi.accounts.login_names import generate_username, mobile_number, resolve, taken_usernames
from lvzhi.accounts.roles import Role
from lvzhi.factories import MemberFactory


def member(name, **kwargs):
    # Unsaved: generate_username reads only the name, so these tests need no database.
    return MemberFactory.build(name=name, **kwargs)


def test_it_makes_the_pinyin_of_the_name():
    assert generate_username(member("张三"), set()) == "zhangsan"


def test_it_reads_a_surname_as_a_surname():
    assert generate_username(member("曾小明"), set()) == "zengxiaoming"
    assert generate_username(member("吕方"), set()) == "lvfang"


def test_it_counts_up_on_collisions():
    taken = {"zhangsan"}

    first = generate_username(member("张三"), taken)
    second = generate_username(member("张三"), taken)

    assert (first, second) == ("zhangsan2", "zhangsan3")
    assert {"zhangsan", "zhangsan2", "zhangsan3"} <= taken


def test_it_adds_its_answer_to_taken_so_a_batch_never_repeats_a_name():
    taken: set[str] = set()

    names = [generate_username(member("王芳"), taken) for _ in range(4)]

    assert names == ["wangfang", "wangfang2", "wangfang3", "wangfang4"]


def test_it_keeps_only_lowercase_ascii_letters():
    name = generate_username(member("阿不都·热合曼"), set())

    assert name == "abudoureheman"
    assert name.isascii() and name.isalpha() and name == name.lower()


def test_a_name_without_readable_letters_gets_the_fallback():
    assert generate_username(member("·"), set()) == login_names.FALLBACK_BASE


def test_it_never_contains_the_phone_or_id_number():
    someone = member("张三", phone="13912345678", id_number="11010519491231002X")

    name = generate_username(someone, set())

    assert "139" not in name and "1234" not in name and not any(ch.isdigit() for ch in name)


def test_it_cuts_a_very_long_name():
    name = generate_username(member("Maximilian Alexander Wolfgang Rutherford"), set())

    assert len(name) == login_names.MAX_BASE_LENGTH


def test_taken_usernames_lists_every_account_lowercased(make_user):
    make_user(username="ZhangSan")

    assert "zhangsan" in taken_usernames()


@pytest.mark.parametrize(
    "typed",
    [
        "13912345678",
        "139 1234 5678",
        "139-1234-5678",
        "+86 139 1234 5678",
        "+8613912345678",
        "１３９１２３４５６７８",
    ],
)
def test_it_reads_a_mobile_number_as_typed(typed):
    assert mobile_number(typed) == "13912345678"


@pytest.mark.parametrize(
    "typed", ["zhangsan", "1391234567", "23912345678", "139123456789", "", "12345678901"]
)
def test_other_text_is_not_a_mobile_number(typed):
    assert mobile_number(typed) is None


def with_account(make_user, committee, phone, username, **user_kwargs):
    user = make_user(Role.MEMBER, username=username, committee=committee, **user_kwargs)
    return MemberFactory(committee=committee, phone=phone, user=user)


def test_resolve_returns_a_username_as_is(db):
    assert resolve("zhangsan") == "zhangsan"


def test_resolve_finds_the_account_of_a_phone_number(make_user, committee):
    with_account(make_user, committee, "13912345678", "zhangsan")

    assert resolve("139 1234 5678") == "zhangsan"
    assert resolve("+86-139-1234-5678") == "zhangsan"


def test_resolve_refuses_a_number_two_accounts_share(make_user, committee, other_committee):
    with_account(make_user, committee, "13912345678", "zhangsan")
    with_account(make_user, other_committee, "13912345678", "zhangsan2")

    assert resolve("13912345678") is None


def test_resolve_ignores_disabled_accounts_and_files_without_account(make_user, committee):
    with_account(make_user, committee, "13912345678", "zhangsan")
    with_account(make_user, committee, "13912345678", "old", is_active=False)
    MemberFactory(committee=committee, phone="13912345678")

    assert resolve("13912345678") == "zhangsan"


def test_resolve_gives_the_digits_when_no_account_has_the_number(db):
    assert resolve("139 1234 5678") == "13912345678"
