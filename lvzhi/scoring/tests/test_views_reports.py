"""The assessment documents' page and downloads: who may download what (the member their own report,
those who see every score the rest, other committees nothing), the audit row of every download, the
message instead of a document when there is nothing to report, the query counts and the time of a
committee's batch of notices."""

import io
import time
import zipfile

import pytest
from django.urls import reverse
from docx import Document
from openpyxl import load_workbook

from lvzhi.accounts.roles import Role
from lvzhi.core.models import AuditEvent
from lvzhi.core.testing import assert_same_query_count, capture_queries
from lvzhi.factories import MemberTermFactory, OrgUnitFactory
from lvzhi.organization.models import OrgUnit
from lvzhi.scoring import services
from lvzhi.scoring.models import RuleSet
from lvzhi.scoring.tests.conftest import YEAR, add_record

pytestmark = pytest.mark.usefixtures("english")

DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _docx(response):
    assert response.status_code == 200, response.content[:500]
    assert response["Content-Type"] == DOCX
    return Document(io.BytesIO(response.content))


def _text(document):
    return [p.text for p in document.paragraphs if p.text.strip()]


def _member_url(member, year=YEAR):
    return reverse("scoring:report_member", args=[member.pk, year])


def _events():
    return list(AuditEvent.objects.filter(event="scoring.report_exported").order_by("pk"))


# --- who may download what -----------------------------------------------------------------------------


def test_a_member_downloads_their_own_report(client, year_world):
    a = year_world["a"]
    client.force_login(a.user)
    text = _text(_docx(client.get(_member_url(a))))
    assert text[1] == "政协本县委员会委员　甲委员"
    assert any("年度得分87.50分，考核等次为良好" in p for p in text)
    (event,) = _events()
    assert event.actor == a.user and event.action == "export"
    assert event.params == {"year": YEAR, "file": "甲委员2026年度个人履职报告.docx"}
    assert event.object_id == str(a.pk)


def test_a_member_gets_no_other_members_report_nor_the_committees_documents(client, year_world):
    client.force_login(year_world["a"].user)
    assert client.get(_member_url(year_world["b"])).status_code == 404
    for name in ("reports", "report_bulletin", "report_notices", "report_tables"):
        assert client.get(reverse(f"scoring:{name}"), {"year": YEAR}).status_code == 403, name
    assert _events() == []


@pytest.mark.parametrize("who", ["leader", "office"])
def test_those_who_see_every_score_download_everything(client, year_world, who):
    client.force_login(year_world[who])
    text = _text(_docx(client.get(_member_url(year_world["b"]))))
    assert any("年度得分22.50分，考核等次为不称职" in p for p in text)
    text = _text(_docx(client.get(reverse("scoring:report_bulletin"), {"year": YEAR})))
    assert text[0] == "关于2026年度委员履职情况的通报"
    assert client.get(reverse("scoring:report_notices"), {"year": YEAR}).status_code == 200
    assert client.get(reverse("scoring:report_tables"), {"year": YEAR}).status_code == 200
    assert [e.params["file"] for e in _events()] == [
        "乙委员2026年度个人履职报告.docx",
        "2026年度委员履职情况通报.docx",
        "2026年度委员履职情况告知书.docx",
        "2026年度委员履职考核统计表.xlsx",
    ]
    assert {e.actor for e in _events()} == {year_world[who]}


def test_another_committee_sees_nothing(client, year_world, make_user, other_committee):
    leader = make_user(Role.LEADER, committee=other_committee, username="other_leader")
    foreign = OrgUnitFactory(committee=other_committee, kind=OrgUnit.Kind.SECTOR, name="邻县界别")
    client.force_login(leader)
    assert client.get(_member_url(year_world["a"])).status_code == 404
    # Their own committee has no rule set: a message, not someone else's year.
    response = client.get(reverse("scoring:report_bulletin"), {"year": YEAR})
    assert response.status_code == 200 and "No rule set is active for 2026" in response.content.decode()
    # The home committee's unit is unknown to them, and theirs to the home committee.
    unit = year_world["sector"]
    assert client.get(reverse("scoring:report_notices"), {"year": YEAR, "unit": unit.pk}).status_code == 404
    client.force_login(year_world["office"])
    assert (
        client.get(reverse("scoring:report_notices"), {"year": YEAR, "unit": foreign.pk}).status_code == 404
    )
    assert _events() == []


