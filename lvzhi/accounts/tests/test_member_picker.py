"""The account page picks a member file by searching (accounts.views.user_member_search), not from a
drop-down of every file; the form still decides what may be linked."""

import pytest
from django.urls import reverse

from lvzhi.accounts.roles import Role
from lvzhi.core.testing import assert_same_query_count, capture_queries
from lvzhi.factories import MemberFactory, MemberTermFactory, OrgUnitFactory
from lvzhi.members.models import Member, MemberTerm
from lvzhi.organization.models import OrgUnit

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def sysadmin(make_user):
    return make_user(Role.SYSADMIN, username="sysadmin")


@pytest.fixture
def account(make_user):
    return make_user(Role.MEMBER, username="someone")


@pytest.fixture
def zhang(committee, term):
    member = MemberFactory(committee=committee, name="张三", phone="13912345678")
    sector = OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.SECTOR, name="教育界")
    MemberTermFactory(member=member, term=term, sector=sector)
    return member


def search(client, account, q, **extra):
    return client.get(reverse("accounts:user_member_search", args=[account.pk]), {"q": q, **extra})


def edit_url(account):
    return reverse("accounts:user_edit", args=[account.pk])


def post_edit(client, account, **data):
    return client.post(edit_url(account), {"display_name": "张三", "is_active": "on", **data})


@pytest.mark.parametrize("q", ["张三", "张", "zs", "zhangsan", "ZhangSan"])
def test_it_finds_a_file_by_name_pinyin_or_initials(client, sysadmin, account, zhang, q):
    client.force_login(sysadmin)

    response = search(client, account, q)

    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-member-pick="{zhang.pk}"' in html
    assert "教育界" in html


def test_it_shows_the_phone_masked_and_never_the_id_number(client, sysadmin, account, zhang):
    client.force_login(sysadmin)

    html = search(client, account, "zs").content.decode()

    assert "139****5678" in html
    assert "13912345678" not in html
    assert zhang.id_number not in html and zhang.id_number[-8:] not in html


def test_it_lists_only_files_without_an_account_or_linked_to_this_one(
    client, sysadmin, account, make_user, committee
):
    free = MemberFactory(committee=committee, name="张三")
    taken = MemberFactory(committee=committee, name="张三丰", user=make_user(Role.MEMBER))
    own = MemberFactory(committee=committee, name="张三娃", user=account)
    client.force_login(sysadmin)

    html = search(client, account, "张三").content.decode()

    assert f'data-member-pick="{free.pk}"' in html
    assert f'data-member-pick="{own.pk}"' in html
    assert f'data-member-pick="{taken.pk}"' not in html


def test_it_never_lists_another_committees_files(client, sysadmin, account, other_committee):
    stranger = MemberFactory(committee=other_committee, name="张三")
    client.force_login(sysadmin)

    html = search(client, account, "张三").content.decode()

    assert f'data-member-pick="{stranger.pk}"' not in html


def test_a_whole_phone_number_finds_nobody(client, sysadmin, account, zhang):
    client.force_login(sysadmin)

    html = search(client, account, "139 1234 5678").content.decode()

    assert "data-member-pick" not in html
    assert "does not look for ID or phone numbers" in html


def test_it_shows_ten_at_most_and_says_so(client, sysadmin, account, committee):
    for _ in range(12):
        MemberFactory(committee=committee, name="王芳")
    client.force_login(sysadmin)

    html = search(client, account, "wf").content.decode()

    assert html.count("data-member-pick=") == 10
    assert "type more of the name" in html


def test_the_search_costs_the_same_queries_for_few_and_many_files(client, sysadmin, account, committee, term):
    client.force_login(sysadmin)

    def add(n):
        for _ in range(n):
            MemberTermFactory(member=MemberFactory(committee=committee, name="王芳"), term=term)

    search(client, account, "wf")  # warm the session and the permission caches
    add(2)
    with capture_queries() as few:
        search(client, account, "wf")
    add(30)
    with capture_queries() as many:
        search(client, account, "wf")

    assert_same_query_count(few, many)


@pytest.mark.parametrize("role", [Role.SECADMIN, Role.AUDITOR, Role.OFFICE, Role.MEMBER])
def test_only_the_system_administrator_may_search(client, make_user, account, zhang, role):
    client.force_login(make_user(role))

    assert search(client, account, "zs").status_code == 403


def test_an_account_of_another_committee_is_not_found(client, sysadmin, make_user, other_committee):
    foreign = make_user(Role.MEMBER, committee=other_committee)
    client.force_login(sysadmin)

    assert search(client, foreign, "zs").status_code == 404


def test_signed_out_visitors_are_sent_to_sign_in(client, account):
    response = search(client, account, "zs")

    assert response.status_code == 302
    assert response.url.startswith(reverse("accounts:login"))


def test_the_account_page_has_a_search_box_and_no_list_of_every_file(client, sysadmin, account, committee):
    for name in ("李四", "王五", "赵六"):
        MemberFactory(committee=committee, name=name)
    client.force_login(sysadmin)

    html = client.get(edit_url(account)).content.decode()

    assert 'name="member"' in html and 'type="hidden"' in html
    assert "data-member-search" in html
    assert "李四" not in html and "王五" not in html and '<select name="member"' not in html


def test_the_page_shows_the_linked_file(client, sysadmin, account, zhang):
    zhang.user = account
    zhang.save()
    client.force_login(sysadmin)

    response = client.get(edit_url(account))

    html = response.content.decode()
    assert response.context["chosen_member"] == zhang
    assert "张三" in html and "139****5678" in html and "13912345678" not in html


def test_a_picked_file_is_linked_on_save(client, sysadmin, account, zhang):
    client.force_login(sysadmin)

    assert post_edit(client, account, member=zhang.pk).status_code == 302

    zhang.refresh_from_db()
    assert zhang.user == account


def test_remove_link_unlinks_the_file(client, sysadmin, account, zhang):
    zhang.user = account
    zhang.save()
    client.force_login(sysadmin)

    assert post_edit(client, account, member=zhang.pk, unlink_member="on").status_code == 302

    zhang.refresh_from_db()
    assert zhang.user is None


def test_another_committees_file_is_refused_by_the_form(client, sysadmin, account, other_committee):
    stranger = MemberFactory(committee=other_committee, name="张三")
    client.force_login(sysadmin)

    response = post_edit(client, account, member=stranger.pk)

    assert response.status_code == 200
    assert "member" in response.context["form"].errors
    assert "Search for the member again" in response.content.decode()
    stranger.refresh_from_db()
    assert stranger.user is None


def test_a_file_with_another_account_is_refused_by_the_form(client, sysadmin, account, make_user, committee):
    taken = MemberFactory(committee=committee, user=make_user(Role.MEMBER))
    client.force_login(sysadmin)

    response = post_edit(client, account, member=taken.pk)

    assert "member" in response.context["form"].errors
    assert Member.objects.get(pk=taken.pk).user != account


def test_a_resigned_member_is_shown_with_the_status(client, sysadmin, account, zhang):
    MemberTerm.objects.filter(member=zhang).update(status=MemberTerm.Status.RESIGNED)
    client.force_login(sysadmin)

    html = search(client, account, "zs").content.decode()

    assert "Resigned" in html
