"""The score pages: my score, a member's score, the rules as members read them, the ranking, the export
and the assessment settings."""

import csv
import datetime
import io
from decimal import Decimal

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from lvzhi.accounts.roles import Role
from lvzhi.core.audit import AuditEvent
from lvzhi.core.testing import assert_same_query_count, assert_sent_to_login, body, capture_queries
from lvzhi.factories import MemberTermFactory
from lvzhi.scoring import services
from lvzhi.scoring.models import ScoringPolicy

from .conftest import YEAR, add_record

pytestmark = pytest.mark.usefixtures("english")


def _score_url(member, year=YEAR):
    return reverse("scoring:member_score", args=[member.pk, year])


# --- my score ---------------------------------------------------------------------------------------


def test_a_member_sees_their_score_and_why(client, year_world):
    a = year_world["a"]
    client.force_login(a.user)
    response = client.get(reverse("scoring:mine"), {"year": YEAR})
    assert response.status_code == 200
    page = body(response)
    assert 'id="score-total">87.50<' in page
    assert "良好" in page
    assert 'id="category-opinions"' in page
    assert "Capped at 15 points; 3 points over the cap do not count." in page
    assert "被市级采用加 8 分" in page and "报送社情民意信息每条 10 分" in page
    assert "第一作者得一半" in page
    # the co-author's records are not listed on a's page
    b_records = set(b.pk for b in year_world["b"].duty_records.all())
    assert not any(f'data-record-id="{pk}"' in page for pk in b_records)
    assert reverse("ledger:me", args=[YEAR]) in page
    assert reverse("scoring:my_rules") in page
    assert "rule line" in page


def test_my_score_defaults_to_this_year(client, year_world, monkeypatch):
    client.force_login(year_world["a"].user)
    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: datetime.date(YEAR, 12, 4))
    response = client.get(reverse("scoring:mine"))
    assert response.context["year"] == YEAR
    assert response.context["x"].total == Decimal("87.50")


def test_a_year_without_rules_says_so(client, year_world):
    client.force_login(year_world["a"].user)
    response = client.get(reverse("scoring:mine"), {"year": YEAR - 1})
    assert response.status_code == 200
    assert 'id="score-none"' in body(response)


def test_a_changed_ledger_is_said(client, year_world):
    a = year_world["a"]
    add_record(a, "activity.research")
    client.force_login(a.user)
    page = body(client.get(reverse("scoring:mine"), {"year": YEAR}))
    assert 'id="score-stale"' in page and "(87.50)" in page
    assert 'id="score-total">89.50<' in page


def test_an_account_without_a_member_file_is_404(client, year_world):
    client.force_login(year_world["office"])
    assert client.get(reverse("scoring:mine")).status_code == 404


def test_my_score_needs_a_login(client, year_world):
    assert_sent_to_login(client.get(reverse("scoring:mine")))


def test_the_rules_page_shows_the_active_rules_with_their_lines(client, year_world):
    client.force_login(year_world["b"].user)
    response = client.get(reverse("scoring:my_rules"), {"year": YEAR})
    page = body(response)
    assert response.status_code == 200
    parsed = year_world["rule_set"].parsed()
    rule = parsed.rule_for("opinion.adopted.city")
    assert f'id="rule-line-{rule.line}"' in page and rule.text in page
    assert 'id="rules-category-opinions"' in page


def test_the_rules_page_without_rules(client, year_world):
    client.force_login(year_world["b"].user)
    assert 'id="rules-none"' in body(client.get(reverse("scoring:my_rules"), {"year": YEAR - 1}))


# --- who sees which score ---------------------------------------------------------------------------


def test_a_member_sees_their_own_page(client, year_world):
    a = year_world["a"]
    client.force_login(a.user)
    response = client.get(_score_url(a))
    assert response.status_code == 200 and response.context["own"]


def test_a_member_cannot_see_another_members_score(client, year_world):
    client.force_login(year_world["a"].user)
    assert client.get(_score_url(year_world["b"])).status_code == 403


