"""The office's announcement pages (views/announcements.py): the list (drafts first, status and kind, a
link to the public page of published ones, constant queries), the form of a new one, the edit page and
its publish and withdraw steps; the permission matrix (each role × each page, another committee's
announcement), POST-only steps, stale versions, and hostile text rendered inert."""

import pytest
from django.urls import reverse

from lvzhi.accounts.roles import Role
from lvzhi.core.models import AuditEvent
from lvzhi.core.testing import assert_same_query_count, assert_sent_to_login, body, capture_queries
from lvzhi.portal.models import Announcement
from lvzhi.portal.services import announcements as services

pytestmark = pytest.mark.usefixtures("english")

Status = Announcement.Status
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def make(
    office, committee, *, title="关于召开政协全体会议的通知", kind="notice", status=Status.DRAFT, body="正文"
):
    announcement = services.save_announcement(
        actor=office, committee=committee, kind=kind, title=title, body=body
    )
    if status != Status.DRAFT:
        announcement = services.publish_announcement(announcement, actor=office)
    if status == Status.WITHDRAWN:
        announcement = services.withdraw_announcement(announcement, actor=office)
    return announcement


@pytest.fixture
def mine(office, committee):
    return make(office, committee)


@pytest.fixture
def theirs(other_committee, make_user):
    their_office = make_user(Role.OFFICE, committee=other_committee, username="their_office")
    return make(their_office, other_committee, title="邻县的公告", status=Status.PUBLISHED)


def form(**changes):
    return {"kind": "news", "title": "县政协视察农村公路建设", "body": "第一段。\n\n第二段。", **changes}


# --- who may ------------------------------------------------------------------------------------------

PAGES = [
    ("announcements", "get", False),
    ("announcement_new", "get", False),
    ("announcement_new", "post", False),
    ("announcement_edit", "get", True),
    ("announcement_edit", "post", True),
    ("announcement_publish", "post", True),
    ("announcement_withdraw", "post", True),
]
# What the office gets on its own committee's announcement (a draft): the page or the redirect of a step.
OFFICE_STATUS = {"get": 200, "post": 302}


def call(client, name, method, pk=None, **data):
    url = reverse(f"portal:{name}", args=[pk] if pk is not None else [])
    if method == "get":
        return client.get(url)
    return client.post(url, {**form(), "version": 1, **data})


def test_every_announcement_route_is_in_the_matrix():
    from lvzhi.portal.views import announcements

    assert {p.name for p in announcements.urlpatterns} == {name for name, _m, _o in PAGES}


@pytest.mark.parametrize("role", list(Role), ids=[r.name for r in Role])
@pytest.mark.parametrize(("name", "method", "with_object"), PAGES, ids=[f"{n}-{m}" for n, m, _o in PAGES])
def test_the_permission_matrix(client, role_user, mine, role, name, method, with_object):
    before = Announcement.objects.values_list("pk", "status", "title", "version").get()
    client.force_login(role_user(role))
    response = call(client, name, method, mine.pk if with_object else None)
    if role == Role.OFFICE:
        expected = 200 if method == "get" else 302
        if name == "announcement_withdraw":
            expected = 302  # refused (a draft), with a message: back to the page
        assert response.status_code == expected
    else:
        assert response.status_code == 403
        assert Announcement.objects.count() == 1
        assert Announcement.objects.values_list("pk", "status", "title", "version").get() == before


@pytest.mark.parametrize("role", list(Role), ids=[r.name for r in Role])
@pytest.mark.parametrize(
    ("name", "method"), [(n, m) for n, m, o in PAGES if o], ids=[f"{n}-{m}" for n, m, o in PAGES if o]
)
def test_another_committees_announcement_is_never_reached(
    client, role_user, mine, theirs, role, name, method
):
    client.force_login(role_user(role))
    before = Announcement.objects.values_list("pk", "status", "title", "version").order_by("pk")
    before = list(before)
    response = call(client, name, method, theirs.pk, version=theirs.version)
    assert response.status_code == (404 if role == Role.OFFICE else 403)
    assert "邻县的公告" not in body(response)
    assert list(Announcement.objects.values_list("pk", "status", "title", "version").order_by("pk")) == before


def test_the_list_never_shows_another_committees(client, office, mine, theirs):
    client.force_login(office)
    text = body(client.get(reverse("portal:announcements")))
    assert "关于召开政协全体会议的通知" in text and "邻县的公告" not in text


def test_an_id_beyond_any_database_id_is_a_404(client, office):
    client.force_login(office)
    assert client.get(f"/portal/announcements/{2**64}/edit/").status_code == 404


