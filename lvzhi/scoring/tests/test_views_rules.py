"""The rule-set pages (lvzhi/scoring/views/rules.py): who may open what, saving texts and numbers as the
next version, preview, activation, export and computing the year."""

from decimal import Decimal

import pytest
from django.urls import reverse

from lvzhi.accounts.roles import Role
from lvzhi.core.audit import AuditEvent
from lvzhi.core.testing import assert_same_query_count, body, capture_queries
from lvzhi.factories import MemberTermFactory, UserFactory
from lvzhi.scoring import services
from lvzhi.scoring.models import MemberScore, RuleSet

from .conftest import DEFAULT_RULES, YEAR, add_record

pytestmark = pytest.mark.usefixtures("english")

PK_URLS = ["rule_detail", "rule_edit", "rule_values", "rule_preview", "rule_activate", "rule_export"]


@pytest.fixture
def draft(year_world):
    return services.save_rule_set(committee=year_world["committee"], year=YEAR, text=DEFAULT_RULES)


@pytest.fixture
def staff(client, year_world):
    client.force_login(year_world["office"])
    return client


def other_rule_set(other_committee):
    return services.save_rule_set(committee=other_committee, year=YEAR, text=DEFAULT_RULES)


# --- who may open what --------------------------------------------------------------------------


@pytest.mark.parametrize("name", PK_URLS)
def test_staff_open_every_page_of_a_version(staff, draft, name):
    response = staff.get(reverse(f"scoring:{name}", args=[draft.pk]))
    assert response.status_code == 200


@pytest.mark.parametrize("name", ["rules", "rule_new"])
def test_staff_open_the_list_and_the_new_form(staff, name):
    assert staff.get(reverse(f"scoring:{name}")).status_code == 200


@pytest.mark.parametrize("name", PK_URLS)
def test_another_committees_version_is_not_found(staff, other_committee, name):
    rule_set = other_rule_set(other_committee)
    assert staff.get(reverse(f"scoring:{name}", args=[rule_set.pk])).status_code == 404
    assert staff.post(reverse(f"scoring:{name}", args=[rule_set.pk])).status_code in (404, 405)
    rule_set.refresh_from_db()
    assert rule_set.status == RuleSet.Status.DRAFT


def test_another_committees_version_cannot_be_copied(staff, other_committee):
    rule_set = other_rule_set(other_committee)
    assert staff.get(reverse("scoring:rule_new") + f"?from={rule_set.pk}").status_code == 404


@pytest.mark.parametrize("who", ["leader", "member"])
@pytest.mark.parametrize("name", PK_URLS)
def test_members_and_leaders_are_refused(client, year_world, draft, who, name):
    client.force_login(year_world["leader"] if who == "leader" else year_world["a"].user)
    assert client.get(reverse(f"scoring:{name}", args=[draft.pk])).status_code == 403
    assert client.post(reverse(f"scoring:{name}", args=[draft.pk])).status_code in (403, 405)
    draft.refresh_from_db()
    assert draft.status == RuleSet.Status.DRAFT


@pytest.mark.parametrize("who", ["leader", "member"])
def test_members_and_leaders_are_refused_the_list_new_and_compute(client, year_world, who):
    client.force_login(year_world["leader"] if who == "leader" else year_world["a"].user)
    assert client.get(reverse("scoring:rules")).status_code == 403
    assert client.get(reverse("scoring:rule_new")).status_code == 403
    before = RuleSet.objects.count()
    assert client.post(reverse("scoring:rule_new"), {"year": YEAR, "text": DEFAULT_RULES}).status_code == 403
    assert RuleSet.objects.count() == before
    assert client.post(reverse("scoring:compute"), {"year": YEAR}).status_code == 403


def test_a_member_reads_the_active_versions_table_without_actions(client, year_world):
    client.force_login(year_world["a"].user)
    response = client.get(reverse("scoring:rule_detail", args=[year_world["rule_set"].pk]))
    assert response.status_code == 200
    assert "出席全体会议" in body(response)
    assert reverse("scoring:rule_values", args=[year_world["rule_set"].pk]) not in body(response)


def test_a_member_of_another_committee_gets_not_found(client, year_world, other_committee):
    rule_set = other_rule_set(other_committee)
    services.activate_rule_set(rule_set, actor=None)
    client.force_login(year_world["a"].user)
    assert client.get(reverse("scoring:rule_detail", args=[rule_set.pk])).status_code == 404


def test_an_office_user_of_another_committee_gets_not_found(client, year_world, other_committee):
    client.force_login(UserFactory(committee=other_committee, role=Role.OFFICE))
    assert client.get(reverse("scoring:rule_detail", args=[year_world["rule_set"].pk])).status_code == 404
    assert client.post(reverse("scoring:rule_activate", args=[year_world["rule_set"].pk])).status_code == 404


