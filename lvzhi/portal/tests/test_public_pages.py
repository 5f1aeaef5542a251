"""The public site's reading pages: the home page, the lists and the items of 通知公告 / 工作动态, 委员建言
and 公众留言. Only published rows of the committee the address names show; every other row is a 404;
nothing a writer typed runs as markup; a writer's telephone never shows; lists cost the same queries at
any size."""

from datetime import timedelta

import lxml.html
import pytest
from django.urls import reverse
from django.utils import timezone

from lvzhi.core.masking import mask_phone
from lvzhi.core.testing import assert_same_query_count, body, capture_queries
from lvzhi.factories import MemberFactory
from lvzhi.portal.models import Announcement, Category, MemberSuggestion, PortalSettings, PublicMessage

pytestmark = pytest.mark.usefixtures("english")

Status = PublicMessage.Status
SStatus = MemberSuggestion.Status
PHONES = ["13987650123", "0871-66123457"]
XSS = ["<script>alert(1)</script>", '"><img src=x onerror=alert(1)>', "javascript:alert(1)"]


def url(name, committee, *args):
    return reverse(f"public:{name}", args=[committee.code, *args])


def dom(response):
    return lxml.html.fromstring(body(response))


@pytest.fixture
def make_announcement(committee, office):
    def make(*, status=Announcement.Status.PUBLISHED, committee=committee, **fields):
        values = {
            "committee": committee,
            "kind": Announcement.Kind.NOTICE,
            "title": "关于开展2025年度委员履职培训的通知",
            "body": "各位委员：\n\n定于下周举行履职培训。",
            "status": status,
            "created_by": office,
        }
        if status == Announcement.Status.PUBLISHED:
            values["published_at"] = timezone.now()
        values.update(fields)
        return Announcement.objects.create(**values)

    return make


@pytest.fixture
def other_member(other_committee):
    return MemberFactory(committee=other_committee, name="赵其他")


@pytest.fixture
def every_row(committee, other_committee, other_member, make_message, make_suggestion, make_announcement):
    """One row in each status for the home committee, and a published row of another committee; titles
    name what they are so that a failure says which one leaked."""
    rows = {"shown": [], "hidden": []}
    for status in Status:
        message, _code = make_message(status=status, title=f"message {status}")
        rows["shown" if status == Status.PUBLISHED else "hidden"].append(message)
    other_message, _code = make_message(
        status=Status.PUBLISHED, committee=other_committee, title="message of another committee"
    )
    rows["hidden"].append(other_message)
    for status in SStatus:
        suggestion = make_suggestion(status=status, title=f"suggestion {status}")
        rows["shown" if status == SStatus.PUBLISHED else "hidden"].append(suggestion)
    rows["hidden"].append(
        MemberSuggestion.objects.create(
            committee=other_committee,
            member=other_member,
            category=Category.ECONOMY,
            title="suggestion of another committee",
            content="x",
            status=SStatus.PUBLISHED,
            published_at=timezone.now(),
        )
    )
    for status in Announcement.Status:
        for kind in Announcement.Kind:
            announcement = make_announcement(status=status, kind=kind, title=f"announcement {kind} {status}")
            rows["shown" if status == Announcement.Status.PUBLISHED else "hidden"].append(announcement)
    rows["hidden"].append(
        make_announcement(committee=other_committee, title="announcement of another committee")
    )
    return rows


def detail_url(row):
    name = {PublicMessage: "message", MemberSuggestion: "suggestion", Announcement: "announcement"}[type(row)]
    return reverse(f"public:{name}", args=["home", row.pk])


LISTS = ["home", "announcements", "suggestions", "messages"]


# --- the root ---------------------------------------------------------------------------------------------


def test_the_root_sends_to_the_only_committee(client, committee):
    response = client.get(reverse("public:root"))
    assert response.status_code == 302
    assert response.url == url("home", committee)


def test_the_root_lists_the_committees_when_there_are_several(client, committee, other_committee):
    response = client.get(reverse("public:root"))
    assert response.status_code == 200
    links = dom(response).xpath("//main//a/@href")
    assert url("home", committee) in links
    assert url("home", other_committee) in links


def test_an_unknown_committee_is_a_404(client, committee):
    for name in LISTS:
        assert client.get(reverse(f"public:{name}", args=["nowhere"])).status_code == 404


# --- published only ---------------------------------------------------------------------------------------


