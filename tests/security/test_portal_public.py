"""The public website (issue 14) across the whole site, on the walk's world (world.build_portal: each
side's messages, members' suggestions and announcements in every status, with markers and phones).

- A public page or feed shows the published rows of the committee its address names, and nothing else:
  no message that is waiting, held, answered privately, hidden or turned into a report, no suggestion or
  announcement that is not published, no private reply or reason, nothing of another committee, for
  visitors and signed-in staff alike; any such id is a 404 for everybody.
- A query code shows its own message only.
- A writer's telephone is in no response but the audited reveal: world.secrets holds every message's
  phone, so that every response of the walk (matrix, hostile values, headers) is checked for it; here,
  besides, the staff pages of every tab and the report a message became.
- Hostile text in every field of a message (through a valid captcha), a suggestion and an announcement
  renders inert on every page that shows it, public and staff.
- The rate limits of the public POSTs are live in the walk, and the walk's own POSTs stay under them.
"""

import pytest
from django.core.exceptions import ValidationError
from django.test import override_settings
from django.urls import reverse

from lvzhi.accounts.roles import Role
from lvzhi.core.models import AuditEvent
from lvzhi.portal.forms_moderation import TABS
from lvzhi.portal.models import Announcement, Category, PublicMessage
from lvzhi.portal.services import announcements, moderation, suggestions

from . import probe
from .cases import ROLES, role_id
from .hostile import REPEATED, VALUES, form_value
from .routes import ANONYMOUS, ROUTES, url_for
from .world import ANNOUNCEMENT_MARKERS, MESSAGE_MARKERS, PRIVATE_MARKERS, SUGGESTION_MARKERS, TAINT

SIDES = ("own", "other", "foreign")
# Public pages that answer GET with HTML or JSON (the captcha is a picture of a challenge).
PUBLIC_PAGES = sorted(
    name
    for name, route in ROUTES.items()
    if name.startswith("public:") and "GET" in route.methods and name != "public:captcha"
)
# The lists' filters: each choice lists other rows.
FILTERS = {
    "public:announcements": [{}, {"kind": "notice"}, {"kind": "news"}],
    "public:suggestions": [{}, {"category": Category.ECONOMY}],
    "public:messages": [{}, {"category": Category.URBAN_RURAL}],
}
UNPUBLISHED = [
    *(("public:message", f"message_{key}") for key in MESSAGE_MARKERS if key != "published"),
    *(("public:suggestion", f"member_suggestion_{key}") for key in SUGGESTION_MARKERS if key != "published"),
    *(("public:announcement", f"announcement_{key}") for key in ANNOUNCEMENT_MARKERS if key != "published"),
]
PUBLISHED = [
    ("public:message", "message_published"),
    ("public:suggestion", "member_suggestion_published"),
    ("public:announcement", "announcement_published"),
]


def sides(world):
    return [getattr(world, name) for name in SIDES]


def sides_of(world, committee):
    return [side for side in sides(world) if side.committee == committee]


def published_markers(side):
    return [
        f"{side.label}{MESSAGE_MARKERS['published']}",
        f"{side.label}{SUGGESTION_MARKERS['published']}",
        f"{side.label}{ANNOUNCEMENT_MARKERS['published']}",
    ]


def unpublished_markers(side):
    """What no public page may show of the side: its rows that are not published, and private texts."""
    texts = [
        *(word for key, word in MESSAGE_MARKERS.items() if key != "published"),
        *(word for key, word in SUGGESTION_MARKERS.items() if key != "published"),
        *(word for key, word in ANNOUNCEMENT_MARKERS.items() if key != "published"),
        *PRIVATE_MARKERS,
    ]
    return [f"{side.label}{text}" for text in texts]


def public_pages(world, committee):
    """(url, query) of every public page of `committee`: each list with each filter, each published row."""
    mine = sides_of(world, committee)
    for name in PUBLIC_PAGES:
        route = ROUTES[name]
        for side in mine if route.has_object else mine[:1]:
            for query in FILTERS.get(name, [{}]):
                yield url_for(name, side), query


def problems(walk, outcome, **kwargs):
    return [
        f"{outcome.describe()}: {p}" for p in probe.problems(outcome, secrets=walk.world.secrets, **kwargs)
    ]


# --- what the public sees -------------------------------------------------------------------------------


