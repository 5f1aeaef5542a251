"""我的履职档案 and a member's duty record, reached from where people look for them: the member's menu and
file, the staff's member file, the attendance statistics by member; each opens only for whom may see it."""

import datetime
import re

import pytest
from django.utils import timezone

from lvzhi.accounts.roles import Role
from lvzhi.activities.models import Activity, Participation

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("english")]
YEAR = timezone.localdate().year


def test_my_duty_record_without_a_year_is_this_years(client, make_member):
    member = make_member(login=True)
    client.force_login(member.user)
    response = client.get("/ledger/me/")
    assert response.status_code == 200
    assert response.context["member"] == member and response.context["year"] == YEAR


def test_my_duty_record_needs_a_member_file(client, office):
    client.force_login(office)
    assert client.get("/ledger/me/").status_code == 404


def test_the_members_own_file_links_to_their_record(client, make_member):
    member = make_member(login=True)
    client.force_login(member.user)
    assert 'href="/ledger/me/"' in client.get("/members/me/").content.decode()


@pytest.mark.parametrize("role", [Role.OFFICE, Role.LEADER])
def test_the_staff_member_file_links_to_the_record(client, make_user, make_member, role):
    member = make_member()
    client.force_login(make_user(role))
    page = client.get(f"/members/{member.pk}/").content.decode()
    link = re.search(r'href="([^"]+)" id="duty-record-link"', page).group(1)
    assert link == f"/ledger/members/{member.pk}/{YEAR}/"
    assert client.get(link).status_code == 200


def test_the_statistics_by_member_link_to_each_record(
    client, make_user, make_member, make_activity, invite, my_unit
):
    inside, named = make_member(name="甲", specials=[my_unit]), make_member(name="乙")
    start = timezone.make_aware(datetime.datetime(YEAR, 1, 2, 9))
    activity = make_activity(
        kind=Activity.Kind.RESEARCH, organizing_unit=my_unit, status=Activity.Status.CLOSED
    )
    Activity.objects.filter(pk=activity.pk).update(
        starts_at=start, ends_at=start + datetime.timedelta(hours=1)
    )
    invite(activity, inside, Participation.Status.PRESENT)
    invite(activity, named, Participation.Status.ABSENT)
    query = f"?date_from={YEAR}-01-01&date_to={YEAR}-12-31&view=member"

    client.force_login(make_user(Role.LEADER))
    page = client.get("/activities/stats/" + query).content.decode()
    for member in (inside, named):
        assert f'href="/ledger/members/{member.pk}/{YEAR}/"' in page
        assert client.get(f"/ledger/members/{member.pk}/{YEAR}/").status_code == 200
    # Unit staff open the records of the members they may see, exactly (Member.objects.visible_to).
    client.force_login(make_user(Role.UNIT_STAFF, units=[my_unit]))
    assert client.get(f"/ledger/members/{inside.pk}/{YEAR}/").status_code == 200
    assert client.get(f"/ledger/members/{named.pk}/{YEAR}/").status_code == 404