def test_anonymous_goes_to_sign_in(client, year_world):
    response = client.get(reverse("scoring:rule_detail", args=[year_world["rule_set"].pk]))
    assert response.status_code == 302


# --- the list ------------------------------------------------------------------------------------


def test_the_list_shows_the_years_versions(staff, year_world, draft):
    response = staff.get(reverse("scoring:rules") + f"?year={YEAR}")
    page = body(response)
    assert 'id="rules-version-1"' in page and 'id="rules-version-2"' in page
    assert f"?from={year_world['rule_set'].pk}" in page  # the new version starts from the active one
    assert reverse("scoring:compute") in page


def test_a_year_without_rules_offers_the_template(staff, year_world):
    page = body(staff.get(reverse("scoring:rules") + "?year=2030"))
    assert 'id="rules-new-from-template"' in page
    assert 'id="rules-compute"' not in page


def test_a_bad_year_falls_back_to_this_year(staff):
    assert staff.get(reverse("scoring:rules") + "?year=abc").status_code == 200


# --- new versions from a text ----------------------------------------------------------------------


def test_the_new_form_starts_from_the_template_or_a_version(staff, year_world):
    page = body(staff.get(reverse("scoring:rule_new") + "?year=2027"))
    assert "默认模板" in page and 'value="2027"' in page
    edited = services.save_rule_set(
        committee=year_world["committee"], year=YEAR, text=DEFAULT_RULES.replace("默认模板", "本县")
    )
    page = body(staff.get(reverse("scoring:rule_new") + f"?from={edited.pk}"))
    assert "本县" in page and f'value="{YEAR}"' in page


def test_saving_a_text_makes_a_draft(staff, year_world):
    response = staff.post(reverse("scoring:rule_new"), {"year": 2027, "text": DEFAULT_RULES})
    rule_set = RuleSet.objects.get(committee=year_world["committee"], year=2027)
    assert response.status_code == 302 and response.url == reverse("scoring:rule_detail", args=[rule_set.pk])
    assert (rule_set.version, rule_set.status, rule_set.text) == (1, RuleSet.Status.DRAFT, DEFAULT_RULES)
    assert rule_set.created_by == year_world["office"]


def test_bad_yaml_keeps_the_text_and_names_the_line(staff, year_world):
    text = DEFAULT_RULES.replace("        points: 30\n", "        points: thirty\n")
    line = text.splitlines().index("        points: thirty") + 1
    before = RuleSet.objects.count()
    response = staff.post(reverse("scoring:rule_new"), {"year": YEAR, "text": text})
    assert response.status_code == 200
    page = body(response)
    assert f"第{line}行：points 必须是数字" in page
    assert "points: thirty" in page  # quoted from the text, and the text kept in the textarea
    assert response.context["form"]["text"].value() == text
    assert RuleSet.objects.count() == before


def test_broken_yaml_names_the_line(staff):
    text = "name: x\ncategories:\n  - code: a\n    rules: [\n"
    page = body(staff.post(reverse("scoring:rule_new"), {"year": YEAR, "text": text}))
    assert "行：不是有效的 YAML/JSON" in page


def test_editing_saves_the_next_version_and_keeps_the_old(staff, year_world):
    active = year_world["rule_set"]
    text = active.text.replace("默认模板", "修订")
    response = staff.post(reverse("scoring:rule_edit", args=[active.pk]), {"text": text})
    new = RuleSet.objects.get(committee=year_world["committee"], year=YEAR, version=2)
    assert response.url == reverse("scoring:rule_detail", args=[new.pk])
    assert new.text == text and new.status == RuleSet.Status.DRAFT
    active.refresh_from_db()
    assert active.text == DEFAULT_RULES and active.status == RuleSet.Status.ACTIVE


def test_editing_without_a_change_saves_nothing(staff, year_world):
    active = year_world["rule_set"]
    response = staff.post(reverse("scoring:rule_edit", args=[active.pk]), {"text": active.text})
    assert response.status_code == 200
    assert RuleSet.objects.filter(committee=year_world["committee"]).count() == 1


def test_the_year_written_in_the_text_must_match(staff):
    text = "year: 2025\n" + DEFAULT_RULES
    page = body(staff.post(reverse("scoring:rule_new"), {"year": YEAR, "text": text}))
    assert "2025" in page and not RuleSet.objects.filter(year=YEAR, version=2).exists()


# --- the table -----------------------------------------------------------------------------------


def test_the_detail_shows_the_rules_as_a_table(staff, year_world):
    rule_set = year_world["rule_set"]
    response = staff.get(reverse("scoring:rule_detail", args=[rule_set.pk]))
    page = body(response)
    plenary = rule_set.parsed().category("plenary")
    present = plenary.rules[0]
    assert 'data-kind="attendance.plenary.present"' in page
    assert "全体会议无故缺席" in page and "至少提交一件提案或一条社情民意信息" in page
    assert "First author half" in page and "At most 3 authors count" in page
    table = response.context["table"]
    assert table[0]["rules"][0]["points"] == "50" and table[0]["rules"][0]["rule"].line == present.line
    assert f'id="L{present.line}"' in page
    assert reverse("scoring:rule_activate", args=[rule_set.pk]) not in page  # already active


