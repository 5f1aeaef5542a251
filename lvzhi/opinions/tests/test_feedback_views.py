"""The feedback pages: the report page's feedback section, recording and deleting feedback, and the
handling unit's pages (转办给本单位的社情民意): who sees and does what."""

import datetime

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from lvzhi.accounts.roles import Role
from lvzhi.core.models import AuditEvent
from lvzhi.core.testing import assert_same_query_count, body, capture_queries, snapshot
from lvzhi.factories import DepartmentFactory
from lvzhi.ledger.models import DutyRecord
from lvzhi.opinions.models import Adoption, Instruction, OpinionReport, Transfer
from lvzhi.opinions.services import feedback as services

from .pipeline_fixtures import *  # noqa: F403

pytestmark = pytest.mark.usefixtures("english")

Status = OpinionReport.Status
DAY = datetime.date(2026, 7, 1)
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"


@pytest.fixture
def reported(make_report):
    return make_report(Status.REPORTED, reported_on=datetime.date(2026, 6, 10), reported_to="县委")


@pytest.fixture
def department(handling_unit):
    return handling_unit.department


@pytest.fixture
def transfer(reported, editor, department):
    return services.transfer_report(
        report=reported, actor=editor, department=department, transferred_on=DAY, note="请研究答复。"
    )


def _adoption_form(level="city"):
    return {
        "adoption-level": level,
        "adoption-form": "single",
        "adoption-adopted_by": "市政协办公室",
        "adoption-adopted_on": "2026-07-01",
        "adoption-note": "",
    }


def _instruction_form(level="county"):
    return {
        "instruction-level": level,
        "instruction-leader_post": "县长",
        "instruction-text": "请相关部门研究。",
        "instruction-instructed_on": "2026-07-02",
    }


# --- the report page's section ----------------------------------------------------------------------


def test_the_editor_records_feedback_from_the_report_page(client, reported, editor, author, department):
    client.force_login(editor)
    html = client.get(reported.get_absolute_url()).content.decode()
    assert 'id="feedback"' in html and 'id="feedback-forms"' in html

    response = client.post(f"/opinions/feedback/{reported.pk}/adoptions/add/", _adoption_form())
    assert response.status_code == 302 and response.url.endswith("#feedback")
    client.post(f"/opinions/feedback/{reported.pk}/instructions/add/", _instruction_form())
    client.post(
        f"/opinions/feedback/{reported.pk}/transfers/add/",
        {"transfer-department": department.pk, "transfer-transferred_on": "2026-07-03", "transfer-note": ""},
    )
    assert Adoption.objects.get().level == "city"
    assert Instruction.objects.get().leader_post == "县长"
    assert Transfer.objects.get().department == department
    assert DutyRecord.objects.filter(member=author, kind="opinion.adopted.city").exists()
    assert DutyRecord.objects.filter(member=author, kind="opinion.instructed.county").exists()


def test_the_author_sees_the_feedback_without_the_forms(
    client, reported, editor, author, transfer, handling_unit
):
    services.add_adoption(
        report=reported, actor=editor, level="city", form="single", adopted_by="市政协办公室", adopted_on=DAY
    )
    services.reply_transfer(transfer=transfer, actor=handling_unit, reply="已列入年度整治计划。")
    client.force_login(author.user)
    html = client.get(reported.get_absolute_url()).content.decode()
    assert "市政协办公室" in html and "已列入年度整治计划。" in html
    assert 'id="feedback-forms"' not in html and "/delete/" not in html
    assert "请研究答复。" not in html  # the note to the department is the staff's


def test_a_bad_form_says_which_field(client, reported, editor):
    client.force_login(editor)
    form = _adoption_form() | {"adoption-adopted_by": "", "adoption-level": "galactic"}
    response = client.post(f"/opinions/feedback/{reported.pk}/adoptions/add/", form, follow=True)
    html = response.content.decode()
    assert "Adopted by" in html and "Level" in html
    assert not Adoption.objects.exists()


