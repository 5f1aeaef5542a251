"""The leave page: what each approver sees, deciding from it, and who may open it."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from lvzhi.accounts.roles import Role
from lvzhi.activities.models import Activity, Participation
from lvzhi.core.testing import assert_same_query_count, capture_queries
from lvzhi.factories import MembershipFactory
from lvzhi.organization.models import Membership

P = Participation.Status
K = Activity.Kind
S = Activity.Status
URL = reverse("activities:leave_requests")


pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def make_head(make_member):
    def make(unit, **kwargs):
        member = make_member(login=True)
        MembershipFactory(unit=unit, member=member, position=Membership.Position.DIRECTOR, **kwargs)
        return member.user

    return make


@pytest.fixture
def head(make_head, my_unit):
    return make_head(my_unit)


@pytest.fixture
def ask(make_activity, make_member, invite_member):
    def make(reason, member=None, **activity_kwargs):
        activity_kwargs.setdefault("status", S.PUBLISHED)
        activity = make_activity(**activity_kwargs)
        member = member or make_member()
        return invite_member(
            activity, member, status=P.LEAVE_REQUESTED, leave_reason=reason, responded_at=timezone.now()
        )

    return make


@pytest.fixture
def requests_(ask, my_unit, other_unit, other_committee, head):
    from lvzhi.activities.tests.conftest import ActivityFactory

    foreign = ActivityFactory(committee=other_committee, kind=K.PLENARY, status=S.PUBLISHED)
    foreign_member = MembershipFactory(unit__committee=other_committee).member
    Participation.objects.create(
        activity=foreign, member=foreign_member, status=P.LEAVE_REQUESTED, leave_reason="外县请假"
    )
    return {
        "plenary": ask("全会请假", kind=K.PLENARY),
        "unit": ask("本委调研请假", kind=K.RESEARCH, organizing_unit=my_unit),
        "other_unit": ask("他委调研请假", kind=K.RESEARCH, organizing_unit=other_unit),
        "office": ask("培训请假", kind=K.TRAINING),
        "in_progress": ask("进行中请假", kind=K.TRAINING, status=S.IN_PROGRESS),
        "closed": ask("已闭会请假", kind=K.TRAINING, status=S.CLOSED),
        "own": ask("本人请假", member=head.member, kind=K.RESEARCH, organizing_unit=my_unit),
    }


def _shown(response):
    return {p.leave_reason for p in response.context["page"]}


def test_a_leader_sees_every_pending_request_of_the_committee_but_their_own(client, requests_, leader):
    client.force_login(leader)
    response = client.get(URL)
    assert response.status_code == 200
    assert _shown(response) == {
        "全会请假",
        "本委调研请假",
        "他委调研请假",
        "培训请假",
        "进行中请假",
        "本人请假",
    }
    assert "全会请假" in response.text and "外县请假" not in response.text


def test_a_head_sees_their_units_requests_only(client, requests_, head):
    client.force_login(head)
    assert _shown(client.get(URL)) == {"本委调研请假"}


def test_office_sees_the_offices_activities(client, requests_, office):
    client.force_login(office)
    assert _shown(client.get(URL)) == {"培训请假", "进行中请假"}


@pytest.mark.parametrize("role", [Role.MEMBER, Role.UNIT_STAFF, Role.EDITOR])
def test_others_get_403(client, make_user, my_unit, role, requests_):
    client.force_login(make_user(role, units=[my_unit]))
    assert client.get(URL).status_code == 403
    url = reverse("activities:leave_decide", args=[requests_["unit"].pk, "approve"])
    assert client.post(url).status_code == 403
    requests_["unit"].refresh_from_db()
    assert requests_["unit"].status == P.LEAVE_REQUESTED


def test_an_ex_head_gets_403(client, make_head, my_unit):
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    client.force_login(make_head(my_unit, end_date=yesterday))
    assert client.get(URL).status_code == 403


def test_anonymous_users_are_sent_to_sign_in(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/login" in response.url


@pytest.mark.parametrize("decision,status", [("approve", P.LEAVE_APPROVED), ("refuse", P.LEAVE_DENIED)])
def test_deciding_from_the_page(client, requests_, head, decision, status):
    participation = requests_["unit"]
    client.force_login(head)
    url = reverse("activities:leave_decide", args=[participation.pk, decision])
    response = client.post(url, {"note": " 同意 "}, follow=True)
    participation.refresh_from_db()
    assert (participation.status, participation.decided_by, participation.note) == (status, head, "同意")
    assert response.redirect_chain[-1][0] == URL
    assert _shown(response) == set()
    assert "本委调研请假" not in response.text  # no longer pending…
    assert participation.member.name in response.context["decided"][0].member.name  # …but recently decided


def test_a_request_outside_ones_scope_is_404(client, requests_, head):
    client.force_login(head)
    for key in ("other_unit", "plenary", "office", "own"):
        url = reverse("activities:leave_decide", args=[requests_[key].pk, "approve"])
        assert client.post(url).status_code == 404
        requests_[key].refresh_from_db()
        assert requests_[key].status == P.LEAVE_REQUESTED


def test_only_post_and_known_decisions(client, requests_, leader):
    client.force_login(leader)
    pk = requests_["plenary"].pk
    assert client.get(reverse("activities:leave_decide", args=[pk, "approve"])).status_code == 405
    assert client.post(reverse("activities:leave_decide", args=[pk, "maybe"])).status_code == 404


def test_a_closed_activity_is_refused_with_a_message(client, requests_, leader):
    client.force_login(leader)
    url = reverse("activities:leave_decide", args=[requests_["closed"].pk, "approve"])
    response = client.post(url, follow=True)
    assert "This activity no longer takes answers." in response.text
    requests_["closed"].refresh_from_db()
    assert requests_["closed"].status == P.LEAVE_REQUESTED


def test_recently_decided_keeps_the_last_30_days(client, ask, leader, office):
    recent = ask("最近的", kind=K.TRAINING)
    old = ask("很久以前", kind=K.TRAINING)
    now = timezone.now()
    Participation.objects.filter(pk=recent.pk).update(
        status=P.LEAVE_APPROVED, decided_by=office, decided_at=now
    )
    Participation.objects.filter(pk=old.pk).update(
        status=P.LEAVE_DENIED, decided_by=office, decided_at=now - datetime.timedelta(days=40)
    )
    client.force_login(leader)
    response = client.get(URL)
    assert [p.pk for p in response.context["decided"]] == [recent.pk]


def test_the_member_sees_the_decision_on_their_page(client, ask, make_member, leader):
    member = make_member(login=True)
    participation = ask("出差", member=member, kind=K.PLENARY)
    client.force_login(leader)
    client.post(reverse("activities:leave_decide", args=[participation.pk, "approve"]))
    client.force_login(member.user)
    response = client.get(reverse("activities:detail", args=[participation.activity_id]))
    assert "Leave approved" in response.text


def _queries(client, ask, leader, office, n):
    while Participation.objects.filter(status=P.LEAVE_REQUESTED).count() < n:
        ask("请假", kind=K.RESEARCH)
        decided = ask("已批", kind=K.TRAINING)
        Participation.objects.filter(pk=decided.pk).update(
            status=P.LEAVE_APPROVED, decided_by=office, decided_at=timezone.now()
        )
    client.force_login(leader)
    with capture_queries() as queries:
        response = client.get(URL)
    assert len(response.context["page"]) == n and len(response.context["decided"]) == n
    return queries


def test_the_page_costs_the_same_for_2_or_10_requests(client, ask, leader, office):
    assert_same_query_count(
        _queries(client, ask, leader, office, 2), _queries(client, ask, leader, office, 10)
    )


def test_the_menu_offers_the_page_to_a_head_and_not_to_an_ex_head(client, make_head, my_unit):
    menu_link = f'href="{URL}"'
    client.force_login(make_head(my_unit))
    assert menu_link in client.get(reverse("activities:mine")).content.decode()
    yesterday = timezone.localdate() - datetime.timedelta(days=1)
    client.force_login(make_head(my_unit, end_date=yesterday))
    assert menu_link not in client.get(reverse("activities:mine")).content.decode()
