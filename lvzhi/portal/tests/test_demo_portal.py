"""The demo's public site (lvzhi.portal.demo, called by lvzhi.demo.builder): settings, reply templates,
announcements, members' suggestions and public messages in every status, built through the services on
a patched clock; nothing personal on the public side; the converted message a report in the editors'
queue.

The demo is built once for the module (a smaller committee than `seed_demo`'s, the same code), inside a
transaction rolled back when the module is done; each test runs in a savepoint within it."""

import datetime
import json
from collections import Counter

import pytest
from django.db import transaction
from django.db.models import F
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from lvzhi.accounts.models import User
from lvzhi.accounts.roles import Role
from lvzhi.core.testing import body
from lvzhi.demo.builder import DemoBuilder
from lvzhi.ledger.models import DutyRecord
from lvzhi.opinions.models import OpinionReport
from lvzhi.organization.models import Committee
from lvzhi.portal import demo_texts as texts
from lvzhi.portal.demo import seed_portal
from lvzhi.portal.models import (
    Announcement,
    MemberSuggestion,
    PortalSettings,
    PublicMessage,
    PublicMessageStatusChange,
    ReplyTemplate,
)
from lvzhi.portal.public_site import settings_for

FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Late November of this year, as in lvzhi/demo/tests.
AS_OF = timezone.make_aware(datetime.datetime(timezone.localdate().year, 11, 29, 10))
Message = PublicMessage.Status
Suggestion = MemberSuggestion.Status


@pytest.fixture(scope="module")
def built(django_db_setup, django_db_blocker, tmp_path_factory):
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHER, MEDIA_ROOT=str(tmp_path_factory.mktemp("media"))),
        transaction.atomic(),
    ):
        builder = DemoBuilder(members=60, standing=15, now=AS_OF)
        builder.build()
        yield builder.committee.pk, builder.portal
        transaction.set_rollback(True)


@pytest.fixture
def demo(built, db):
    return Committee.objects.get(pk=built[0])


@pytest.fixture
def made(built, db):
    return built[1]


def statuses(queryset):
    return Counter(queryset.values_list("status", flat=True))


def test_the_site_is_set_up_with_words_templates_and_a_fictional_telephone(demo):
    site = PortalSettings.objects.get(committee=demo)
    assert site.accepting_messages and site.overdue_days == texts.OVERDUE_DAYS
    assert site.office_phone.startswith("139-0000-")
    assert {"代开发票", "博彩", "贷款广告"} <= set(site.word_list())
    assert ReplyTemplate.objects.filter(committee=demo).count() == 3


def test_eight_announcements_are_published_over_the_months_and_one_is_a_draft(demo):
    announcements = Announcement.objects.filter(committee=demo)
    assert statuses(announcements) == {"published": 8, "draft": 1}
    assert {"notice", "news"} == set(announcements.values_list("kind", flat=True))
    published = announcements.filter(status="published")
    dates = sorted(published.values_list("published_at", flat=True))
    assert dates[-1] <= AS_OF and dates[0] < AS_OF - datetime.timedelta(days=120)
    assert len({timezone.localtime(d).month for d in dates}) >= 4
    assert not announcements.filter(body__contains="{").exists()  # the years are filled in


def test_members_suggestions_are_in_every_status(demo):
    column = MemberSuggestion.objects.filter(committee=demo)
    assert statuses(column) == {
        "published": 7,
        "withdrawn": 1,
        "submitted": 1,
        "returned": 1,
        "draft": 1,
    }
    published = column.filter(status="published")
    assert published.exclude(answer="").count() == 6
    assert not published.exclude(answer="").filter(answered_by_unit="").exists()
    assert published.filter(show_name=False).count() == 1
    assert column.filter(status="returned").exclude(return_reason="").exists()
    # Written by several members, the demo member among them (their draft and their returned one).
    assert column.values("member").distinct().count() >= 8
    demo_member = User.objects.get(committee=demo, username="member").member
    assert set(column.filter(member=demo_member).values_list("status", flat=True)) == {
        "published",
        "returned",
        "draft",
    }
    # Each published one is a duty record of its member; the one taken off the site is not.
    records = DutyRecord.objects.filter(committee=demo, kind="portal.suggestion")
    assert records.count() == 7
    assert set(records.values_list("member", flat=True)) == set(published.values_list("member", flat=True))


def test_the_other_authors_have_member_accounts_that_cannot_sign_in(demo):
    authors = User.objects.filter(member__portal_suggestions__committee=demo).exclude(username="member")
    assert authors.distinct().count() == 8
    for account in authors.distinct():
        assert not account.has_usable_password()
        assert account.member.name == account.display_name
        assert list(account.groups.values_list("name", flat=True)) == [Role.MEMBER.value]


