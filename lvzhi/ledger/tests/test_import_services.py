"""The duty-record import engine and services: reading, row errors by row and column, the records
written through sync_records, undo, discard, the sealed file, the audit, the query count."""

import datetime
import io
import json
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from openpyxl import Workbook

from lvzhi.core import crypto, retention
from lvzhi.core.models import AuditEvent
from lvzhi.core.uploads import UploadRefused
from lvzhi.factories import MemberFactory, MemberTermFactory, OrgUnitFactory
from lvzhi.ledger import import_services, import_template, importing, kinds
from lvzhi.ledger.models import DutyImport, DutyImportItem, DutyRecord
from lvzhi.ledger.services import Fact, sync_records
from lvzhi.organization.models import OrgUnit

pytestmark = pytest.mark.usefixtures("english")

HEADER = ["身份证号", "姓名", "界别", "日期", "类型", "事项", "角色", "备注"]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def world(committee, term, other_committee):
    education = OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.SECTOR, name="教育界")
    health = OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.SECTOR, name="医药卫生界")
    a = MemberFactory(committee=committee, name="张三")
    b = MemberFactory(committee=committee, name="李四")
    c = MemberFactory(committee=committee, name="王五")
    twin1 = MemberFactory(committee=committee, name="刘一")
    twin2 = MemberFactory(committee=committee, name="刘一")
    MemberTermFactory(member=a, term=term, sector=education)
    MemberTermFactory(member=b, term=term, sector=health)
    MemberTermFactory(member=c, term=term, sector=education)
    MemberTermFactory(member=twin1, term=term, sector=education)
    MemberTermFactory(member=twin2, term=term, sector=health)
    stranger = MemberFactory(committee=other_committee, name="外人")
    return {"a": a, "b": b, "c": c, "twin1": twin1, "twin2": twin2, "stranger": stranger}


def xlsx(rows, *, title=True, name="2026年履职记录.xlsx", header=HEADER):
    workbook = Workbook()
    sheet = workbook.active
    if title:
        sheet.append(["政协本县委员会2026年委员履职情况登记表"])
        sheet.append([])
    sheet.append(header)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def start(committee, office, upload):
    return import_services.start(committee=committee, uploaded_file=upload, actor=office)