@pytest.mark.parametrize("who", ["leader", "office"])
def test_leaders_and_the_office_see_every_member(client, year_world, who):
    client.force_login(year_world[who])
    for key in "abc":
        response = client.get(_score_url(year_world[key]))
        assert response.status_code == 200
    assert not response.context["own"]
    assert reverse("ledger:member_record", args=[year_world["c"].pk, YEAR]) in body(response)


def test_another_committees_member_is_404(client, year_world, other_committee, make_user):
    stranger = MemberTermFactory(member__committee=other_committee).member
    client.force_login(year_world["leader"])
    assert client.get(_score_url(stranger)).status_code == 404
    outsider = make_user(Role.LEADER, committee=other_committee, username="other_leader")
    client.force_login(outsider)
    assert client.get(_score_url(year_world["a"])).status_code == 404


@pytest.mark.parametrize("role", [Role.EDITOR, Role.UNIT_STAFF, Role.OFFICER])
def test_staff_without_the_right_cannot_see_scores(client, year_world, make_user, role):
    client.force_login(make_user(role, username=f"u_{role}"))
    assert client.get(_score_url(year_world["a"])).status_code == 403
    assert client.get(reverse("scoring:ranking")).status_code == 403
    assert client.get(reverse("scoring:scores_export"), {"year": YEAR}).status_code == 403


def test_a_year_out_of_range_is_404(client, year_world):
    client.force_login(year_world["leader"])
    assert client.get(_score_url(year_world["a"], 3000)).status_code == 404


def test_the_page_masks_the_id_number(client, year_world):
    a = year_world["a"]
    client.force_login(year_world["office"])
    assert a.id_number and a.id_number not in body(client.get(_score_url(a)))


def test_the_score_page_query_count_does_not_grow_with_records(client, year_world):
    a = year_world["a"]
    client.force_login(a.user)
    client.get(reverse("scoring:mine"), {"year": YEAR})
    with capture_queries() as small:
        client.get(reverse("scoring:mine"), {"year": YEAR})
    for n in range(15):
        add_record(a, "activity.research")
        add_record(a, "proposal.submitted", source=7000 + n, role="lead")
    with capture_queries() as large:
        client.get(reverse("scoring:mine"), {"year": YEAR})
    assert_same_query_count(small, large)


# --- ranking ----------------------------------------------------------------------------------------


def test_the_ranking_lists_members_by_total(client, year_world):
    client.force_login(year_world["leader"])
    response = client.get(reverse("scoring:ranking"), {"year": YEAR})
    assert response.status_code == 200
    rows = response.context["rows"]
    assert [r["score"].member.name for r in rows] == ["甲委员", "乙委员", "丙委员"]
    assert [r["score"].rank for r in rows] == [1, 2, 3]
    names = [name for _code, name, _cap in response.context["categories"]]
    assert names[:3] == ["出席全体会议", "会议考勤", "提交提案"]
    assert rows[0]["cells"][names.index("反映社情民意")] == ("反映社情民意", Decimal("15.00"))
    page = body(response)
    assert _score_url(year_world["a"]) in page
    assert 'id="ranking-chart-data"' in page
    assert dict(response.context["grade_rows"]) == {"优秀": 0, "良好": 1, "称职": 0, "不称职": 2}
    # the leader may not recompute or change the settings
    assert 'id="ranking-settings"' not in page and 'id="ranking-compute-form"' not in page


