"""The two services other helpers call: create_draft and mark_reported (opinions_layout contract)."""

import datetime

import pytest
from django.contrib.auth.models import Group
from django.core.exceptions import PermissionDenied
from django.http import Http404

from lvzhi.accounts.roles import Role
from lvzhi.core.models import AuditEvent
from lvzhi.factories import MemberFactory, UserFactory
from lvzhi.ledger.models import DutyRecord
from lvzhi.notifications.models import Notification
from lvzhi.opinions.models import Category, OpinionAuthor, OpinionReport
from lvzhi.opinions.permissions import get_report_for_user
from lvzhi.opinions.services import reports
from lvzhi.opinions.services.reports import OpinionError

from .pipeline_fixtures import *  # noqa: F403

Status = OpinionReport.Status


def test_create_draft_makes_the_member_lead_author(committee, author, co_author):
    category = Category.objects.filter(committee=committee).first()
    report = reports.create_draft(
        actor=author.user,
        title="关于整治城东菜市场周边占道经营的建议",
        body="情况：……",
        category=category,
        co_authors=[co_author],
        agrees_to_publish=True,
    )
    assert report.status == Status.DRAFT
    assert report.committee == committee
    assert report.year == datetime.date.today().year or report.year >= 2026
    assert report.created_by == author.user
    authors = list(report.authors.order_by("order"))
    assert [(a.member, a.role) for a in authors] == [
        (author, OpinionAuthor.Role.LEAD),
        (co_author, OpinionAuthor.Role.CO),
    ]
    assert "菜市场" in report.search_document
    assert "张建国" in report.search_document
    assert AuditEvent.objects.filter(event="opinions.draft_saved").exists()
    # A draft is no fact of the ledger yet.
    assert not DutyRecord.objects.exists()


def test_create_draft_of_an_officer_who_is_not_a_member(committee):
    officer = UserFactory(committee=committee, role=Role.OFFICER, display_name="信息员小周")
    report = reports.create_draft(actor=officer, title="关于……的建议", source=OpinionReport.Source.OFFICER)
    lead = report.authors.get()
    assert lead.user == officer and lead.member is None and lead.name == "信息员小周"
    assert report.source == OpinionReport.Source.OFFICER


def test_an_appointed_officers_report_comes_through_the_officers(committee, author):
    """The write page passes no source: an appointed officer's report (member or not) is the officers'
    channel, the statistics by source count it; an ended appointment no longer makes it one."""
    from django.utils import timezone

    from lvzhi.opinions.models import InformationOfficer

    year = timezone.localdate().year
    officer = UserFactory(committee=committee, role=Role.OFFICER, display_name="信息员小周")
    InformationOfficer.objects.create(
        committee=committee, year=year, user=officer, name="信息员小周", appointed_on=timezone.localdate()
    )
    appointment = InformationOfficer.objects.create(
        committee=committee,
        year=year,
        member=author,
        user=author.user,
        name=author.name,
        appointed_on=timezone.localdate(),
    )
    assert reports.create_draft(actor=officer, title="关于……的建议").source == OpinionReport.Source.OFFICER
    assert (
        reports.create_draft(actor=author.user, title="关于……的建议").source == OpinionReport.Source.OFFICER
    )
    appointment.ended_on = timezone.localdate()
    appointment.save()
    assert reports.create_draft(actor=author.user, title="关于……的建议").source == OpinionReport.Source.MEMBER


def test_create_draft_in_a_units_name(committee, unit_staff, my_unit, other_unit):
    report = reports.create_draft(actor=unit_staff, title="关于……的建议", unit=my_unit)
    assert report.unit == my_unit and report.source == OpinionReport.Source.UNIT
    with pytest.raises(OpinionError) as error:
        reports.create_draft(actor=unit_staff, title="关于……的建议", unit=other_unit)
    assert error.value.code == "unit_outside_scope"


def test_create_draft_refuses_who_may_not_write(committee, make_user, other_committee):
    handling = make_user(Role.HANDLING_UNIT)
    with pytest.raises(PermissionDenied):
        reports.create_draft(actor=handling, title="关于……的建议")
    foreign_member = MemberFactory(committee=other_committee)
    member_user = make_user(Role.MEMBER)
    with pytest.raises(OpinionError):
        reports.create_draft(actor=member_user, title="关于……的建议", co_authors=[foreign_member])


def test_create_draft_needs_a_title(author):
    with pytest.raises(OpinionError) as error:
        reports.create_draft(actor=author.user, title="  ")
    assert error.value.code == "title_required"


def test_mark_reported_credits_the_authors_and_tells_them(make_report, editor, author, co_author):
    report = make_report(Status.SIGNED)
    reports.mark_reported(
        report, actor=editor, reported_on=datetime.date(2026, 4, 1), reported_to="县委、县政府主要领导"
    )
    report.refresh_from_db()
    assert report.status == Status.REPORTED
    assert report.reported_on == datetime.date(2026, 4, 1)
    assert report.reported_to == "县委、县政府主要领导"
    assert report.status_changes.get().to_status == Status.REPORTED
    assert report.status_changed_at is not None
    records = set(DutyRecord.objects.values_list("member__name", "kind", "role"))
    assert records == {
        ("张建国", "opinion.submitted", "lead"),
        ("李秀英", "opinion.submitted", "co"),
        ("张建国", "opinion.reported", "lead"),
        ("李秀英", "opinion.reported", "co"),
    }
    told = set(Notification.objects.filter(kind="opinion.reported").values_list("recipient", flat=True))
    assert told == {author.user_id, co_author.user_id}
    assert AuditEvent.objects.filter(event="opinions.report_status_changed").exists()


def test_mark_reported_only_from_signed(make_report, editor):
    report = make_report(Status.EDITING)
    with pytest.raises(OpinionError) as error:
        reports.mark_reported(
            report, actor=editor, reported_on=datetime.date(2026, 4, 1), reported_to="市政协"
        )
    assert error.value.code == "illegal_transition"


def test_mark_reported_refuses_an_author_and_a_non_editor(make_report, author, leader, committee):
    report = make_report(Status.SIGNED)
    author.user.groups.add(Group.objects.get(name=Role.EDITOR.value))
    author_editor = type(author.user).objects.get(pk=author.user_id)
    with pytest.raises(OpinionError) as error:
        reports.mark_reported(
            report, actor=author_editor, reported_on=datetime.date(2026, 4, 1), reported_to="市政协"
        )
    assert error.value.code == "own_report"
    with pytest.raises(PermissionDenied):
        reports.mark_reported(
            report, actor=leader, reported_on=datetime.date(2026, 4, 1), reported_to="市政协"
        )


def test_get_report_for_user_hides_others_drafts_and_other_committees(
    make_report, editor, other_member, foreign_editor, author
):
    draft = make_report(Status.DRAFT)
    submitted = make_report(Status.SUBMITTED)
    assert get_report_for_user(author.user, draft.pk) == draft
    assert get_report_for_user(editor, submitted.pk) == submitted
    for user, report in [
        (editor, draft),
        (other_member.user, submitted),
        (foreign_editor, submitted),
    ]:
        with pytest.raises(Http404):
            get_report_for_user(user, report.pk)
    with pytest.raises(Http404):
        get_report_for_user(editor, "x")


@pytest.mark.django_db(transaction=True, serialized_rollback=True)
def test_get_report_for_user_locks(make_report, editor):
    from django.db import transaction

    report = make_report(Status.SUBMITTED)
    with transaction.atomic():
        assert get_report_for_user(editor, report.pk, for_update=True) == report
