"""save_rule_set and activate_rule_set: a version per save, validation with lines, one active per year,
the right to manage rules, audit rows."""

from pathlib import Path

import pytest
from django.contrib.auth.models import Permission
from django.core.exceptions import PermissionDenied

from lvzhi.core.models import AuditEvent
from lvzhi.scoring import rules, services
from lvzhi.scoring.models import RuleSet

DEFAULT = (Path(__file__).resolve().parent.parent / "data" / "default_rules.yaml").read_text(encoding="utf-8")


@pytest.fixture
def manager(make_user):
    user = make_user()
    user.user_permissions.add(
        Permission.objects.get(codename="manage_rules", content_type__app_label="scoring")
    )
    # No role holds the right yet (the roles table is the accounts app's); a fresh object has no
    # permission cache from before the grant.
    return type(user).objects.get(pk=user.pk)


def test_each_save_is_the_next_version_as_a_draft(committee):
    first = services.save_rule_set(committee=committee, year=2026, text=DEFAULT)
    second = services.save_rule_set(committee=committee, year=2026, text=DEFAULT)
    other_year = services.save_rule_set(committee=committee, year=2027, text=DEFAULT)
    assert (first.version, second.version, other_year.version) == (1, 2, 1)
    assert {first.status, second.status} == {RuleSet.Status.DRAFT}
    assert second.text == DEFAULT
    assert second.name == "政协委员年度履职考核细则（默认模板）"


def test_a_bad_text_is_refused_with_its_lines_and_nothing_saved(committee):
    text = DEFAULT.replace("points: 50\n", "points: fifty\n", 1)
    with pytest.raises(rules.RuleSetError) as caught:
        services.save_rule_set(committee=committee, year=2026, text=text)
    line = DEFAULT.splitlines().index("        points: 50") + 1
    assert caught.value.messages == [f"第{line}行：points 必须是数字"]
    assert not RuleSet.objects.exists()


def test_a_text_naming_another_year_is_refused(committee):
    with pytest.raises(rules.RuleSetError):
        services.save_rule_set(committee=committee, year=2026, text="year: 2025\n" + DEFAULT)


def test_activating_retires_the_one_active_before(committee, manager):
    first = services.save_rule_set(committee=committee, year=2026, text=DEFAULT, activate=True)
    second = services.save_rule_set(committee=committee, year=2026, text=DEFAULT)
    services.activate_rule_set(second, actor=manager)
    first.refresh_from_db()
    second.refresh_from_db()
    assert first.status == RuleSet.Status.RETIRED
    assert second.status == RuleSet.Status.ACTIVE
    assert second.activated_by == manager and second.activated_at is not None
    events = list(AuditEvent.objects.filter(event="scoring.rule_set_activated").order_by("pk"))
    assert [(e.actor, e.params["version"]) for e in events] == [(None, 1), (manager, 2)]


def test_activating_does_not_touch_other_years_or_committees(committee, other_committee):
    other_year = services.save_rule_set(committee=committee, year=2025, text=DEFAULT, activate=True)
    elsewhere = services.save_rule_set(committee=other_committee, year=2026, text=DEFAULT, activate=True)
    services.save_rule_set(committee=committee, year=2026, text=DEFAULT, activate=True)
    assert RuleSet.objects.get(pk=other_year.pk).status == RuleSet.Status.ACTIVE
    assert RuleSet.objects.get(pk=elsewhere.pk).status == RuleSet.Status.ACTIVE


def test_saving_is_audited_with_the_version(committee, manager):
    rule_set = services.save_rule_set(actor=manager, committee=committee, year=2026, text=DEFAULT)
    event = AuditEvent.objects.get(event="scoring.rule_set_saved")
    assert event.actor == manager and event.committee_id == committee.pk
    assert event.params == {"name": rule_set.name, "year": 2026, "version": 1}
    assert rule_set.created_by == manager


def test_a_user_without_the_right_may_not_save_or_activate(committee, make_user):
    rule_set = services.save_rule_set(committee=committee, year=2026, text=DEFAULT)
    with pytest.raises(PermissionDenied):
        services.save_rule_set(actor=make_user(), committee=committee, year=2026, text=DEFAULT)
    with pytest.raises(PermissionDenied):
        services.activate_rule_set(rule_set, actor=make_user())
    assert RuleSet.objects.get().status == RuleSet.Status.DRAFT


def test_a_manager_of_another_committee_may_not_save_here(other_committee, manager):
    with pytest.raises(PermissionDenied):
        services.save_rule_set(actor=manager, committee=other_committee, year=2026, text=DEFAULT)


def test_a_year_out_of_range_is_refused(committee):
    with pytest.raises(services.ScoringError):
        services.save_rule_set(committee=committee, year=20026, text=DEFAULT)
