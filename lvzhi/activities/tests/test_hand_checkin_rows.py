"""Checking in by hand on the manage page keeps the page where it is (issue 10, defect 6): from the page
htmx swaps the row alone; without JavaScript the POST goes back to the row's anchor. The members
selected on the page are checked in together (a plenary has 270 rows), by the rules of one by one, in a
number of queries that does not grow with the members."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from lvzhi.activities import services
from lvzhi.activities.models import Activity, Participation, ParticipationStatusChange
from lvzhi.core.models import AuditEvent
from lvzhi.core.testing import assert_same_query_count, capture_queries

S = Activity.Status
P = Participation.Status
K = Activity.Kind
MINUTE = datetime.timedelta(minutes=1)

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def make_running(make_activity, make_member, invite_member):
    """An activity in progress whose check-in window is open now, with `n` members invited."""

    def make(n=3, **kwargs):
        now = timezone.now()
        kwargs.setdefault("starts_at", now - 5 * MINUTE)
        kwargs.setdefault("ends_at", now + 60 * MINUTE)
        activity = make_activity(status=S.IN_PROGRESS, **kwargs)
        people = [invite_member(activity, make_member(name=f"委员{i}"), status=P.CONFIRMED) for i in range(n)]
        return activity, people

    return make


@pytest.fixture
def outside_window(make_activity, make_member, invite_member):
    """Published, dated 2026-06-10: check-in is not open now."""
    activity = make_activity(status=S.PUBLISHED)
    return activity, [invite_member(activity, make_member(name=f"委员{i}")) for i in range(3)]


def checkin_url(participation):
    return reverse("activities:checkin_member", args=[participation.activity_id, participation.pk])


def bulk_url(activity):
    return reverse("activities:checkin_bulk", args=[activity.pk])


# --- one by one: the row alone --------------------------------------------------------------------


def test_htmx_gets_the_row_alone(client, office, make_running):
    activity, (first, *_rest) = make_running()
    client.force_login(office)
    response = client.post(checkin_url(first), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert [t.name for t in response.templates][0] == "activities/staff/_participant_row.html"
    text = response.text.strip()
    assert text.startswith(f'<tr id="p-{first.pk}">') and text.endswith("</tr>")
    assert "<html" not in text and "委员0" in text
    assert 'data-status="present"' in text
    first.refresh_from_db()
    assert first.status == P.PRESENT and first.checked_in_by == office


def test_htmx_shows_a_refusal_in_the_row(client, office, outside_window):
    _activity, (first, *_rest) = outside_window
    client.force_login(office)
    response = client.post(checkin_url(first), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "Give a reason for checking in outside the check-in window." in response.text
    assert response.text.strip().startswith(f'<tr id="p-{first.pk}">')
    first.refresh_from_db()
    assert first.checked_in_at is None


def test_without_javascript_the_post_goes_back_to_the_row(client, office, make_running):
    activity, (first, *_rest) = make_running()
    client.force_login(office)
    response = client.post(checkin_url(first))
    assert response.status_code == 302
    assert response.url == reverse("activities:manage", args=[activity.pk]) + f"#p-{first.pk}"


def test_the_page_wires_the_row_form_for_htmx(client, office, make_running):
    activity, (first, *_rest) = make_running()
    client.force_login(office)
    page = client.get(reverse("activities:manage", args=[activity.pk])).text
    assert f'<tr id="p-{first.pk}">' in page
    assert f'hx-post="{checkin_url(first)}" hx-target="closest tr" hx-swap="outerHTML"' in page


# --- together ------------------------------------------------------------------------------------


def test_bulk_checks_in_exactly_the_selected_and_eligible(client, office, make_running, make_activity):
    activity, people = make_running(4)
    services.check_in(activity=activity, member=people[3].member, actor=office)  # already here
    other = make_activity(status=S.IN_PROGRESS)
    foreign = Participation.objects.create(activity=other, member=people[0].member)
    client.force_login(office)
    selected = [people[0].pk, people[1].pk, people[3].pk, foreign.pk]
    response = client.post(bulk_url(activity), {"participants": selected}, follow=True)
    messages = [str(m) for m in response.context["messages"]]
    assert "2 selected members are checked in." in messages
    assert (
        "2 selected members were checked in already or are not on the list; nothing changed for them."
        in messages
    )
    statuses = dict(activity.participations.values_list("pk", "status"))
    assert statuses == {
        people[0].pk: P.PRESENT,
        people[1].pk: P.PRESENT,
        people[2].pk: P.CONFIRMED,
        people[3].pk: P.PRESENT,
    }
    foreign.refresh_from_db()
    assert foreign.status == P.INVITED
    for p in people[:2]:
        p.refresh_from_db()
        assert p.checked_in_by == office and p.checked_in_at is not None
        assert list(p.status_changes.values_list("from_status", "to_status", "actor")) == [
            (P.CONFIRMED, P.PRESENT, office.pk)
        ]
    event = AuditEvent.objects.filter(object_type="activities.Activity", object_id=str(activity.pk)).get()
    assert event.actor == office and event.detail["participations"] == [people[0].pk, people[1].pk]


def test_bulk_outside_the_window_needs_a_reason(client, office, outside_window):
    activity, people = outside_window
    client.force_login(office)
    selected = {"participants": [p.pk for p in people]}
    response = client.post(bulk_url(activity), selected, follow=True)
    assert "Give a reason for checking in outside the check-in window." in [
        str(m) for m in response.context["messages"]
    ]
    assert not activity.participations.filter(checked_in_at__isnull=False).exists()
    client.post(bulk_url(activity), {**selected, "reason": "会前在现场报到"})
    # After the start plus the grace period, as one by one: late.
    assert activity.participations.filter(status=P.LATE, checked_in_at__isnull=False).count() == 3
    assert set(ParticipationStatusChange.objects.values_list("reason", flat=True)) == {"会前在现场报到"}


def test_bulk_needs_a_selection_and_an_open_activity(client, office, make_running, make_activity):
    activity, _people = make_running()
    client.force_login(office)
    response = client.post(bulk_url(activity), {}, follow=True)
    assert "Select the members to check in." in [str(m) for m in response.context["messages"]]
    response = client.post(bulk_url(activity), {"participants": ["x"]}, follow=True)
    assert "Choose members from the list." in [str(m) for m in response.context["messages"]]
    closed = make_activity(status=S.CLOSED)
    p = Participation.objects.create(activity=closed, member=_people[0].member, status=P.ABSENT)
    response = client.post(bulk_url(closed), {"participants": [p.pk]}, follow=True)
    assert "Check-in is possible only for a published activity in progress." in [
        str(m) for m in response.context["messages"]
    ]


def test_bulk_is_scoped_to_who_runs_the_activity(
    client, unit_staff, leader, far_office, make_running, my_unit, other_unit
):
    theirs, their_people = make_running(kind=K.RESEARCH, organizing_unit=other_unit)
    ours, our_people = make_running(kind=K.RESEARCH, organizing_unit=my_unit)
    client.force_login(unit_staff)
    # Another unit's activity is not found; their own is theirs to run.
    assert client.post(bulk_url(theirs), {"participants": [their_people[0].pk]}).status_code == 404
    assert client.post(bulk_url(ours), {"participants": [their_people[0].pk]}).status_code == 302
    assert not Participation.objects.filter(checked_in_at__isnull=False).exists()
    client.post(bulk_url(ours), {"participants": [our_people[0].pk]})
    assert Participation.objects.get(checked_in_at__isnull=False) == our_people[0]
    client.force_login(leader)  # reads, runs nothing
    assert client.post(bulk_url(ours), {"participants": [our_people[1].pk]}).status_code == 403
    client.force_login(far_office)  # another committee
    assert client.post(bulk_url(ours), {"participants": [our_people[1].pk]}).status_code == 404
    assert Participation.objects.filter(checked_in_at__isnull=False).count() == 1


@pytest.fixture
def far_office(make_user, other_committee):
    from lvzhi.accounts.roles import Role

    return make_user(Role.OFFICE, committee=other_committee, username="far_office")


def test_the_page_offers_bulk_check_in_with_a_reason_outside_the_window(client, office, outside_window):
    activity, people = outside_window
    client.force_login(office)
    page = client.get(reverse("activities:manage", args=[activity.pk])).text
    assert f'action="{bulk_url(activity)}"' in page
    assert 'id="bulk-reason" name="reason" required' in page
    assert f'form="bulk-checkin" name="participants" value="{people[0].pk}"' in page
    assert "data-check-all=" in page


def _bulk_queries(client, office, make_running, n):
    activity, people = make_running(n)
    client.force_login(office)
    client.get(reverse("activities:manage", args=[activity.pk]))  # warm the session
    with capture_queries() as queries:
        response = client.post(bulk_url(activity), {"participants": [p.pk for p in people]})
    assert response.status_code == 302
    assert activity.participations.filter(status=P.PRESENT).count() == n
    return queries


def test_bulk_costs_the_same_for_10_or_100_members(client, office, make_running):
    assert_same_query_count(
        _bulk_queries(client, office, make_running, 10), _bulk_queries(client, office, make_running, 100)
    )