@pytest.mark.parametrize("role", [ANONYMOUS, Role.OFFICE, Role.MEMBER], ids=role_id)
@pytest.mark.parametrize("site", ["own", "foreign"])
def test_public_pages_show_only_published_rows_of_their_committee(walk, site, role):
    """Every public page and feed of a committee, read by a visitor, by the office (who sees everything
    on the staff side) and by the member whose suggestions are unpublished: the committee's published
    rows are there, and nothing unpublished, private or of the other committee."""
    world = walk.world
    committee = getattr(world, site).committee
    forbidden = [m for side in sides(world) for m in unpublished_markers(side)]
    forbidden += [m for side in sides(world) if side.committee != committee for m in published_markers(side)]
    client = walk.client(role)
    errors, seen = [], []
    for url, query in public_pages(world, committee):
        outcome = walk.send(client, "GET", url, query=query)
        if outcome.status != 200:
            errors.append(f"{outcome.describe()}: a public page is not open to {role_id(role)}")
        errors += problems(walk, outcome)
        errors += [f"{outcome.describe()}: shows {marker}" for marker in forbidden if marker in outcome.text]
        if outcome.response.get("Content-Type", "").startswith("application/json") and "<" in outcome.text:
            # Other sites paste the feeds into their pages: markup comes as \u003c escapes.
            errors.append(f"{outcome.describe()}: markup in a feed")
        seen.append(outcome.text)
    everything = "\n".join(seen)
    missing = [
        m for side in sides_of(world, committee) for m in published_markers(side) if m not in everything
    ]
    assert not errors, errors
    assert not missing, (
        f"published rows missing from the public pages (the check above proves nothing): {missing}"
    )


@pytest.mark.parametrize(("name", "attr"), UNPUBLISHED)
def test_an_unpublished_row_is_404_for_everybody(walk, name, attr):
    """Its own committee's address, any role (the office who handles it, the member who wrote it)."""
    world = walk.world
    cases = [(world.own, role) for role in ROLES]
    cases += [(side, role) for side in (world.other, world.foreign) for role in (ANONYMOUS, Role.OFFICE)]
    errors = []
    for side, role in cases:
        url = reverse(name, kwargs={"code": side.committee.code, "pk": getattr(side, attr).pk})
        outcome = walk.send(walk.client(role), "GET", url)
        if outcome.status != 404:
            errors.append(f"{outcome.describe()} for {role_id(role)} ({side.label})")
        errors += problems(walk, outcome)
    assert not errors, errors


@pytest.mark.parametrize(("name", "attr"), PUBLISHED)
def test_another_committees_published_row_is_404(walk, name, attr):
    world = walk.world
    errors = []
    for site, row_side in (
        (world.own, world.foreign),
        (world.foreign, world.own),
        (world.foreign, world.other),
    ):
        url = reverse(name, kwargs={"code": site.committee.code, "pk": getattr(row_side, attr).pk})
        for role in (ANONYMOUS, Role.OFFICE):
            outcome = walk.send(walk.client(role), "GET", url)
            if outcome.status != 404:
                errors.append(f"{outcome.describe()} for {role_id(role)}")
    assert not errors, errors


@pytest.mark.parametrize("side_name", SIDES)
def test_a_query_code_shows_its_own_message_only(walk, side_name):
    """Each code of the side's messages, on its committee's lookup: that message (whatever its status),
    no other, never a phone, a reason for hiding or the report it became; on the other committee's
    lookup: nothing. (12 lookups: under the limit of 20 per address.)"""
    world = walk.world
    side = getattr(world, side_name)
    elsewhere = world.foreign if side.committee != world.foreign.committee else world.own
    every = {f"{s.label}{word}" for s in sides(world) for word in MESSAGE_MARKERS.values()}
    never = {f"{s.label}{word}" for s in sides(world) for word in ("隐藏原因", "转报信息", "转报正文")}
    client = walk.client(ANONYMOUS)
    errors = []
    for key, code in side.message_codes.items():
        marker = f"{side.label}{MESSAGE_MARKERS[key]}"
        outcome = walk.send(client, "POST", url_for("public:lookup", side), data={"code": code})
        errors += problems(walk, outcome)
        if outcome.status != 200 or marker not in outcome.text:
            errors.append(f"{outcome.describe()}: the code of {marker} does not show it")
        errors += [f"{key}: shows {m}" for m in (every - {marker}) | never if m in outcome.text]
        outcome = walk.send(client, "POST", url_for("public:lookup", elsewhere), data={"code": code})
        errors += problems(walk, outcome)
        errors += [f"{key} on {elsewhere.committee.code}: shows {m}" for m in every if m in outcome.text]
    assert not errors, errors


def test_a_members_draft_is_theirs_alone(walk):
    """The office reviews what was handed in, never a member's draft (the matrix opens a submitted one);
    a member opens no other member's suggestion, whatever its status."""
    world = walk.world
    errors = []
    for role, side, key in [
        (Role.OFFICE, world.own, "draft"),
        (Role.OFFICE, world.other, "draft"),
        *((Role.MEMBER, world.other, key) for key in SUGGESTION_MARKERS),
    ]:
        url = reverse("portal:suggestion_detail", args=[getattr(side, f"member_suggestion_{key}").pk])
        outcome = walk.send(walk.client(role), "GET", url)
        if outcome.status != 404:
            errors.append(f"{outcome.describe()} for {role_id(role)} ({side.label}'s {key})")
    assert not errors, errors


