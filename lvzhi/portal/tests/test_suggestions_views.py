"""委员建言's signed-in pages (views/suggestions.py): the member's list, form, page and steps; the office's
queue, page and decisions; the permission and IDOR matrix (each role × each page, another member's and
another committee's suggestions), POST-only steps, refused and stale steps as messages (never a 500),
hostile text rendered inert, and the queue's query count."""

import re

import pytest
from django.urls import reverse

from lvzhi.accounts.roles import Role
from lvzhi.core.testing import assert_same_query_count, assert_sent_to_login, body, capture_queries
from lvzhi.factories import MemberFactory
from lvzhi.portal.models import Category, MemberSuggestion
from lvzhi.portal.services import suggestions as services

pytestmark = pytest.mark.usefixtures("english")

Status = MemberSuggestion.Status
XSS = '<script>alert("x")</script><img src=x onerror=alert(1)>'
STALE = "Someone else saved this after you opened it. Nothing was saved."


def login(client, user):
    client.force_login(user)
    return client


def form_data(**changes):
    return {
        "category": Category.HEALTH,
        "title": "关于增设乡镇卫生院夜间门诊的建议",
        "content": "多个乡镇晚间就医不便。\n建议轮流开设夜间门诊。",
        "show_name": "on",
        **changes,
    }


@pytest.fixture
def other_member(committee, make_user):
    return MemberFactory(committee=committee, name="李秀兰", user=make_user(Role.MEMBER, username="other"))


@pytest.fixture
def foreign_office(make_user, other_committee):
    return make_user(Role.OFFICE, committee=other_committee, username="foreign")


@pytest.fixture
def foreign_suggestion(other_committee, make_user):
    member = MemberFactory(committee=other_committee, user=make_user(Role.MEMBER, committee=other_committee))
    return MemberSuggestion.objects.create(
        committee=other_committee,
        member=member,
        category=Category.OTHER,
        title="邻县的建议",
        content="内容",
        status=Status.SUBMITTED,
        created_by=member.user,
    )


MEMBER_PAGES = ["portal:my_suggestions", "portal:suggestion_new"]


# --- the permission matrix ----------------------------------------------------------------------------


@pytest.mark.parametrize("role", [r for r in Role if r != Role.MEMBER])
def test_roles_without_the_right_get_403_on_the_members_pages(client, role_user, role):
    c = login(client, role_user(role))
    for name in MEMBER_PAGES:
        assert c.get(reverse(name)).status_code == 403, name


@pytest.mark.parametrize("role", [r for r in Role if r != Role.OFFICE])
def test_only_reviewers_open_the_queue(client, role_user, role):
    assert login(client, role_user(role)).get(reverse("portal:suggestion_queue")).status_code == 403


def test_a_member_account_without_a_member_file_gets_404(client, make_user):
    c = login(client, make_user(Role.MEMBER))
    for name in MEMBER_PAGES:
        assert c.get(reverse(name)).status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client, make_suggestion):
    suggestion = make_suggestion(status=Status.SUBMITTED)
    for url in [
        reverse("portal:my_suggestions"),
        reverse("portal:suggestion_new"),
        reverse("portal:suggestion_queue"),
        reverse("portal:suggestion_detail", args=[suggestion.pk]),
        reverse("portal:suggestion_edit", args=[suggestion.pk]),
    ]:
        assert_sent_to_login(client.get(url))
    for step in ("submit", "delete", "publish", "return", "withdraw", "answer"):
        assert_sent_to_login(client.post(reverse(f"portal:suggestion_{step}", args=[suggestion.pk])))
    assert MemberSuggestion.objects.get().status == Status.SUBMITTED


@pytest.mark.parametrize("state", [Status.SUBMITTED, Status.PUBLISHED])
@pytest.mark.parametrize("role", list(Role))
def test_who_opens_a_members_suggestion(client, role_user, make_suggestion, member, role, state):
    """The author and the office read it; nobody else, whatever their role (404, not 403)."""
    suggestion = make_suggestion(status=state)
    url = reverse("portal:suggestion_detail", args=[suggestion.pk])
    expected = 200 if role == Role.OFFICE else 404
    assert login(client, role_user(role)).get(url).status_code == expected
    assert login(client, member.user).get(url).status_code == 200