@pytest.mark.parametrize("who", ["leader", "office", "unit_staff", "author", "other_member"])
def test_others_record_nothing(client, request, reported, who, make_user):
    user = make_user(Role.OFFICE) if who == "office" else request.getfixturevalue(who)
    client.force_login(getattr(user, "user", user))
    before = snapshot([Adoption, Instruction, Transfer])
    for url, form in (
        (f"/opinions/feedback/{reported.pk}/adoptions/add/", _adoption_form()),
        (f"/opinions/feedback/{reported.pk}/instructions/add/", _instruction_form()),
    ):
        assert client.post(url, form).status_code in (403, 404)
    assert snapshot([Adoption, Instruction, Transfer]) == before


def test_another_committee_gets_404(client, reported, foreign_editor, editor):
    adoption = services.add_adoption(
        report=reported, actor=editor, level="city", form="single", adopted_by="x", adopted_on=DAY
    )
    client.force_login(foreign_editor)
    assert (
        client.post(f"/opinions/feedback/{reported.pk}/adoptions/add/", _adoption_form()).status_code == 404
    )
    assert (
        client.post(
            f"/opinions/feedback/adoptions/{adoption.pk}/delete/", {"confirm_delete": "1"}
        ).status_code
        == 404
    )
    assert Adoption.objects.filter(pk=adoption.pk).exists()


def test_deleting_is_confirmed_and_audited(client, reported, editor, author):
    adoption = services.add_adoption(
        report=reported, actor=editor, level="city", form="single", adopted_by="市政协办公室", adopted_on=DAY
    )
    client.force_login(editor)
    page = client.post(f"/opinions/feedback/adoptions/{adoption.pk}/delete/")
    assert page.status_code == 200 and 'id="delete-confirmation"' in page.content.decode()
    assert Adoption.objects.filter(pk=adoption.pk).exists()
    client.post(f"/opinions/feedback/adoptions/{adoption.pk}/delete/", {"confirm_delete": "1"})
    assert not Adoption.objects.exists()
    assert not DutyRecord.objects.filter(kind="opinion.adopted.city").exists()
    assert AuditEvent.objects.filter(event="opinions.adoption_deleted", actor=editor).exists()


def test_the_leader_does_not_delete(client, reported, editor, leader):
    instruction = services.add_instruction(
        report=reported, actor=editor, level="county", leader_post="县长", text="阅。", instructed_on=DAY
    )
    client.force_login(leader)
    assert (
        client.post(
            f"/opinions/feedback/instructions/{instruction.pk}/delete/", {"confirm_delete": "1"}
        ).status_code
        == 403
    )
    assert Instruction.objects.exists()


# --- the handling unit's pages ----------------------------------------------------------------------


def test_the_department_finds_signs_and_replies(client, transfer, reported, handling_unit, author):
    client.force_login(handling_unit)
    home = client.get("/").content.decode()
    assert 'id="home-transfers"' in home and reported.current_title in home
    assert "/opinions/transfers/" in home  # the menu entry and the card's links

    listing = client.get("/opinions/transfers/").content.decode()
    assert reported.current_title in listing
    page = client.get(f"/opinions/transfers/{transfer.pk}/").content.decode()
    assert reported.current_body in page and "请研究答复。" in page and 'id="sign"' in page

    client.post(f"/opinions/transfers/{transfer.pk}/sign/")
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.SIGNED

    document = SimpleUploadedFile("答复函.pdf", PDF, content_type="application/pdf")
    response = client.post(
        f"/opinions/transfers/{transfer.pk}/reply/", {"reply": "已安排专项整治。", "document": document}
    )
    assert response.status_code == 302
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.REPLIED and transfer.original_name == "答复函.pdf"

    # The department, the staff and the report's authors open the reply document.
    assert client.get(f"/opinions/transfers/{transfer.pk}/document/").status_code == 200
    client.force_login(author.user)
    download = client.get(f"/opinions/transfers/{transfer.pk}/document/")
    assert download.status_code == 200 and body(download).startswith("%PDF")