# --- the writer's telephone -----------------------------------------------------------------------------


def test_every_message_phone_is_a_secret_of_the_walk(walk):
    """So that no response of the whole walk may show one (probe.problems) but the audited reveal."""
    phones = set(PublicMessage.objects.values_list("phone", flat=True))
    assert len(phones) == len(MESSAGE_MARKERS) * len(SIDES)
    assert phones <= set(walk.world.secrets)


def test_the_audited_reveal_shows_the_phone(walk):
    """The one page meant to show it (so the checks above can see a phone when there is one)."""
    message = walk.world.own.message_received
    client = walk.client(Role.OFFICE)
    page = walk.send(client, "GET", reverse("portal:message_detail", args=[message.pk]))
    assert page.status == 200
    assert message.phone not in page.text
    shown = walk.send(client, "POST", reverse("portal:message_phone", args=[message.pk]))
    assert shown.status == 200
    assert message.phone in shown.text
    assert "no-store" in shown.response["Cache-Control"]
    assert AuditEvent.objects.filter(
        event="portal.message_phone_shown", object_id=str(message.pk), actor=walk.world.users[Role.OFFICE]
    ).exists()


def test_staff_pages_show_phones_masked(walk):
    """The office's queue and export of every tab, every message's page (both sides of the committee),
    and the report a message became, as the editors and leaders read it: no full phone anywhere."""
    world = walk.world
    office = walk.client(Role.OFFICE)
    requests = [
        (office, reverse(name), {"tab": tab})
        for name in ("portal:moderation", "portal:message_export")
        for tab, _label in TABS
    ]
    requests += [
        (office, reverse("portal:message_detail", args=[getattr(side, f"message_{key}").pk]), {})
        for side in (world.own, world.other)
        for key in MESSAGE_MARKERS
    ]
    report = world.own.message_converted.report
    requests += [
        (walk.client(role), reverse("opinions:detail", args=[report.pk]), {})
        for role in (Role.EDITOR, Role.LEADER)
    ]
    requests += [(walk.client(Role.EDITOR), reverse("opinions:work"), {})]
    errors = []
    for client, url, query in requests:
        outcome = walk.send(client, "GET", url, query=query)
        if outcome.status != 200:
            errors.append(f"{outcome.describe()}: refused")
        errors += problems(walk, outcome)
    assert not errors, errors


# --- hostile text on every page that shows it -------------------------------------------------------------

TEXT_FIELDS = ("title", "content", "name")
SHOWING_NEW_ROWS = (
    "public:home",
    "public:announcements",
    "public:suggestions",
    "public:messages",
    "public:api_messages",
    "public:api_suggestions",
)


def _texts(value_id, count):
    value = VALUES[value_id]
    variants = value if isinstance(value, tuple) else (value,)
    return [variants[i % len(variants)] for i in range(count)]