def test_a_joint_proposal_is_one_item_and_its_records_are_exact(world, committee, office):
    a, b, c = world["a"], world["b"], world["c"]
    rows = [
        [
            a.id_number,
            "张三",
            "",
            datetime.datetime(2026, 1, 10),
            "提交提案",
            "关于乡村教师的提案",
            "第一提案人",
            "纸质",
        ],
        [b.id_number, "", "", "2026.1.10", "proposal.submitted", "关于乡村教师的提案", "附议", ""],
        [None, "王五", "教育", "2026年3月5日", "Plenary session: present", None, None, "补录"],
        [c.id_number, None, None, "2026-03-06", "报送社情民意信息", "", "", ""],
    ]
    job = start(committee, office, xlsx(rows))
    assert job.status == DutyImport.Status.PREVIEW
    assert job.preview["errors"] == []
    assert (job.preview["rows"], job.preview["valid"], job.preview["error_rows"]) == (4, 4, 0)
    assert job.preview["items"] == 3 and job.preview["joint_items"] == 1
    assert job.preview["by_kind"] == {
        "proposal.submitted": 2,
        "attendance.plenary.present": 1,
        "opinion.submitted": 1,
    }
    assert job.preview["by_year"] == {"2026": 4}
    assert not DutyRecord.objects.exists()

    import_services.confirm(job=job, valid_only=True, actor=office)
    job.refresh_from_db()
    assert job.status == DutyImport.Status.IMPORTED and not job.file
    assert job.result == {"records": 4, "items": 3, "members": 3, "rows": 4, "errors": 0}
    items = list(DutyImportItem.objects.filter(job=job).order_by("first_row"))
    assert [(i.key, i.first_row) for i in items] == [("t:关于乡村教师的提案", 4), ("r:6", 6), ("r:7", 7)]
    assert items[0].label == "导入：关于乡村教师的提案 (2026年履职记录.xlsx)"
    assert items[1].label == "导入：全体会议：出席 (2026年履职记录.xlsx)"
    got = {
        (r.member_id, r.kind, r.date, r.role, r.share, r.note, r.source_id, r.source_label)
        for r in DutyRecord.objects.all()
    }
    assert got == {
        (
            a.pk,
            "proposal.submitted",
            datetime.date(2026, 1, 10),
            "lead",
            Decimal("1"),
            "纸质",
            items[0].pk,
            items[0].label,
        ),
        (
            b.pk,
            "proposal.submitted",
            datetime.date(2026, 1, 10),
            "co",
            Decimal("1"),
            "",
            items[0].pk,
            items[0].label,
        ),
        (
            c.pk,
            "attendance.plenary.present",
            datetime.date(2026, 3, 5),
            "",
            Decimal("1"),
            "补录",
            items[1].pk,
            items[1].label,
        ),
        (
            c.pk,
            "opinion.submitted",
            datetime.date(2026, 3, 6),
            "",
            Decimal("1"),
            "",
            items[2].pk,
            items[2].label,
        ),
    }
    assert all(r.recorded_by == office and r.committee == committee for r in DutyRecord.objects.all())
    events = list(
        AuditEvent.objects.filter(event__startswith="ledger.import")
        .order_by("pk")
        .values_list("event", "params")
    )
    assert events == [
        ("ledger.import_uploaded", {"file": "2026年履职记录.xlsx"}),
        ("ledger.import_confirmed", {"file": "2026年履职记录.xlsx", "records": 4}),
    ]
    # What the batch wrote is what sync_records would write: syncing an item again changes nothing.
    facts = [
        Fact(r.member, r.kind, r.date, role=r.role, share=r.share, note=r.note)
        for r in DutyRecord.objects.filter(source_id=items[0].pk).select_related("member")
    ]
    assert not sync_records(source=items[0], committee=committee, facts=facts, actor=office).changed


def errors_of(job):
    return {(e["row"], e["column"]): e["message"] for e in job.preview["errors"]}


