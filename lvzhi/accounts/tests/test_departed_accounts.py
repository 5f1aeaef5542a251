"""Members' accounts are disabled when they stop serving (accounts.services.disable_departed_member_accounts),
through the member file, the terms, and the daily safety net of `manage.py purge_expired`."""

import datetime

import pytest
from django.core.management import call_command
from django.utils import timezone

from lvzhi.accounts import services
from lvzhi.accounts.models import User
from lvzhi.accounts.roles import Role
from lvzhi.core.models import AuditEvent
from lvzhi.factories import MemberFactory, MemberTermFactory, TermFactory
from lvzhi.members import services as member_services
from lvzhi.members.models import MemberTerm
from lvzhi.organization import services as org_services

Status = MemberTerm.Status


@pytest.fixture
def seated(make_user, committee, term):
    """seated(username, *roles, status=...) → a member placed in the current term with a linked account."""

    def make(username, *roles, status=Status.SERVING, place=True):
        user = make_user(roles[0] if roles else Role.MEMBER, username=username)
        for role in roles[1:]:
            user.groups.add(_group(role))
        member = MemberFactory(committee=committee, user=user)
        if place:
            MemberTermFactory(member=member, term=term, status=status)
        return user

    return make


def _group(role):
    from django.contrib.auth.models import Group

    return Group.objects.get(name=Role(role).value)


def resign(member, *, actor, term, status=Status.RESIGNED):
    before = member_services.snapshot(member)
    return member_services.update_member(
        member=member,
        before=before,
        expected_version=member.version,
        actor=actor,
        term=term,
        term_values={"status": status, "status_date": datetime.date(2026, 3, 1), "status_reason": "工作调动"},
    )


def fresh(user):
    return User.objects.get(pk=user.pk)


def disabled_rows():
    return AuditEvent.objects.filter(detail__automatic=True).order_by("id")


def test_a_member_who_resigns_loses_their_account(seated, office, term):
    zhang = seated("zhangsan")
    epoch = zhang.session_epoch

    resign(zhang.member, actor=office, term=term)

    zhang = fresh(zhang)
    assert not zhang.is_active
    assert zhang.session_epoch == epoch + 1  # every session ends for good
    row = disabled_rows().get()
    assert (row.actor, row.object_id, row.action) == (office, str(zhang.pk), AuditEvent.Action.UPDATE)
    assert row.detail["reason"] == Status.RESIGNED


def test_other_members_keep_their_accounts(seated, office, term):
    zhang, li = seated("zhangsan"), seated("lisi")

    resign(zhang.member, actor=office, term=term)

    assert fresh(li).is_active


def test_an_edit_that_keeps_the_member_serving_disables_nothing(seated, office, term):
    zhang = seated("zhangsan")
    before = member_services.snapshot(zhang.member)
    member_services.update_member(
        member=zhang.member,
        before=before,
        expected_version=zhang.member.version,
        actor=office,
        term=term,
        term_values={"is_standing": True},
    )

    assert fresh(zhang).is_active
    assert not disabled_rows().exists()


def test_the_edit_page_disables_the_account_of_a_member_marked_deceased(seated, office, term, client):
    from lvzhi.members.tests.test_member_edit import edit_url, open_edit

    zhang = seated("zhangsan")
    client.force_login(office)
    data = open_edit(client, zhang.member)
    data["term-status"] = Status.DECEASED
    data["term-status_date"] = "2026-03-01"

    assert client.post(edit_url(zhang.member), data).status_code == 302

    assert not fresh(zhang).is_active
    assert disabled_rows().get().detail["reason"] == Status.DECEASED


def test_a_staff_account_linked_to_a_file_is_left_alone(seated, office, term):
    # An office worker or an information officer who is also a member works for the job, not the seat.
    staff = seated("wang", Role.MEMBER, Role.OFFICER)
    leader = seated("zhao", Role.LEADER)

    resign(staff.member, actor=office, term=term)
    resign(leader.member, actor=office, term=term)

    assert fresh(staff).is_active and fresh(leader).is_active
    assert not disabled_rows().exists()


def test_going_back_to_serving_does_not_enable_the_account(seated, office, term):
    zhang = seated("zhangsan")
    resign(zhang.member, actor=office, term=term)

    resign(fresh(zhang).member, actor=office, term=term, status=Status.SERVING)

    assert not fresh(zhang).is_active  # enabling again is the system administrator's act


def test_a_new_current_term_disables_the_members_not_elected_again(seated, office, committee, term):
    re_elected, gone = seated("zhangsan"), seated("lisi")
    org_services.save_term(actor=office, term=term, data={"is_current": False})
    assert fresh(gone).is_active  # no current term: nobody is judged

    tenth = TermFactory(committee=committee, number=10, name="第十届", is_current=False)
    MemberTermFactory(member=re_elected.member, term=tenth)
    org_services.save_term(actor=office, term=tenth, data={"is_current": True})

    assert fresh(re_elected).is_active
    assert not fresh(gone).is_active
    assert disabled_rows().get().detail["reason"] == services.NOT_IN_CURRENT_TERM


