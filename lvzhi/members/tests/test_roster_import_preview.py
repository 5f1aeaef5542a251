"""What the roster import's preview tells before anything is written (issue 10, defects 3 and 11d):
the columns it will not read, what each new file will hold, and the template's sample row left out."""

import datetime
import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook, load_workbook

from lvzhi.core import idcard
from lvzhi.factories import OrgUnitFactory
from lvzhi.members import roster_import, roster_template
from lvzhi.members.models import Member, RosterImport
from lvzhi.organization.models import OrgUnit

GOOD_ID = idcard.make("990101", datetime.date(1975, 3, 1), 11)


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def units(committee):
    OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.SECTOR, name="教育界")
    OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.TOWN_COMMITTEE, name="城关镇政协工委")


@pytest.fixture
def office_client(client, office, term, units):
    client.force_login(office)
    return client


def workbook_file(rows, name="委员名单.xlsx"):
    workbook = Workbook()
    sheet = workbook.active
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def upload(client, file, capture):
    with capture(execute=True):
        response = client.post(reverse("members:import"), {"file": file})
    assert response.status_code == 302
    return RosterImport.objects.get(pk=int(response.url.rstrip("/").split("/")[-1]))


# --- unknown columns -----------------------------------------------------------------------------


def test_a_column_the_import_does_not_know_is_named_with_its_letter(committee, term, units):
    rows = [
        ["序号", "姓名", "性别", "身份证号码", "所在镇（区）", "界别", "爱好"],
        [1, "张三", "男", GOOD_ID, "城关镇", "教育界", "书法"],
    ]
    table = roster_import.read_roster(io.BytesIO(workbook_file(rows).read()), "名单.xlsx")
    assert table.unknown_columns == [("E", "所在镇（区）"), ("G", "爱好")]  # 序号 is expected and silent
    plan = roster_import.plan_import(committee=committee, table=table)
    assert plan.unknown_columns == [("E", "所在镇（区）"), ("G", "爱好")]
    assert plan.counts()["create"] == 1


def test_the_preview_warns_of_unknown_columns(office_client, django_capture_on_commit_callbacks):
    rows = [
        ["姓名", "性别", "身份证号码", "所在镇（区）"],
        ["张三", "男", GOOD_ID, "城关镇"],
    ]
    job = upload(office_client, workbook_file(rows), django_capture_on_commit_callbacks)
    assert job.status == RosterImport.Status.PREVIEW
    html = office_client.get(reverse("members:import_detail", args=[job.pk])).content.decode()
    assert 'id="import-unknown-columns"' in html
    assert "所在镇（区）" in html and "D 列" in html


# --- what a new file will hold -------------------------------------------------------------------


def test_the_preview_shows_what_each_new_file_will_hold_with_numbers_masked(
    office_client, django_capture_on_commit_callbacks
):
    rows = [
        ["姓名", "性别", "身份证号码", "界别", "所属工委", "工作单位及职务", "手机号码"],
        ["李四", "男", GOOD_ID, "教育界", "城关镇", "县一中校长", "13912345678"],
    ]
    job = upload(office_client, workbook_file(rows), django_capture_on_commit_callbacks)
    created = job.preview["create"][0]
    written = {c["field"]: c["new"] for c in created["changes"]}
    assert written["employer_post"] == "县一中校长"
    assert written["term.sector"] == "教育界"
    assert written["term.town_committee"] == "城关镇政协工委"
    assert written["phone"] == "139****5678"
    assert GOOD_ID not in str(job.preview) and "13912345678" not in str(job.preview)
    html = office_client.get(reverse("members:import_detail", args=[job.pk])).content.decode()
    assert 'id="import-creates"' in html
    assert "县一中校长" in html and "139****5678" in html
    assert GOOD_ID not in html


# --- the template's sample row -------------------------------------------------------------------


def test_the_templates_sample_row_is_marked(committee):
    sheet = roster_template.build(committee=committee).worksheets[0]
    headers = [c.value for c in sheet[1]]
    sample = [c.value for c in sheet[2]]
    assert sample[headers.index("备注")].startswith("示例")
    assert sheet.cell(row=2, column=1).fill.fgColor.rgb.endswith("D9D9D9")  # grey


def test_a_template_left_with_its_sample_row_skips_it_and_says_so(
    office_client, committee, django_capture_on_commit_callbacks
):
    workbook = roster_template.build(committee=committee)
    sheet = workbook.worksheets[0]
    headers = [c.value for c in sheet[1]]
    other = idcard.make("990101", datetime.date(1980, 6, 2), 22)
    row = dict.fromkeys(headers, None) | {"姓名": "李丽", "性别": "女", "身份证号码": other, "界别": "教育界"}
    for col, header in enumerate(headers, start=1):
        sheet.cell(row=3, column=col, value=row[header])
    buffer = io.BytesIO()
    workbook.save(buffer)
    job = upload(
        office_client, SimpleUploadedFile("模板.xlsx", buffer.getvalue()), django_capture_on_commit_callbacks
    )
    assert job.preview["counts"] == {"create": 1, "update": 0, "unchanged": 0, "error": 0}
    assert [r["name"] for r in job.preview["create"]] == ["李丽"]
    html = office_client.get(reverse("members:import_detail", args=[job.pk])).content.decode()
    assert "第2行为模板示例，已跳过" in html
    with django_capture_on_commit_callbacks(execute=True):
        office_client.post(reverse("members:import_confirm", args=[job.pk]), {"mode": "valid"})
    assert list(Member.objects.values_list("name", flat=True)) == ["李丽"]


def test_a_real_person_on_row_2_is_not_taken_for_the_sample(
    office_client, django_capture_on_commit_callbacks
):
    rows = [["姓名", "性别", "身份证号码", "备注"], ["张三", "男", GOOD_ID, ""]]
    job = upload(office_client, workbook_file(rows), django_capture_on_commit_callbacks)
    assert job.preview["counts"]["create"] == 1
    assert not job.preview.get("notes")


def test_the_downloaded_template_reads_back(office_client):
    response = office_client.get(reverse("members:import_template"))
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.worksheets[0]["A2"].value == "张三"
