"""manage.py import_duty_records: the preview printed by row, dry run, all-or-nothing, --valid-only."""

import io

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from lvzhi.core.models import AuditEvent
from lvzhi.factories import MemberFactory
from lvzhi.ledger.models import DutyImport, DutyImportItem, DutyRecord

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


@pytest.fixture
def members(committee):
    return [MemberFactory(committee=committee, name=name) for name in ("张三", "李四")]


def write(tmp_path, rows):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["身份证号", "姓名", "日期", "类型", "事项", "角色", "备注"])
    for row in rows:
        sheet.append(row)
    path = tmp_path / "records.xlsx"
    workbook.save(path)
    return str(path)


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_duty_records", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return out.getvalue(), err.getvalue(), str(exc)
    return out.getvalue(), err.getvalue(), None


def test_dry_run_prints_the_preview_and_writes_nothing(tmp_path, committee, members):
    a, b = members
    path = write(
        tmp_path,
        [
            [a.id_number, "", "2026-02-01", "提交提案", "提案甲", "领衔", ""],
            [b.id_number, "", "2026-02-01", "提交提案", "提案甲", "联名", ""],
            ["", "无名氏", "2026-02-01", "视察", "", "", ""],
        ],
    )
    out, err, error = run(path, "--committee", committee.code, "--dry-run")
    assert "Row 4, column 姓名: No member of this committee is called 无名氏." in err
    assert "proposal.submitted" in out and "2026\t2" in out
    assert "rows 3, valid 2, errors 1, records 0" in out
    assert error == "1 rows have errors."
    assert not DutyImport.objects.exists() and not DutyRecord.objects.exists()
    assert a.id_number not in out + err


def test_a_file_with_errors_is_not_imported_without_valid_only(tmp_path, committee, members):
    a = members[0]
    path = write(
        tmp_path,
        [[a.id_number, "", "2026-02-01", "视察", "", "", ""], ["", "", "2026-02-01", "视察", "", "", "x"]],
    )
    out, err, error = run(path, "--committee", committee.code)
    assert "nothing was imported" in error
    assert not DutyRecord.objects.exists()
    assert DutyImport.objects.get().status == DutyImport.Status.DISCARDED

    out, err, error = run(path, "--committee", committee.code, "--valid-only")
    assert "rows 2, valid 1, errors 1, records 1" in out
    assert error == "1 rows have errors and were not imported."
    job = DutyImport.objects.get(status=DutyImport.Status.IMPORTED)
    assert job.created_by is None and DutyImportItem.objects.filter(job=job).count() == 1
    record = DutyRecord.objects.get()
    assert (record.member, record.kind, record.recorded_by) == (a, "activity.inspection", None)
    assert AuditEvent.objects.filter(
        event="ledger.import_confirmed", username="manage.py import_duty_records", params__records=1
    ).exists()


def test_a_clean_file_is_imported(tmp_path, committee, members):
    a, b = members
    path = write(
        tmp_path,
        [
            [a.id_number, "", "2026-02-01", "提交提案", "提案甲", "领衔", ""],
            [b.id_number, "", "2026-02-01", "提交提案", "提案甲", "联名", ""],
        ],
    )
    out, err, error = run(path, "--committee", committee.code)
    assert error is None and "rows 2, valid 2, errors 0, records 2" in out
    assert DutyImportItem.objects.count() == 1 and DutyRecord.objects.count() == 2


def test_unknown_committee_and_unreadable_file(tmp_path, committee):
    assert "no committee" in run(write(tmp_path, []), "--committee", "nowhere")[2]
    path = tmp_path / "x.xlsx"
    path.write_bytes(b"hello")
    assert "not an Excel file" in run(str(path), "--committee", committee.code)[2]
    assert not DutyImport.objects.exists()