def test_anonymous_is_sent_to_sign_in(client, year_world):
    response = client.get(_member_url(year_world["a"]))
    assert response.status_code == 302 and "login" in response.url


# --- the downloads ----------------------------------------------------------------------------------


def test_the_bulletin_without_the_names_below_the_line(client, year_world):
    client.force_login(year_world["leader"])
    text = _text(_docx(client.get(reverse("scoring:report_bulletin"), {"year": YEAR, "names": "0"})))
    assert "2名委员未达到合格线或未完成基本履职要求，具体情况已另行告知本人。" in text
    assert not any("乙委员" in p for p in text)
    assert _events()[0].detail["names_below"] is False


def test_the_notices_as_a_zip(client, year_world):
    client.force_login(year_world["office"])
    response = client.get(
        reverse("scoring:report_notices"),
        {"year": YEAR, "unit": year_world["town"].pk, "to": "town", "format": "zip"},
    )
    assert response.status_code == 200 and response["Content-Type"] == "application/zip"
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    archive = zipfile.ZipFile(io.BytesIO(response.content))
    assert archive.namelist() == ["001_乙委员.docx", "002_丙委员.docx", "003_甲委员.docx"]
    text = _text(Document(io.BytesIO(archive.read("001_乙委员.docx"))))
    assert text[2] == "城关镇政协工委："
    assert "乙委员同志2026年度履职得分22.50分" in text[3]
    (event,) = _events()
    assert event.params == {"year": YEAR, "file": "2026年度委员履职情况告知书城关镇政协工委.zip"}
    assert event.detail["unit"] == year_world["town"].pk and event.detail["format"] == "zip"


def test_the_notices_of_a_unit_keep_its_members(client, year_world, committee):
    other_town = OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.TOWN_COMMITTEE, name="河口镇政协工委")
    client.force_login(year_world["office"])
    response = client.get(reverse("scoring:report_notices"), {"year": YEAR, "unit": other_town.pk})
    assert _text(_docx(response))[-1] == "没有需要告知的委员。"


def test_the_tables(client, year_world):
    client.force_login(year_world["leader"])
    response = client.get(reverse("scoring:report_tables"), {"year": YEAR})
    workbook = load_workbook(io.BytesIO(response.content))
    assert workbook.sheetnames == ["按界别", "按镇区工委", "全部委员"]
    names = [r[2] for r in workbook["全部委员"].iter_rows(min_row=3, values_only=True)]
    assert names == ["乙委员", "丙委员", "甲委员"]


def test_a_name_typed_as_a_formula_stays_text(client, year_world):
    c = year_world["c"]
    type(c).objects.filter(pk=c.pk).update(name="=cmd|' /C calc'!A0")
    client.force_login(year_world["office"])
    workbook = load_workbook(io.BytesIO(client.get(reverse("scoring:report_tables"), {"year": YEAR}).content))
    cells = [cell for row in workbook["全部委员"].iter_rows() for cell in row]
    assert "'=cmd|' /C calc'!A0" in [cell.value for cell in cells]
    assert all(cell.data_type != "f" for cell in cells)


def test_no_active_rule_set_gives_a_message(client, year_world):
    client.force_login(year_world["office"])
    for name in ("report_bulletin", "report_notices", "report_tables"):
        response = client.get(reverse(f"scoring:{name}"), {"year": YEAR + 1})
        assert response.status_code == 200
        assert "No rule set is active for 2027" in response.content.decode()
    response = client.get(_member_url(year_world["a"], YEAR + 1))
    assert "No rule set is active for 2027" in response.content.decode()
    page = client.get(reverse("scoring:reports"), {"year": YEAR + 1}).content.decode()
    assert 'id="reports-unavailable"' in page and 'id="report-bulletin"' not in page
    assert _events() == []