def test_a_draft_is_the_members_alone(client, make_suggestion, office, other_member):
    draft = make_suggestion()
    assert login(client, office).get(reverse("portal:suggestion_detail", args=[draft.pk])).status_code == 404
    assert client.post(reverse("portal:suggestion_publish", args=[draft.pk])).status_code == 404


def test_another_members_suggestion_is_404_on_every_member_url(client, make_suggestion, other_member):
    mine = make_suggestion()
    c = login(client, other_member.user)
    assert c.get(reverse("portal:suggestion_detail", args=[mine.pk])).status_code == 404
    assert c.get(reverse("portal:suggestion_edit", args=[mine.pk])).status_code == 404
    assert c.post(reverse("portal:suggestion_edit", args=[mine.pk]), form_data()).status_code == 404
    assert c.post(reverse("portal:suggestion_submit", args=[mine.pk]), {"version": 1}).status_code == 404
    assert c.post(reverse("portal:suggestion_delete", args=[mine.pk]), {"version": 1}).status_code == 404
    assert "王建国" not in body(c.get(reverse("portal:my_suggestions")))
    assert MemberSuggestion.objects.get().status == Status.DRAFT


def test_another_committees_suggestion_is_404_for_its_office_peers(client, foreign_suggestion, office):
    c = login(client, office)
    assert c.get(reverse("portal:suggestion_detail", args=[foreign_suggestion.pk])).status_code == 404
    for step in ("publish", "return", "withdraw", "answer"):
        response = c.post(
            reverse(f"portal:suggestion_{step}", args=[foreign_suggestion.pk]),
            {"version": 1, "return_reason": "x", "withdraw_reason": "x"},
        )
        assert response.status_code == 404, step
    assert "邻县的建议" not in body(c.get(reverse("portal:suggestion_queue")))
    foreign_suggestion.refresh_from_db()
    assert foreign_suggestion.status == Status.SUBMITTED


def test_a_member_cannot_take_the_offices_steps(client, make_suggestion, member):
    suggestion = make_suggestion(status=Status.SUBMITTED)
    c = login(client, member.user)
    for step in ("publish", "return", "withdraw", "answer"):
        assert (
            c.post(reverse(f"portal:suggestion_{step}", args=[suggestion.pk]), {"version": 1}).status_code
            == 403
        )
    assert MemberSuggestion.objects.get().status == Status.SUBMITTED


def test_ids_beyond_any_row_are_404(client, member, office):
    huge = 2**64
    assert login(client, member.user).get(f"/portal/suggestions/{huge}/").status_code == 404
    assert client.get(f"/portal/suggestions/{huge}/edit/").status_code == 404
    assert login(client, office).get(f"/portal/suggestions/{huge}/").status_code == 404


@pytest.mark.parametrize("step", ["submit", "delete", "publish", "return", "withdraw", "answer"])
def test_steps_are_post_only(client, make_suggestion, member, office, step):
    suggestion = make_suggestion(status=Status.SUBMITTED)
    user = member.user if step in ("submit", "delete") else office
    assert (
        login(client, user).get(reverse(f"portal:suggestion_{step}", args=[suggestion.pk])).status_code == 405
    )


# --- the member's pages -------------------------------------------------------------------------------


def test_the_member_list_shows_status_reason_and_public_link(client, make_suggestion, member):
    make_suggestion(title="草稿一")
    make_suggestion(title="被退回的", status=Status.RETURNED, return_reason="请补充调研数据")
    published = make_suggestion(title="已发布的", status=Status.PUBLISHED)
    text = body(login(client, member.user).get(reverse("portal:my_suggestions")))
    assert 'id="suggestion-new"' in text
    assert "草稿一" in text and "请补充调研数据" in text
    assert services.public_url(published) in text
    # A returned one comes first: the member has something to do.
    assert text.index("被退回的") < text.index("草稿一")


