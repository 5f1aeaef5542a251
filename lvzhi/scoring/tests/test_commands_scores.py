"""load_rules, compute_scores and export_scores, called as the office would call them."""

import csv
import datetime
import io
from pathlib import Path

import openpyxl
import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.management import CommandError, call_command

from lvzhi.core.models import AuditEvent
from lvzhi.factories import MemberTermFactory, TermFactory
from lvzhi.ledger.models import DutyRecord
from lvzhi.organization.models import Committee
from lvzhi.scoring.models import MemberScore, RuleSet

DEFAULT_PATH = Path(__file__).resolve().parent.parent / "data" / "default_rules.yaml"
DEFAULT = DEFAULT_PATH.read_text(encoding="utf-8")


def run(*args):
    out, err = io.StringIO(), io.StringIO()
    call_command(*args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_load_rules_saves_a_draft_then_an_active_version(committee):
    out, _err = run("load_rules", str(DEFAULT_PATH), "--committee", "home", "--year", "2026")
    assert "第 1 版" in out and "草稿" in out
    out, _err = run("load_rules", str(DEFAULT_PATH), "--committee", "home", "--year", "2026", "--activate")
    assert list(RuleSet.objects.order_by("version").values_list("version", "status")) == [
        (1, "draft"),
        (2, "active"),
    ]
    # activating computes the year, as on the page
    assert "已按第 2 版计算" in out
    assert AuditEvent.objects.filter(event="scoring.scores_computed").count() == 1


def test_load_rules_prints_each_problem_with_its_line(committee, tmp_path):
    bad = tmp_path / "bad.yaml"
    bad.write_text(DEFAULT.replace("points: 50\n", "points: fifty\n", 1), encoding="utf-8")
    line = DEFAULT.splitlines().index("        points: 50") + 1
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 处问题"):
        call_command("load_rules", str(bad), "--committee", "home", "--year", "2026", stderr=err)
    assert f"第{line}行：points 必须是数字" in err.getvalue()
    assert not RuleSet.objects.exists()


def test_load_rules_refuses_a_file_over_1_mb(committee, tmp_path):
    big = tmp_path / "big.yaml"
    big.write_text(DEFAULT + "#" * (1024 * 1024), encoding="utf-8")
    with pytest.raises(CommandError, match="1 MB"):
        run("load_rules", str(big), "--committee", "home", "--year", "2026")


def test_load_rules_refuses_a_file_not_in_utf8(committee, tmp_path):
    gbk = tmp_path / "gbk.yaml"
    gbk.write_bytes(DEFAULT.encode("gb18030"))
    with pytest.raises(CommandError, match="UTF-8"):
        run("load_rules", str(gbk), "--committee", "home", "--year", "2026")


def test_load_rules_reads_a_file_with_a_bom(committee, tmp_path):
    bom = tmp_path / "bom.yaml"
    bom.write_bytes(DEFAULT.encode("utf-8-sig"))
    run("load_rules", str(bom), "--committee", "home", "--year", "2026")
    assert RuleSet.objects.get().text == DEFAULT


def test_load_rules_names_an_unknown_committee(db):
    with pytest.raises(CommandError, match="nowhere"):
        run("load_rules", str(DEFAULT_PATH), "--committee", "nowhere", "--year", "2026")


@pytest.fixture
def scored(committee, other_committee):
    """Two members of the home committee (one named like a formula), one of another committee without
    an active rule set."""
    term = TermFactory(committee=committee)
    plain = MemberTermFactory(member__committee=committee, member__name="张三", term=term).member
    formula = MemberTermFactory(member__committee=committee, member__name="=HYPERLINK(1)", term=term).member
    MemberTermFactory(member__committee=other_committee, term__committee=other_committee)
    DutyRecord.objects.create(
        member=plain,
        committee=committee,
        date=datetime.date(2026, 3, 5),
        kind="attendance.plenary.present",
        source_type=ContentType.objects.get_for_model(Committee),
        source_id=1,
    )
    run("load_rules", str(DEFAULT_PATH), "--committee", "home", "--year", "2026", "--activate")
    return {"plain": plain, "formula": formula}


def test_compute_scores_prints_each_committee(scored):
    out, _err = run("compute_scores", "--year", "2026")
    assert "政协本县委员会（home）：2 名委员，1 条履职记录" in out
    assert "政协邻县委员会（other）：没有 2026 年度已生效的考核细则，跳过" in out
    assert MemberScore.objects.count() == 2


def test_compute_scores_for_a_committee_without_rules_fails(scored):
    with pytest.raises(CommandError):
        run("compute_scores", "--year", "2026", "--committee", "other")


def test_export_scores_csv_has_masked_ids_and_escaped_formulas(scored, tmp_path):
    run("compute_scores", "--year", "2026", "--committee", "home")
    path = tmp_path / "scores.csv"
    run("export_scores", "--year", "2026", "--committee", "home", "--format", "csv", "--output", str(path))
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    rows = list(csv.reader(io.StringIO(raw.decode("utf-8-sig"))))
    assert rows[0] == [
        "身份证号", "姓名", "出席全体会议", "会议考勤", "提交提案", "参加政协活动", "反映社情民意",
        "表彰奖励", "总分", "等次", "是否合格", "未达基本要求",
    ]  # fmt: skip
    by_name = {row[1]: row for row in rows[1:]}
    plain = by_name["张三"]
    full_id = scored["plain"].id_number
    assert plain[0] == full_id[:6] + "********" + full_id[-4:]
    assert plain[2:] == ["50.00", "10.00", "0.00", "0.00", "0.00", "0.00", "60.00", "称职", "是",
                         "至少提交一件提案或一条社情民意信息、至少参加一次视察或调研"]  # fmt: skip
    assert "'=HYPERLINK(1)" in by_name
    assert full_id not in raw.decode("utf-8-sig")
    assert scored["formula"].id_number not in raw.decode("utf-8-sig")


def test_export_scores_xlsx_reads_back(scored, tmp_path):
    run("compute_scores", "--year", "2026")
    path = tmp_path / "scores.xlsx"
    run("export_scores", "--year", "2026", "--format", "xlsx", "--output", str(path))
    book = openpyxl.load_workbook(path)
    assert book.sheetnames == ["home"]
    rows = list(book["home"].iter_rows(min_row=2, values_only=True))
    assert rows[0][:3] == ("身份证号", "姓名", "出席全体会议")
    data = {row[1]: row for row in rows[1:]}
    assert set(data) == {"张三", "'=HYPERLINK(1)"}
    assert data["张三"][8:11] == (60, "称职", "是")
    for row in rows[1:]:
        assert "*" in row[0]
    assert scored["plain"].id_number not in str(rows)


def test_export_scores_without_any_active_rule_set_fails(db, tmp_path):
    with pytest.raises(CommandError):
        run("export_scores", "--year", "2026", "--format", "csv", "--output", str(tmp_path / "x.csv"))
