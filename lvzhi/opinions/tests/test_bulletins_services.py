"""Bulletins (services.bulletins): numbering, one bulletin per report, compiling, sending."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied

from lvzhi.core.models import AuditEvent
from lvzhi.core.workflow import StaleEdit
from lvzhi.ledger.models import DutyRecord
from lvzhi.notifications.models import Notification
from lvzhi.opinions.models import Bulletin, BulletinStatusChange, OpinionReport, OpinionStatusChange
from lvzhi.opinions.services import bulletins as services
from lvzhi.opinions.services.bulletins import BulletinError

from .pipeline_fixtures import *  # noqa: F403

Status = OpinionReport.Status
SENT_ON = datetime.date(2026, 6, 10)
RECIPIENTS = "县委、县政府主要领导，市政协办公室"


@pytest.fixture
def bulletin(editor):
    return services.create_bulletin(actor=editor, year=2026, recipients=RECIPIENTS)


def _add(bulletin, editor, *reports):
    bulletin.refresh_from_db()
    return services.add_reports(
        bulletin=bulletin, actor=editor, expected_version=bulletin.version, reports=reports
    )


def _order(bulletin):
    return list(bulletin.reports.order_by("bulletin_order").values_list("pk", "bulletin_order"))


# --- numbering --------------------------------------------------------------------------------------


def test_numbers_follow_each_other_per_committee_and_year(editor, foreign_editor):
    numbers = [services.create_bulletin(actor=editor, year=2026).number for _ in range(3)]
    assert numbers == [1, 2, 3]
    assert services.create_bulletin(actor=editor, year=2027).number == 1
    assert services.create_bulletin(actor=foreign_editor, year=2026).number == 1
    first = Bulletin.objects.get(committee=editor.committee, year=2026, number=1)
    assert AuditEvent.objects.filter(event="opinions.bulletin_created", object_id=str(first.pk)).exists()


def test_a_failed_creation_gives_its_number_back(editor, settings):
    with pytest.raises(BulletinError):
        services.create_bulletin(actor=editor, year=2026, recipients="很长" * 200)
    assert services.create_bulletin(actor=editor, year=2026).number == 1


@pytest.mark.parametrize("fixture", ["leader", "unit_staff", "handling_unit", "author"])
def test_only_editors_create_bulletins(db, request, fixture):
    user = request.getfixturevalue(fixture)
    user = getattr(user, "user", user)
    with pytest.raises(PermissionDenied):
        services.create_bulletin(actor=user, year=2026)
    assert not Bulletin.objects.exists()


# --- compiling --------------------------------------------------------------------------------------


def test_signed_reports_are_added_in_order_moved_and_removed(bulletin, editor, make_report):
    a, b, c = (make_report(Status.SIGNED) for _ in range(3))
    _add(bulletin, editor, a, b)
    _add(bulletin, editor, c)
    assert _order(bulletin) == [(a.pk, 1), (b.pk, 2), (c.pk, 3)]

    bulletin.refresh_from_db()
    services.move_report(
        bulletin=bulletin, actor=editor, expected_version=bulletin.version, report=c, direction=services.UP
    )
    assert _order(bulletin) == [(a.pk, 1), (c.pk, 2), (b.pk, 3)]
    bulletin.refresh_from_db()
    services.move_report(
        bulletin=bulletin, actor=editor, expected_version=bulletin.version, report=a, direction=services.UP
    )
    assert _order(bulletin) == [(a.pk, 1), (c.pk, 2), (b.pk, 3)]  # the first stays first

    bulletin.refresh_from_db()
    services.remove_report(bulletin=bulletin, actor=editor, expected_version=bulletin.version, report=a)
    assert _order(bulletin) == [(c.pk, 1), (b.pk, 2)]
    a.refresh_from_db()
    assert a.bulletin_id is None and a.bulletin_order is None
    assert a.status == Status.SIGNED
    assert (
        AuditEvent.objects.filter(event="opinions.bulletin_changed", object_id=str(bulletin.pk)).count() == 4
    )


def test_a_report_appears_in_one_bulletin_only(bulletin, editor, editor2, make_report):
    report = make_report(Status.SIGNED)
    other = services.create_bulletin(actor=editor2, year=2026)
    _add(bulletin, editor, report)
    with pytest.raises(BulletinError) as refused:
        _add(other, editor2, report)
    assert refused.value.code == "in_another_bulletin"
    report.refresh_from_db()
    assert report.bulletin_id == bulletin.pk
    assert not other.reports.exists()


def test_the_check_reads_the_locked_row_not_the_callers_copy(bulletin, editor, editor2, make_report):
    """A page that listed the report as free before another editor took it does not get it too."""
    report = make_report(Status.SIGNED)
    stale = OpinionReport.objects.get(pk=report.pk)
    _add(bulletin, editor, report)
    other = services.create_bulletin(actor=editor2, year=2026)
    with pytest.raises(BulletinError):
        services.add_reports(bulletin=other, actor=editor2, expected_version=other.version, reports=[stale])


@pytest.mark.parametrize("status", [Status.EDITING, Status.AWAITING_SIGNOFF, Status.REPORTED, Status.MERGED])
def test_only_signed_reports_go_in(bulletin, editor, make_report, status):
    signed, other = make_report(Status.SIGNED), make_report(status)
    with pytest.raises(BulletinError) as refused:
        _add(bulletin, editor, signed, other)
    assert refused.value.code == "not_signed"
    assert not bulletin.reports.exists()  # nothing half-added


def test_an_editor_does_not_compile_their_own_report(bulletin, committee, editor):
    from .factories import ReportFactory

    own = ReportFactory(committee=committee, status=Status.SIGNED, serial=7, lead=editor)
    with pytest.raises(BulletinError) as refused:
        _add(bulletin, editor, own)
    assert refused.value.code == "own_report"


def test_another_committees_report_cannot_be_added(bulletin, editor, other_committee):
    from .factories import ReportFactory

    foreign = ReportFactory(committee=other_committee, status=Status.SIGNED, serial=1)
    with pytest.raises(PermissionDenied):
        _add(bulletin, editor, foreign)


def test_a_stale_page_saves_nothing(bulletin, editor, editor2, make_report):
    report = make_report(Status.SIGNED)
    seen = bulletin.version
    services.update_bulletin(
        bulletin=bulletin, actor=editor2, expected_version=seen, title="第一期", recipients=RECIPIENTS
    )
    with pytest.raises(StaleEdit):
        services.add_reports(bulletin=bulletin, actor=editor, expected_version=seen, reports=[report])
    with pytest.raises(StaleEdit):
        services.update_bulletin(
            bulletin=bulletin, actor=editor, expected_version=seen, title="覆盖", recipients=""
        )
    bulletin.refresh_from_db()
    assert bulletin.title == "第一期"
    assert not bulletin.reports.exists()


def test_the_leader_reads_but_does_not_compile(bulletin, leader, make_report):
    report = make_report(Status.SIGNED)
    with pytest.raises(PermissionDenied):
        services.add_reports(
            bulletin=bulletin, actor=leader, expected_version=bulletin.version, reports=[report]
        )
    with pytest.raises(PermissionDenied):
        services.send_bulletin(
            bulletin=bulletin, actor=leader, expected_version=bulletin.version, sent_on=SENT_ON
        )


# --- sending ----------------------------------------------------------------------------------------


def test_sending_marks_the_reports_reported_and_writes_the_ledger(
    bulletin, editor, make_report, author, co_author
):
    a, b = make_report(Status.SIGNED), make_report(Status.SIGNED)
    _add(bulletin, editor, a, b)
    bulletin.refresh_from_db()
    services.send_bulletin(
        bulletin=bulletin, actor=editor, expected_version=bulletin.version, sent_on=SENT_ON
    )

    bulletin.refresh_from_db()
    assert bulletin.status == Bulletin.Status.SENT and bulletin.sent_on == SENT_ON
    change = BulletinStatusChange.objects.get(bulletin=bulletin)
    assert (change.from_status, change.to_status, change.actor) == ("draft", "sent", editor)
    assert AuditEvent.objects.filter(
        event="opinions.bulletin_status_changed", object_id=str(bulletin.pk)
    ).exists()
    for report in (a, b):
        report.refresh_from_db()
        assert report.status == Status.REPORTED
        assert report.reported_on == SENT_ON and report.reported_to == RECIPIENTS
        assert report.bulletin_id == bulletin.pk
        assert OpinionStatusChange.objects.filter(report=report, to_status=Status.REPORTED).exists()
    reported = DutyRecord.objects.filter(kind="opinion.reported")
    assert sorted(reported.values_list("member__name", "date")) == sorted(
        [(author.name, SENT_ON), (co_author.name, SENT_ON)] * 2
    )
    assert Notification.objects.filter(recipient=author.user, kind="opinion.reported").count() == 2


def test_a_sent_bulletin_does_not_change(bulletin, editor, make_report):
    report, later = make_report(Status.SIGNED), make_report(Status.SIGNED)
    _add(bulletin, editor, report)
    bulletin.refresh_from_db()
    services.send_bulletin(
        bulletin=bulletin, actor=editor, expected_version=bulletin.version, sent_on=SENT_ON
    )
    bulletin.refresh_from_db()
    with pytest.raises(BulletinError) as refused:
        _add(bulletin, editor, later)
    assert refused.value.code == "sent"
    for act in (
        lambda: services.remove_report(
            bulletin=bulletin, actor=editor, expected_version=bulletin.version, report=report
        ),
        lambda: services.send_bulletin(
            bulletin=bulletin, actor=editor, expected_version=bulletin.version, sent_on=SENT_ON
        ),
        lambda: services.update_bulletin(
            bulletin=bulletin, actor=editor, expected_version=bulletin.version, title="x", recipients="y"
        ),
    ):
        with pytest.raises(BulletinError):
            act()


def test_sending_is_refused_when_empty_or_without_recipients(editor, make_report):
    empty = services.create_bulletin(actor=editor, year=2026, recipients=RECIPIENTS)
    with pytest.raises(BulletinError) as refused:
        services.send_bulletin(bulletin=empty, actor=editor, expected_version=empty.version, sent_on=SENT_ON)
    assert refused.value.code == "empty"

    nobody = services.create_bulletin(actor=editor, year=2026)
    _add(nobody, editor, make_report(Status.SIGNED))
    nobody.refresh_from_db()
    with pytest.raises(BulletinError) as refused:
        services.send_bulletin(
            bulletin=nobody, actor=editor, expected_version=nobody.version, sent_on=SENT_ON
        )
    assert refused.value.code == "no_recipients"
    nobody.refresh_from_db()
    assert nobody.status == Bulletin.Status.DRAFT


def test_a_report_sent_back_to_editing_stops_the_sending(bulletin, editor, make_report):
    good, back = make_report(Status.SIGNED), make_report(Status.SIGNED)
    _add(bulletin, editor, good, back)
    OpinionReport.objects.filter(pk=back.pk).update(status=Status.EDITING)
    bulletin.refresh_from_db()
    with pytest.raises(BulletinError) as refused:
        services.send_bulletin(
            bulletin=bulletin, actor=editor, expected_version=bulletin.version, sent_on=SENT_ON
        )
    assert refused.value.code == "not_signed"
    good.refresh_from_db()
    bulletin.refresh_from_db()
    assert good.status == Status.SIGNED and bulletin.status == Bulletin.Status.DRAFT
    assert not DutyRecord.objects.filter(kind="opinion.reported").exists()


# --- a report in a bulletin being compiled ----------------------------------------------------------


def test_a_report_sent_back_to_editing_leaves_the_bulletin_being_compiled(
    bulletin, editor, leader, make_report
):
    from lvzhi.opinions.services import reports

    a, b = make_report(Status.SIGNED), make_report(Status.SIGNED)
    _add(bulletin, editor, a, b)
    reports.send_back(a, actor=leader, comments="数据需再核实")
    a.refresh_from_db()
    assert (a.status, a.bulletin_id, a.bulletin_order) == (Status.EDITING, None, None)
    assert list(bulletin.reports.values_list("pk", flat=True)) == [b.pk]


def test_a_report_in_a_bulletin_being_compiled_is_not_reported_on_its_own(bulletin, editor, make_report):
    from lvzhi.opinions.services import reports
    from lvzhi.opinions.services.reports import OpinionError

    report = make_report(Status.SIGNED)
    _add(bulletin, editor, report)
    report.refresh_from_db()
    with pytest.raises(OpinionError, match="专报"):
        reports.report_directly(report, actor=editor, reported_on=SENT_ON, reported_to="县委")
    report.refresh_from_db()
    assert report.status == Status.SIGNED
