"""The proposal settings page: who may change what, the forms' messages, the lists (categories and
reasons for not accepting), the session deadlines, and the audit rows with before and after."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from lvzhi.core.models import AuditEvent
from lvzhi.factories import TermFactory
from lvzhi.organization.models import Session
from lvzhi.proposals import selectors
from lvzhi.proposals.models import (
    DEFAULT_CATEGORIES,
    DEFAULT_REJECTION_REASONS,
    ProposalCategory,
    ProposalPolicy,
    RejectionReason,
    SessionPolicy,
)
from lvzhi.proposals.services import settings as services
from lvzhi.proposals.services.common import ProposalError

from .fixtures import *  # noqa: F403

pytestmark = pytest.mark.usefixtures("english")

POLICY = {"body_limit": "4000", "cosign_days": "5", "return_days": "12", "remind_days": "20"}


@pytest.fixture
def foreign_session(other_committee):
    term = TermFactory(committee=other_committee)
    return Session.objects.create(
        term=term, number=1, name="第一次会议", start_date=datetime.date(2026, 1, 5)
    )


def _names(committee):
    return list(ProposalCategory.objects.filter(committee=committee).values_list("name", flat=True))


# --- rights -----------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["proposer", "unit_user", "leader"])
def test_members_units_and_leaders_may_not_change_settings(client, request, who, session, committee):
    user = request.getfixturevalue(who)
    client.force_login(getattr(user, "user", user))
    assert client.get(reverse("proposals:settings")).status_code == 403
    assert client.post(reverse("proposals:settings"), POLICY).status_code == 403
    response = client.post(reverse("proposals:settings_category"), {"action": "add", "name": "农业"})
    assert response.status_code == 403
    response = client.post(reverse("proposals:settings_reason"), {"action": "add", "text": "重复提出"})
    assert response.status_code == 403
    response = client.post(reverse("proposals:settings_session", args=[session.pk]), {"handling_months": "4"})
    assert response.status_code == 403
    assert not ProposalPolicy.objects.exists() and not SessionPolicy.objects.exists()
    assert "农业" not in _names(committee)


def test_the_page_shows_every_section_to_staff(client, office, session):
    client.force_login(office)
    response = client.get(reverse("proposals:settings"))
    assert response.status_code == 200
    text = response.content.decode()
    for element in (
        'id="settings-policy-form"',
        'id="category-list"',
        'id="category-list-add"',
        'id="reason-list"',
        'id="reason-list-add"',
        f'id="settings-session-{session.pk}-form"',
    ):
        assert element in text
    assert DEFAULT_CATEGORIES[0] in text and DEFAULT_REJECTION_REASONS[0] in text
    # The defaults are shown before anything is saved.
    assert 'value="3000"' in text and 'name="handling_months" value="3"' in text


def test_another_committees_session_is_not_found(client, office, foreign_session):
    client.force_login(office)
    response = client.post(
        reverse("proposals:settings_session", args=[foreign_session.pk]), {"handling_months": "4"}
    )
    assert response.status_code == 404
    assert not SessionPolicy.objects.exists()


def test_another_committees_category_is_not_found(client, office, other_committee):
    client.force_login(office)
    foreign = ProposalCategory.objects.filter(committee=other_committee).first()
    response = client.post(
        reverse("proposals:settings_category"), {"action": "retire", "item": foreign.pk, "name": ""}
    )
    assert response.status_code == 404
    foreign.refresh_from_db()
    assert foreign.is_active
    response = client.post(reverse("proposals:settings_category"), {"action": "retire", "item": "9" * 30})
    assert response.status_code == 404


def test_the_services_refuse_others(proposer, office, foreign_office, committee, session):
    category = ProposalCategory.objects.filter(committee=committee).first()
    with pytest.raises(PermissionDenied):
        services.change_category(actor=proposer.user, action="add", name="农业")
    with pytest.raises(PermissionDenied):
        services.change_category(actor=foreign_office, action="retire", category=category)
    with pytest.raises(PermissionDenied):
        services.set_session_deadline(actor=foreign_office, session=session, handling_months=4)
    with pytest.raises(PermissionDenied):
        services.update_policy(
            actor=proposer.user, body_limit=3000, cosign_days=7, return_days=10, remind_days=15
        )
    with pytest.raises(ProposalError):
        services.update_policy(actor=office, body_limit=10, cosign_days=7, return_days=10, remind_days=15)


# --- the committee's limits and days ------------------------------------------------------------------------


def test_staff_save_the_limits_and_days_audited_with_before_and_after(client, office, committee):
    client.force_login(office)
    response = client.post(reverse("proposals:settings"), POLICY)
    assert response.status_code == 302
    policy = selectors.policy_for(committee.pk)
    assert (policy.body_limit, policy.cosign_days, policy.return_days, policy.remind_days) == (
        4000,
        5,
        12,
        20,
    )
    event = AuditEvent.objects.get(event="proposals.settings_changed")
    assert event.actor == office
    assert event.detail["before"] == {
        "body_limit": 3000,
        "cosign_days": 7,
        "return_days": 10,
        "remind_days": 15,
    }
    assert event.detail["after"] == {
        "body_limit": 4000,
        "cosign_days": 5,
        "return_days": 12,
        "remind_days": 20,
    }


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("body_limit", "100", "Ensure this value is greater than or equal to 500."),
        ("body_limit", "99999999999999999999", "Ensure this value is less than or equal to 20000."),
        ("cosign_days", "0", "Ensure this value is greater than or equal to 1."),
        ("return_days", "61", "Ensure this value is less than or equal to 60."),
        ("remind_days", "abc", "Enter a whole number."),
        ("remind_days", "", "This field is required."),
    ],
)
def test_out_of_range_values_are_form_errors(client, office, committee, field, value, message):
    client.force_login(office)
    response = client.post(reverse("proposals:settings"), {**POLICY, field: value})
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not ProposalPolicy.objects.filter(committee=committee).exists()


# --- the lists -----------------------------------------------------------------------------------------------


def test_categories_add_rename_reorder_retire_restore(client, office, committee):
    client.force_login(office)
    url = reverse("proposals:settings_category")
    client.post(url, {"action": "add", "name": " 农业农村 "})
    assert _names(committee) == [*DEFAULT_CATEGORIES, "农业农村"]
    added = ProposalCategory.objects.get(committee=committee, name="农业农村")
    client.post(url, {"action": "up", "item": added.pk, "name": ""})
    assert _names(committee)[-2:] == ["农业农村", "生态文明"]
    client.post(url, {"action": "rename", "item": added.pk, "name": "三农"})
    client.post(url, {"action": "retire", "item": added.pk, "name": ""})
    added.refresh_from_db()
    assert (added.name, added.is_active) == ("三农", False)
    client.post(url, {"action": "restore", "item": added.pk, "name": ""})
    added.refresh_from_db()
    assert added.is_active
    events = AuditEvent.objects.filter(event="proposals.categories_changed").order_by("pk")
    assert [e.detail["action"] for e in events] == ["add", "up", "rename", "retire", "restore"]
    assert ["三农", False] in events[3].detail["after"]
    assert ["三农", True] in events[3].detail["before"]


@pytest.mark.parametrize(
    ("name", "message"),
    [
        ("经济", "Category name: 经济 is already in the list."),
        ("", "Category name: write a name."),
        ("农" * 51, "Ensure this value has at most 50 characters (it has 51)."),
        ("农\x00业", "Null characters are not allowed."),
    ],
)
def test_bad_category_names_are_messages(client, office, committee, name, message):
    client.force_login(office)
    response = client.post(
        reverse("proposals:settings_category"), {"action": "add", "name": name}, follow=True
    )
    assert response.status_code == 200
    assert message in response.content.decode()
    assert _names(committee) == DEFAULT_CATEGORIES


def test_an_unknown_action_is_a_message(client, office, committee):
    client.force_login(office)
    response = client.post(
        reverse("proposals:settings_category"), {"action": "drop", "name": "x"}, follow=True
    )
    assert "Unknown change." in response.content.decode()
    assert _names(committee) == DEFAULT_CATEGORIES


def test_reasons_for_not_accepting_are_edited_the_same_way(client, office, committee):
    client.force_login(office)
    url = reverse("proposals:settings_reason")
    client.post(url, {"action": "add", "text": "同一提案人重复提出"})
    reason = RejectionReason.objects.get(committee=committee, text="同一提案人重复提出")
    client.post(url, {"action": "retire", "item": reason.pk, "text": ""})
    reason.refresh_from_db()
    assert not reason.is_active
    response = client.post(url, {"action": "add", "text": "理" * 101}, follow=True)
    assert "Ensure this value has at most 100 characters (it has 101)." in response.content.decode()
    response = client.post(url, {"action": "add", "text": DEFAULT_REJECTION_REASONS[0]}, follow=True)
    assert f"Reason: {DEFAULT_REJECTION_REASONS[0]} is already in the list." in response.content.decode()
    assert RejectionReason.objects.filter(committee=committee).count() == len(DEFAULT_REJECTION_REASONS) + 1
    assert AuditEvent.objects.filter(event="proposals.rejection_reasons_changed").count() == 2
    assert client.post(url, {"action": "retire", "item": 10**9, "text": ""}).status_code == 404


# --- session deadlines ---------------------------------------------------------------------------------------


def test_a_sessions_handling_months(client, office, session):
    client.force_login(office)
    assert selectors.handling_months(session.pk) == 3
    url = reverse("proposals:settings_session", args=[session.pk])
    assert client.post(url, {"handling_months": "6"}).status_code == 302
    assert selectors.handling_months(session.pk) == 6
    event = AuditEvent.objects.get(event="proposals.session_settings_changed")
    assert event.detail == {"before": {"handling_months": 3}, "after": {"handling_months": 6}}
    client.post(url, {"handling_months": "4"})
    event = AuditEvent.objects.filter(event="proposals.session_settings_changed").latest("pk")
    assert event.detail["before"] == {"handling_months": 6}
    response = client.post(url, {"handling_months": "13"}, follow=True)
    assert "Ensure this value is less than or equal to 12." in response.content.decode()
    assert selectors.handling_months(session.pk) == 4
    assert client.get(url).status_code == 405