def test_the_detail_of_a_text_that_no_longer_loads(staff, year_world):
    RuleSet.objects.filter(pk=year_world["rule_set"].pk).update(text="name: x\ncategories: []\n")
    response = staff.get(reverse("scoring:rule_detail", args=[year_world["rule_set"].pk]))
    assert response.status_code == 200 and "第2行" in body(response)


# --- the numbers form ------------------------------------------------------------------------------


def values_data(response):
    form = response.context["form"]
    return {name: field.initial if field.initial is not None else "" for name, field in form.fields.items()}


def test_the_values_form_writes_the_next_version_with_the_number_changed(staff, year_world):
    active = year_world["rule_set"]
    url = reverse("scoring:rule_values", args=[active.pk])
    data = values_data(staff.get(url))
    assert data["points-attendance.plenary.present"] == "50" and data["cap-plenary"] == "50"
    data["points-attendance.plenary.present"] = "60"
    data["cap-plenary"] = "60"
    response = staff.post(url, data)
    new = RuleSet.objects.get(committee=year_world["committee"], year=YEAR, version=2)
    assert response.url == reverse("scoring:rule_detail", args=[new.pk])
    old_lines, new_lines = DEFAULT_RULES.splitlines(), new.text.splitlines()
    changed = [(o, n) for o, n in zip(old_lines, new_lines, strict=True) if o != n]
    assert changed == [("    cap: 50", "    cap: 60"), ("        points: 50", "        points: 60")]
    assert "# 出席全体会议：出席 50 分，请假 30 分，无故缺席不得分" in new.text  # comments kept
    parsed = new.parsed()
    assert parsed.rule_for("attendance.plenary.present").points == Decimal("60.00")
    assert new.status == RuleSet.Status.DRAFT


def test_the_values_form_adds_and_removes_keys(staff, year_world):
    active = year_world["rule_set"]
    url = reverse("scoring:rule_values", args=[active.pk])
    data = values_data(staff.get(url))
    data["cap-plenary"] = ""  # no cap
    data["start-plenary"] = "5"  # not written in the text yet
    data["grade-3-min"] = "0"
    staff.post(url, data)
    new = RuleSet.objects.get(committee=year_world["committee"], year=YEAR, version=2)
    category = new.parsed().category("plenary")
    assert (category.cap, category.start) == (None, Decimal("5.00"))
    assert new.parsed().grades[-1].min == Decimal("0.00")
    assert "# 出席全体会议：出席 50 分" in new.text


def test_a_bad_number_names_the_field(staff, year_world):
    url = reverse("scoring:rule_values", args=[year_world["rule_set"].pk])
    data = values_data(staff.get(url))
    data["points-attendance.plenary.present"] = "lots"
    data["points-attendance.plenary.leave"] = "1.234"
    response = staff.post(url, data)
    assert response.status_code == 200
    page = body(response)
    assert "出席全体会议 · 出席全体会议：Points must be a number." in page
    assert "出席全体会议 · 全体会议请假（经批准）：Points: at most two decimal places." in page
    assert 'value="lots"' in page
    assert RuleSet.objects.filter(committee=year_world["committee"]).count() == 1


def test_numbers_that_make_bad_rules_are_refused(staff, year_world):
    url = reverse("scoring:rule_values", args=[year_world["rule_set"].pk])
    data = values_data(staff.get(url))
    data["floor-discipline"] = "20"  # above its cap of 10
    response = staff.post(url, data)
    assert response.status_code == 200 and "floor" in body(response)
    assert RuleSet.objects.filter(committee=year_world["committee"]).count() == 1


def test_unchanged_numbers_save_nothing(staff, year_world):
    url = reverse("scoring:rule_values", args=[year_world["rule_set"].pk])
    staff.post(url, values_data(staff.get(url)))
    assert RuleSet.objects.filter(committee=year_world["committee"]).count() == 1


def test_a_json_text_falls_back_to_writing_the_whole_rule_set(staff, year_world):
    import json

    from lvzhi.scoring import rules

    text = json.dumps(rules.to_data(year_world["rule_set"].parsed()), ensure_ascii=False)
    rule_set = services.save_rule_set(committee=year_world["committee"], year=YEAR, text=text)
    url = reverse("scoring:rule_values", args=[rule_set.pk])
    data = values_data(staff.get(url))
    data["start-plenary"] = "3"
    data["points-attendance.plenary.present"] = "55"
    staff.post(url, data)
    new = RuleSet.objects.get(committee=year_world["committee"], year=YEAR, version=3)
    assert new.parsed().category("plenary").start == Decimal("3.00")
    assert new.parsed().rule_for("attendance.plenary.present").points == Decimal("55.00")


