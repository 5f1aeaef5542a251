import io

import pytest
from django.core.management import CommandError, call_command

from lvzhi.core.models import AuditEvent
from lvzhi.factories import CommitteeFactory
from lvzhi.members.models import Member, MemberChange

from .test_roster_import import HEADER, id_for, make_units, person, tr, xlsx


@pytest.fixture
def roster(tmp_path):
    def write(rows, name="名单.xlsx"):
        path = tmp_path / name
        path.write_bytes(xlsx([HEADER, *rows], title="政协本县委员会委员名单").getvalue())
        return str(path)

    return write


@pytest.fixture
def setup(term, office):
    make_units(term.committee)
    return term


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    try:
        call_command("import_members", *args, stdout=out, stderr=err)
    except CommandError as exc:
        return out.getvalue(), err.getvalue(), exc
    return out.getvalue(), err.getvalue(), None


def test_it_imports_and_prints_the_summary(setup, roster, office):
    path = roster([person("张三", id_number=id_for(seq=11)), person("李四", id_number=id_for(seq=13))])
    out, err, failed = run(path, "--committee", "home", "--actor", "office")
    assert failed is None
    assert out.splitlines()[-1] == "created 2, updated 0, unchanged 0, errors 0"
    assert "rows checked" in out or tr("rows checked") in out
    assert err == ""
    assert Member.objects.count() == 2
    assert MemberChange.objects.filter(source=MemberChange.Source.IMPORT, actor=office).count() == 2
    assert AuditEvent.objects.get(action=AuditEvent.Action.IMPORT).detail == {
        "created": 2,
        "updated": 0,
        "unchanged": 0,
        "errors": 0,
    }


def test_a_second_run_changes_nothing(setup, roster):
    path = roster([person("张三", id_number=id_for(seq=11))])
    run(path)
    out, _err, failed = run(path)
    assert failed is None
    assert out.splitlines()[-1] == "created 0, updated 0, unchanged 1, errors 0"


def test_a_run_without_an_actor_updates_the_files_that_changed(setup, roster):
    # The operator on the server is no role: no field-access check applies to them.
    run(roster([person("张三", id_number=id_for(seq=11))]))
    changed = roster([person("张三", id_number=id_for(seq=11), 手机="13900000002")], name="新名单.xlsx")

    out, _err, failed = run(changed)

    assert failed is None
    assert out.splitlines()[-1] == "created 0, updated 1, unchanged 0, errors 0"
    member = Member.objects.get()
    assert member.phone == "13900000002"
    assert member.changes.filter(source=MemberChange.Source.IMPORT, actor=None).count() == 2


def test_it_prints_each_error_imports_the_valid_rows_and_exits_non_zero(setup, roster):
    path = roster([person("张三", id_number=id_for(seq=11)), person("李四", id_number="1.10105E+17")])
    out, err, failed = run(path)
    assert failed is not None
    assert out.splitlines()[-1] == "created 1, updated 0, unchanged 0, errors 1"
    message = tr(
        "Excel turned this ID number into a number (%(value)s) and lost its last digits. "
        "Format the column as text, type the ID numbers again and upload the file again."
    ) % {"value": "1.10105E+17"}
    line = tr("Row %(row)d, column %(column)s: %(message)s") % {
        "row": 5,
        "column": "身份证号码",
        "message": message,
    }
    assert line in err.splitlines()
    assert list(Member.objects.values_list("name", flat=True)) == ["张三"]


def test_the_exit_status_is_one_when_a_row_has_an_error(setup, roster):
    path = roster([person("李四", id_number="123")])
    with pytest.raises(SystemExit) as exited:
        from django.core.management import ManagementUtility

        ManagementUtility(["manage.py", "import_members", path]).execute()
    assert exited.value.code == 1


def test_dry_run_writes_nothing(setup, roster):
    path = roster([person("张三", id_number=id_for(seq=11)), person("李四", id_number="123")])
    out, err, failed = run(path, "--dry-run")
    assert failed is not None
    assert out.splitlines()[-1] == "created 1, updated 0, unchanged 0, errors 1"
    assert Member.objects.count() == 0
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.IMPORT).exists()


def test_a_dry_run_of_a_clean_file_succeeds(setup, roster):
    out, _err, failed = run(roster([person()]), "--dry-run")
    assert failed is None
    assert out.splitlines()[-1] == "created 1, updated 0, unchanged 0, errors 0"
    assert Member.objects.count() == 0


def test_it_needs_the_committee_when_there_are_several(setup, roster):
    CommitteeFactory(code="second")
    _out, _err, failed = run(roster([person()]))
    assert failed is not None
    assert "home" in str(failed) and "second" in str(failed)
    assert Member.objects.count() == 0


def test_it_refuses_an_unknown_committee_or_actor(setup, roster):
    path = roster([person()])
    assert run(path, "--committee", "nowhere")[2] is not None
    assert run(path, "--actor", "nobody")[2] is not None
    assert Member.objects.count() == 0


def test_it_refuses_a_hostile_file(setup, tmp_path):
    path = tmp_path / "名单.xlsx"
    path.write_text("姓名,身份证号码\n")
    _out, _err, failed = run(str(path))
    assert str(failed) == tr(
        "“%(name)s” is not an Excel file, although its name says so. Open it in Excel and save it as .xlsx."
    ) % {"name": str(path)}


def test_a_missing_required_column_stops_the_import(setup, tmp_path):
    path = tmp_path / "名单.xlsx"
    path.write_bytes(xlsx([["姓名", "性别"], ["张三", "男"]]).getvalue())
    out, err, failed = run(str(path))
    assert failed is not None
    assert (
        tr("The required column “%(column)s” is missing from the header row (row %(row)d).")
        % {"column": "身份证号码", "row": 1}
        in err
    )
    assert Member.objects.count() == 0
