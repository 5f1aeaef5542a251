"""Refusing leave needs a reason, which reaches the member (their notice and their activity page), and a
leave decision can be undone until the activity closes (issue 10, defect 5).

Who may undo: anyone entitled to decide that leave (selectors.can_decide_leave, the rule of deciding),
not only the approver who decided: leave is the committee's or the unit's decision, and when the approver
is away another leader or head must be able to put it right. The history row and the audit row name who
undid it. Undoing puts the request back to pending (leave requested); from there it is decided again,
which is how a decision is flipped. The member is told."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from lvzhi.accounts.roles import Role
from lvzhi.activities import services
from lvzhi.activities.models import Activity, Participation, ParticipationStatusChange
from lvzhi.core.models import AuditEvent
from lvzhi.factories import MembershipFactory
from lvzhi.notifications.models import Notification
from lvzhi.organization.models import Membership

P = Participation.Status
K = Activity.Kind
S = Activity.Status
LEAVE_PAGE = reverse("activities:leave_requests")

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def member(make_member):
    return make_member(login=True, name="钱七")


@pytest.fixture
def head(make_member, my_unit):
    head = make_member(login=True)
    MembershipFactory(unit=my_unit, member=head, position=Membership.Position.DIRECTOR)
    return head.user


@pytest.fixture
def asked(make_activity, member, invite_member, my_unit):
    """Leave asked from a research trip of the unit the head leads."""
    activity = make_activity(kind=K.RESEARCH, organizing_unit=my_unit, status=S.PUBLISHED, title="调研")
    return invite_member(
        activity, member, status=P.LEAVE_REQUESTED, leave_reason="出差", responded_at=timezone.now()
    )


def decide(client, participation, decision, **data):
    url = reverse("activities:leave_decide", args=[participation.pk, decision])
    return client.post(url, data, follow=True)


def page_messages(response):
    return [str(m) for m in response.context["messages"]]


# --- a reason for refusing -----------------------------------------------------------------------


def test_refusing_needs_a_reason(asked, head):
    for note in ("", "   "):
        with pytest.raises(services.ActivityError) as caught:
            services.decide_leave(participation=asked, approve=False, actor=head, note=note)
        assert caught.value.code == "reason_required"
    asked.refresh_from_db()
    assert asked.status == P.LEAVE_REQUESTED


def test_refusing_from_the_page_without_a_reason_is_a_message(client, asked, head):
    client.force_login(head)
    response = decide(client, asked, "refuse", note=" ")
    assert "Give the reason for refusing; the member will read it." in page_messages(response)
    asked.refresh_from_db()
    assert asked.status == P.LEAVE_REQUESTED
    # Approving needs none.
    decide(client, asked, "approve")
    asked.refresh_from_db()
    assert asked.status == P.LEAVE_APPROVED


def test_the_reason_reaches_the_members_notice_and_page(client, asked, head, member):
    client.force_login(head)
    decide(client, asked, "refuse", note="本次调研需要您介绍情况")
    notice = Notification.objects.get(recipient=member.user, kind="activity.leave_denied")
    assert "Reason for refusing: 本次调研需要您介绍情况" in notice.body
    client.force_login(member.user)
    page = client.get(reverse("activities:detail", args=[asked.activity_id])).text
    assert "Leave refused" in page
    assert "Reason for refusing: 本次调研需要您介绍情况" in page


def test_the_page_asks_for_the_reason_on_the_refuse_button_only(client, asked, head):
    client.force_login(head)
    page = client.get(LEAVE_PAGE).text
    approve = reverse("activities:leave_decide", args=[asked.pk, "approve"])
    assert "required" in page.split('name="note"')[1].split(">")[0]
    assert f'formaction="{approve}" formnovalidate' in page


# --- undoing a decision --------------------------------------------------------------------------


@pytest.mark.parametrize("approve", [True, False])
def test_undo_before_closing_puts_the_request_back_and_is_recorded(client, asked, head, member, approve):
    services.decide_leave(participation=asked, approve=approve, actor=head, note="意见")
    decided = P.LEAVE_APPROVED if approve else P.LEAVE_DENIED
    Notification.objects.all().delete()
    client.force_login(head)
    response = decide(client, asked, "undo")
    assert "The decision on the leave of 钱七 (调研) is undone; the request waits for a decision again." in (
        page_messages(response)
    )
    asked.refresh_from_db()
    assert (asked.status, asked.decided_by, asked.decided_at, asked.note) == (
        P.LEAVE_REQUESTED,
        None,
        None,
        "",
    )
    assert asked.leave_reason == "出差"
    last = ParticipationStatusChange.objects.filter(participation=asked).order_by("pk").last()
    assert (last.from_status, last.to_status, last.actor) == (decided, P.LEAVE_REQUESTED, head)
    event = (
        AuditEvent.objects.filter(object_type="activities.Participation", object_id=str(asked.pk))
        .order_by("pk")
        .last()
    )
    assert event.actor == head and event.detail["to"] == P.LEAVE_REQUESTED
    notice = Notification.objects.get()
    assert notice.recipient == member.user and notice.kind == "activity.leave_reopened"
    assert "调研" in notice.title
    # Pending again on the page, and decided afresh: the decision flipped.
    assert asked.pk in [p.pk for p in response.context["page"]]
    decide(client, asked, "approve" if not approve else "refuse", note="改为相反决定")
    asked.refresh_from_db()
    assert asked.status == (P.LEAVE_DENIED if approve else P.LEAVE_APPROVED)


def test_the_page_offers_undo_on_recent_decisions_of_open_activities(client, asked, head):
    services.decide_leave(participation=asked, approve=True, actor=head)
    client.force_login(head)
    undo = reverse("activities:leave_decide", args=[asked.pk, "undo"])
    assert f'action="{undo}"' in client.get(LEAVE_PAGE).text
    Activity.objects.filter(pk=asked.activity_id).update(status=S.CLOSED)
    assert f'action="{undo}"' not in client.get(LEAVE_PAGE).text


def test_undo_after_closing_is_refused_with_a_message(client, asked, head):
    services.decide_leave(participation=asked, approve=False, actor=head, note="请参加")
    Activity.objects.filter(pk=asked.activity_id).update(status=S.CLOSED)
    with pytest.raises(services.ActivityError) as caught:
        services.undo_leave_decision(participation=asked, actor=head)
    assert caught.value.code == "closed"
    client.force_login(head)
    response = decide(client, asked, "undo")
    assert (
        "The activity is closed: its leave decisions stand. Correct the attendance on the activity's page instead."
        in page_messages(response)
    )
    asked.refresh_from_db()
    assert asked.status == P.LEAVE_DENIED


def test_nothing_to_undo(asked, head, member):
    with pytest.raises(services.ActivityError) as caught:
        services.undo_leave_decision(participation=asked, actor=head)  # still pending
    assert caught.value.code == "no_decision"
    services.decide_leave(participation=asked, approve=True, actor=head)
    services.respond(participation=asked, action="confirm", actor=member.user)  # withdrawn by the member
    with pytest.raises(services.ActivityError):
        services.undo_leave_decision(participation=asked, actor=head)


def test_another_entitled_approver_may_undo(asked, head, leader):
    services.decide_leave(participation=asked, approve=False, actor=head, note="请参加")
    services.undo_leave_decision(participation=asked, actor=leader)
    asked.refresh_from_db()
    assert asked.status == P.LEAVE_REQUESTED


def test_nobody_else_may_undo(
    client, asked, head, make_member, make_user, other_unit, member, unit_staff, office
):
    services.decide_leave(participation=asked, approve=True, actor=head)
    other_head = make_member(login=True)
    MembershipFactory(unit=other_unit, member=other_head, position=Membership.Position.DIRECTOR)
    # The office decides only the office's activities; unit staff and other units' heads nothing here.
    for user in (other_head.user, unit_staff, office, member.user):
        with pytest.raises(PermissionDenied):
            services.undo_leave_decision(participation=asked, actor=user)
    asked.refresh_from_db()
    assert asked.status == P.LEAVE_APPROVED
    # Through the page: outside one's scope the request is not found; without the page at all, 403.
    client.force_login(other_head.user)
    assert client.post(reverse("activities:leave_decide", args=[asked.pk, "undo"])).status_code == 404
    for user in (unit_staff, member.user, make_user(Role.EDITOR)):
        client.force_login(user)
        assert client.post(reverse("activities:leave_decide", args=[asked.pk, "undo"])).status_code == 403
    asked.refresh_from_db()
    assert asked.status == P.LEAVE_APPROVED


def test_undo_is_post_only(client, asked, head):
    client.force_login(head)
    assert client.get(reverse("activities:leave_decide", args=[asked.pk, "undo"])).status_code == 405


def test_the_member_cannot_ask_again_after_approval(asked, head, member):
    """Undo is the approver's move back to pending; for the member approved leave is withdrawn, not
    asked for again (Participation.TRANSITIONS' comment)."""
    services.decide_leave(participation=asked, approve=True, actor=head)
    with pytest.raises(services.ActivityError):
        services.respond(participation=asked, action="leave", actor=member.user, reason="再请一次")
    asked.refresh_from_db()
    assert asked.status == P.LEAVE_APPROVED
