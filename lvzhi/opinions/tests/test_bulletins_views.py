"""The bulletin pages: who sees and who changes what, the send confirmation, the list's query count."""

import datetime

import pytest

from lvzhi.core.testing import assert_same_query_count, capture_queries, snapshot
from lvzhi.opinions.models import Bulletin, BulletinStatusChange, OpinionReport
from lvzhi.opinions.services import bulletins as services

from .factories import ReportFactory
from .pipeline_fixtures import *  # noqa: F403

pytestmark = pytest.mark.usefixtures("english")

Status = OpinionReport.Status
RECIPIENTS = "县委、县政府主要领导"


@pytest.fixture
def office(make_user):
    from lvzhi.accounts.roles import Role

    return make_user(Role.OFFICE, username="office_b")


@pytest.fixture
def bulletin(editor):
    return services.create_bulletin(actor=editor, year=2026, recipients=RECIPIENTS)


@pytest.fixture
def signed(make_report):
    return make_report(Status.SIGNED, title="关于整治城区占道经营的建议")


def _url(bulletin, suffix=""):
    return f"/opinions/bulletins/{bulletin.pk}/{suffix}"


# --- reading ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["editor", "leader", "office"])
def test_staff_read_bulletins(client, request, bulletin, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get("/opinions/bulletins/").status_code == 200
    page = client.get(_url(bulletin))
    assert page.status_code == 200
    assert RECIPIENTS in page.content.decode()


def test_only_the_editor_sees_the_compiling_forms(client, bulletin, signed, editor, leader):
    client.force_login(editor)
    html = client.get(_url(bulletin)).content.decode()
    assert 'id="add-reports"' in html and signed.title in html
    assert "/send/" in html
    client.force_login(leader)
    html = client.get(_url(bulletin)).content.decode()
    assert 'id="add-reports"' not in html and "/send/" not in html


@pytest.mark.parametrize("who", ["author", "handling_unit", "unit_staff"])
def test_others_do_not_see_bulletins(client, request, bulletin, who):
    user = request.getfixturevalue(who)
    client.force_login(getattr(user, "user", user))
    assert client.get("/opinions/bulletins/").status_code == 403
    assert client.get(_url(bulletin)).status_code == 404


def test_another_committees_editor_gets_404(client, bulletin, foreign_editor, signed):
    client.force_login(foreign_editor)
    assert client.get(_url(bulletin)).status_code == 404
    before = snapshot([Bulletin, OpinionReport])
    assert client.post(_url(bulletin, "add/"), {"version": 1, "reports": [signed.pk]}).status_code == 404
    assert client.post(_url(bulletin, "send/"), {"version": 1, "sent_on": "2026-06-10"}).status_code == 404
    assert snapshot([Bulletin, OpinionReport]) == before


# --- writing ----------------------------------------------------------------------------------------


def test_the_editor_creates_a_bulletin_once_per_form(client, editor):
    client.force_login(editor)
    form = {"year": 2026, "title": "", "recipients": RECIPIENTS, "submission_token": "tok-bulletin-1"}
    response = client.post("/opinions/bulletins/new/", form)
    bulletin = Bulletin.objects.get()
    assert response.status_code == 302 and response.url == _url(bulletin)
    assert (bulletin.year, bulletin.number, bulletin.recipients) == (2026, 1, RECIPIENTS)
    client.post("/opinions/bulletins/new/", form)  # a double click
    assert Bulletin.objects.count() == 1


@pytest.mark.parametrize("who", ["leader", "office"])
def test_read_only_staff_change_nothing(client, request, bulletin, signed, who):
    client.force_login(request.getfixturevalue(who))
    before = snapshot([Bulletin, OpinionReport])
    assert client.get("/opinions/bulletins/new/").status_code == 403
    assert client.post(_url(bulletin, "add/"), {"version": 1, "reports": [signed.pk]}).status_code == 403
    assert (
        client.post(_url(bulletin, "edit/"), {"version": 1, "title": "x", "recipients": "y"}).status_code
        == 403
    )
    assert client.post(_url(bulletin, "send/"), {"version": 1, "sent_on": "2026-06-10"}).status_code == 403
    assert snapshot([Bulletin, OpinionReport]) == before


def test_compiling_through_the_pages(client, bulletin, editor, make_report):
    a, b = make_report(Status.SIGNED), make_report(Status.SIGNED)
    client.force_login(editor)
    client.post(_url(bulletin, "add/"), {"version": bulletin.version, "reports": [a.pk, b.pk]})
    bulletin.refresh_from_db()
    assert list(bulletin.reports.order_by("bulletin_order").values_list("pk", flat=True)) == [a.pk, b.pk]
    client.post(_url(bulletin, f"reports/{b.pk}/move/"), {"version": bulletin.version, "direction": "up"})
    bulletin.refresh_from_db()
    assert list(bulletin.reports.order_by("bulletin_order").values_list("pk", flat=True)) == [b.pk, a.pk]
    client.post(_url(bulletin, f"reports/{a.pk}/remove/"), {"version": bulletin.version})
    assert list(bulletin.reports.values_list("pk", flat=True)) == [b.pk]
    # A stale page (the version it showed is gone) changes nothing and says why.
    response = client.post(_url(bulletin, f"reports/{b.pk}/remove/"), {"version": 1}, follow=True)
    assert "Someone else saved this" in response.content.decode()
    assert list(bulletin.reports.values_list("pk", flat=True)) == [b.pk]


def test_a_report_of_another_bulletin_is_not_offered_nor_taken(client, bulletin, editor, editor2, signed):
    other = services.create_bulletin(actor=editor2, year=2026)
    services.add_reports(bulletin=other, actor=editor2, expected_version=other.version, reports=[signed])
    client.force_login(editor)
    assert signed.title not in client.get(_url(bulletin)).content.decode()
    client.post(_url(bulletin, "add/"), {"version": bulletin.version, "reports": [signed.pk]})
    signed.refresh_from_db()
    assert signed.bulletin_id == other.pk


def test_sending_asks_for_confirmation_first(client, bulletin, editor, signed):
    services.add_reports(bulletin=bulletin, actor=editor, expected_version=bulletin.version, reports=[signed])
    bulletin.refresh_from_db()
    client.force_login(editor)
    page = client.post(_url(bulletin, "send/"), {"version": bulletin.version, "sent_on": "2026-06-10"})
    assert page.status_code == 200
    html = page.content.decode()
    assert 'id="send-confirmation"' in html and signed.title in html and "cannot be undone" in html
    bulletin.refresh_from_db()
    assert bulletin.status == Bulletin.Status.DRAFT
    signed.refresh_from_db()
    assert signed.status == Status.SIGNED

    response = client.post(
        _url(bulletin, "send/"), {"version": bulletin.version, "sent_on": "2026-06-10", "confirm_send": "1"}
    )
    assert response.status_code == 302
    bulletin.refresh_from_db()
    signed.refresh_from_db()
    assert bulletin.status == Bulletin.Status.SENT and bulletin.sent_on == datetime.date(2026, 6, 10)
    assert signed.status == Status.REPORTED and signed.bulletin_id == bulletin.pk
    assert BulletinStatusChange.objects.filter(bulletin=bulletin, actor=editor).count() == 1


def test_gets_do_not_change_anything(client, bulletin, editor, signed):
    client.force_login(editor)
    for suffix in ("add/", "edit/", "send/", f"reports/{signed.pk}/remove/", f"reports/{signed.pk}/move/"):
        assert client.get(_url(bulletin, suffix)).status_code == 405


def test_the_list_costs_the_same_queries_for_few_and_many(client, editor, committee):
    client.force_login(editor)

    def fill(n):
        for _ in range(n):
            made = services.create_bulletin(actor=editor, year=2026)
            reports = [
                ReportFactory(committee=committee, status=Status.SIGNED, serial=1000 + made.number * 10 + i)
                for i in range(2)
            ]
            services.add_reports(bulletin=made, actor=editor, expected_version=made.version, reports=reports)

    fill(2)
    client.get("/opinions/bulletins/")
    with capture_queries() as small:
        client.get("/opinions/bulletins/")
    fill(12)
    with capture_queries() as large:
        assert client.get("/opinions/bulletins/").status_code == 200
    assert_same_query_count(small, large)


def test_the_detail_costs_the_same_queries_for_few_and_many_reports(client, editor, bulletin, committee):
    client.force_login(editor)

    def add(n, start):
        reports = [
            ReportFactory(committee=committee, status=Status.SIGNED, serial=start + i) for i in range(n)
        ]
        bulletin.refresh_from_db()
        services.add_reports(
            bulletin=bulletin, actor=editor, expected_version=bulletin.version, reports=reports
        )
        # and as many waiting to be added
        for i in range(n):
            ReportFactory(committee=committee, status=Status.SIGNED, serial=start + 500 + i)

    add(1, 100)
    client.get(_url(bulletin))
    with capture_queries() as small:
        client.get(_url(bulletin))
    add(8, 200)
    with capture_queries() as large:
        client.get(_url(bulletin))
    assert_same_query_count(small, large)


def test_the_date_fields_show_today_to_the_browsers_date_picker(client, bulletin, editor, reported_for_dates):
    """A date input takes only YYYY-MM-DD: a value in the language's format leaves it empty."""
    from django.utils import timezone

    today = timezone.localdate().isoformat()
    client.force_login(editor)
    assert f'name="sent_on" value="{today}"' in client.get(_url(bulletin)).content.decode()
    html = client.get(reported_for_dates.get_absolute_url()).content.decode()
    assert f'name="adoption-adopted_on" value="{today}"' in html
    assert f'name="transfer-transferred_on" value="{today}"' in html


@pytest.fixture
def reported_for_dates(make_report):
    return make_report(Status.REPORTED, reported_on=datetime.date(2026, 6, 10), reported_to="县委")