def test_every_row_error_names_its_row_and_column(world, committee, office):
    a, b, stranger = world["a"], world["b"], world["stranger"]
    bad_check = a.id_number[:-1] + ("0" if a.id_number[-1] != "0" else "1")
    rows = [
        [bad_check, "", "", "2026-01-05", "视察", "", "", ""],  # row 4
        [1.10105e17, "", "", "2026-01-05", "视察", "", "", ""],  # row 5: Excel made it a number
        [stranger.id_number, "", "", "2026-01-05", "视察", "", "", ""],  # row 6: another committee's
        [a.id_number, "李四", "", "2026-01-05", "视察", "", "", ""],  # row 7: the ID is 张三's
        ["", "刘一", "", "2026-01-05", "视察", "", "", ""],  # row 8: two members are called 刘一
        ["", "赵钱", "", "2026-01-05", "视察", "", "", ""],  # row 9: nobody
        ["", "张三", "天文界", "2026-01-05", "视察", "", "", ""],  # row 10: no such sector
        ["", "", "", "2026-01-05", "视察", "", "", "只有备注"],  # row 11: nobody named
        [a.id_number, "", "", "2026-02-30", "视察", "", "", ""],  # row 12: no such day
        [a.id_number, "", "", "下个月", "视察", "", "", ""],  # row 13: not a date
        [a.id_number, "", "", "2099-01-01", "视察", "", "", ""],  # row 14: future
        [a.id_number, "", "", "", "视察", "", "", "x"],  # row 15: empty date
        [a.id_number, "", "", "2026-01-05", "全体会议出息", "", "", ""],  # row 16: a typo
        [a.id_number, "", "", "2026-01-05", "", "", "", "x"],  # row 17: empty kind
        [a.id_number, "", "", "2026-01-05", "提交提案", "提案甲", "主任", ""],  # row 18: not a role
        [a.id_number, "", "", "2026-01-05", "提交提案", "提案乙", "领衔", ""],  # row 19
        [a.id_number, "", "", "2026-01-06", "提交提案", "提案乙", "联名", ""],  # row 20: twice in one item
        [b.id_number, "", "", "2026-01-05", "视察", "", "", "长" * 256],  # row 21: note too long
        ["", "刘一", "医药卫生", "2026-01-05", "视察", "", "", ""],  # row 22: the sector tells them apart
    ]
    job = start(committee, office, xlsx(rows))
    errors = errors_of(job)
    assert set(errors) == {
        (4, "身份证号"),
        (5, "身份证号"),
        (6, "身份证号"),
        (7, "姓名"),
        (8, "姓名"),
        (9, "姓名"),
        (10, "界别"),
        (11, "身份证号"),
        (12, "日期"),
        (13, "日期"),
        (14, "日期"),
        (15, "日期"),
        (16, "类型"),
        (17, "类型"),
        (18, "角色"),
        (20, "身份证号"),
        (21, "备注"),
    }
    assert "check digit" in errors[(4, "身份证号")]
    assert "Excel turned this ID number into a number" in errors[(5, "身份证号")]
    assert errors[(6, "身份证号")] == "No member of this committee has this ID number."
    assert errors[(7, "姓名")] == "The ID number belongs to 张三, not to 李四."
    assert errors[(8, "姓名")].startswith("2 members of this committee are called 刘一")
    assert errors[(9, "姓名")] == "No member of this committee is called 赵钱."
    assert "天文界" in errors[(10, "界别")]
    assert "not a real date" in errors[(12, "日期")]
    assert "is not a date" in errors[(13, "日期")]
    assert errors[(14, "日期")] == "2099-01-01 is in the future."
    assert errors[(15, "日期")] == "The date is empty."
    assert "全体会议：出席" in errors[(16, "类型")] and "Did you mean" in errors[(16, "类型")]
    assert "主任" in errors[(18, "角色")]
    assert errors[(20, "身份证号")] == "Row 19 already gives this member and kind for the same item."
    assert (job.preview["rows"], job.preview["valid"], job.preview["error_rows"]) == (19, 2, 17)
    assert [r["row"] for r in job.preview["sample"]] == [19, 22]
    assert job.preview["sample"][1]["name"] == "刘一" and job.preview["sample"][1]["id_number"] == (
        world["twin2"].masked_id_number
    )


def test_all_or_nothing_refuses_a_file_with_errors_and_writes_nothing(world, committee, office):
    a = world["a"]
    rows = [
        [a.id_number, "", "", "2026-01-05", "视察", "", "", ""],
        ["", "无名氏", "", "2026-01-05", "视察", "", "", ""],
    ]
    job = start(committee, office, xlsx(rows))
    with pytest.raises(ValidationError):
        import_services.confirm(job=job, valid_only=False, actor=office)
    job.refresh_from_db()
    assert job.status == DutyImport.Status.PREVIEW and job.file
    assert not DutyRecord.objects.exists() and not DutyImportItem.objects.exists()
    import_services.confirm(job=job, valid_only=True, actor=office)
    assert job.result["records"] == 1 and job.result["errors"] == 1
    with pytest.raises(ValidationError):  # a second click
        import_services.confirm(job=job, valid_only=True, actor=office)
    assert DutyRecord.objects.count() == 1


