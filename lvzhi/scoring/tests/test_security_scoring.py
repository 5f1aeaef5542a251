"""Findings of the security walk (tests/security) in duty assessment, each kept as a regression test."""

import pytest
from django.urls import reverse

from lvzhi.scoring import rules, services
from lvzhi.scoring.models import InspectionGroup, MemberScore, RuleSet

from .conftest import DEFAULT_RULES, YEAR

pytestmark = pytest.mark.usefixtures("english")

HUGE = str(10**30)


def test_a_group_naming_members_and_units_beyond_any_database_id_is_refused_not_a_500(client, year_world):
    """InspectionGroupForm: ids beyond a database integer were an OverflowError (SQLite) — now unknown
    choices."""
    client.force_login(year_world["office"])
    response = client.post(
        reverse("scoring:unit_group_new") + f"?year={YEAR}",
        {"name": "第一考核组", "leader": HUGE, "leader_title": "", "members": [HUGE], "units": [HUGE]},
    )
    assert response.status_code == 400
    assert not InspectionGroup.objects.exists()


@pytest.mark.parametrize("name", ["scoring:reports", "scoring:report_notices"])
def test_a_report_unit_beyond_any_database_id_is_unknown_not_a_500(client, year_world, name):
    client.force_login(year_world["office"])
    response = client.get(reverse(name), {"year": YEAR, "unit": HUGE})
    assert response.status_code == 404


@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("  - name: 不称职\n", '  - name: "不称' + "职" * 60 + '"\n'),  # MemberScore.grade holds 50
        ("  - name: 不称职\n", '  - name: "不称\\0职"\n'),  # an escaped NUL
        ("    name: 出席全体会议\n", '    name: "出席\\0全体会议"\n'),  # into MemberScore.categories
        ("  - name: 不称职\n", '  - name: "不称\\ud800职"\n'),  # a lone surrogate: no encoding takes it
    ],
    ids=["long-grade", "nul-grade", "nul-category", "surrogate"],
)
def test_a_rule_set_whose_names_the_database_cannot_store_is_refused_with_its_line(year_world, old, new):
    assert old in DEFAULT_RULES
    text = DEFAULT_RULES.replace(old, new, 1)
    with pytest.raises(rules.RuleSetError) as caught:
        services.save_rule_set(committee=year_world["committee"], year=YEAR, text=text)
    assert all(line > 0 for line, _message in caught.value.problems)
    assert RuleSet.objects.count() == 1
    assert MemberScore.objects.count() == 3


NUL_GRADE = DEFAULT_RULES.replace("  - name: 不称职\n", '  - name: "不称\\0职"\n', 1)


def test_the_new_version_page_names_the_line_of_an_unstorable_name(client, year_world):
    client.force_login(year_world["office"])
    response = client.post(reverse("scoring:rule_new"), {"year": YEAR, "text": NUL_GRADE})
    assert response.status_code == 200
    line = NUL_GRADE.splitlines().index('  - name: "不称\\0职"') + 1
    assert f"第{line}行" in response.content.decode()
    assert RuleSet.objects.count() == 1


def test_a_stored_version_with_an_unstorable_name_is_not_activated(client, year_world):
    """A version saved before the check (or by hand): activating it says why instead of a database
    error while computing the year."""
    stored = RuleSet.objects.create(
        committee=year_world["committee"], year=YEAR, version=2, name="旧版本", text=NUL_GRADE
    )
    client.force_login(year_world["office"])
    response = client.post(reverse("scoring:rule_activate", args=[stored.pk]))
    assert response.status_code == 302
    stored.refresh_from_db()
    assert stored.status == RuleSet.Status.DRAFT
    assert year_world["rule_set"].scores.count() == 3


def test_names_with_tabs_backslashes_and_quotes_are_stored_as_written(year_world):
    """The scores are written with COPY on PostgreSQL: what COPY's text format treats specially (tab,
    newline, backslash) and JSON's quotes come back exactly as the rule set wrote them."""
    name = 'a\tb\\c\nd"e<script>'
    text = DEFAULT_RULES.replace(
        "    name: 出席全体会议\n", '    name: "a\\tb\\\\c\\nd\\"e<script>"\n', 1
    ).replace("  - name: 不称职\n", '  - name: "不称\\t职\\\\"\n', 1)
    services.save_rule_set(committee=year_world["committee"], year=YEAR, text=text, activate=True)
    services.compute_year(committee=year_world["committee"], year=YEAR)
    score = MemberScore.objects.get(member=year_world["c"], rule_set__status="active")
    assert score.categories["plenary"]["name"] == name
    assert score.grade == "不称\t职\\"


def test_a_rejected_claim_sent_again_with_a_date_after_today_is_refused_not_a_500(client, year_world):
    """The services' ClaimError of several problems has no `code`: reading it was an AttributeError."""
    import datetime

    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.utils import timezone

    from lvzhi.scoring import services_claims
    from lvzhi.scoring.models import DutyClaim

    member = year_world["a"]
    pdf = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
    claim = services_claims.submit_claim(
        actor=member.user,
        kind="commendation.city",
        date=datetime.date(YEAR, 1, 2),
        title="获评优秀政协委员",
        evidence=SimpleUploadedFile("证书.pdf", pdf),
    )
    office = year_world["office"]
    claim = services_claims.reject_claim(
        claim, actor=office, reason="材料不全", expected_version=claim.version
    )
    client.force_login(member.user)
    response = client.post(
        reverse("scoring:claim_resubmit", args=[claim.pk]),
        {
            "kind": "commendation.city",
            "date": (timezone.localdate() + datetime.timedelta(days=400)).isoformat(),
            "title": "获评优秀政协委员",
            "description": "",
            "version": claim.version,
        },
    )
    assert response.status_code == 400
    claim.refresh_from_db()
    assert claim.status == DutyClaim.Status.REJECTED
