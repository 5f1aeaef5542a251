"""The permission and IDOR matrix of the moderation pages: every role against every URL of
views/moderation.py (only the office, which moderates, passes), another committee's message and reply
template (404), no sign-in (the login page), GET on the steps (405).

The routes are read from the urlconf, so a new URL fails `test_every_route_is_in_the_matrix` until it gets
a line in ROUTES below."""

import pytest
from django.urls import reverse

from lvzhi.accounts.roles import Role
from lvzhi.core.testing import assert_sent_to_login, snapshot
from lvzhi.portal.models import PortalSettings, PublicMessage, PublicMessageStatusChange, ReplyTemplate
from lvzhi.portal.views import moderation

pytestmark = pytest.mark.usefixtures("english")

# name → (method, the object its URL names: "message", "template" or None, the data posted)
ROUTES = {
    "moderation": ("get", None, {}),
    "message_export": ("get", None, {}),
    "message_detail": ("get", "message", {}),
    "message_publish": ("post", "message", {"reply": "答复", "version": "1"}),
    "message_answer": ("post", "message", {"reply": "答复", "version": "1"}),
    "message_hide": ("post", "message", {"hide_reason": "广告", "version": "1"}),
    "message_restore": ("post", "message", {"version": "1"}),
    "message_convert": (
        "post",
        "message",
        {"report_title": "标题", "report_body": "正文", "version": "1"},
    ),
    "message_phone": ("post", "message", {}),
    "reply_templates": ("get", None, {}),
    "reply_template_new": ("post", None, {"title": "模板", "text": "内容", "order": "0"}),
    "reply_template_edit": ("post", "template", {"title": "模板", "text": "内容", "order": "0"}),
    "reply_template_delete": ("post", "template", {}),
    "settings": (
        "post",
        None,
        {"accepting_messages": "on", "overdue_days": "5", "sensitive_words": "", "version": "1"},
    ),
}
POST_ONLY = [name for name in ROUTES if name.startswith("message_") and ROUTES[name][0] == "post"] + [
    "reply_template_delete"
]
OTHER_ROLES = [role for role in Role if role != Role.OFFICE]
WATCHED = [PublicMessage, PublicMessageStatusChange, ReplyTemplate, PortalSettings]


@pytest.fixture
def objects(make_message, committee):
    message, _code = make_message(status=PublicMessage.Status.HIDDEN)
    template = ReplyTemplate.objects.create(committee=committee, title="感谢", text="感谢您的留言。")
    return {"message": message, "template": template}


def url(name, objects):
    kind = ROUTES[name][1]
    return reverse(f"portal:{name}", args=[objects[kind].pk] if kind else [])


def call(client, name, objects):
    method, _kind, data = ROUTES[name]
    return getattr(client, method)(url(name, objects), data)


def test_every_route_is_in_the_matrix():
    assert {pattern.name for pattern in moderation.urlpatterns} == set(ROUTES)


@pytest.mark.parametrize("role", OTHER_ROLES, ids=[r.name for r in OTHER_ROLES])
def test_only_the_office_passes(client, role_user, objects, role):
    client.force_login(role_user(role))
    before = snapshot(WATCHED)
    for name in ROUTES:
        assert call(client, name, objects).status_code == 403, name
    assert snapshot(WATCHED) == before


@pytest.mark.parametrize("name", list(ROUTES))
def test_the_office_passes(client, office, objects, name):
    client.force_login(office)
    assert call(client, name, objects).status_code in (200, 302), name


@pytest.mark.parametrize("name", [n for n in ROUTES if ROUTES[n][1]])
def test_another_committees_office_gets_404(client, make_user, other_committee, objects, name):
    client.force_login(make_user(Role.OFFICE, committee=other_committee, username="other_office"))
    before = snapshot(WATCHED)
    assert call(client, name, objects).status_code == 404
    assert snapshot(WATCHED) == before


def test_another_committees_office_sees_none_of_ours_in_its_queue(
    client, make_user, other_committee, objects
):
    client.force_login(make_user(Role.OFFICE, committee=other_committee, username="other_office"))
    for tab in ("received", "hidden"):
        response = client.get(reverse("portal:moderation"), {"tab": tab})
        assert f'data-message-id="{objects["message"].pk}"' not in response.content.decode()
    assert "感谢" not in client.get(reverse("portal:reply_templates")).content.decode()


@pytest.mark.parametrize("name", list(ROUTES))
def test_signing_in_comes_first(client, objects, name):
    assert_sent_to_login(call(client, name, objects))


@pytest.mark.parametrize("name", POST_ONLY)
def test_the_steps_are_post_only(client, office, objects, name):
    client.force_login(office)
    assert client.get(url(name, objects)).status_code == 405


def test_ids_beyond_any_database_id_are_404(client, office):
    client.force_login(office)
    assert client.get(reverse("portal:message_detail", args=[10**30])).status_code == 404
    assert client.get(reverse("portal:reply_template_edit", args=[10**30])).status_code == 404