def test_the_ranking_filters(client, year_world, committee):
    client.force_login(year_world["office"])
    url = reverse("scoring:ranking")
    grade = client.get(url, {"year": YEAR, "grade": "不称职"})
    assert [r["score"].member.name for r in grade.context["rows"]] == ["乙委员", "丙委员"]
    by_name = client.get(url, {"year": YEAR, "q": "乙"})
    assert [r["score"].member.name for r in by_name.context["rows"]] == ["乙委员"]
    sector = client.get(url, {"year": YEAR, "sector": year_world["sector"].pk, "town": year_world["town"].pk})
    assert len(sector.context["rows"]) == 3
    other = MemberTermFactory(member__committee=committee, term=year_world["term"]).member
    services.compute_members(committee=committee, year=YEAR, member_ids=[other.pk])
    narrowed = client.get(url, {"year": YEAR, "sector": year_world["sector"].pk})
    assert other.pk not in [r["score"].member_id for r in narrowed.context["rows"]]
    # a unit of another committee is not a choice: the filter is ignored, not an error
    stray = client.get(url, {"year": YEAR, "sector": "999999", "q": "甲"})
    assert [r["score"].member.name for r in stray.context["rows"]] == ["甲委员"]


def test_the_ranking_has_the_office_buttons(client, year_world):
    client.force_login(year_world["office"])
    page = body(client.get(reverse("scoring:ranking"), {"year": YEAR}))
    assert reverse("scoring:policy") in page
    assert f'action="{reverse("scoring:compute")}"' in page
    assert reverse("scoring:scores_export") + f"?year={YEAR}&amp;format=xlsx" in page


def test_members_never_see_the_ranking(client, year_world):
    client.force_login(year_world["a"].user)
    assert client.get(reverse("scoring:ranking")).status_code == 403
    assert client.get(reverse("scoring:scores_export"), {"year": YEAR}).status_code == 403


def test_switched_off_rankings_list_the_scores_by_name_without_ranks(client, year_world):
    ScoringPolicy.objects.create(committee=year_world["committee"], rankings_enabled=False)
    client.force_login(year_world["leader"])
    response = client.get(reverse("scoring:ranking"), {"year": YEAR})
    assert response.status_code == 200
    page = body(response)
    assert 'id="ranking-off"' in page and ">Rank<" not in page
    # by name (pinyin: 丙 bing, 甲 jia, 乙 yi), not by total (甲 87.50 first)
    assert page.index("丙委员") < page.index("甲委员") < page.index("乙委员")
    assert reverse("scoring:member_score", args=[year_world["a"].pk, YEAR]) in page
    export = client.get(reverse("scoring:scores_export"), {"year": YEAR, "format": "csv"})
    assert export.status_code == 200


def _fill(committee, term, sector, n):
    for _ in range(n):
        MemberTermFactory(member__committee=committee, term=term, sector=sector)


def test_the_ranking_query_count_does_not_grow(client, year_world):
    world = year_world
    client.force_login(world["leader"])
    url = reverse("scoring:ranking")
    client.get(url, {"year": YEAR})
    with capture_queries() as small:
        client.get(url, {"year": YEAR})
    _fill(world["committee"], world["term"], world["sector"], 30)
    services.compute_year(committee=world["committee"], year=YEAR)
    with capture_queries() as large:
        response = client.get(url, {"year": YEAR})
    assert len(response.context["rows"]) == 33
    assert_same_query_count(small, large)


def test_the_ranking_pages_by_fifty(client, year_world):
    world = year_world
    _fill(world["committee"], world["term"], world["sector"], 50)
    services.compute_year(committee=world["committee"], year=YEAR)
    client.force_login(world["leader"])
    first = client.get(reverse("scoring:ranking"), {"year": YEAR})
    assert len(first.context["rows"]) == 50 and 'id="ranking-next"' in body(first)
    second = client.get(reverse("scoring:ranking"), {"year": YEAR, "page": 2})
    # ranks are over the whole list, not the page: everyone with 10 points shares third place
    assert [r["score"].rank for r in second.context["rows"]] == [3, 3, 3]


# --- export -----------------------------------------------------------------------------------------


