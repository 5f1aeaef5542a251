import pytest

from lvzhi.accounts.roles import Role
from lvzhi.factories import MemberFactory


@pytest.fixture
def make_member_user(make_user, committee):
    """make_member_user(phone=..., email=...) → a member's account (no account email) with a file."""

    def make(*, phone="13900001111", email="", **kwargs):
        user = make_user(Role.MEMBER, email="", **kwargs)
        MemberFactory(committee=committee, user=user, phone=phone, email=email)
        return user

    return make