# --- preview, activation, export, compute --------------------------------------------------------


def plenary_60(world):
    text = DEFAULT_RULES.replace(
        "      - kind: attendance.plenary.present\n        points: 50",
        "      - kind: attendance.plenary.present\n        points: 60",
    ).replace("    cap: 50\n", "    cap: 60\n", 1)
    return services.save_rule_set(committee=world["committee"], year=YEAR, text=text)


def test_the_preview_page_shows_the_grade_change(staff, year_world):
    rule_set = plenary_60(year_world)
    response = staff.get(reverse("scoring:rule_preview", args=[rule_set.pk]))
    page = body(response)
    assert 'id="preview-grade-changes">1 member changes grade' in page
    assert "87.50 良好" in page and "97.50 优秀" in page and "+10.00" in page
    assert 'id="rule-preview-data"' in page
    assert response.context["chart"]["after"] == [1, 0, 0, 2]
    assert year_world["a"].id_number not in page


def test_activation_asks_first_with_the_count(staff, year_world):
    rule_set = plenary_60(year_world)
    page = body(staff.get(reverse("scoring:rule_activate", args=[rule_set.pk])))
    assert "Activate and compute (1 grade change)" in page
    rule_set.refresh_from_db()
    assert rule_set.status == RuleSet.Status.DRAFT


def test_activation_activates_and_computes(staff, year_world):
    rule_set = plenary_60(year_world)
    response = staff.post(reverse("scoring:rule_activate", args=[rule_set.pk]), follow=True)
    rule_set.refresh_from_db()
    assert rule_set.status == RuleSet.Status.ACTIVE and rule_set.activated_by == year_world["office"]
    year_world["rule_set"].refresh_from_db()
    assert year_world["rule_set"].status == RuleSet.Status.RETIRED
    score = MemberScore.objects.get(rule_set=rule_set, member=year_world["a"])
    assert (score.total, score.grade) == (Decimal("97.50"), "优秀")
    assert MemberScore.objects.filter(rule_set=rule_set).count() == 3
    assert "scores computed for 3 members" in body(response)


def test_export_downloads_the_stored_text_and_is_audited(staff, year_world):
    rule_set = year_world["rule_set"]
    response = staff.get(reverse("scoring:rule_export", args=[rule_set.pk]))
    assert response.content.decode("utf-8") == DEFAULT_RULES
    assert f"home-rules-{YEAR}-v1.yaml" in response["Content-Disposition"]
    event = AuditEvent.objects.get(event="scoring.rule_set_exported")
    assert event.actor == year_world["office"] and event.action == "export"


def test_compute_is_post_only_and_recomputes(staff, year_world):
    assert staff.get(reverse("scoring:compute")).status_code == 405
    MemberScore.objects.all().delete()
    response = staff.post(reverse("scoring:compute"), {"year": YEAR}, follow=True)
    assert MemberScore.objects.filter(rule_set=year_world["rule_set"]).count() == 3
    assert "3 members" in body(response)


def test_compute_without_an_active_version_says_so(staff, year_world):
    response = staff.post(reverse("scoring:compute"), {"year": 2030}, follow=True)
    assert "has no active rule set for 2030" in body(response)


# --- query counts --------------------------------------------------------------------------------


def test_the_list_costs_the_same_with_more_versions(staff, year_world):
    url = reverse("scoring:rules") + f"?year={YEAR}"
    staff.get(url)
    with capture_queries() as small:
        staff.get(url)
    for _i in range(8):
        services.save_rule_set(
            committee=year_world["committee"], year=YEAR, text=DEFAULT_RULES, actor=year_world["office"]
        )
    with capture_queries() as large:
        response = staff.get(url)
    assert len(response.context["versions"]) == 9
    assert_same_query_count(small, large)


def test_the_preview_page_costs_the_same_with_more_members(staff, year_world):
    rule_set = plenary_60(year_world)
    url = reverse("scoring:rule_preview", args=[rule_set.pk])

    def members(n, first):
        for i in range(n):
            member = MemberTermFactory(
                member__committee=year_world["committee"], term=year_world["term"]
            ).member
            add_record(member, "attendance.plenary.present")
            add_record(member, "proposal.submitted", source=first + i, role="lead")
        services.compute_year(committee=year_world["committee"], year=YEAR)

    members(1, 7000)
    staff.get(url)
    with capture_queries() as small:
        staff.get(url)
    members(25, 8000)
    with capture_queries() as large:
        response = staff.get(url)
    assert response.context["result"].members == 29
    assert response.context["result"].grade_changes > 20
    assert_same_query_count(small, large)