@pytest.mark.parametrize(("name", "with_object"), [(n, o) for n, _m, o in PAGES])
def test_anonymous_visitors_are_sent_to_sign_in(client, mine, name, with_object):
    url = reverse(f"portal:{name}", args=[mine.pk] if with_object else [])
    assert_sent_to_login(client.get(url))


@pytest.mark.parametrize("name", ["announcement_publish", "announcement_withdraw"])
def test_the_steps_are_post_only(client, office, mine, name):
    client.force_login(office)
    assert client.get(reverse(f"portal:{name}", args=[mine.pk])).status_code == 405
    assert Announcement.objects.get().status == Status.DRAFT


# --- the list -----------------------------------------------------------------------------------------


def test_the_list_shows_drafts_first_with_status_kind_and_the_public_link(client, office, committee):
    published = make(office, committee, title="已发布的通知", status=Status.PUBLISHED)
    withdrawn = make(office, committee, title="已撤下的动态", kind="news", status=Status.WITHDRAWN)
    draft = make(office, committee, title="草稿中的通知")
    client.force_login(office)
    response = client.get(reverse("portal:announcements"))
    assert response.status_code == 200
    rows = list(response.context["page"])
    assert rows[0] == draft
    assert set(rows[1:]) == {published, withdrawn}
    text = body(response)
    assert text.index("草稿中的通知") < text.index("已发布的通知")
    for announcement in (published, withdrawn, draft):
        assert f'data-announcement-id="{announcement.pk}"' in text
    assert 'data-announcement-status="withdrawn"' in text and "Work news" in text and "Notices" in text
    public = reverse("public:announcement", args=[committee.code, published.pk])
    assert public in text
    assert reverse("public:announcement", args=[committee.code, draft.pk]) not in text
    assert reverse("public:announcement", args=[committee.code, withdrawn.pk]) not in text


def test_the_list_costs_the_same_queries_for_few_and_many(client, office, committee):
    client.force_login(office)
    make(office, committee, status=Status.PUBLISHED)
    client.get(reverse("portal:announcements"))  # warm the session and caches
    with capture_queries() as small:
        client.get(reverse("portal:announcements"))
    for n in range(30):
        make(
            office,
            committee,
            title=f"公告{n}",
            status=[Status.DRAFT, Status.PUBLISHED, Status.WITHDRAWN][n % 3],
        )
    with capture_queries() as large:
        response = client.get(reverse("portal:announcements"))
    assert len(response.context["page"]) == 31
    assert_same_query_count(small, large)


def test_the_list_pages_by_fifty(client, office, committee):
    Announcement.objects.bulk_create(
        Announcement(committee=committee, title=f"公告{n}", body="正文", created_by=office) for n in range(51)
    )
    client.force_login(office)
    assert len(client.get(reverse("portal:announcements")).context["page"]) == 50
    assert len(client.get(reverse("portal:announcements"), {"page": 2}).context["page"]) == 1


# --- writing ------------------------------------------------------------------------------------------


def test_the_office_writes_a_draft(client, office, committee):
    client.force_login(office)
    page = body(client.get(reverse("portal:announcement_new")))
    for element in ('id="id_kind"', 'id="id_title"', 'id="id_body"', 'id="announcement-save"'):
        assert element in page
    assert 'id="announcement-publish"' not in page
    response = client.post(reverse("portal:announcement_new"), form())
    announcement = Announcement.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("portal:announcement_edit", args=[announcement.pk])
    assert (announcement.status, announcement.kind, announcement.committee) == (
        Status.DRAFT,
        "news",
        committee,
    )
    assert announcement.body == "第一段。\n\n第二段。"


def test_the_same_form_sent_twice_makes_one_announcement(client, office):
    client.force_login(office)
    for _ in range(2):
        client.post(reverse("portal:announcement_new"), form(submission_token="tok-1"))
    assert Announcement.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "words"),
    [({"title": ""}, "Title"), ({"body": "  \n "}, "Text: write it"), ({"kind": "ad"}, "Kind")],
    ids=["title", "body", "kind"],
)
def test_a_bad_form_says_what_is_wrong_and_keeps_the_rest(client, office, changes, words):
    client.force_login(office)
    response = client.post(reverse("portal:announcement_new"), form(**changes))
    assert response.status_code == 400
    text = body(response)
    assert words in text
    assert not Announcement.objects.exists()
    if "title" not in changes:
        assert "县政协视察农村公路建设" in text


