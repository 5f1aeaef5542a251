"""The member's pages: their own activities, the answer buttons, the activity detail."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from lvzhi.activities import services
from lvzhi.activities.models import Activity, Participation, Speech
from lvzhi.core.testing import assert_same_query_count, capture_queries

P = Participation.Status
HOUR = datetime.timedelta(hours=1)


pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def member(make_member):
    return make_member(login=True)


@pytest.fixture
def other(make_member):
    return make_member(login=True)


@pytest.fixture
def soon(make_activity):
    now = timezone.now()
    return make_activity(
        title="Upcoming session",
        starts_at=now + 24 * HOUR,
        ends_at=now + 26 * HOUR,
        status=Activity.Status.PUBLISHED,
    )


@pytest.fixture
def client_of(client):
    def login(member):
        client.force_login(member.user)
        return client

    return login


def test_member_sees_only_own_activities(client_of, member, other, soon, make_activity, invite_member):
    mine = invite_member(soon, member)
    past = make_activity(title="Old meeting", status=Activity.Status.CLOSED)
    invite_member(past, member, status=P.PRESENT)
    foreign = make_activity(title="Not mine", status=Activity.Status.PUBLISHED)
    invite_member(foreign, other)
    draft = make_activity(title="Draft one", status=Activity.Status.DRAFT)
    invite_member(draft, member)

    response = client_of(member).get(reverse("activities:mine"))

    assert response.status_code == 200
    assert [p.pk for p in response.context["upcoming"]] == [mine.pk]
    assert [p.activity.title for p in response.context["past"]] == ["Old meeting"]
    body = response.content.decode()
    assert "Upcoming session" in body and "Old meeting" in body
    assert "Not mine" not in body and "Draft one" not in body
    assert reverse("activities:confirm", args=[soon.pk]) in body


def test_my_activities_query_count_does_not_grow(client_of, member, make_activity, invite_member):
    client = client_of(member)

    def queries_for_page():
        with capture_queries() as queries:
            response = client.get(reverse("activities:mine"))
        return queries, response

    invite_member(make_activity(status=Activity.Status.PUBLISHED), member)
    one, _response = queries_for_page()
    for _ in range(5):
        invite_member(make_activity(status=Activity.Status.PUBLISHED), member)
    six, response = queries_for_page()
    assert_same_query_count(one, six)
    assert len(response.context["upcoming"]) + len(response.context["past"]) == 6


def test_confirm_through_the_view(client_of, member, soon, invite_member):
    participation = invite_member(soon, member)
    response = client_of(member).post(reverse("activities:confirm", args=[soon.pk]), follow=True)
    participation.refresh_from_db()
    assert participation.status == P.CONFIRMED
    assert "You have confirmed your attendance." in response.content.decode()


def test_get_does_not_answer(client_of, member, soon, invite_member):
    participation = invite_member(soon, member)
    response = client_of(member).get(reverse("activities:confirm", args=[soon.pk]))
    assert response.status_code == 405
    participation.refresh_from_db()
    assert participation.status == P.INVITED


def test_decline_refused_for_required(client_of, member, soon, invite_member):
    participation = invite_member(soon, member)
    response = client_of(member).post(reverse("activities:decline", args=[soon.pk]), follow=True)
    participation.refresh_from_db()
    assert participation.status == P.INVITED
    assert "ask for leave instead of declining" in response.content.decode()


def test_decline_optional(client_of, member, soon, invite_member):
    soon.is_required = False
    soon.save()
    participation = invite_member(soon, member)
    client_of(member).post(reverse("activities:decline", args=[soon.pk]))
    participation.refresh_from_db()
    assert participation.status == P.DECLINED


def test_leave_needs_a_reason(client_of, member, soon, invite_member):
    participation = invite_member(soon, member)
    client = client_of(member)
    response = client.post(reverse("activities:leave", args=[soon.pk]), {"reason": "  "}, follow=True)
    participation.refresh_from_db()
    assert participation.status == P.INVITED
    assert "Give a reason for your leave request." in response.content.decode()

    client.post(reverse("activities:leave", args=[soon.pk]), {"reason": "Surgery that day"})
    participation.refresh_from_db()
    assert (participation.status, participation.leave_reason) == (P.LEAVE_REQUESTED, "Surgery that day")


def test_next_stays_on_site(client_of, member, soon, invite_member):
    invite_member(soon, member)
    client = client_of(member)
    response = client.post(reverse("activities:confirm", args=[soon.pk]), {"next": "https://evil.example/"})
    assert response.url == reverse("activities:detail", args=[soon.pk])
    response = client.post(
        reverse("activities:confirm", args=[soon.pk]), {"next": reverse("activities:mine")}
    )
    assert response.url == reverse("activities:mine")


@pytest.mark.parametrize(
    "target", ["1" + "0" * 30, "activities:mine", "//evil.example/", "javascript:alert(1)"]
)
def test_a_next_that_is_not_a_path_on_this_site_gives_the_default(
    client_of, member, soon, invite_member, target
):
    """A bare word would be taken for a view name by redirect() (a 500 once)."""
    invite_member(soon, member)

    response = client_of(member).post(reverse("activities:confirm", args=[soon.pk]), {"next": target})

    assert response.status_code == 302
    assert response.url == reverse("activities:detail", args=[soon.pk])


def test_cannot_answer_for_another_members_activity(client_of, member, other, soon, invite_member):
    theirs = invite_member(soon, other)
    response = client_of(member).post(reverse("activities:confirm", args=[soon.pk]))
    assert response.status_code == 404
    theirs.refresh_from_db()
    assert theirs.status == P.INVITED


def test_detail_shows_agenda_and_participation(client_of, member, soon, invite_member):
    soon.agenda = "1. Report of the chair"
    soon.save()
    invite_member(soon, member, status=P.CONFIRMED)
    response = client_of(member).get(reverse("activities:detail", args=[soon.pk]))
    body = response.content.decode()
    assert response.status_code == 200
    assert "1. Report of the chair" in body
    assert response.context["participation"].status == P.CONFIRMED


def test_detail_shows_only_my_own_speeches(client_of, member, other, soon, invite_member):
    invite_member(soon, member, status=P.PRESENT)
    invite_member(soon, other, status=P.PRESENT)
    Speech.objects.create(activity=soon, member=member, kind=Speech.Kind.WRITTEN, title="关于乡村振兴的建议")
    Speech.objects.create(activity=soon, member=other, kind=Speech.Kind.ORAL, title="别人的发言")
    body = client_of(member).get(reverse("activities:detail", args=[soon.pk])).content.decode()
    assert "关于乡村振兴的建议" in body
    assert "别人的发言" not in body


def test_another_members_activity_is_404(client_of, member, other, soon, invite_member):
    invite_member(soon, other)
    response = client_of(member).get(reverse("activities:detail", args=[soon.pk]))
    assert response.status_code == 404


def test_user_without_member_file(client, office):
    client.force_login(office)
    response = client.get(reverse("activities:mine"))
    assert response.status_code == 200
    assert response.context["member"] is None


def test_nav_shows_my_activities_to_members(client_of, member):
    response = client_of(member).get(reverse("activities:mine"))
    assert f'href="{reverse("activities:mine")}"' in response.content.decode()


def test_my_duty_record_links_to_the_activity_and_the_speech(client_of, member, make_activity, office):
    activity = make_activity(status=Activity.Status.IN_PROGRESS, kind=Activity.Kind.STANDING)
    Participation.objects.create(activity=activity, member=member, status=P.PRESENT)
    services.close_activity(activity=activity, actor=office)
    services.record_speech(
        activity=activity, member=member, kind=Speech.Kind.ORAL, title="关于文旅融合的发言", actor=office
    )
    year = timezone.localdate(activity.starts_at).year
    body = client_of(member).get(reverse("ledger:me", args=[year])).content.decode()
    link = f'href="{reverse("activities:detail", args=[activity.pk])}"'
    # One link from the attendance row, one from the speech row.
    assert body.count(link) == 2


def test_an_activity_id_beyond_any_column_is_not_found(client_of, member):
    """2**63 in the URL: a foreign-key lookup with it was an OverflowError on SQLite."""
    response = client_of(member).post(reverse("activities:confirm", args=[2**63]))

    assert response.status_code == 404