def test_the_new_form_publishes_with_the_name_by_default(client, member):
    text = body(login(client, member.user).get(reverse("portal:suggestion_new")))
    for field in ("id_category", "id_title", "id_content", "id_show_name", "suggestion-save"):
        assert f'id="{field}"' in text
    [checkbox] = re.findall(r'<input[^>]*id="id_show_name"[^>]*>', text)
    assert 'name="show_name"' in checkbox and " checked" in checkbox


def test_saving_makes_a_draft_and_opens_it(client, member):
    response = login(client, member.user).post(reverse("portal:suggestion_new"), form_data(show_name=""))
    suggestion = MemberSuggestion.objects.get()
    assert response.status_code == 302
    assert response.url == reverse("portal:suggestion_detail", args=[suggestion.pk])
    assert (suggestion.status, suggestion.member, suggestion.show_name) == (Status.DRAFT, member, False)
    text = body(client.get(response.url))
    assert "Saved as a draft" in text and 'id="suggestion-submit"' in text
    # Without the name the website shows "Member".
    assert 'id="suggestion-public-author">Member' in text


def test_the_same_form_sent_twice_makes_one_draft(client, member):
    c = login(client, member.user)
    for _ in range(2):
        c.post(reverse("portal:suggestion_new"), form_data(submission_token="tok-1"))
    assert MemberSuggestion.objects.count() == 1


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        ({"category": "nonsense"}, "Category"),
        ({"title": ""}, "Title"),
        ({"title": "题" * 101}, "Title"),
        ({"content": "长" * 2001}, "Content"),
        ({"content": "含\x00"}, "Null characters are not allowed"),
    ],
    ids=["category", "no-title", "long-title", "long-content", "nul"],
)
def test_a_bad_form_says_what_is_wrong_and_keeps_the_rest(client, member, settings, changes, words):
    settings.LVZHI_PUBLIC_TEXT_MAX = 2000
    response = login(client, member.user).post(reverse("portal:suggestion_new"), form_data(**changes))
    assert response.status_code == 400
    text = body(response)
    assert words in text and not MemberSuggestion.objects.exists()
    if "title" not in changes:
        assert "关于增设乡镇卫生院夜间门诊的建议" in text


def test_the_member_edits_with_the_version_and_a_stale_page_is_refused(client, make_suggestion, member):
    suggestion = make_suggestion()
    c = login(client, member.user)
    url = reverse("portal:suggestion_edit", args=[suggestion.pk])
    assert 'name="version"' in body(c.get(url))
    response = c.post(url, form_data(title="改过的标题", version=suggestion.version))
    assert response.status_code == 302
    assert MemberSuggestion.objects.get().title == "改过的标题"
    stale = c.post(url, form_data(title="旧页面的标题", version=suggestion.version), follow=True)
    assert STALE in body(stale) and MemberSuggestion.objects.get().title == "改过的标题"


def test_a_handed_in_suggestion_cannot_be_edited(client, make_suggestion, member):
    suggestion = make_suggestion(status=Status.SUBMITTED)
    response = login(client, member.user).get(
        reverse("portal:suggestion_edit", args=[suggestion.pk]), follow=True
    )
    assert "cannot be changed now" in body(response)
    assert 'id="suggestion-submit"' not in body(response) and 'id="suggestion-edit"' not in body(response)


def test_the_member_submits_with_a_confirmation(client, make_suggestion, member, office):
    suggestion = make_suggestion()
    c = login(client, member.user)
    text = body(c.get(reverse("portal:suggestion_detail", args=[suggestion.pk])))
    submit_button = text.split('id="suggestion-submit"')[1].split(">")[0]
    assert "data-confirm=" in submit_button
    response = c.post(
        reverse("portal:suggestion_submit", args=[suggestion.pk]),
        {"version": suggestion.version},
        follow=True,
    )
    assert "Submitted." in body(response)
    assert MemberSuggestion.objects.get().status == Status.SUBMITTED
    again = c.post(reverse("portal:suggestion_submit", args=[suggestion.pk]), {"version": 99}, follow=True)
    assert again.status_code == 200 and STALE in body(again)