def test_the_edit_page_shows_the_status_the_preview_and_publish(client, office, committee):
    announcement = make(office, committee, body="第一段\n第一段第二行\n\n第二段")
    client.force_login(office)
    text = body(client.get(reverse("portal:announcement_edit", args=[announcement.pk])))
    assert 'id="announcement-publish"' in text and 'id="announcement-withdraw"' not in text
    assert 'data-announcement-status="draft"' in text
    assert f'name="version" value="{announcement.version}"' in text
    assert "<p>第一段<br>第一段第二行</p>" in text and "<p>第二段</p>" in text
    assert reverse("public:announcement", args=[committee.code, announcement.pk]) not in text


def test_saving_a_draft_keeps_it_a_draft(client, office, mine):
    client.force_login(office)
    response = client.post(
        reverse("portal:announcement_edit", args=[mine.pk]), form(title="新标题", version=mine.version)
    )
    assert response.status_code == 302
    fresh = Announcement.objects.get()
    assert (fresh.title, fresh.status, fresh.version) == ("新标题", Status.DRAFT, 2)


def test_saving_a_published_one_updates_the_public_text(client, office, committee):
    announcement = make(office, committee, status=Status.PUBLISHED)
    client.force_login(office)
    response = client.post(
        reverse("portal:announcement_edit", args=[announcement.pk]),
        form(title="更正后的标题", version=announcement.version),
        follow=True,
    )
    assert "the public site shows the new text" in body(response)
    assert Announcement.objects.public(committee).get().title == "更正后的标题"


def test_a_stale_save_is_refused_and_keeps_the_other_edit(client, office, mine, committee):
    services.save_announcement(
        actor=office, committee=committee, kind="notice", title="同事改的", body="正文", announcement=mine
    )
    client.force_login(office)
    response = client.post(
        reverse("portal:announcement_edit", args=[mine.pk]), form(title="我改的", version=1)
    )
    assert response.status_code == 400
    assert "Someone else saved this" in body(response)
    assert "我改的" in body(response)  # what the editor typed is still in the form
    assert Announcement.objects.get().title == "同事改的"


def test_a_stale_publish_is_refused_with_a_message(client, office, mine, committee):
    services.save_announcement(
        actor=office, committee=committee, kind="notice", title="同事改的", body="正文", announcement=mine
    )
    client.force_login(office)
    response = client.post(
        reverse("portal:announcement_publish", args=[mine.pk]), {"version": 1}, follow=True
    )
    assert "Someone else saved this" in body(response)
    assert Announcement.objects.get().status == Status.DRAFT


def test_publish_withdraw_and_publish_again_from_the_page(client, office, mine, committee):
    client.force_login(office)
    edit = reverse("portal:announcement_edit", args=[mine.pk])
    response = client.post(
        reverse("portal:announcement_publish", args=[mine.pk]), {"version": 1}, follow=True
    )
    assert response.redirect_chain == [(edit, 302)]
    text = body(response)
    assert "Published on the public site." in text
    assert reverse("public:announcement", args=[committee.code, mine.pk]) in text
    assert 'id="announcement-withdraw"' in text and 'id="announcement-publish"' not in text
    assert 'data-confirm="Withdraw this announcement' in text
    first = Announcement.objects.get().published_at

    text = body(
        client.post(reverse("portal:announcement_withdraw", args=[mine.pk]), {"version": 2}, follow=True)
    )
    assert Announcement.objects.get().status == Status.WITHDRAWN
    assert "Withdrawn from the public site" in text and "Publish again" in text

    client.post(reverse("portal:announcement_publish", args=[mine.pk]), {"version": 3})
    fresh = Announcement.objects.get()
    assert (fresh.status, fresh.published_at) == (Status.PUBLISHED, first)
    assert list(
        AuditEvent.objects.filter(event__startswith="portal.announcement")
        .order_by("id")
        .values_list("event", flat=True)
    ) == [
        "portal.announcement_saved",
        "portal.announcement_published",
        "portal.announcement_withdrawn",
        "portal.announcement_published",
    ]


def test_withdrawing_a_draft_is_refused_with_a_message(client, office, mine):
    client.force_login(office)
    response = client.post(
        reverse("portal:announcement_withdraw", args=[mine.pk]), {"version": 1}, follow=True
    )
    assert "cannot become" in body(response)
    assert Announcement.objects.get().status == Status.DRAFT


# --- hostile text -------------------------------------------------------------------------------------


def test_hostile_text_is_inert_in_the_staff_pages(client, office, committee):
    announcement = make(office, committee, title=XSS, body=f"{XSS}\n\n{XSS}", status=Status.PUBLISHED)
    client.force_login(office)
    for url in (reverse("portal:announcements"), reverse("portal:announcement_edit", args=[announcement.pk])):
        text = body(client.get(url))
        assert "<script>alert" not in text and "<img src=x" not in text
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;" in text
