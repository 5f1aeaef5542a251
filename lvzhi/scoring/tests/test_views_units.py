"""The unit-assessment pages: who may read and write, the forms, the bulletin read back."""

import io

import pytest
from django.urls import reverse
from docx import Document

from lvzhi.accounts.roles import Role
from lvzhi.core.audit import AuditEvent
from lvzhi.factories import OrgUnitFactory
from lvzhi.organization.models import OrgUnit
from lvzhi.scoring import units
from lvzhi.scoring.models import InspectionGroup, UnitAssessment

from .conftest import YEAR

pytestmark = pytest.mark.usefixtures("english")

SCORES = {
    "score_organization": "18",
    "score_study": "14",
    "score_duty": "23.5",
    "score_opinions_proposals": "18",
    "score_highlights": "18",
}


@pytest.fixture
def world(year_world):
    units.refresh_units(committee=year_world["committee"], year=YEAR)
    year_world["town_a"] = UnitAssessment.objects.get(unit=year_world["town"], year=YEAR)
    year_world["group"] = units.save_group(
        committee=year_world["committee"],
        year=YEAR,
        name="第一考核组",
        leader=year_world["a"],
        leader_title="副主席",
        members=[year_world["b"]],
        units=[year_world["town"]],
    )
    return year_world


def login(client, user):
    client.force_login(user)
    return client


def test_the_office_sees_the_units_and_groups(client, world):
    login(client, world["office"])
    page = client.get(reverse("scoring:units"), {"year": YEAR})
    assert page.status_code == 200
    assert "城关镇政协工委" in page.content.decode() and "units-refresh" in page.content.decode()
    groups = client.get(reverse("scoring:unit_groups"), {"year": YEAR})
    assert "第一考核组" in groups.content.decode() and "甲委员" in groups.content.decode()
    detail = client.get(reverse("scoring:unit_detail", args=[world["town_a"].pk]))
    assert "inspection-form" in detail.content.decode()


def test_a_leader_reads_but_does_not_write(client, world):
    login(client, world["leader"])
    assert client.get(reverse("scoring:units")).status_code == 200
    assert "units-refresh" not in client.get(reverse("scoring:units"), {"year": YEAR}).content.decode()
    detail = client.get(reverse("scoring:unit_detail", args=[world["town_a"].pk]))
    assert detail.status_code == 200 and "inspection-form" not in detail.content.decode()
    assert client.get(reverse("scoring:unit_groups")).status_code == 200
    pk = world["town_a"].pk
    for name, args in (
        ("scoring:unit_refresh", []),
        ("scoring:unit_inspect", [pk]),
        ("scoring:unit_decide", [pk]),
        ("scoring:unit_group_new", []),
        ("scoring:unit_group_edit", [world["group"].pk]),
        ("scoring:unit_group_delete", [world["group"].pk]),
    ):
        assert client.post(reverse(name, args=args), {"year": YEAR}).status_code == 403, name


def test_a_member_gets_403_everywhere(client, world):
    login(client, world["a"].user)
    pk = world["town_a"].pk
    for name, args in (
        ("scoring:units", []),
        ("scoring:unit_groups", []),
        ("scoring:unit_detail", [pk]),
        ("scoring:units_bulletin", []),
        ("scoring:unit_group_new", []),
    ):
        assert client.get(reverse(name, args=args)).status_code == 403, name
    assert client.post(reverse("scoring:unit_inspect", args=[pk]), SCORES).status_code == 403


def test_another_committee_gets_404(client, world, make_user, other_committee):
    login(client, make_user(Role.OFFICE, committee=other_committee, username="office2"))
    pk, group = world["town_a"].pk, world["group"].pk
    assert client.get(reverse("scoring:unit_detail", args=[pk])).status_code == 404
    assert (
        client.post(reverse("scoring:unit_inspect", args=[pk]), {**SCORES, "version": 1}).status_code == 404
    )
    assert (
        client.post(reverse("scoring:unit_decide", args=[pk]), {"tier": "first", "version": 1}).status_code
        == 404
    )
    assert client.get(reverse("scoring:unit_group_edit", args=[group])).status_code == 404
    assert client.post(reverse("scoring:unit_group_delete", args=[group])).status_code == 404
    assert InspectionGroup.objects.filter(pk=group).exists()
    page = client.get(reverse("scoring:units"), {"year": YEAR}).content.decode()
    assert "城关镇政协工委" not in page


def test_writes_are_post_only(client, world):
    login(client, world["office"])
    pk = world["town_a"].pk
    for name, args in (
        ("scoring:unit_refresh", []),
        ("scoring:unit_inspect", [pk]),
        ("scoring:unit_decide", [pk]),
        ("scoring:unit_group_delete", [world["group"].pk]),
    ):
        assert client.get(reverse(name, args=args)).status_code == 405, name