def test_submitting_twice_is_a_message_not_a_500(client, make_suggestion, member):
    suggestion = make_suggestion(status=Status.SUBMITTED)
    response = login(client, member.user).post(
        reverse("portal:suggestion_submit", args=[suggestion.pk]),
        {"version": suggestion.version},
        follow=True,
    )
    assert response.status_code == 200 and "cannot become" in body(response)


def test_the_member_deletes_a_draft_after_confirming(client, make_suggestion, member):
    draft = make_suggestion()
    c = login(client, member.user)
    text = body(c.get(reverse("portal:suggestion_detail", args=[draft.pk])))
    assert "data-confirm=" in text.split('id="suggestion-delete"')[1].split(">")[0]
    response = c.post(reverse("portal:suggestion_delete", args=[draft.pk]), {"version": draft.version})
    assert response.url == reverse("portal:my_suggestions") and not MemberSuggestion.objects.exists()


def test_a_submitted_suggestion_cannot_be_deleted(client, make_suggestion, member):
    suggestion = make_suggestion(status=Status.SUBMITTED)
    response = login(client, member.user).post(
        reverse("portal:suggestion_delete", args=[suggestion.pk]),
        {"version": suggestion.version},
        follow=True,
    )
    assert "Only a draft can be deleted" in body(response) and MemberSuggestion.objects.exists()


# --- the office's pages -------------------------------------------------------------------------------


def test_the_queue_has_tabs_with_counts(client, make_suggestion, office):
    make_suggestion(title="待审一", status=Status.SUBMITTED)
    make_suggestion(title="待审二", status=Status.SUBMITTED, show_name=False)
    make_suggestion(title="已发布", status=Status.PUBLISHED)
    make_suggestion(title="草稿不出现", status=Status.DRAFT)
    c = login(client, office)
    text = body(c.get(reverse("portal:suggestion_queue")))
    assert 'data-count="awaiting">2<' in text and 'data-count="published">1<' in text
    assert 'data-count="returned">0<' in text and 'data-count="withdrawn">0<' in text
    assert "待审一" in text and "待审二" in text and "已发布" not in text and "草稿不出现" not in text
    assert "shown as Member" in text
    published = body(c.get(reverse("portal:suggestion_queue"), {"tab": "published"}))
    assert "已发布" in published and "待审一" not in published
    # An unknown tab is the first one, not an error.
    assert c.get(reverse("portal:suggestion_queue"), {"tab": "<x>"}).status_code == 200


def test_the_queue_query_count_does_not_grow(client, make_suggestion, office, committee, make_user):
    c = login(client, office)
    members = [MemberFactory(committee=committee, user=make_user(Role.MEMBER)) for _ in range(4)]

    def count(n):
        MemberSuggestion.objects.all().delete()
        for i in range(n):
            make_suggestion(status=Status.SUBMITTED, member=members[i % 4], title=f"建议{i}")
        with capture_queries() as queries:
            assert c.get(reverse("portal:suggestion_queue")).status_code == 200
        return queries

    count(1)
    assert_same_query_count(count(2), count(20))


def test_the_queue_pages_by_50(client, make_suggestion, office):
    for i in range(55):
        make_suggestion(status=Status.SUBMITTED, title=f"建议{i}")
    response = login(client, office).get(reverse("portal:suggestion_queue"), {"page": 2})
    assert len(response.context["page"].object_list) == 5


def test_the_office_page_offers_publication_and_return(client, make_suggestion, office):
    suggestion = make_suggestion(status=Status.SUBMITTED, show_name=False)
    text = body(login(client, office).get(reverse("portal:suggestion_detail", args=[suggestion.pk])))
    for element in ("publish-form", "id_answer", "id_answered_by_unit", "suggestion-publish", "return-form"):
        assert f'id="{element}"' in text
    assert 'id="id_return_reason"' in text and 'id="suggestion-return"' in text
    assert 'id="withdraw-submit"' not in text and 'id="suggestion-submit"' not in text
    # The office sees who wrote it and how the site will show it.
    assert "王建国" in text and 'id="suggestion-public-author">Member' in text