def test_public_messages_are_in_every_status_over_two_months(demo):
    board = PublicMessage.objects.filter(committee=demo)
    counts = statuses(board)
    assert board.count() == 25
    assert counts == {"published": 15, "answered": 3, "hidden": 2, "received": 4, "converted": 1}
    assert not board.filter(submitted_at__gt=AS_OF).exists()
    assert board.filter(submitted_at__lt=AS_OF - datetime.timedelta(days=45)).exists()
    # Answered all along the two months, the last of them lately.
    assert board.filter(status="published", published_at__gt=AS_OF - datetime.timedelta(days=14)).exists()
    assert board.filter(status="published", published_at__lt=AS_OF - datetime.timedelta(days=40)).exists()
    assert not board.filter(submitted_at__lt=AS_OF - datetime.timedelta(days=61)).exists()
    assert not board.filter(status__in=["published", "answered"], reply="").exists()
    assert not PublicMessageStatusChange.objects.filter(message__committee=demo, at__gt=AS_OF).exists()
    assert not board.filter(replied_at__lt=F("submitted_at")).exists()


def test_waiting_messages_two_overdue_one_held_and_the_adverts_hidden(demo):
    board = PublicMessage.objects.filter(committee=demo)
    cutoff = AS_OF - datetime.timedelta(days=settings_for(demo).overdue_days)
    open_ = board.filter(status__in=PublicMessage.OPEN)
    assert open_.filter(submitted_at__lt=cutoff).count() == 2
    held = board.filter(status="received").exclude(sensitive_hits="")
    assert held.count() == 1 and "贷款广告" in held.get().sensitive_hits
    hidden = board.filter(status="hidden")
    assert hidden.count() == 2 and not hidden.filter(hidden_reason="").exists()
    assert hidden.exclude(sensitive_hits="").count() == 1  # the advert held first for its word


def test_the_converted_message_waits_as_a_public_report_in_the_editors_queue(demo, made):
    message = PublicMessage.objects.get(committee=demo, status="converted")
    report = message.report
    assert report is not None and report == made["report"]
    assert (report.status, report.source) == (OpinionReport.Status.SUBMITTED, OpinionReport.Source.PUBLIC)
    assert report.committee == demo
    # The writer's contact was not copied into the report.
    assert message.phone not in report.body and message.name not in report.body


def test_nothing_personal_is_public(client, demo):
    board = PublicMessage.objects.filter(committee=demo)
    secrets = set()
    for message in board:
        secrets.add(message.phone)
        secrets.add(str(message.client_ip))
    hidden_titles = list(board.filter(status="hidden").values_list("title", flat=True))
    unpublished_titles = list(board.exclude(status="published").values_list("title", flat=True))
    anonymous = MemberSuggestion.objects.get(committee=demo, status="published", show_name=False)
    code = demo.code
    pages = [
        reverse("public:home", args=[code]),
        reverse("public:messages", args=[code]),
        reverse("public:suggestions", args=[code]),
        reverse("public:announcements", args=[code]),
        reverse("public:api_messages", args=[code]),
        reverse("public:api_suggestions", args=[code]),
        reverse("public:suggestion", args=[code, anonymous.pk]),
        *(reverse("public:message", args=[code, m.pk]) for m in board.filter(status="published")),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        text = body(response)
        for secret in secrets:
            assert secret not in text, (url, secret)
        for phone in board.values_list("phone", flat=True):
            assert phone[:3] + "****" + phone[-4:] not in text
        for title in unpublished_titles:
            assert title not in text, (url, title)
    assert anonymous.member.name not in body(
        client.get(reverse("public:suggestion", args=[code, anonymous.pk]))
    )
    for message in board.exclude(status="published"):
        assert client.get(reverse("public:message", args=[code, message.pk])).status_code == 404
    assert hidden_titles  # the adverts exist and were checked above
    feed = json.loads(body(client.get(reverse("public:api_messages", args=[code]))))
    assert "phone" not in json.dumps(feed)


def test_the_office_and_the_member_see_the_demo_on_their_pages(client, demo):
    office = User.objects.get(committee=demo, username="office")
    client.force_login(office)
    for name in (
        "portal:moderation",
        "portal:suggestion_queue",
        "portal:announcements",
        "portal:reply_templates",
    ):
        assert client.get(reverse(name)).status_code == 200, name
    held = body(client.get(reverse("portal:moderation"), {"tab": "held"}))
    assert "小区楼道里贴满了贷款广告" in held
    client.force_login(User.objects.get(committee=demo, username="member"))
    mine = body(client.get(reverse("portal:my_suggestions")))
    assert "关于在县图书馆设立周末亲子阅读区的建议" in mine and "关于优化政务服务中心窗口设置的建议" in mine


def test_seeding_the_site_again_changes_nothing(demo):
    users = {user.username: user for user in User.objects.filter(committee=demo)}
    before = (PublicMessage.objects.count(), MemberSuggestion.objects.count(), Announcement.objects.count())
    assert seed_portal(committee=demo, users=users, now=AS_OF, seed=7) is None
    assert (
        PublicMessage.objects.count(),
        MemberSuggestion.objects.count(),
        Announcement.objects.count(),
    ) == before
