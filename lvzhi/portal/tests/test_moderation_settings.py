"""The public site's settings page (portal:settings) and the reply templates' pages: validation with the
field named, the stale version, the audit row, the word count; templates listed, created, edited and
deleted (after a confirmation)."""

import pytest
from django.urls import reverse

from lvzhi.core.models import AuditEvent
from lvzhi.core.testing import body
from lvzhi.portal.models import PortalSettings, ReplyTemplate

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def staff(client, office):
    client.force_login(office)
    return client


def settings_data(**changes):
    return {
        "accepting_messages": "on",
        "sensitive_words": "赌博\r\n代开发票\r\n",
        "overdue_days": "5",
        "office_phone": "0571-88886666",
        "version": "1",
        **changes,
    }


def test_the_settings_page_shows_the_defaults(staff):
    text = body(staff.get(reverse("portal:settings")))
    assert 'name="overdue_days"' in text and 'value="7"' in text
    assert 'id="word-count"' in text and "0 words saved" in text
    assert 'name="version" value="1"' in text


def test_settings_are_saved_with_the_count_shown_and_audited(staff, committee):
    response = staff.post(reverse("portal:settings"), settings_data(), follow=True)
    assert "settings are saved." in body(response)
    site = PortalSettings.objects.get(committee=committee)
    assert site.word_list() == ["赌博", "代开发票"] and site.overdue_days == 5 and site.accepting_messages
    assert "2 words saved" in body(response)
    event = AuditEvent.objects.get(event="portal.settings_changed")
    assert event.detail["sensitive_words"]["after"] == 2
    # closing the board
    staff.post(reverse("portal:settings"), settings_data(accepting_messages="", version="2"))
    site.refresh_from_db()
    assert not site.accepting_messages and site.version == 3


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"overdue_days": "0"}, "Days before a message is overdue"),
        ({"overdue_days": "91"}, "Days before a message is overdue"),
        ({"overdue_days": "abc"}, "Days before a message is overdue"),
        ({"office_phone": "1" * 41}, "Office telephone"),
        ({"sensitive_words": "长" * 51}, "Sensitive words"),
    ],
)
def test_bad_settings_are_refused_naming_the_field(staff, committee, changes, field):
    response = staff.post(reverse("portal:settings"), settings_data(**changes))
    assert response.status_code == 400
    assert field in body(response)
    assert not PortalSettings.objects.exists()


def test_a_stale_settings_page_saves_nothing(staff, committee):
    staff.post(reverse("portal:settings"), settings_data())
    response = staff.post(reverse("portal:settings"), settings_data(overdue_days="30"), follow=True)
    assert "Someone else saved this" in body(response)
    assert PortalSettings.objects.get(committee=committee).overdue_days == 5


# --- reply templates ----------------------------------------------------------------------------------


def test_reply_templates_are_listed_created_edited_and_deleted(staff, committee):
    assert "No reply template yet." in body(staff.get(reverse("portal:reply_templates")))
    response = staff.post(
        reverse("portal:reply_template_new"), {"title": "感谢", "text": "感谢您的留言。", "order": "1"}
    )
    assert response.status_code == 302
    template = ReplyTemplate.objects.get()
    assert template.committee == committee
    listing = body(staff.get(reverse("portal:reply_templates")))
    assert "感谢您的留言。" in listing and "data-confirm" in listing
    edit_page = body(staff.get(reverse("portal:reply_template_edit", args=[template.pk])))
    assert "感谢您的留言。" in edit_page
    staff.post(
        reverse("portal:reply_template_edit", args=[template.pk]),
        {"title": "感谢来信", "text": "感谢您的来信。", "order": "2"},
    )
    template.refresh_from_db()
    assert template.title == "感谢来信"
    response = staff.post(reverse("portal:reply_template_delete", args=[template.pk]), follow=True)
    assert "The reply template is deleted." in body(response)
    assert not ReplyTemplate.objects.exists()
    assert AuditEvent.objects.filter(event="portal.reply_template_saved").count() == 2
    assert AuditEvent.objects.filter(event="portal.reply_template_deleted").count() == 1


def test_a_reply_template_needs_its_text(staff):
    response = staff.post(reverse("portal:reply_template_new"), {"title": "感谢", "text": " ", "order": "0"})
    assert response.status_code == 400 and "Text" in body(response)
    assert not ReplyTemplate.objects.exists()


def test_a_new_template_sent_twice_is_saved_once(staff):
    data = {"title": "感谢", "text": "感谢您的留言。", "order": "0", "submission_token": "tok-123"}
    staff.post(reverse("portal:reply_template_new"), data)
    response = staff.post(reverse("portal:reply_template_new"), data, follow=True)
    assert "already submitted" in body(response)
    assert ReplyTemplate.objects.count() == 1