def test_a_refused_upload_keeps_the_reply_text(client, transfer, handling_unit):
    client.force_login(handling_unit)
    fake = SimpleUploadedFile("答复.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    response = client.post(
        f"/opinions/transfers/{transfer.pk}/reply/", {"reply": "答复正文保留", "document": fake}
    )
    assert response.status_code == 400
    assert "答复正文保留" in response.content.decode()
    transfer.refresh_from_db()
    assert transfer.status == Transfer.Status.SENT


def test_the_department_sees_nothing_else(
    client, transfer, reported, make_report, editor, handling_unit, committee
):
    other_report = make_report(Status.REPORTED, reported_on=DAY, reported_to="县委", title="别的部门的事")
    elsewhere = services.transfer_report(
        report=other_report,
        actor=editor,
        department=DepartmentFactory(committee=committee),
        transferred_on=DAY,
    )
    second_of_same_report = services.transfer_report(
        report=reported, actor=editor, department=DepartmentFactory(committee=committee), transferred_on=DAY
    )
    client.force_login(handling_unit)
    listing = client.get("/opinions/transfers/").content.decode()
    assert "别的部门的事" not in listing
    for other in (elsewhere, second_of_same_report):
        assert client.get(f"/opinions/transfers/{other.pk}/").status_code == 404
        assert client.post(f"/opinions/transfers/{other.pk}/sign/").status_code == 404
    # Nor the reports themselves, nor their feedback pages.
    assert client.get(reported.get_absolute_url()).status_code == 404
    assert client.get(other_report.get_absolute_url()).status_code == 404
    assert (
        client.post(f"/opinions/feedback/{reported.pk}/adoptions/add/", _adoption_form()).status_code == 404
    )


def test_members_and_strangers_have_no_transfer_pages(client, transfer, author, foreign_editor):
    client.force_login(author.user)
    assert client.get("/opinions/transfers/").status_code == 403
    assert client.get(f"/opinions/transfers/{transfer.pk}/").status_code == 404
    client.force_login(foreign_editor)
    assert client.get(f"/opinions/transfers/{transfer.pk}/").status_code == 404
    assert client.get(f"/opinions/transfers/{transfer.pk}/document/").status_code == 404


def test_the_editor_records_a_paper_reply(client, transfer, editor, author):
    client.force_login(editor)
    page = client.get(f"/opinions/transfers/{transfer.pk}/").content.decode()
    assert "/paper-reply/" in page and 'id="sign"' not in page
    response = client.post(
        f"/opinions/transfers/{transfer.pk}/paper-reply/",
        {"paper-replied_on": "2026-07-20", "paper-reply": "来函已收悉，正在办理。"},
    )
    assert response.status_code == 302
    transfer.refresh_from_db()
    assert transfer.on_paper and transfer.replied_on == datetime.date(2026, 7, 20)
    client.force_login(author.user)
    assert "来函已收悉，正在办理。" in client.get(transfer.report.get_absolute_url()).content.decode()


def test_the_transfer_list_costs_the_same_queries_for_few_and_many(
    client, reported, editor, department, handling_unit
):
    def transfer(n):
        for _ in range(n):
            services.transfer_report(report=reported, actor=editor, department=department, transferred_on=DAY)

    client.force_login(handling_unit)
    transfer(2)
    client.get("/opinions/transfers/")
    client.get("/")
    with capture_queries() as small_list:
        client.get("/opinions/transfers/")
    with capture_queries() as small_home:
        client.get("/")
    transfer(10)
    with capture_queries() as large_list:
        client.get("/opinions/transfers/")
    with capture_queries() as large_home:
        client.get("/")
    assert_same_query_count(small_list, large_list)
    assert_same_query_count(small_home, large_home)
