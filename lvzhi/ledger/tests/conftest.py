import pytest

from lvzhi.factories import LiaisonContactFactory, LiaisonFactory, MemberFactory


@pytest.fixture
def source(committee):
    """Any saved object can be a source; activities do not exist yet, so a liaison contact stands in."""
    return LiaisonContactFactory(liaison=LiaisonFactory(committee=committee))


@pytest.fixture
def make_member(committee):
    def make(**kwargs):
        kwargs.setdefault("committee", committee)
        return MemberFactory(**kwargs)

    return make