def test_the_office_inspects_and_decides(client, world):
    login(client, world["office"])
    pk = world["town_a"].pk
    response = client.post(
        reverse("scoring:unit_inspect", args=[pk]),
        {**SCORES, "note_duty": "视察 6 次", "findings": "组织健全。", "version": 1},
    )
    assert response.status_code == 302
    assessment = UnitAssessment.objects.get(pk=pk)
    assert str(assessment.score) == "91.50" and assessment.inspection["duty"]["finding"] == "视察 6 次"
    page = client.get(reverse("scoring:unit_detail", args=[pk])).content.decode()
    assert 'value="first" class="form-check-input" id="id_tier_0" required checked' in page
    response = client.post(reverse("scoring:unit_decide", args=[pk]), {"tier": "second", "version": 2})
    assert response.status_code == 302
    assert UnitAssessment.objects.get(pk=pk).tier == "second"
    assert AuditEvent.objects.filter(event="scoring.unit_tier_decided").exists()


def test_bad_scores_and_a_stale_form_are_refused(client, world):
    login(client, world["office"])
    pk = world["town_a"].pk
    response = client.post(
        reverse("scoring:unit_inspect", args=[pk]), {**SCORES, "score_duty": "30", "version": 1}
    )
    assert response.status_code == 400
    assert "履职活动：" in response.content.decode()
    client.post(reverse("scoring:unit_inspect", args=[pk]), {**SCORES, "version": 1})
    stale = client.post(
        reverse("scoring:unit_inspect", args=[pk]), {**SCORES, "score_duty": "1", "version": 1}
    )
    assert stale.status_code == 409
    assert "Someone else saved" in stale.content.decode()
    assert str(UnitAssessment.objects.get(pk=pk).score) == "91.50"


def test_refresh_button(client, world):
    login(client, world["office"])
    OrgUnitFactory(committee=world["committee"], kind=OrgUnit.Kind.SECTOR, name="新界别")
    response = client.post(reverse("scoring:unit_refresh"), {"year": YEAR})
    assert response.status_code == 302 and response["Location"].endswith(f"?year={YEAR}")
    assert UnitAssessment.objects.filter(year=YEAR, unit__name="新界别").exists()


def test_groups_are_created_edited_and_deleted(client, world):
    login(client, world["office"])
    form = client.get(reverse("scoring:unit_group_new"), {"year": YEAR})
    assert form.status_code == 200
    response = client.post(
        reverse("scoring:unit_group_new") + f"?year={YEAR}",
        {
            "name": "第二考核组",
            "leader": world["c"].pk,
            "leader_title": "副主席",
            "members": [world["a"].pk],
            "units": [world["town"].pk, world["sector"].pk],
        },
    )
    assert response.status_code == 302
    second = InspectionGroup.objects.get(name="第二考核组")
    assert second.year == YEAR
    assert set(UnitAssessment.objects.filter(group=second).values_list("unit__name", flat=True)) == {
        "城关镇政协工委",
        "中国民主同盟",
    }
    missing = client.post(reverse("scoring:unit_group_edit", args=[second.pk]), {"name": ""})
    assert missing.status_code == 400
    response = client.post(
        reverse("scoring:unit_group_edit", args=[second.pk]),
        {"name": "第二组", "leader": world["c"].pk, "units": [world["sector"].pk]},
    )
    assert response.status_code == 302
    assert UnitAssessment.objects.get(pk=world["town_a"].pk).group is None
    assert client.post(reverse("scoring:unit_group_delete", args=[second.pk])).status_code == 302
    assert not InspectionGroup.objects.filter(pk=second.pk).exists()


def test_the_bulletin_reads_back(client, world):
    units.record_inspection(
        assessment=world["town_a"],
        scores={k.removeprefix("score_"): v for k, v in SCORES.items()},
        findings="组织健全，活动扎实。学习制度落实到位。",
    )
    units.decide_tier(assessment=world["town_a"], tier="first")
    login(client, world["leader"])
    response = client.get(reverse("scoring:units_bulletin"), {"year": YEAR})
    assert response.status_code == 200
    text = "\n".join(p.text for p in Document(io.BytesIO(response.content)).paragraphs)
    assert f"关于{YEAR}年度镇区政协工委和界别工作考核情况的通报" in text
    assert "组成1个考核组，分别由副主席甲委员带队" in text
    assert "第一考核组：组长副主席甲委员，成员乙委员；考核城关镇政协工委。" in text
    assert "一类（1个）：城关镇政协工委。" in text
    assert "尚未确定等次（1个）：中国民主同盟。" in text
    assert "城关镇政协工委：组织健全，活动扎实。学习制度落实到位。" in text
    event = AuditEvent.objects.get(event="scoring.report_exported")
    assert event.actor == world["leader"]


def test_the_units_page_costs_the_same_queries_for_many_units(client, world, django_assert_max_num_queries):
    login(client, world["office"])
    url = reverse("scoring:units") + f"?year={YEAR}"
    client.get(url)
    with django_assert_max_num_queries(40) as few:
        client.get(url)
    for n in range(15):
        unit = OrgUnitFactory(committee=world["committee"], kind=OrgUnit.Kind.SECTOR, name=f"界别{n}")
        units.save_group(
            committee=world["committee"], year=YEAR, name=f"组{n}", leader=world["c"], units=[unit]
        )
    units.refresh_units(committee=world["committee"], year=YEAR)
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(url).status_code == 200
    groups = reverse("scoring:unit_groups") + f"?year={YEAR}"
    with django_assert_max_num_queries(len(few.captured_queries)):
        assert client.get(groups).status_code == 200
