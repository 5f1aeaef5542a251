"""The daily run (services.reminders, manage.py proposal_reminders): units hear of a near deadline once and
of a passed one once, a new deadline starts afresh; the overdue list and the units' record."""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone

from lvzhi.core.models import AuditEvent
from lvzhi.notifications.models import Notification
from lvzhi.proposals import selectors
from lvzhi.proposals.models import Assignment, Evaluation, Proposal, ProposalPolicy, Reply
from lvzhi.proposals.services import filing, reminders

from .fixtures import *  # noqa: F403

pytestmark = pytest.mark.usefixtures("english")

Status = Proposal.Status
TODAY = timezone.localdate()


def days(n):
    return TODAY + datetime.timedelta(days=n)


def _kinds(user):
    return sorted(Notification.objects.filter(recipient=user).values_list("kind", flat=True))


def test_a_near_deadline_is_told_once(make_proposal, department, co_department, unit_user, co_unit_user):
    make_proposal(Status.HANDLING, lead=department, co_units=[co_department], deadline=days(10))
    assert reminders.send_deadline_reminders(today=TODAY) == 2
    assert _kinds(unit_user) == ["proposal.deadline_due"]
    assert _kinds(co_unit_user) == ["proposal.deadline_due"]
    assert reminders.send_deadline_reminders(today=TODAY) == 0
    assert reminders.send_deadline_reminders(today=days(3)) == 0
    assert len(_kinds(unit_user)) == 1
    assert set(Assignment.objects.values_list("reminded_for", flat=True)) == {days(10)}
    assert AuditEvent.objects.filter(event="proposals.reminders_sent").count() == 1


def test_a_far_deadline_is_not_told_yet(make_proposal, department, unit_user, committee):
    make_proposal(Status.HANDLING, lead=department, deadline=days(16))
    assert reminders.send_deadline_reminders(today=TODAY) == 0
    assert reminders.send_deadline_reminders(today=days(1)) == 1  # 15 days: the default reminder days
    ProposalPolicy.objects.update_or_create(committee=committee, defaults={"remind_days": 30})
    make_proposal(Status.HANDLING, lead=department, deadline=days(30))
    assert reminders.send_deadline_reminders(today=TODAY) == 1


def test_a_passed_deadline_is_told_once_more(make_proposal, department, unit_user):
    make_proposal(Status.ASSIGNED, lead=department, deadline=days(5))
    assert reminders.run_daily(today=TODAY).due_soon == 1
    run = reminders.run_daily(today=days(6))
    assert (run.due_soon, run.overdue) == (0, 1)
    assert reminders.send_deadline_reminders(today=days(7)) == 0
    assert reminders.send_deadline_reminders(today=days(30)) == 0
    assert _kinds(unit_user) == ["proposal.deadline_due", "proposal.deadline_overdue"]


def test_an_overdue_case_never_reminded_gets_the_overdue_notice_only(make_proposal, department, unit_user):
    make_proposal(Status.HANDLING, lead=department, deadline=days(-2))
    assert reminders.run_daily(today=TODAY).overdue == 1
    assert _kinds(unit_user) == ["proposal.deadline_overdue"]


def test_a_new_deadline_is_told_again(make_proposal, department, unit_user):
    proposal = make_proposal(Status.HANDLING, lead=department, deadline=days(-1))
    assert reminders.send_deadline_reminders(today=TODAY) == 1
    Proposal.objects.filter(pk=proposal.pk).update(deadline=days(10), round=2)
    assert reminders.send_deadline_reminders(today=TODAY) == 1
    assert _kinds(unit_user) == ["proposal.deadline_due", "proposal.deadline_overdue"]


def test_who_is_not_reminded(
    make_proposal, department, co_department, unit_user, co_unit_user, other_unit_user
):
    # Replied cases, returned assignments, and co-units that gave their views owe nothing.
    make_proposal(Status.REPLIED, lead=department, deadline=days(3))
    returned = make_proposal(Status.HANDLING, lead=department, co_units=[co_department], deadline=days(3))
    Assignment.objects.filter(proposal=returned, department=department).update(
        status=Assignment.Status.RETURNED
    )
    Assignment.objects.filter(proposal=returned, department=co_department).update(
        views="同意", views_given_at=timezone.now()
    )
    assert reminders.send_deadline_reminders(today=TODAY) == 0
    assert _kinds(unit_user) == [] and _kinds(co_unit_user) == [] and _kinds(other_unit_user) == []


def test_the_daily_run_drops_unconfirmed_co_signers(monkeypatch, make_proposal):
    calls = []
    monkeypatch.setattr(reminders, "drop_unconfirmed", lambda: calls.append(1) or 2)
    run = reminders.run_daily(today=TODAY)
    assert calls == [1] and run.dropped == 2
    assert filing.drop_unconfirmed is not None


def test_the_command_prints_its_counts(make_proposal, department, unit_user):
    make_proposal(Status.HANDLING, lead=department, deadline=days(2))
    out = StringIO()
    call_command("proposal_reminders", stdout=out)
    assert out.getvalue().strip() == "co-signers dropped: 0, deadline reminders: 1, overdue reminders: 0"
    out = StringIO()
    call_command("proposal_reminders", "--today", days(5).isoformat(), stdout=out)
    assert "overdue reminders: 1" in out.getvalue()


# --- selectors --------------------------------------------------------------------------------------


def test_overdue_assignments_list_the_units_that_owe_their_part(
    make_proposal, committee, department, co_department, foreign_office
):
    late = make_proposal(Status.HANDLING, lead=department, co_units=[co_department], deadline=days(-3))
    Assignment.objects.filter(proposal=late, department=co_department).update(views_given_at=timezone.now())
    make_proposal(Status.HANDLING, lead=co_department, deadline=days(1))
    make_proposal(Status.REPLIED, lead=co_department, deadline=days(-10))
    overdue = list(selectors.overdue_assignments(committee.pk, today=TODAY))
    assert [(a.proposal, a.department) for a in overdue] == [(late, department)]
    assert list(selectors.overdue_assignments(foreign_office.committee_id, today=TODAY)) == []
    soon = list(selectors.due_soon_assignments(committee.pk, today=TODAY))
    assert [a.department for a in soon] == [co_department]


def test_the_units_record(make_proposal, committee, department, co_department, office, proposer):
    on_time = make_proposal(Status.EVALUATED, lead=department, co_units=[co_department], deadline=days(5))
    late = make_proposal(Status.REPLIED, lead=department, deadline=days(-5))
    make_proposal(Status.HANDLING, lead=department, deadline=days(-1))
    make_proposal(Status.HANDLING, lead=co_department, deadline=days(20))
    first = Reply.objects.create(
        proposal=on_time, department=department, round=1, result="A", sent_at=timezone.now()
    )
    Evaluation.objects.create(reply=first, rating=Evaluation.Rating.BASIC)
    Reply.objects.create(proposal=late, department=department, round=1, result="B", sent_at=timezone.now())
    records = {r.name: r for r in selectors.unit_records(committee.pk, today=TODAY)}
    lead = records["县交通运输局"]
    assert (lead.lead, lead.co, lead.replied, lead.on_time, lead.overdue) == (3, 0, 2, 1, 1)
    assert lead.results == {"A": 1, "B": 1}
    assert lead.ratings == {"basic": 1}
    assert lead.rating_labels == [("Basically satisfied", 1)]
    co = records["县财政局"]
    assert (co.lead, co.co, co.replied, co.overdue) == (1, 1, 0, 0)
    assert selectors.unit_records(committee.pk, session_id=0) == []
