"""The announcements' services (services/announcements.py): drafts, saving in every status, publishing,
withdrawing and publishing again, the rights, optimistic locking and the audit rows."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from lvzhi.accounts.roles import Role
from lvzhi.core.models import AuditEvent
from lvzhi.core.workflow import StaleEdit
from lvzhi.portal.models import Announcement
from lvzhi.portal.services import announcements as services
from lvzhi.portal.services.announcements import AnnouncementError

pytestmark = pytest.mark.usefixtures("english")

Status = Announcement.Status


def new(office, committee, **changes):
    values = {
        "actor": office,
        "committee": committee,
        "kind": Announcement.Kind.NOTICE,
        "title": "关于召开政协全体会议的通知",
        "body": "各位委员：\n\n定于下月召开全体会议。",
        **changes,
    }
    return services.save_announcement(**values)


def events(announcement):
    return list(
        AuditEvent.objects.filter(object_type="portal.Announcement", object_id=str(announcement.pk))
        .order_by("id")
        .values_list("event", flat=True)
    )


def test_a_new_announcement_is_a_draft_of_the_committee(office, committee):
    announcement = new(office, committee, title="  会议通知  ", body="第一段\r\n\r\n第二段\r\n")

    assert (announcement.status, announcement.committee, announcement.created_by) == (
        Status.DRAFT,
        committee,
        office,
    )
    assert announcement.title == "会议通知"
    assert announcement.body == "第一段\n\n第二段"
    assert announcement.published_at is None
    assert events(announcement) == ["portal.announcement_saved"]
    row = AuditEvent.objects.get(event="portal.announcement_saved")
    assert row.params == {"title": "会议通知"} and row.actor == office and row.committee_id == committee.pk


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"title": " "}, "Title: write it"),
        ({"title": "长" * 201}, "Title: at most 200"),
        ({"body": "\n\n"}, "Text: write it"),
        ({"body": "字" * 20001}, "Text: at most 20000"),
        ({"kind": "advert"}, "Kind"),
        ({"title": "a\x00b"}, "\\0"),
    ],
    ids=["no-title", "long-title", "no-text", "long-text", "kind", "nul"],
)
def test_bad_fields_are_refused_naming_the_field(office, committee, changes, words):
    with pytest.raises(AnnouncementError) as refused:
        new(office, committee, **changes)
    assert any(words in message for message in refused.value.messages)
    assert not Announcement.objects.exists()
    assert not AuditEvent.objects.filter(event__startswith="portal.announcement").exists()


@pytest.mark.parametrize("role", [r for r in Role if r != Role.OFFICE], ids=lambda r: r.name)
def test_only_the_office_writes_announcements(make_user, office, committee, role):
    with pytest.raises(PermissionDenied):
        new(make_user(role), committee)
    announcement = new(office, committee)
    someone = make_user(role, username="someone")
    with pytest.raises(PermissionDenied):
        services.save_announcement(
            actor=someone,
            committee=committee,
            kind="news",
            title="改",
            body="改",
            announcement=announcement,
            expected_version=announcement.version,
        )
    with pytest.raises(PermissionDenied):
        services.publish_announcement(announcement, actor=someone)
    assert Announcement.objects.get().status == Status.DRAFT


def test_another_committees_office_can_do_nothing(office, committee, other_committee, make_user):
    theirs = make_user(Role.OFFICE, committee=other_committee, username="their_office")
    with pytest.raises(PermissionDenied):
        new(theirs, committee)  # a draft in our committee
    announcement = new(office, committee)
    with pytest.raises(PermissionDenied):
        services.save_announcement(
            actor=theirs,
            committee=other_committee,
            kind="news",
            title="改",
            body="改",
            announcement=announcement,
        )
    with pytest.raises(PermissionDenied):
        services.publish_announcement(announcement, actor=theirs)
    services.publish_announcement(announcement, actor=office)
    with pytest.raises(PermissionDenied):
        services.withdraw_announcement(announcement, actor=theirs)
    fresh = Announcement.objects.get()
    assert (fresh.status, fresh.title) == (Status.PUBLISHED, "关于召开政协全体会议的通知")


def test_publishing_dates_it_once_and_withdrawing_keeps_it(office, committee, monkeypatch):
    announcement = new(office, committee)
    first = timezone.now() - datetime.timedelta(days=3)
    monkeypatch.setattr(timezone, "now", lambda: first)
    published = services.publish_announcement(announcement, actor=office, expected_version=1)
    monkeypatch.undo()
    assert (published.status, published.published_at, published.version) == (Status.PUBLISHED, first, 2)
    assert Announcement.objects.public(committee).get() == published

    withdrawn = services.withdraw_announcement(published, actor=office, expected_version=2)
    assert withdrawn.status == Status.WITHDRAWN
    assert not Announcement.objects.public(committee).exists()

    again = services.publish_announcement(withdrawn, actor=office, expected_version=3)
    assert again.status == Status.PUBLISHED and again.published_at == first
    assert events(announcement) == [
        "portal.announcement_saved",
        "portal.announcement_published",
        "portal.announcement_withdrawn",
        "portal.announcement_published",
    ]
    assert AuditEvent.objects.filter(event="portal.announcement_published").latest("id").detail["again"]


@pytest.mark.parametrize(
    ("steps", "refused"),
    [
        ([], "withdraw"),
        (["publish"], "publish"),
        (["publish", "withdraw"], "withdraw"),
    ],
    ids=["withdraw-draft", "publish-twice", "withdraw-twice"],
)
def test_illegal_steps_are_refused_with_a_message(office, committee, steps, refused):
    announcement = new(office, committee)
    step = {"publish": services.publish_announcement, "withdraw": services.withdraw_announcement}
    for name in steps:
        announcement = step[name](announcement, actor=office)
    before = (announcement.status, announcement.version)
    with pytest.raises(AnnouncementError) as error:
        step[refused](announcement, actor=office)
    assert error.value.code == "illegal_transition"
    assert "cannot become" in error.value.messages[0]
    fresh = Announcement.objects.get()
    assert (fresh.status, fresh.version) == before


def test_saving_a_draft_keeps_it_a_draft(office, committee):
    announcement = new(office, committee)
    saved = services.save_announcement(
        actor=office,
        committee=committee,
        kind=Announcement.Kind.NEWS,
        title="县政协开展农村公路视察",
        body="新的正文",
        announcement=announcement,
        expected_version=1,
    )
    assert (saved.status, saved.kind, saved.title, saved.body, saved.version) == (
        Status.DRAFT,
        "news",
        "县政协开展农村公路视察",
        "新的正文",
        2,
    )
    assert AuditEvent.objects.filter(event="portal.announcement_saved").latest("id").detail["fields"] == [
        "kind",
        "title",
        "body",
    ]


def test_saving_a_published_one_changes_the_public_text(office, committee):
    announcement = services.publish_announcement(new(office, committee), actor=office)
    published_at = announcement.published_at
    saved = services.save_announcement(
        actor=office,
        committee=committee,
        kind=announcement.kind,
        title="关于召开政协全体会议的通知（更正）",
        body=announcement.body,
        announcement=announcement,
        expected_version=announcement.version,
    )
    public = Announcement.objects.public(committee).get()
    assert public.title == "关于召开政协全体会议的通知（更正）"
    assert (saved.status, saved.published_at) == (Status.PUBLISHED, published_at)


def test_saving_a_withdrawn_one_keeps_it_off_the_site(office, committee):
    announcement = services.publish_announcement(new(office, committee), actor=office)
    announcement = services.withdraw_announcement(announcement, actor=office)
    saved = services.save_announcement(
        actor=office,
        committee=committee,
        kind=announcement.kind,
        title="改过的标题",
        body=announcement.body,
        announcement=announcement,
        expected_version=announcement.version,
    )
    assert saved.status == Status.WITHDRAWN
    assert not Announcement.objects.public(committee).exists()


def test_saving_without_a_change_writes_nothing(office, committee):
    announcement = new(office, committee)
    saved = services.save_announcement(
        actor=office,
        committee=committee,
        kind=announcement.kind,
        title=announcement.title,
        body=announcement.body,
        announcement=announcement,
        expected_version=1,
    )
    assert saved.version == 1
    assert events(announcement) == ["portal.announcement_saved"]


def test_a_stale_version_is_refused_everywhere(office, committee):
    announcement = new(office, committee)
    services.save_announcement(
        actor=office,
        committee=committee,
        kind="news",
        title="甲改的标题",
        body="甲改的正文",
        announcement=announcement,
        expected_version=1,
    )
    with pytest.raises(StaleEdit):
        services.save_announcement(
            actor=office,
            committee=committee,
            kind="notice",
            title="乙改的标题",
            body="乙改的正文",
            announcement=announcement,
            expected_version=1,
        )
    with pytest.raises(StaleEdit):
        services.publish_announcement(announcement, actor=office, expected_version=1)
    services.publish_announcement(announcement, actor=office, expected_version=2)
    with pytest.raises(StaleEdit):
        services.withdraw_announcement(announcement, actor=office, expected_version=2)
    fresh = Announcement.objects.get()
    assert (fresh.title, fresh.status, fresh.version) == ("甲改的标题", Status.PUBLISHED, 3)