def test_a_current_term_without_its_roster_yet_disables_nobody(seated, office, committee, term):
    zhang = seated("zhangsan")
    org_services.save_term(actor=office, term=term, data={"is_current": False})
    tenth = TermFactory(committee=committee, number=10, name="第十届", is_current=False)

    org_services.save_term(actor=office, term=tenth, data={"is_current": True})

    assert fresh(zhang).is_active


def test_a_passed_end_date_of_the_current_term_disables_nobody(seated, office, term):
    # Planned end dates are entered ahead of time; the members serve until the next term's roster is in.
    zhang = seated("zhangsan")
    yesterday = timezone.localdate() - datetime.timedelta(days=1)

    org_services.save_term(actor=office, term=term, data={"end_date": yesterday})
    call_command("purge_expired", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert fresh(zhang).is_active
    assert not disabled_rows().exists()


def new_term(committee, old_term, *, began_days_ago, placed=()):
    """The next term, made current outside the services (as long ago), with `placed` serving in it."""
    Term = type(old_term)
    Term.objects.filter(pk=old_term.pk).update(is_current=False)
    tenth = TermFactory(
        committee=committee,
        number=old_term.number + 1,
        name="第十届",
        is_current=True,
        start_date=timezone.localdate() - datetime.timedelta(days=began_days_ago),
    )
    for user in placed:
        MemberTermFactory(member=user.member, term=tenth)
    return tenth


def daily_job():
    call_command("purge_expired", stdout=open("/dev/null", "w"))  # noqa: SIM115


def test_the_daily_job_disables_the_members_of_a_term_that_has_ended(seated, committee, term):
    # Another term became current with its roster placed, long enough ago for the roster to be complete.
    re_elected, gone = seated("zhangsan"), seated("lisi")
    new_term(committee, term, began_days_ago=services.NEW_ROSTER_DAYS + 1, placed=[re_elected])

    daily_job()

    assert fresh(re_elected).is_active
    assert not fresh(gone).is_active
    row = disabled_rows().get()
    assert row.actor is None and row.detail["reason"] == services.NOT_IN_CURRENT_TERM


def test_a_roster_entered_in_parts_keeps_the_members_of_the_later_part(seated, committee, term):
    # File A today, file B tomorrow: B's re-elected members keep their accounts overnight.
    in_file_a, in_file_b = seated("zhangsan"), seated("lisi")
    new_term(committee, term, began_days_ago=1, placed=[in_file_a])

    daily_job()

    assert fresh(in_file_a).is_active and fresh(in_file_b).is_active
    assert not disabled_rows().exists()


def test_a_recent_roster_import_keeps_the_members_not_yet_placed(seated, committee, term, office):
    # A term that began long ago, whose roster is being imported now (the system came later).
    from lvzhi.members.models import RosterImport

    in_file_a, in_file_b = seated("zhangsan"), seated("lisi")
    new_term(committee, term, began_days_ago=400, placed=[in_file_a])
    RosterImport.objects.create(
        committee=committee,
        created_by=office,
        original_name="第十届名单A.xlsx",
        status=RosterImport.Status.DONE,
        created_at=timezone.now() - datetime.timedelta(days=2),
    )

    daily_job()

    assert fresh(in_file_b).is_active
    RosterImport.objects.update(
        created_at=timezone.now() - datetime.timedelta(days=services.NEW_ROSTER_DAYS + 1)
    )
    daily_job()
    assert not fresh(in_file_b).is_active  # not re-elected after all


def test_a_status_in_the_new_term_counts_at_once(seated, committee, term):
    # What the office recorded in the new term's roster needs no waiting.
    resigned = seated("zhangsan")
    tenth = new_term(committee, term, began_days_ago=1, placed=[resigned])
    MemberTerm.objects.filter(term=tenth).update(status=Status.RESIGNED)

    daily_job()

    assert not fresh(resigned).is_active


def test_a_member_with_no_place_in_the_previous_term_is_not_judged(seated, committee, term):
    # No roster says they left: an account linked to a file placed in no term, or only in an older one.
    placed, unplaced = seated("zhangsan"), seated("lisi", place=False)

    daily_job()

    assert fresh(placed).is_active and fresh(unplaced).is_active


def test_the_daily_job_catches_a_status_changed_outside_the_services(seated, term):
    zhang, li = seated("zhangsan"), seated("lisi")
    MemberTerm.objects.filter(member=zhang.member).update(status=Status.REMOVED)

    call_command("purge_expired", stdout=open("/dev/null", "w"))  # noqa: SIM115

    assert not fresh(zhang).is_active
    assert fresh(li).is_active


def test_another_committee_is_untouched(seated, office, make_user, other_committee):
    other_term = TermFactory(committee=other_committee)
    stranger = make_user(Role.MEMBER, committee=other_committee, username="stranger")
    MemberTermFactory(member=MemberFactory(committee=other_committee, user=stranger), term=other_term)
    MemberTermFactory(member=MemberFactory(committee=other_committee), term=other_term)
    MemberTerm.objects.filter(member__user=stranger).update(status=Status.RESIGNED)
    zhang = seated("zhangsan")

    services.disable_departed_member_accounts(committee=office.committee, actor=office)

    assert fresh(stranger).is_active and fresh(zhang).is_active