def test_undo_retracts_exactly_the_import_and_the_file_can_be_imported_again(
    world, committee, office, source
):
    a, b = world["a"], world["b"]
    sync_records(
        source=source, committee=committee, facts=[Fact(a, "activity.inspection", datetime.date(2026, 1, 5))]
    )
    rows = [
        [a.id_number, "", "", "2026-01-05", "视察", "", "", ""],
        [b.id_number, "", "", "2026-01-05", "视察", "", "", ""],
        [a.id_number, "", "", "2026-02-01", "提交提案", "提案甲", "领衔", ""],
        [b.id_number, "", "", "2026-02-01", "提交提案", "提案甲", "联名", ""],
    ]
    upload = xlsx(rows)
    job = start(committee, office, upload)
    # Row 4 repeats a record the ledger already holds: valid, with a warning.
    assert job.preview["warnings"] == [
        {"row": 4, "message": "The ledger already has a record of this kind for this member on this day."}
    ]
    import_services.confirm(job=job, valid_only=True, actor=office)
    assert DutyRecord.objects.count() == 5

    upload.seek(0)
    again = start(committee, office, upload)
    assert again.preview["same_file"]["pk"] == job.pk
    import_services.discard(job=again, actor=office)

    import_services.undo(job=job, actor=office)
    job.refresh_from_db()
    assert job.status == DutyImport.Status.UNDONE and job.undone_by == office and job.undone_at
    assert job.result["retracted"] == 4
    assert list(DutyRecord.objects.values_list("source_id", flat=True)) == [source.pk]
    assert DutyImportItem.objects.filter(job=job).count() == 3  # the history stays
    assert AuditEvent.objects.filter(event="ledger.import_undone", params__records=4).exists()
    with pytest.raises(ValidationError):
        import_services.undo(job=job, actor=office)

    upload.seek(0)
    third = start(committee, office, upload)
    assert "same_file" not in third.preview
    import_services.confirm(job=third, valid_only=True, actor=office)
    assert DutyRecord.objects.count() == 5


def test_the_file_waits_sealed_and_is_deleted_on_discard(
    world, committee, office, django_capture_on_commit_callbacks
):
    upload = xlsx([[world["a"].id_number, "", "", "2026-01-05", "视察", "", "", ""]])
    plain = upload.read()
    upload.seek(0)
    job = start(committee, office, upload)
    storage = job.file.storage
    name = job.file.name
    with job.file.open("rb") as handle:
        sealed = handle.read()
    assert sealed != plain and world["a"].id_number.encode() not in sealed
    assert crypto.decrypt_bytes(sealed, context=import_services.FILE_CONTEXT) == plain
    assert job.file_sha256 and job.file_bytes == len(plain)
    with django_capture_on_commit_callbacks(execute=True):
        import_services.discard(job=job, actor=office)
    job.refresh_from_db()
    assert job.status == DutyImport.Status.DISCARDED and not job.file and not storage.exists(name)
    assert not DutyRecord.objects.exists()
    assert AuditEvent.objects.filter(event="ledger.import_discarded").exists()
    with pytest.raises(ValidationError):
        import_services.confirm(job=job, valid_only=True, actor=office)


def test_the_file_is_deleted_once_the_import_is_committed(
    world, committee, office, django_capture_on_commit_callbacks
):
    job = start(committee, office, xlsx([[world["a"].id_number, "", "", "2026-01-05", "视察", "", "", ""]]))
    storage, name = job.file.storage, job.file.name
    with django_capture_on_commit_callbacks(execute=True):
        import_services.confirm(job=job, valid_only=True, actor=office)
    assert not storage.exists(name)


def test_a_preview_left_a_day_is_discarded_by_the_daily_purge(
    world, committee, office, django_capture_on_commit_callbacks
):
    job = start(committee, office, xlsx([[world["a"].id_number, "", "", "2026-01-05", "视察", "", "", ""]]))
    storage, name = job.file.storage, job.file.name
    with django_capture_on_commit_callbacks(execute=True):
        assert (
            retention.purge_all(now=job.created_at + import_services.WAITING_LIMIT / 2)["duty_import_uploads"]
            == 0
        )
        assert (
            retention.purge_all(now=job.created_at + import_services.WAITING_LIMIT * 2)["duty_import_uploads"]
            == 1
        )
    job.refresh_from_db()
    assert job.status == DutyImport.Status.DISCARDED and not storage.exists(name)