def test_the_csv_export_reads_back(client, year_world):
    a = year_world["a"]
    client.force_login(year_world["leader"])
    response = client.get(reverse("scoring:scores_export"), {"year": YEAR, "format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert rows[0][:3] == ["身份证号", "姓名", "出席全体会议"]
    row = next(r for r in rows if r[1] == "甲委员")
    assert row[rows[0].index("总分")] == "87.50" and row[rows[0].index("等次")] == "良好"
    assert a.id_number not in response.content.decode("utf-8-sig")
    event = AuditEvent.objects.get(event="scoring.scores_exported")
    assert event.actor == year_world["leader"] and event.detail["format"] == "csv"


def test_the_xlsx_export_reads_back(client, year_world):
    client.force_login(year_world["office"])
    response = client.get(reverse("scoring:scores_export"), {"year": YEAR, "format": "xlsx"})
    assert response.status_code == 200
    sheet = load_workbook(io.BytesIO(response.content)).active
    values = [[c.value for c in row] for row in sheet.iter_rows()]
    header = values[1]
    row = next(r for r in values if r[1] == "乙委员")
    assert row[header.index("总分")] in (22.5, "22.50", Decimal("22.50"))


def test_a_bad_format_is_404(client, year_world):
    client.force_login(year_world["office"])
    assert client.get(reverse("scoring:scores_export"), {"year": YEAR, "format": "pdf"}).status_code == 404


# --- settings ---------------------------------------------------------------------------------------


def test_the_office_switches_rankings_off_and_on(client, year_world):
    client.force_login(year_world["office"])
    url = reverse("scoring:policy")
    assert client.get(url).status_code == 200
    response = client.post(url, {})
    assert response.status_code == 302
    assert ScoringPolicy.objects.get(committee=year_world["committee"]).rankings_enabled is False
    event = AuditEvent.objects.get(event="scoring.policy_changed")
    assert event.detail == {"before": {"rankings_enabled": True}, "after": {"rankings_enabled": False}}
    client.post(url, {"rankings_enabled": "on"})
    assert ScoringPolicy.objects.get(committee=year_world["committee"]).rankings_enabled is True
    assert AuditEvent.objects.filter(event="scoring.policy_changed").count() == 2
    # the same values again change nothing
    client.post(url, {"rankings_enabled": "on"})
    assert AuditEvent.objects.filter(event="scoring.policy_changed").count() == 2


@pytest.mark.parametrize("who", ["leader", "a"])
def test_others_cannot_change_the_settings(client, year_world, who):
    user = year_world[who] if who == "leader" else year_world[who].user
    client.force_login(user)
    assert client.get(reverse("scoring:policy")).status_code == 403
    assert client.post(reverse("scoring:policy"), {}).status_code == 403
    assert not ScoringPolicy.objects.exists()


# --- start page card ----------------------------------------------------------------------------------


def test_the_home_card_shows_this_years_total(year_world, monkeypatch):
    from django.template.loader import render_to_string

    from lvzhi.scoring import home_cards

    monkeypatch.setattr("django.utils.timezone.localdate", lambda *args, **kwargs: datetime.date(YEAR, 12, 4))
    card = home_cards.member_score(year_world["a"].user)
    assert card["year"] == YEAR and card["score"].total == Decimal("87.50")
    html = render_to_string("scoring/_home_mine.html", {"card": card})
    assert 'id="home-score-total">87.50<' in html and reverse("scoring:mine") in html
    assert home_cards.member_score(year_world["office"]) is None
    card = home_cards.member_score(year_world["a"].user) | {"score": None}
    assert "No score for this year yet." in render_to_string("scoring/_home_mine.html", {"card": card})


def test_the_members_rules_page_names_the_roles_of_fixed_per_role_points(client, year_world):
    text = year_world["rule_set"].text.replace(
        "points: 15\n        text: 提案被立案再加 15 分\n        split: lead_half",
        "text: 提案被立案，第一作者 15 分，联名 10 分\n        per_role: {lead: 15, co: 10}",
        1,
    )
    assert text != year_world["rule_set"].text
    services.save_rule_set(committee=year_world["committee"], year=YEAR, text=text, activate=True)
    client.force_login(year_world["a"].user)
    page = body(client.get(reverse("scoring:my_rules"), {"year": YEAR}))
    assert "Lead: 15" in page and "Co-author: 10" in page and "lead:" not in page