def test_the_office_publishes_with_the_answer(client, make_suggestion, office, member):
    suggestion = make_suggestion(status=Status.SUBMITTED)
    response = login(client, office).post(
        reverse("portal:suggestion_publish", args=[suggestion.pk]),
        {"version": suggestion.version, "answer": "已列入明年计划", "answered_by_unit": "县发改委"},
        follow=True,
    )
    text = body(response)
    assert "Published on the website" in text
    suggestion.refresh_from_db()
    assert (suggestion.status, suggestion.answer, suggestion.answered_by_unit) == (
        Status.PUBLISHED,
        "已列入明年计划",
        "县发改委",
    )
    assert 'id="withdraw-submit"' in text and 'id="answer-form"' in text and 'id="publish-form"' not in text


def test_the_office_publishes_first_and_answers_later(client, make_suggestion, office):
    suggestion = make_suggestion(status=Status.SUBMITTED)
    c = login(client, office)
    c.post(reverse("portal:suggestion_publish", args=[suggestion.pk]), {"version": suggestion.version})
    suggestion.refresh_from_db()
    assert suggestion.status == Status.PUBLISHED and suggestion.answer == ""
    c.post(
        reverse("portal:suggestion_answer", args=[suggestion.pk]),
        {"version": suggestion.version, "answer": "县商务局答复：已着手", "answered_by_unit": "县商务局"},
    )
    suggestion.refresh_from_db()
    assert suggestion.answer == "县商务局答复：已着手"


def test_a_unit_without_an_answer_shows_the_form_again(client, make_suggestion, office):
    suggestion = make_suggestion(status=Status.SUBMITTED)
    response = login(client, office).post(
        reverse("portal:suggestion_publish", args=[suggestion.pk]),
        {"version": suggestion.version, "answered_by_unit": "县发改委"},
    )
    assert response.status_code == 400 and "Answered by" in body(response)
    assert MemberSuggestion.objects.get().status == Status.SUBMITTED


def test_returning_needs_a_reason(client, make_suggestion, office):
    suggestion = make_suggestion(status=Status.SUBMITTED)
    c = login(client, office)
    empty = c.post(reverse("portal:suggestion_return", args=[suggestion.pk]), {"version": suggestion.version})
    assert empty.status_code == 400 and "Reason for returning" in body(empty)
    response = c.post(
        reverse("portal:suggestion_return", args=[suggestion.pk]),
        {"version": suggestion.version, "return_reason": "请补充数据"},
        follow=True,
    )
    assert "Returned; the member reads the reason." in body(response)
    assert MemberSuggestion.objects.get().status == Status.RETURNED


def test_the_office_takes_it_off_with_a_reason_and_confirmation(client, make_suggestion, office):
    suggestion = make_suggestion(status=Status.PUBLISHED)
    c = login(client, office)
    text = body(c.get(reverse("portal:suggestion_detail", args=[suggestion.pk])))
    assert "data-confirm=" in text.split('id="withdraw-form"')[1].split(">")[0]
    empty = c.post(
        reverse("portal:suggestion_withdraw", args=[suggestion.pk]), {"version": suggestion.version}
    )
    assert empty.status_code == 400
    response = c.post(
        reverse("portal:suggestion_withdraw", args=[suggestion.pk]),
        {"version": suggestion.version, "withdraw_reason": "需核实"},
        follow=True,
    )
    assert "Taken off the website" in body(response)
    assert MemberSuggestion.objects.get().status == Status.WITHDRAWN
    # Taken off, it can be published again.
    assert 'id="suggestion-publish"' in body(response) and 'id="return-form"' not in body(response)