def test_the_preview_keeps_masked_id_numbers_only(world, committee, office):
    a = world["a"]
    rows = [
        [a.id_number, "", "", "2026-01-05", "视察", "", "", ""],
        # An ID number in the wrong column comes back masked in its error message.
        [a.id_number, "", "", "2026-01-05", a.id_number, "", "", ""],
    ]
    job = start(committee, office, xlsx(rows))
    text = json.dumps(job.preview, ensure_ascii=False)
    assert a.id_number not in text
    assert a.masked_id_number in text


def test_a_csv_file_in_gb18030_and_a_header_with_aliases(world, committee, office):
    a = world["a"]
    text = "序号,委员姓名,所在界别,活动日期,履职类型,提案标题,身份,说明\n1,张三,教育界,2026/4/1,调研,,,下乡\n"
    upload = SimpleUploadedFile("records.csv", text.encode("gb18030"))
    job = start(committee, office, upload)
    assert job.preview["valid"] == 1 and not job.preview["errors"]
    import_services.confirm(job=job, valid_only=True, actor=office)
    record = DutyRecord.objects.get()
    assert (record.member, record.kind, record.date, record.note) == (
        a,
        "activity.research",
        datetime.date(2026, 4, 1),
        "下乡",
    )


def test_files_that_are_not_spreadsheets_of_records_are_refused(committee, office):
    with pytest.raises(UploadRefused, match="not a spreadsheet"):
        start(committee, office, SimpleUploadedFile("x.png", b"\x89PNG\r\n\x1a\n" + b"\0" * 100))
    with pytest.raises(UploadRefused, match="“类型”"):
        start(committee, office, xlsx([], header=["身份证号", "日期", "事项"]))
    with pytest.raises(UploadRefused, match="No header row"):
        start(committee, office, xlsx([["a", "b"]], header=["甲", "乙"]))
    assert not DutyImport.objects.exists()


def test_the_templates_sample_rows_are_skipped(world, committee, office):
    workbook = import_template.build()
    sheet = workbook["履职记录"]
    sheet.append([world["a"].id_number, None, None, "2026-05-01", "学习笔记", None, None, None])
    buffer = io.BytesIO()
    workbook.save(buffer)
    job = start(committee, office, SimpleUploadedFile("模板.xlsx", buffer.getvalue()))
    assert (job.preview["rows"], job.preview["valid"]) == (1, 1)
    assert len(job.preview["notes"]) == len(import_template.SAMPLE_ROWS)
    notes = workbook["说明"]
    codes = {row[0] for row in notes.iter_rows(values_only=True)}
    labels = {row[1] for row in notes.iter_rows(values_only=True)}
    assert set(kinds.all_kinds()) <= codes
    assert {"全体会议：出席", "提交提案", "报送社情民意信息"} <= labels


def test_the_preview_queries_do_not_grow_with_the_rows(world, committee, office, term):
    members = [MemberFactory(committee=committee) for _ in range(30)]
    for m in members[:10]:
        MemberTermFactory(member=m, term=term)

    def table(n):
        rows = []
        for i in range(n):
            m = members[i % 30]
            if i % 2:
                rows.append(
                    [m.id_number, "", "", f"2026-01-{1 + i % 28:02d}", "视察", f"事项{i // 4}", "联名", ""]
                )
            else:
                rows.append(["", m.name, "", f"2026-01-{1 + i % 28:02d}", "调研", "", "", ""])
        return importing.read_table(xlsx(rows), "x.xlsx")

    def count(n):
        t = table(n)
        with CaptureQueriesContext(connection) as ctx:
            importing.plan_import(committee=committee, table=t, file_name="x.xlsx")
        return len(ctx.captured_queries)

    assert count(6) == count(120) <= 6
