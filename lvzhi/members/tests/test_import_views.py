"""The web side of the roster import: upload, background check, preview by row and column, confirm."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from lvzhi.accounts.roles import Role
from lvzhi.core import idcard
from lvzhi.core.models import AuditEvent
from lvzhi.factories import OrgUnitFactory, UserFactory
from lvzhi.members.models import Member, MemberChange, RosterImport
from lvzhi.organization.models import OrgUnit

GOOD_ID = idcard.make("990101", datetime.date(1975, 3, 1), 11)  # male
OTHER_ID = idcard.make("990101", datetime.date(1980, 6, 2), 22)  # female
BAD_ID = GOOD_ID[:-1] + ("0" if GOOD_ID[-1] != "0" else "1")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def units(committee):
    return {
        "sector": OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.SECTOR, name="教育界"),
        "town": OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.TOWN_COMMITTEE, name="城关镇政协工委"),
    }


def roster(rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["政协青溪县第九届委员会委员名单"])
    sheet.append(["姓名", "性别", "身份证号码", "界别", "所属工委", "工作单位及职务", "手机号码"])
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile("委员名单.xlsx", buffer.getvalue())


ROWS = [
    ["张三", "男", GOOD_ID, "教育", "城关镇", "县一中校长", "13900000001"],
    ["李丽", "女", OTHER_ID, "教育界", "城关镇政协工委", "县医院医生", "13900000002"],
    ["王五", "男", BAD_ID, "教育界", "城关镇", "县二中教师", "13900000003"],
]


@pytest.fixture
def office_client(client, office, term, units, django_capture_on_commit_callbacks):
    client.force_login(office)
    return client


def upload(client, file, capture):
    with capture(execute=True):
        response = client.post(reverse("members:import"), {"file": file})
    assert response.status_code == 302
    return RosterImport.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))


def test_it_previews_creates_and_errors_by_row_and_column_and_writes_nothing(
    office_client, django_capture_on_commit_callbacks
):
    job = upload(office_client, roster(ROWS), django_capture_on_commit_callbacks)
    assert job.status == RosterImport.Status.PREVIEW
    assert job.preview["counts"] == {"create": 2, "update": 0, "unchanged": 0, "error": 1}
    html = office_client.get(reverse("members:import_detail", args=[job.pk])).content.decode()
    assert "王五" in html and "身份证号码" in html
    error = job.preview["error"][0]
    assert error["row"] == 5  # title row, header row, then the third data row
    assert error["issues"][0]["column"] == "身份证号码"
    assert not Member.objects.exists()


def test_importing_the_valid_rows(office_client, office, django_capture_on_commit_callbacks):
    job = upload(office_client, roster(ROWS), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        office_client.post(reverse("members:import_confirm", args=[job.pk]), {"mode": "valid"})
    job.refresh_from_db()
    assert job.status == RosterImport.Status.DONE
    assert job.result["created"] == 2
    assert set(Member.objects.values_list("name", flat=True)) == {"张三", "李丽"}
    assert MemberChange.objects.filter(source=MemberChange.Source.IMPORT).count() == 2
    assert AuditEvent.objects.filter(action="import", actor=office).exists()


def test_all_or_nothing_imports_nothing_when_a_row_is_wrong(
    office_client, django_capture_on_commit_callbacks
):
    job = upload(office_client, roster(ROWS), django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        office_client.post(reverse("members:import_confirm", args=[job.pk]), {"mode": "all"})
    job.refresh_from_db()
    assert job.status == RosterImport.Status.FAILED
    assert not Member.objects.exists()


def test_the_same_file_twice_changes_nothing_the_second_time(
    office_client, django_capture_on_commit_callbacks
):
    for expected_created in (2, 0):
        job = upload(office_client, roster(ROWS[:2]), django_capture_on_commit_callbacks)
        with django_capture_on_commit_callbacks(execute=True):
            office_client.post(reverse("members:import_confirm", args=[job.pk]), {"mode": "valid"})
        job.refresh_from_db()
        assert job.result["created"] == expected_created
    assert job.preview["counts"]["unchanged"] == 2
    assert Member.objects.count() == 2


def test_confirming_twice_imports_once(office_client, django_capture_on_commit_callbacks):
    job = upload(office_client, roster(ROWS[:1]), django_capture_on_commit_callbacks)
    url = reverse("members:import_confirm", args=[job.pk])
    with django_capture_on_commit_callbacks(execute=True):
        office_client.post(url, {"mode": "valid"})
        office_client.post(url, {"mode": "valid"})
    assert Member.objects.count() == 1


def test_a_file_that_is_not_excel_is_refused_on_upload(office_client):
    response = office_client.post(
        reverse("members:import"), {"file": SimpleUploadedFile("名单.xlsx", b"hello")}
    )
    assert response.status_code == 200
    assert "file" in response.context["form"].errors
    assert not RosterImport.objects.exists()


def test_the_progress_fragment_shows_the_bar_while_running_and_refreshes_after(
    office_client, office, committee
):
    job = RosterImport.objects.create(
        committee=committee,
        created_by=office,
        file="x.xlsx",
        original_name="x.xlsx",
        progress_done=30,
        progress_total=120,
    )
    response = office_client.get(reverse("members:import_progress", args=[job.pk]))
    assert 'style="width: 25%"' in response.content.decode()
    RosterImport.objects.filter(pk=job.pk).update(status=RosterImport.Status.PREVIEW)
    response = office_client.get(reverse("members:import_progress", args=[job.pk]))
    assert response["HX-Refresh"] == "true"


def test_the_template_has_the_columns_an_example_and_instructions(office_client):
    response = office_client.get(reverse("members:import_template"))
    workbook = load_workbook(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    sheet = workbook.worksheets[0]
    headers = [c.value for c in sheet[1]]
    assert headers[0] == "姓名" and "身份证号码" in headers
    assert sheet.cell(row=2, column=headers.index("身份证号码") + 1).number_format == "@"
    assert idcard.parse(sheet.cell(row=2, column=headers.index("身份证号码") + 1).value)
    assert len(workbook.worksheets) == 3


@pytest.mark.parametrize("role", [Role.LEADER, Role.UNIT_STAFF, Role.MEMBER, Role.SYSADMIN])
def test_roles_that_cannot_create_members_cannot_import(client, make_user, role):
    client.force_login(make_user(role))
    assert client.get(reverse("members:import")).status_code == 403
    assert client.get(reverse("members:import_template")).status_code == 403


def test_another_committees_import_is_invisible(client, office, committee, other_committee):
    job = RosterImport.objects.create(
        committee=committee, created_by=office, file="x.xlsx", original_name="x.xlsx"
    )
    client.force_login(UserFactory(committee=other_committee, role=Role.OFFICE))
    assert client.get(reverse("members:import_detail", args=[job.pk])).status_code == 404
    assert client.post(reverse("members:import_confirm", args=[job.pk]), {"mode": "valid"}).status_code == 404
