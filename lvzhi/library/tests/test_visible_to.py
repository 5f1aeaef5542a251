"""Who reads which document: the audience × role matrix (知情权), scoped to the committee."""

import pytest

from lvzhi.accounts.roles import Role
from lvzhi.factories import TermFactory
from lvzhi.library.models import Document

A = Document.Audience
ALL = {A.EVERYONE, A.MEMBERS_AND_STAFF, A.STANDING, A.STAFF}


@pytest.fixture
def one_per_audience(make_document):
    return {audience: make_document(title=str(audience), audience=audience) for audience in A}


def visible(user):
    return {Document.Audience(d.audience) for d in Document.objects.visible_to(user)}


def test_a_member_reads_everyone_and_members(make_member_user, one_per_audience):
    assert visible(make_member_user()) == {A.EVERYONE, A.MEMBERS_AND_STAFF}


def test_a_standing_member_also_reads_standing(make_member_user, one_per_audience):
    assert visible(make_member_user(standing=True)) == {A.EVERYONE, A.MEMBERS_AND_STAFF, A.STANDING}


def test_a_member_who_resigned_reads_everyone_only(make_member_user, one_per_audience):
    assert visible(make_member_user(standing=True, status="resigned")) == {A.EVERYONE}


def test_standing_in_a_past_term_does_not_count(make_member_user, committee, term, one_per_audience):
    past = TermFactory(committee=committee, number=8, name="第八届", is_current=False)
    user = make_member_user(standing=True, term=past)

    assert visible(user) == {A.EVERYONE}


@pytest.mark.parametrize("role", [Role.HANDLING_UNIT, Role.OFFICER, Role.SYSADMIN])
def test_non_members_read_everyone_only(make_user, role, one_per_audience):
    assert visible(make_user(role)) == {A.EVERYONE}


def test_an_information_officer_who_is_a_member_reads_as_a_member(make_member_user, one_per_audience):
    assert visible(make_member_user(role=Role.OFFICER)) == {A.EVERYONE, A.MEMBERS_AND_STAFF}


@pytest.mark.parametrize("role", [Role.OFFICE, Role.UNIT_STAFF, Role.LEADER, Role.EDITOR])
def test_staff_and_leaders_read_every_audience(make_user, my_unit, role, one_per_audience):
    assert visible(make_user(role, units=[my_unit])) == ALL


def test_nobody_reads_another_committees_documents(
    make_user, make_member_user, make_document, other_committee, other_term
):
    make_document(audience=A.EVERYONE)
    stranger = make_member_user(committee=other_committee, term=other_term, standing=True)

    assert visible(stranger) == set()
    assert visible(make_user(Role.OFFICE, committee=other_committee)) == set()
    make_document(committee=other_committee, audience=A.EVERYONE)
    assert visible(stranger) == {A.EVERYONE}


def test_anonymous_reads_nothing(make_document):
    from django.contrib.auth.models import AnonymousUser

    make_document()
    assert not Document.objects.visible_to(AnonymousUser()).exists()


def test_unpublished_only_for_editors(make_user, make_member_user, make_document):
    make_document(audience=A.EVERYONE, is_published=False)

    assert visible(make_member_user(standing=True)) == set()
    assert visible(make_user(Role.LEADER)) == set()
    assert visible(make_user(Role.OFFICE)) == {A.EVERYONE}


def test_it_is_one_query(make_member_user, one_per_audience, django_assert_num_queries):
    user = make_member_user(standing=True)
    user.has_perm("library.change_document")  # permissions are cached on the user after the first check

    with django_assert_num_queries(1):
        list(Document.objects.visible_to(user))
