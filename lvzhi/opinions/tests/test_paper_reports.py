"""The office types in a report a member handed in on paper: submitted in the member's name, credited
to the member, handled by the editors like any other; nobody else may do it."""

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from lvzhi.accounts.roles import Role
from lvzhi.core.testing import body
from lvzhi.factories import MemberFactory
from lvzhi.ledger.models import DutyRecord
from lvzhi.opinions.models import Category, OpinionPolicy, OpinionReport
from lvzhi.opinions.services import reports

from .pipeline_fixtures import *  # noqa: F403

Status = OpinionReport.Status
URL = reverse("opinions:paper_new")


@pytest.fixture
def office(make_user):
    return make_user(Role.OFFICE, username="office", display_name="办公室小王")


@pytest.fixture
def paper_member(committee):
    """A member without an account, who hands reports in on paper."""
    return MemberFactory(committee=committee, name="赵纸稿")


def test_the_office_submits_a_paper_report_in_the_members_name(office, paper_member, editor, committee):
    category = Category.objects.filter(committee=committee).first()
    report = reports.record_paper_report(
        actor=office,
        member=paper_member,
        title="关于修复村道的建议",
        body="情况：村道破损。",
        category=category,
    )
    assert report.status == Status.SUBMITTED and report.created_by == office
    lead = report.authors.get()
    assert (lead.member, lead.role) == (paper_member, "lead")
    assert DutyRecord.objects.filter(member=paper_member, kind="opinion.submitted").exists()
    # The editors handle it like any other; the typist never does.
    reports.register(report, actor=editor, category=category)
    report.refresh_from_db()
    assert report.serial is not None


@pytest.mark.parametrize("role", [Role.EDITOR, Role.LEADER, Role.MEMBER, Role.UNIT_STAFF])
def test_nobody_else_types_in_paper_reports(make_user, paper_member, role, client):
    user = make_user(role)
    with pytest.raises(PermissionDenied):
        reports.record_paper_report(actor=user, member=paper_member, title="关于……的建议")
    client.force_login(user)
    assert client.get(URL).status_code == 403
    assert client.get(reverse("opinions:co_author_search"), {"q": "赵", "pick": "lead"}).status_code == 403
    assert not OpinionReport.objects.exists()


def test_the_page_finds_the_member_and_submits(client, office, paper_member, committee):
    client.force_login(office)
    assert client.get(reverse("opinions:work")).status_code == 200
    assert URL in body(client.get(reverse("opinions:work")))
    found = body(client.get(reverse("opinions:co_author_search"), {"q": "赵纸稿", "pick": "lead"}))
    assert f'name="member" value="{paper_member.pk}"' in found
    response = client.post(
        URL, {"member": paper_member.pk, "title": "关于增设公交站的建议", "body": "情况：站点太远。"}
    )
    report = OpinionReport.objects.get()
    assert response.status_code == 302 and response["Location"] == reverse(
        "opinions:detail", args=[report.pk]
    )
    assert report.status == Status.SUBMITTED and report.authors.get().member == paper_member


def test_a_refused_paper_report_keeps_what_was_typed_and_names_the_field(
    client, office, paper_member, committee
):
    OpinionPolicy.objects.create(committee=committee, body_limit=5)
    client.force_login(office)
    text = body(client.post(URL, {"title": "关于路灯的建议", "body": "字" * 6}))
    assert "字" * 6 in text and "赵纸稿" not in text
    assert "交稿委员：请搜索交来稿件的委员，并从列表中选择。" in text
    text = body(client.post(URL, {"member": paper_member.pk, "title": "关于路灯的建议", "body": "字" * 6}))
    assert "字" * 6 in text and "赵纸稿" in text and "正文：共 6 字，超过 5 字的上限" in text
    assert not OpinionReport.objects.exists()