@pytest.mark.parametrize("name", LISTS)
def test_only_published_rows_of_the_committee_are_listed(client, every_row, name):
    text = body(client.get(url(name, every_row["shown"][0].committee)))
    for row in every_row["hidden"]:
        assert row.title not in text, row.title
    wanted = {
        "home": every_row["shown"],
        "announcements": [r for r in every_row["shown"] if isinstance(r, Announcement)],
        "suggestions": [r for r in every_row["shown"] if isinstance(r, MemberSuggestion)],
        "messages": [r for r in every_row["shown"] if isinstance(r, PublicMessage)],
    }[name]
    for row in wanted:
        assert row.title in text, row.title


def test_a_published_row_has_its_page(client, every_row):
    for row in every_row["shown"]:
        response = client.get(detail_url(row))
        assert response.status_code == 200, row.title
        assert dom(response).xpath("string(//h1)") == row.title


def test_every_other_row_is_a_404(client, every_row):
    for row in every_row["hidden"]:
        assert client.get(detail_url(row)).status_code == 404, row.title


def test_another_committees_published_row_is_a_404_under_its_own_id_too(client, every_row, other_committee):
    # Under the other committee's address it shows; under this one's, the same id is a 404.
    other = [r for r in every_row["hidden"] if r.committee_id == other_committee.pk]
    assert len(other) == 3
    for row in other:
        assert client.get(detail_url(row)).status_code == 404
        name = {PublicMessage: "message", MemberSuggestion: "suggestion", Announcement: "announcement"}
        assert client.get(url(name[type(row)], other_committee, row.pk)).status_code == 200


def test_an_id_beyond_any_database_id_is_a_404(client, committee):
    for name in ("message", "suggestion", "announcement"):
        assert client.get(url(name, committee, 2**70)).status_code == 404


# --- the home page ----------------------------------------------------------------------------------------


def test_home_shows_the_latest_five_of_each_in_order(
    client, committee, make_message, make_suggestion, make_announcement
):
    start = timezone.now() - timedelta(days=30)
    for n in range(7):
        at = start + timedelta(days=n)
        make_announcement(kind=Announcement.Kind.NOTICE, title=f"notice {n}", published_at=at)
        make_announcement(kind=Announcement.Kind.NEWS, title=f"news {n}", published_at=at)
        make_suggestion(status=SStatus.PUBLISHED, title=f"suggestion {n}", published_at=at)
        # Written long before they were answered: the order is the answers'.
        make_message(
            status=Status.PUBLISHED,
            title=f"message {n}",
            published_at=at,
            submitted_at=start - timedelta(days=n),
        )
    page = dom(client.get(url("home", committee)))

    def titles(section_id, index=0):
        lists = page.xpath(f"//*[@id='{section_id}']//ul")
        return [
            t.strip() for t in lists[index].xpath(".//*[contains(@class, 'portal-item-title')]//a/text()")
        ]

    newest_five = [6, 5, 4, 3, 2]
    assert titles("home-announcements", 0) == [f"notice {n}" for n in newest_five]
    assert titles("home-announcements", 1) == [f"news {n}" for n in newest_five]
    assert titles("home-suggestions") == [f"suggestion {n}" for n in newest_five]
    assert titles("home-messages") == [f"message {n}" for n in newest_five]


def test_home_links_to_both_columns_and_asks_for_a_message(client, committee):
    PortalSettings.objects.create(committee=committee, office_phone="0871-12345678")
    page = dom(client.get(url("home", committee)))
    links = page.xpath("//main//a/@href")
    assert url("suggestions", committee) in links
    assert url("messages", committee) in links
    assert url("message_new", committee) in links
    assert "0871-12345678" in page.xpath("string(//main)")
    for section in ("home-announcements", "home-suggestions", "home-messages"):
        assert page.xpath(f"//section[@id='{section}']"), section


def test_home_does_not_ask_for_a_message_when_the_board_is_closed(client, committee):
    PortalSettings.objects.create(committee=committee, accepting_messages=False)
    page = dom(client.get(url("home", committee)))
    assert url("message_new", committee) not in page.xpath("//main//a/@href")
    assert "closed" in page.xpath("string(//main)")


def test_each_page_has_one_h1_and_the_current_section_marked(client, every_row, committee):
    message = next(r for r in every_row["shown"] if isinstance(r, PublicMessage))
    cases = {
        url("home", committee): (url("home", committee), "page"),
        url("announcements", committee): (url("announcements", committee), "page"),
        url("suggestions", committee): (url("suggestions", committee), "page"),
        url("messages", committee): (url("messages", committee), "page"),
        detail_url(message): (url("messages", committee), "true"),
    }
    for address, (nav_href, current) in cases.items():
        page = dom(client.get(address))
        assert len(page.xpath("//h1")) == 1, address
        marked = page.xpath("//ul[@class='portal-nav']//a[@aria-current]")
        assert [(a.get("href"), a.get("aria-current")) for a in marked] == [(nav_href, current)], address
        assert page.xpath("//header") and page.xpath("//main") and page.xpath("//footer")