def test_stale_and_illegal_decisions_are_messages(client, make_suggestion, office):
    suggestion = make_suggestion(status=Status.SUBMITTED)
    c = login(client, office)
    stale = c.post(reverse("portal:suggestion_publish", args=[suggestion.pk]), {"version": 0}, follow=True)
    assert stale.status_code == 200 and STALE in body(stale)
    published = make_suggestion(status=Status.PUBLISHED)
    illegal = c.post(
        reverse("portal:suggestion_return", args=[published.pk]),
        {"version": published.version, "return_reason": "x"},
        follow=True,
    )
    assert illegal.status_code == 200 and "cannot become" in body(illegal)


def test_an_office_worker_does_not_review_their_own(client, committee, make_user):
    staff = make_user(Role.OFFICE)
    staff.groups.add(*make_user(Role.MEMBER).groups.all())
    MemberFactory(committee=committee, user=staff)
    staff = type(staff).objects.get(pk=staff.pk)
    own = services.submit(
        services.save_suggestion(
            actor=staff, category=Category.OTHER, title="自己的", content="内容", show_name=True
        ),
        actor=staff,
    )
    c = login(client, staff)
    text = body(c.get(reverse("portal:suggestion_detail", args=[own.pk])))
    assert 'id="suggestion-own"' in text and 'id="publish-form"' not in text
    response = c.post(
        reverse("portal:suggestion_publish", args=[own.pk]), {"version": own.version}, follow=True
    )
    assert "a colleague reviews it" in body(response)
    assert MemberSuggestion.objects.get().status == Status.SUBMITTED


# --- hostile text -------------------------------------------------------------------------------------


def test_hostile_text_is_inert_on_the_member_and_office_pages(client, make_suggestion, member, office):
    returned = make_suggestion(title=XSS, content=XSS, status=Status.RETURNED, return_reason=XSS)
    published = make_suggestion(
        title=XSS, content=XSS, status=Status.PUBLISHED, answer=XSS, answered_by_unit=XSS[:100]
    )
    member.name = XSS[:50]
    member.save()
    pages = [
        (member.user, reverse("portal:my_suggestions")),
        (member.user, reverse("portal:suggestion_detail", args=[returned.pk])),
        (member.user, reverse("portal:suggestion_edit", args=[returned.pk])),
        (member.user, reverse("portal:suggestion_detail", args=[published.pk])),
        (office, reverse("portal:suggestion_queue") + "?tab=returned"),
        (office, reverse("portal:suggestion_queue") + "?tab=published"),
        (office, reverse("portal:suggestion_detail", args=[returned.pk])),
        (office, reverse("portal:suggestion_detail", args=[published.pk])),
    ]
    for user, url in pages:
        text = body(login(client, user).get(url))
        assert "<script>alert" not in text and "<img src=x" not in text, url
        assert "&lt;script&gt;" in text, url


def test_the_member_reads_why_it_was_taken_off(client, make_suggestion, member, office):
    suggestion = make_suggestion(status=Status.PUBLISHED)
    services.withdraw(
        suggestion, actor=office, reason="数据有误，核实后再发布", expected_version=suggestion.version
    )
    text = body(login(client, member.user).get(reverse("portal:suggestion_detail", args=[suggestion.pk])))
    assert 'id="suggestion-withdrawn-reason"' in text and "数据有误，核实后再发布" in text
    assert 'id="suggestion-public-link"' not in text and 'id="publish-form"' not in text


def test_without_the_name_the_public_pages_show_member(client, make_suggestion, committee):
    hidden = make_suggestion(status=Status.PUBLISHED, show_name=False, title="不署名的建议")
    named = make_suggestion(status=Status.PUBLISHED, title="署名的建议")
    assert services.public_author(hidden) == "Member" and services.public_author(named) == "王建国"
    page = body(client.get(reverse("public:suggestion", args=[committee.code, hidden.pk])))
    assert "不署名的建议" in page and "王建国" not in page and "Member" in page
    listing = body(client.get(reverse("public:suggestions", args=[committee.code])))
    assert listing.count("王建国") == 1  # the named one only
