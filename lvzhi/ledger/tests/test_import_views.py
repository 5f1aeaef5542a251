"""The pages of the duty-record import: list and upload, preview, confirm, discard, undo, template; the
permission and committee matrix."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from lvzhi.accounts.roles import Role
from lvzhi.factories import MemberFactory, UserFactory
from lvzhi.ledger import import_services
from lvzhi.ledger.models import DutyImport, DutyRecord

HEADER = ["身份证号", "姓名", "日期", "类型", "事项", "角色", "备注"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def members(committee):
    return [MemberFactory(committee=committee, name=name) for name in ("张三", "李四")]


def xlsx(rows, name="履职.xlsx"):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def rows_for(members):
    a, b = members
    return [
        [a.id_number, "", "2026-02-01", "提交提案", "关于乡村教师的提案", "领衔", ""],
        [b.id_number, "", "2026-02-01", "提交提案", "关于乡村教师的提案", "联名", ""],
        ["", "王二麻", "2026-02-01", "视察", "", "", ""],
    ]


@pytest.fixture
def office_client(client, office):
    client.force_login(office)
    return client


def upload(client, file):
    response = client.post(reverse("ledger:import_new"), {"file": file})
    assert response.status_code == 302, response.content.decode()[:2000]
    return DutyImport.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))


@pytest.mark.usefixtures("english")
def test_upload_preview_confirm_and_undo_through_the_pages(
    office_client, members, django_capture_on_commit_callbacks
):
    page = office_client.get(reverse("ledger:imports"))
    assert page.status_code == 200 and reverse("ledger:import_template") in page.content.decode()

    job = upload(office_client, xlsx(rows_for(members)))
    html = office_client.get(reverse("ledger:import_detail", args=[job.pk])).content.decode()
    assert "Row 4" in html and "姓名" in html and "王二麻" in html
    assert members[0].masked_id_number in html and members[0].id_number not in html
    assert "Proposal submitted" in html  # counts by kind, labelled
    assert 'id="import-confirm"' in html and "data-confirm" in html

    with django_capture_on_commit_callbacks(execute=True):
        response = office_client.post(reverse("ledger:import_confirm", args=[job.pk]), {"mode": "valid"})
    assert response.status_code == 302
    job.refresh_from_db()
    assert job.status == DutyImport.Status.IMPORTED and DutyRecord.objects.count() == 2
    html = office_client.get(reverse("ledger:import_detail", args=[job.pk])).content.decode()
    assert 'id="import-undo"' in html and 'id="import-confirm"' not in html
    listing = office_client.get(reverse("ledger:imports")).content.decode()
    assert "履职.xlsx" in listing

    office_client.post(reverse("ledger:import_undo", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == DutyImport.Status.UNDONE and not DutyRecord.objects.exists()
    html = office_client.get(reverse("ledger:import_detail", args=[job.pk])).content.decode()
    assert 'id="import-undo"' not in html


@pytest.mark.usefixtures("english")
def test_all_or_nothing_from_the_page_writes_nothing(office_client, members):
    job = upload(office_client, xlsx(rows_for(members)))
    response = office_client.post(
        reverse("ledger:import_confirm", args=[job.pk]), {"mode": "all"}, follow=True
    )
    assert "1 rows have errors; nothing was imported" in response.content.decode()
    job.refresh_from_db()
    assert job.status == DutyImport.Status.PREVIEW and not DutyRecord.objects.exists()


@pytest.mark.usefixtures("english")
def test_discard_from_the_page(office_client, members):
    job = upload(office_client, xlsx(rows_for(members)))
    office_client.post(reverse("ledger:import_discard", args=[job.pk]))
    job.refresh_from_db()
    assert job.status == DutyImport.Status.DISCARDED and not job.file
    response = office_client.post(reverse("ledger:import_confirm", args=[job.pk]), follow=True)
    assert "no longer waiting" in response.content.decode() and not DutyRecord.objects.exists()


def test_a_file_that_is_not_a_spreadsheet_is_refused_in_chinese(office_client):
    response = office_client.post(
        reverse("ledger:import_new"), {"file": SimpleUploadedFile("notes.txt", b"\x00\x01\x02binary" * 10)}
    )
    assert response.status_code == 400
    assert "该文件不是电子表格" in response.content.decode()
    assert not DutyImport.objects.exists()


def test_the_template_downloads_with_its_instructions(office_client):
    response = office_client.get(reverse("ledger:import_template"))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["履职记录", "说明"]
    assert [c.value for c in workbook["履职记录"][1]] == [
        "身份证号",
        "姓名",
        "界别",
        "日期",
        "类型",
        "事项",
        "角色",
        "备注",
    ]


@pytest.fixture
def a_job(committee, office, members):
    return import_services.start(committee=committee, uploaded_file=xlsx(rows_for(members)), actor=office)


@pytest.mark.parametrize(
    "role", [Role.LEADER, Role.UNIT_STAFF, Role.MEMBER, Role.EDITOR, Role.SYSADMIN, Role.AUDITOR]
)
def test_without_the_right_every_page_is_forbidden(client, role_user, role, a_job):
    client.force_login(role_user(role))
    for name in ("ledger:imports", "ledger:import_template"):
        assert client.get(reverse(name)).status_code == 403
    assert client.post(reverse("ledger:import_new"), {"file": xlsx([])}).status_code == 403
    assert client.get(reverse("ledger:import_detail", args=[a_job.pk])).status_code == 403
    for name in ("ledger:import_confirm", "ledger:import_discard", "ledger:import_undo"):
        assert client.post(reverse(name, args=[a_job.pk])).status_code == 403
    a_job.refresh_from_db()
    assert a_job.status == DutyImport.Status.PREVIEW and not DutyRecord.objects.exists()


def test_another_committees_office_gets_404(client, other_committee, a_job):
    client.force_login(UserFactory(committee=other_committee, role=Role.OFFICE))
    assert client.get(reverse("ledger:import_detail", args=[a_job.pk])).status_code == 404
    for name in ("ledger:import_confirm", "ledger:import_discard", "ledger:import_undo"):
        assert client.post(reverse(name, args=[a_job.pk])).status_code == 404
    assert a_job.original_name not in client.get(reverse("ledger:imports")).content.decode()
    a_job.refresh_from_db()
    assert a_job.status == DutyImport.Status.PREVIEW


def test_anonymous_is_sent_to_sign_in(client, a_job):
    response = client.get(reverse("ledger:import_detail", args=[a_job.pk]))
    assert response.status_code == 302 and "login" in response.url


def test_steps_are_post_only(office_client, a_job):
    for name in ("ledger:import_confirm", "ledger:import_discard", "ledger:import_undo"):
        assert office_client.get(reverse(name, args=[a_job.pk])).status_code == 405
    assert office_client.get(reverse("ledger:import_new")).status_code == 405


def test_the_list_queries_do_not_grow_with_imports(
    office_client, committee, office, members, django_assert_max_num_queries
):
    for _ in range(3):
        import_services.start(committee=committee, uploaded_file=xlsx(rows_for(members)), actor=office)
    office_client.get(reverse("ledger:imports"))
    with django_assert_max_num_queries(12) as few:
        office_client.get(reverse("ledger:imports"))
    for _ in range(10):
        import_services.start(committee=committee, uploaded_file=xlsx(rows_for(members)), actor=office)
    with django_assert_max_num_queries(len(few.captured_queries)):
        office_client.get(reverse("ledger:imports"))