# --- the lists --------------------------------------------------------------------------------------------


def test_the_lists_have_pages_of_twenty_that_work_by_links(client, committee, make_message):
    start = timezone.now() - timedelta(days=60)
    for n in range(45):
        make_message(status=Status.PUBLISHED, title=f"m{n:02d}", published_at=start + timedelta(hours=n))
    first = dom(client.get(url("messages", committee)))
    assert len(first.xpath("//li[contains(@class, 'message-item')]")) == 20
    assert first.xpath("//li[contains(@class, 'message-item')][1]/@data-message-id")
    next_link = first.xpath("//nav//a[contains(@href, 'page=2')]/@href")
    assert next_link
    last = dom(client.get(url("messages", committee) + "?page=3"))
    assert [t.strip() for t in last.xpath("//li[contains(@class,'message-item')]//h2/a/text()")] == [
        f"m{n:02d}" for n in range(4, -1, -1)
    ]


def test_the_category_filter_narrows_the_columns_and_keeps_across_pages(
    client, committee, make_message, make_suggestion
):
    for n in range(22):
        make_message(status=Status.PUBLISHED, category=Category.HEALTH, title=f"health {n}")
    make_message(status=Status.PUBLISHED, category=Category.EDUCATION, title="school bus")
    make_suggestion(status=SStatus.PUBLISHED, category=Category.HEALTH, title="clinic hours")
    make_suggestion(status=SStatus.PUBLISHED, category=Category.EDUCATION, title="school meals")

    page = dom(client.get(url("messages", committee) + "?category=education"))
    assert [t.strip() for t in page.xpath("//li[contains(@class,'message-item')]//h2/a/text()")] == [
        "school bus"
    ]
    assert page.xpath("//select[@id='id_category']/option[@selected]/@value") == ["education"]
    assert page.xpath("//label[@for='id_category']")
    assert page.xpath("//form[@method='get']//button[@type='submit']")

    page = dom(client.get(url("messages", committee) + "?category=health"))
    assert "category=health" in page.xpath("//nav//a[contains(@href, 'page=2')]/@href")[0]

    page = dom(client.get(url("suggestions", committee) + "?category=health"))
    assert [t.strip() for t in page.xpath("//li[contains(@class,'suggestion-item')]//h2/a/text()")] == [
        "clinic hours"
    ]


def test_an_unknown_category_shows_everything(client, committee, make_message):
    make_message(status=Status.PUBLISHED, title="street light")
    response = client.get(url("messages", committee) + "?category=<script>")
    assert response.status_code == 200
    assert "street light" in body(response)
    assert "<script>" not in body(response)


def test_announcements_by_kind(client, committee, make_announcement):
    make_announcement(kind=Announcement.Kind.NOTICE, title="a notice")
    make_announcement(kind=Announcement.Kind.NEWS, title="some news")
    notices = body(client.get(url("announcements", committee) + "?kind=notice"))
    assert "a notice" in notices and "some news" not in notices
    news = dom(client.get(url("announcements", committee) + "?kind=news"))
    assert "some news" in news.xpath("string(//main)") and "a notice" not in news.xpath("string(//main)")
    assert news.xpath("string(//h1)") == "Work news"
    assert news.xpath("//main//a[@aria-current='page']/@href") == [
        url("announcements", committee) + "?kind=news"
    ]
    everything = body(client.get(url("announcements", committee) + "?kind=bogus"))
    assert "a notice" in everything and "some news" in everything


@pytest.mark.parametrize("name", LISTS)
def test_a_list_costs_the_same_queries_at_any_size(
    client, committee, member, make_message, make_suggestion, make_announcement, name
):
    def add(n):
        for i in range(n):
            make_message(status=Status.PUBLISHED, title=f"m{i}", name="" if i % 2 else "张女士")
            make_suggestion(status=SStatus.PUBLISHED, title=f"s{i}", show_name=bool(i % 2))
            make_announcement(kind=Announcement.Kind.NEWS if i % 2 else Announcement.Kind.NOTICE)
            MemberSuggestion.objects.create(
                committee=committee,
                member=MemberFactory(committee=committee),
                category=Category.OTHER,
                title=f"s other {i}",
                content="x",
                status=SStatus.PUBLISHED,
                published_at=timezone.now(),
            )

    add(2)
    client.get(url(name, committee))
    with capture_queries() as small:
        assert client.get(url(name, committee)).status_code == 200
    add(25)
    with capture_queries() as large:
        assert client.get(url(name, committee)).status_code == 200
    assert_same_query_count(small, large)