def _or_none(make):
    try:
        return make()
    except ValidationError:
        return None


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize("value_id", sorted(VALUES))
def test_hostile_text_renders_inert_everywhere(walk, value_id):
    """A message sent through the public form with a valid captcha (so that the values reach the
    service, which the walk's hostile captcha fields never let them do), published; a suggestion and an
    announcement with the value in every text, published: the public pages and feeds and the staff pages
    that show them answer without a server error, unescaped markup or a phone."""
    world = walk.world
    side, office_user = world.own, world.users[Role.OFFICE]
    route = ROUTES["public:message_new"]
    data = route.request_data(side)
    for field, value in zip(TEXT_FIELDS, _texts(value_id, len(TEXT_FIELDS)), strict=True):
        data[field] = form_value(value, data[field])
    client = walk.client(ANONYMOUS)
    before = PublicMessage.objects.order_by("-pk").values_list("pk", flat=True).first()
    sent = walk.send(client, "POST", url_for("public:message_new", side), data=data)
    errors = problems(walk, sent)
    if "does not match the image" in sent.text or "characters shown in the image" in sent.text:
        errors.append("the captcha was refused: the values never reached the service")
    message = PublicMessage.objects.filter(pk__gt=before).first()
    if sent.status == 302:
        errors += problems(walk, walk.send(client, "GET", sent.response["Location"]))
    elif sent.status != 400 or message is not None:
        errors.append(f"{sent.describe()}: neither taken in nor refused with the form")

    value = VALUES[value_id]
    text = (
        "、".join(str(v) for v in (value if isinstance(value, tuple) else (value,)))
        if value is not REPEATED
        else "x"
    )
    suggestion = _or_none(
        lambda: suggestions.save_suggestion(
            actor=side.owner, category=Category.ECONOMY, title=text[:100], content=text, show_name=True
        )
    )
    if suggestion is not None:
        suggestion = suggestions.submit(suggestion, actor=side.owner)
        suggestion = _or_none(
            lambda: suggestions.publish(
                suggestion, actor=office_user, answer=text, answered_by_unit=text[:100], expected_version=None
            )
        ) or suggestions.publish(suggestion, actor=office_user, expected_version=None)
    announcement = _or_none(
        lambda: announcements.save_announcement(
            actor=office_user,
            committee=side.committee,
            kind=Announcement.Kind.NEWS,
            title=text[:200],
            body=text,
        )
    )
    if announcement is not None:
        announcement = announcements.publish_announcement(announcement, actor=office_user)
    if message is not None:
        message = _or_none(
            lambda: moderation.publish(
                message, actor=office_user, reply=text, expected_version=None, words_checked=True
            )
        ) or moderation.publish(
            message, actor=office_user, reply=f"答复{TAINT}", expected_version=None, words_checked=True
        )

    # The pages that list the new rows (the others are the same templates: the walk reads them all).
    visitor = walk.client(ANONYMOUS)
    pages = [(visitor, url_for(name, side), {}) for name in SHOWING_NEW_ROWS]
    office = walk.client(Role.OFFICE)
    pages += [(office, reverse("portal:moderation"), {"tab": "published"})]
    pages += [(office, reverse("portal:message_export"), {"tab": "published"})]
    pages += [(office, reverse("portal:suggestion_queue"), {"tab": "published"})]
    pages += [(office, reverse("portal:announcements"), {})]
    pages += [(walk.client(Role.MEMBER), reverse("portal:my_suggestions"), {})]
    for name, row in (
        ("public:message", message),
        ("public:suggestion", suggestion),
        ("public:announcement", announcement),
    ):
        if row is not None:
            pages.append((visitor, reverse(name, args=[side.committee.code, row.pk]), {}))
    if message is not None:
        pages.append((office, reverse("portal:message_detail", args=[message.pk]), {}))
    if suggestion is not None:
        pages.append((office, reverse("portal:suggestion_detail", args=[suggestion.pk]), {}))
    if announcement is not None:
        pages.append((office, reverse("portal:announcement_edit", args=[announcement.pk]), {}))
    for client_, url, query in pages:
        errors += problems(walk, walk.send(client_, "GET", url, query=query))
    assert not errors, errors


@pytest.mark.usefixtures("english")
@pytest.mark.parametrize("value_id", sorted(VALUES))
def test_hostile_category_and_phone_through_a_valid_captcha(walk, value_id):
    """The form's other fields, past the captcha: refused with the form (the phone of the refused form
    is the visitor's own, not a secret), never a server error."""
    route = ROUTES["public:message_new"]
    side = walk.world.own
    data = route.request_data(side)
    for field, value in zip(("category", "phone"), _texts(value_id, 2), strict=True):
        data[field] = form_value(value, data[field])
    sent = walk.send(walk.client(ANONYMOUS), "POST", url_for("public:message_new", side), data=data)
    errors = problems(walk, sent)
    if "does not match the image" in sent.text or "characters shown in the image" in sent.text:
        errors.append("the captcha was refused: the values never reached the service")
    if sent.status != 400:
        errors.append(f"{sent.describe()}: expected the form with its problems")
    assert not errors, errors


# --- the rate limits and the walk ------------------------------------------------------------------------

LIMITED = {"public:message_new": "LVZHI_PUBLIC_MESSAGE_RATE", "public:lookup": "LVZHI_PUBLIC_LOOKUP_RATE"}


@pytest.mark.parametrize("name", sorted(LIMITED))
def test_the_walks_posts_stay_under_the_live_rate_limits(walk, name):
    """Every case of the walk starts with counters of its own (the root conftest), so the one or two
    POSTs a case sends get the real answer, not a 429; and the limit is live in the walk (a walk with the
    limits off would prove nothing about them): the POSTs past it get a 429."""
    route = ROUTES[name]
    side = walk.world.own
    url = url_for(name, side)
    client = walk.client(ANONYMOUS)
    # A small limit of the same form as the default, whatever this environment sets: the decorator reads
    # the setting on each request, so what is proven is that the limit is live, not its number.
    limit = 3
    with override_settings(**{LIMITED[name]: f"{limit}/10m"}):
        statuses = [
            walk.send(client, "POST", url, data=route.request_data(side)).status for _ in range(limit + 1)
        ]
    assert all(status in (200, 302) for status in statuses[:limit]), statuses
    assert statuses[limit] == 429, statuses