def test_no_scores_gives_a_message(client, year_world):
    year_world["rule_set"].scores.all().delete()
    client.force_login(year_world["office"])
    response = client.get(reverse("scoring:report_bulletin"), {"year": YEAR})
    assert "No member has a score for 2026 yet" in response.content.decode()
    response = client.get(_member_url(year_world["a"]))
    assert "甲委员 has no score for 2026" in response.content.decode()


def test_a_year_out_of_range_names_the_field(client, year_world):
    client.force_login(year_world["office"])
    response = client.get(reverse("scoring:report_bulletin"), {"year": "12"})
    assert response.status_code == 400
    assert "Year:" in response.content.decode()


def test_the_page_lists_the_downloads(client, year_world):
    client.force_login(year_world["leader"])
    page = client.get(reverse("scoring:reports")).content.decode()  # the year with an active rule set
    assert "Assessment documents 2026" in page
    assert f'href="{reverse("scoring:report_bulletin")}?year=2026"' in page
    assert "Download the duty bulletin (Word)" in page
    assert f'href="{reverse("scoring:report_tables")}?year=2026"' in page
    assert f'<option value="{year_world["sector"].pk}">中国民主同盟</option>' in page
    assert f'href="{_member_url(year_world["a"])}"' in page
    assert "2 members are below the pass line or have a requirement unmet." in page
    assert "The office decides whether to send that part" in page


# --- cost -------------------------------------------------------------------------------------------


def _more_members(world, n):
    term = world["term"]
    for i in range(n):
        member = MemberTermFactory(
            member__committee=world["committee"],
            member__name=f"委员{i:03d}",
            term=term,
            sector=world["sector"],
            town_committee=world["town"],
        ).member
        add_record(member, "attendance.plenary.present")
        add_record(member, "activity.inspection")
    services.compute_year(committee=world["committee"], year=YEAR)


DOWNLOADS = [
    ("scoring:reports", {}),
    ("scoring:report_bulletin", {}),
    ("scoring:report_notices", {"format": "docx"}),
    ("scoring:report_notices", {"format": "zip", "to": "sector"}),
    ("scoring:report_tables", {}),
]


def test_the_queries_do_not_grow_with_the_members(client, year_world):
    client.force_login(year_world["office"])

    def run():
        counts = []
        for name, params in DOWNLOADS:
            with capture_queries() as queries:
                assert client.get(reverse(name), {"year": YEAR, **params}).status_code == 200
            counts.append(queries)
        with capture_queries() as queries:
            assert client.get(_member_url(year_world["a"])).status_code == 200
        counts.append(queries)
        return counts

    run()  # warm the caches (session, content types)
    small = run()
    _more_members(year_world, 12)
    large = run()
    for few, many in zip(small, large, strict=True):
        assert_same_query_count(few, many)


def test_a_committees_notices_take_a_few_seconds(client, year_world):
    """300 members: the zip and the single file each well under the few seconds an office waits."""
    _more_members(year_world, 297)
    client.force_login(year_world["office"])
    for kind in ("zip", "docx"):
        started = time.perf_counter()
        response = client.get(reverse("scoring:report_notices"), {"year": YEAR, "format": kind})
        seconds = time.perf_counter() - started
        assert response.status_code == 200
        print(f"notices {kind} for 300 members: {seconds:.2f} s")
        assert seconds < 6, seconds
    assert (
        len(
            zipfile.ZipFile(
                io.BytesIO(
                    client.get(reverse("scoring:report_notices"), {"year": YEAR, "format": "zip"}).content
                )
            ).namelist()
        )
        == 300
    )
    assert RuleSet.objects.count() == 1