# --- the items --------------------------------------------------------------------------------------------


def test_a_suggestion_shows_its_author_category_date_and_answer(client, committee, member, make_suggestion):
    suggestion = make_suggestion(
        status=SStatus.PUBLISHED,
        answer="The bureau opened a centre.",
        answered_by_unit="County commerce bureau",
        answered_at=timezone.now(),
        category=Category.ECONOMY,
    )
    text = dom(client.get(detail_url(suggestion))).xpath("string(//main)")
    for shown in (
        member.name,
        "Economic development",
        "The bureau opened a centre.",
        "County commerce bureau",
    ):
        assert shown in text
    assert timezone.localdate(suggestion.published_at).isoformat() in text


def test_a_suggestion_without_the_name_shows_member(client, committee, member, make_suggestion):
    hidden = make_suggestion(status=SStatus.PUBLISHED, show_name=False, title="anonymous one")
    for address in (detail_url(hidden), url("suggestions", committee), url("home", committee)):
        text = body(client.get(address))
        assert member.name not in text, address
        assert "Member" in text


def test_a_suggestion_not_answered_yet_says_so(client, make_suggestion):
    suggestion = make_suggestion(status=SStatus.PUBLISHED, answer="", answered_by_unit="")
    assert "No official answer yet." in body(client.get(detail_url(suggestion)))


def test_a_message_shows_its_writer_or_anonymous_and_the_reply(client, make_message):
    named, _ = make_message(status=Status.PUBLISHED, name="李先生", reply="Fixed on Monday.")
    anonymous, _ = make_message(status=Status.PUBLISHED, name="  ")
    named_text = dom(client.get(detail_url(named))).xpath("string(//main)")
    assert (
        "李先生" in named_text
        and "Fixed on Monday." in named_text
        and "Urban and rural construction" in named_text
    )
    assert "Anonymous" in dom(client.get(detail_url(anonymous))).xpath("string(//main)")


def test_an_announcement_keeps_its_paragraphs(client, make_announcement):
    announcement = make_announcement(body="First paragraph\nstill first.\n\nSecond paragraph.")
    paragraphs = dom(client.get(detail_url(announcement))).xpath("//div[@class='portal-text']/p")
    assert len(paragraphs) == 2
    assert paragraphs[0].xpath("br")


# --- personal data and hostile text -----------------------------------------------------------------------


def phone_forms(phone):
    digits = "".join(c for c in phone if c.isdigit())
    return {phone, digits, mask_phone(phone), mask_phone(digits)}


def test_no_phone_ever_shows_on_a_public_page(client, committee, make_message):
    rows = []
    for phone in PHONES:
        for status in Status:
            rows.append(make_message(status=status, phone=phone, title=f"message {status}")[0])
    pages = [url(name, committee) for name in LISTS] + [detail_url(r) for r in rows]
    for address in pages:
        response = client.get(address)
        if response.status_code == 404:
            continue
        text = body(response)
        for phone in PHONES:
            for form in phone_forms(phone):
                assert form not in text, (address, form)


def hostile_rows(committee, member, make_message, make_suggestion, make_announcement):
    member.name = XSS[2] + XSS[1]
    member.save()
    rows = []
    for payload in XSS:
        rows.append(
            make_message(
                status=Status.PUBLISHED, title=payload, content=payload, name=payload, reply=payload
            )[0]
        )
        rows.append(
            make_suggestion(
                status=SStatus.PUBLISHED,
                title=payload,
                content=payload,
                answer=payload,
                answered_by_unit=payload,
                answered_at=timezone.now(),
            )
        )
        rows.append(make_announcement(title=payload, body=payload))
    return rows


def test_hostile_text_in_every_field_renders_inert(
    client, committee, member, make_message, make_suggestion, make_announcement
):
    rows = hostile_rows(committee, member, make_message, make_suggestion, make_announcement)
    for address in [url(name, committee) for name in LISTS] + [detail_url(r) for r in rows]:
        response = client.get(address)
        assert response.status_code == 200, address
        text = body(response)
        assert "<script>alert" not in text, address
        assert "<img src=x" not in text, address
        page = lxml.html.fromstring(text)
        assert not page.xpath("//img"), address
        assert not page.xpath("//*[@onerror]"), address
        assert not [h for h in page.xpath("//@href") if h.strip().lower().startswith("javascript")], address
        assert page.xpath("//script") == [], address
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in body(client.get(detail_url(rows[0])))
