"""The IDOR matrix for member files: every role against every URL of lvzhi/members/urls.py, with files of
another committee, of another unit, and without signing in.

The routes are read from the urlconf, so a new URL fails `test_every_route_is_in_the_matrix` until it
gets a line in ROUTES below.
"""

import datetime
import io
from dataclasses import dataclass, field
from types import SimpleNamespace

import pytest
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import Workbook

from lvzhi.accounts.roles import Role
from lvzhi.core.models import AuditEvent
from lvzhi.core.testing import assert_sent_to_login, body, snapshot
from lvzhi.factories import (
    CommitteeFactory,
    MemberFactory,
    MemberTermFactory,
    OrgUnitFactory,
    TermFactory,
    UserFactory,
    valid_id_number,
)
from lvzhi.members import urls
from lvzhi.members.models import ContactUpdateRequest, Member, MemberChange, MemberTerm, RosterImport
from lvzhi.organization.models import Membership, OrgUnit

SECRET = "邻县秘密"  # the name of every member of the other committee starts with this
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
    b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
NO_WRITE_ROLES = [
    Role.LEADER,
    Role.EDITOR,
    Role.MEMBER,
    Role.OFFICER,
    Role.HANDLING_UNIT,
    Role.SYSADMIN,
    Role.SECADMIN,
    Role.AUDITOR,
]


def _edit_data(side):
    # A change every role that edits files owns (unit staff keep work details, not names).
    return {
        "name": side.member.name,
        "employer_post": "被改单位",
        "gender": "male",
        "birth_date": "1975-03-01",
        "version": str(side.member.version),
        "term-status": "serving",
    }


def _create_data(side):
    return {
        "name": "越权新建",
        "gender": "male",
        "birth_date": "1975-03-01",
        "id_number": valid_id_number(datetime.date(1975, 3, 1)),
        "term-status": "serving",
    }


def _import_data(side):
    workbook = Workbook()
    workbook.active.append(["姓名", "身份证号码"])
    workbook.active.append(["越权导入", valid_id_number(datetime.date(1975, 3, 1))])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return {"file": SimpleUploadedFile("名单.xlsx", buffer.getvalue())}


@dataclass(frozen=True)
class Route:
    methods: tuple = ("GET",)
    target: str | None = None  # attribute of a side whose pk goes into the URL
    extra: dict = field(default_factory=dict)  # the URL's other arguments
    data: object = None  # side -> POST data that would succeed for a user allowed to do it


ROUTES = {
    "list": Route(),
    "export": Route(),
    "create": Route(("GET", "POST"), data=_create_data),
    "me": Route(("GET", "POST"), data=lambda s: {"phone": "13800001234", "address": "越权地址"}),
    "contact_requests": Route(),
    "contact_request_decide": Route(
        ("POST",), target="contact_request", extra={"decision": "approve"}, data=lambda s: {}
    ),
    "detail": Route(target="member"),
    "edit": Route(("GET", "POST"), target="member", data=_edit_data),
    "photo": Route(target="member"),
    "history": Route(target="member"),
    "unmask": Route(("POST",), target="member", extra={"field": "id_number"}, data=lambda s: {}),
    "import": Route(("GET", "POST"), data=_import_data),
    "import_template": Route(),
    "import_detail": Route(target="import_job"),
    "import_progress": Route(target="import_job"),
    "import_confirm": Route(("POST",), target="import_job", data=lambda s: {"mode": "valid"}),
    "lookup": Route(("GET", "POST"), data=lambda s: {"number": s.member.id_number}),
}

# The tables a refused request must leave as they were.
WATCHED = [Member, MemberTerm, MemberChange, ContactUpdateRequest, Membership, RosterImport]
URLCONF_NAMES = sorted(p.name for p in urls.urlpatterns)
OBJECT_CASES = [
    (n, m) for n in URLCONF_NAMES for m in ROUTES.get(n, Route()).methods if ROUTES.get(n, Route()).target
]
PLAIN_PAGES = [n for n in URLCONF_NAMES if not ROUTES.get(n, Route()).target]
POST_ROUTES = [n for n in URLCONF_NAMES if "POST" in ROUTES.get(n, Route()).methods]
ALL_CASES = [(n, m) for n in URLCONF_NAMES for m in ("GET", "POST")]
# What unit staff get on a member of their own unit (they may edit files but not unmask or approve).
OWN_UNIT_EXPECTED = {
    ("detail", "GET"): 200,
    ("edit", "GET"): 200,
    ("edit", "POST"): 302,
    ("photo", "GET"): 200,
    ("history", "GET"): 200,
    ("unmask", "POST"): 403,
    ("contact_request_decide", "POST"): 403,
    # Importing rosters is the office's work: unit staff do not create member files.
    ("import_detail", "GET"): 403,
    ("import_progress", "GET"): 403,
    ("import_confirm", "POST"): 403,
}


def url_for(name, side):
    route = ROUTES[name]
    pattern = next(p for p in urls.urlpatterns if p.name == name)
    kwargs = {
        key: route.extra.get(key) or getattr(side, route.target).pk for key in pattern.pattern.converters
    }
    return reverse(f"members:{name}", kwargs=kwargs)


def request(client, name, method, side):
    url = url_for(name, side)
    if method == "GET":
        return client.get(url)
    return client.post(url, ROUTES[name].data(side))


def unmasked():
    return AuditEvent.objects.filter(action=AuditEvent.Action.UNMASK).exists()


def filed_member(term, name, *, specials=()):
    """A member with a photo and a pending contact update, placed in the term's special committees."""
    member = MemberFactory(committee=term.committee, name=name)
    member.photo.save("photo.png", ContentFile(PNG), save=True)
    MemberTermFactory(member=member, term=term).special_committees.set(specials)
    contact_request = ContactUpdateRequest.objects.create(member=member, phone="13700001111", address="新址")
    import_job = RosterImport.objects.create(
        committee=term.committee,
        created_by=UserFactory(committee=term.committee),
        file="private/imports/roster.xlsx",
        original_name=f"{name}名单.xlsx",
        status=RosterImport.Status.PREVIEW,
        preview={
            "counts": {"create": 1, "update": 0, "unchanged": 0, "error": 0},
            "create": [{"row": 3, "name": name}],
        },
    )
    return SimpleNamespace(
        member=member,
        contact_request=contact_request,
        import_job=import_job,
        secrets=[name, member.id_number],
    )


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)


@pytest.fixture
def home(term, my_unit):
    return filed_member(term, "张三", specials=[my_unit])


@pytest.fixture
def other_unit_side(committee, term, my_unit, other_unit):
    """A member whose current term is only in other_unit (the previous term was in my_unit)."""
    side = filed_member(term, "李四", specials=[other_unit])
    old = TermFactory(committee=committee, number=8, name="第八届", is_current=False)
    MemberTermFactory(member=side.member, term=old).special_committees.set([my_unit])
    return side


@pytest.fixture
def foreign(db):
    committee = CommitteeFactory(name="政协邻县委员会", code="neighbour")
    term = TermFactory(committee=committee)
    unit = OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.SPECIAL_COMMITTEE, name="经济委员会")
    return filed_member(term, f"{SECRET}委员", specials=[unit])


def test_every_route_is_in_the_matrix():
    assert set(ROUTES) == set(URLCONF_NAMES)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize(("name", "method"), OBJECT_CASES)
def test_files_of_another_committee_are_never_reached(client, role_user, home, foreign, role, name, method):
    client.force_login(role_user(role))
    before = snapshot(WATCHED)
    response = request(client, name, method, foreign)
    assert response.status_code in (403, 404)
    for secret in foreign.secrets:
        assert secret not in body(response)
    assert snapshot(WATCHED) == before
    assert not unmasked()


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("name", PLAIN_PAGES)
def test_pages_never_show_another_committee(client, role_user, home, foreign, role, name):
    client.force_login(role_user(role))
    response = client.get(url_for(name, home))
    assert response.status_code in (200, 403, 404)
    for secret in foreign.secrets:
        assert secret not in body(response)


def test_a_member_of_another_committee_cannot_be_searched_for(client, office, home, foreign):
    client.force_login(office)
    for q in (foreign.member.id_number, foreign.member.phone, SECRET):
        response = client.get(reverse("members:list"), {"q": q}, headers={"HX-Request": "true"})
        assert list(response.context["page"]) == []
    for number in (foreign.member.id_number, foreign.member.phone):
        response = client.post(reverse("members:lookup"), {"number": number})
        assert response.status_code == 200
        assert response.context["found"] == []
        assert SECRET not in body(response)


@pytest.mark.parametrize(("name", "method"), OBJECT_CASES)
def test_unit_staff_cannot_reach_a_member_of_another_unit(
    client, make_user, my_unit, home, other_unit_side, name, method
):
    client.force_login(make_user(Role.UNIT_STAFF, units=[my_unit]))
    before = snapshot(WATCHED)
    response = request(client, name, method, other_unit_side)
    assert response.status_code in (403, 404)
    for secret in other_unit_side.secrets:
        assert secret not in body(response)
    assert snapshot(WATCHED) == before


@pytest.mark.parametrize(("name", "method"), OBJECT_CASES)
def test_unit_staff_reach_the_members_of_their_unit(
    client, make_user, my_unit, home, other_unit_side, name, method
):
    client.force_login(make_user(Role.UNIT_STAFF, units=[my_unit]))
    response = request(client, name, method, home)
    assert response.status_code == OWN_UNIT_EXPECTED[(name, method)]


def test_unit_staff_list_shows_only_their_units_members(client, make_user, my_unit, home, other_unit_side):
    client.force_login(make_user(Role.UNIT_STAFF, units=[my_unit]))
    response = client.get(reverse("members:list"))
    assert [m.name for m in response.context["page"]] == ["张三"]
    assert "李四" not in body(response)
    assert [m.name for m in client.get(reverse("members:list"), {"q": "ls"}).context["page"]] == []


def test_a_member_edit_cannot_place_a_member_in_a_unit_of_another_committee(client, make_user, my_unit, home):
    client.force_login(make_user(Role.UNIT_STAFF, units=[my_unit]))
    foreign_unit = OrgUnitFactory(committee=CommitteeFactory(), kind=OrgUnit.Kind.SPECIAL_COMMITTEE)
    data = _edit_data(home) | {"term-special_committees": [str(foreign_unit.pk)]}
    response = client.post(reverse("members:edit", args=[home.member.pk]), data)
    assert response.status_code == 200
    assert "special_committees" in response.context["term_form"].errors


@pytest.mark.parametrize(("name", "method"), ALL_CASES)
def test_anonymous_users_are_sent_to_login(client, home, name, method):
    before = snapshot(WATCHED)
    url = url_for(name, home)
    assert_sent_to_login(client.get(url) if method == "GET" else client.post(url, {}))
    assert snapshot(WATCHED) == before
    assert not unmasked()


@pytest.mark.parametrize("role", NO_WRITE_ROLES)
@pytest.mark.parametrize("name", POST_ROUTES)
def test_roles_that_must_not_write_are_refused(client, make_user, home, role, name):
    client.force_login(make_user(role))
    before = snapshot(WATCHED)
    response = request(client, name, "POST", home)
    assert response.status_code in (403, 404)
    assert home.member.id_number not in body(response)
    assert snapshot(WATCHED) == before
    assert not unmasked()


@pytest.mark.parametrize("name", POST_ROUTES)
def test_the_office_can_do_every_action(client, office, home, name):
    # The control for the refusals above: the office gets through with the same requests.
    if name == "me":
        home.member.user = office
        home.member.save()
    client.force_login(office)
    before = snapshot(WATCHED)
    response = request(client, name, "POST", home)
    if name == "unmask":
        assert response.status_code == 200
        assert unmasked()
    elif name == "lookup":  # a read, audited
        assert response.status_code == 200
        assert response.context["found"] == [home.member]
        assert AuditEvent.objects.filter(action=AuditEvent.Action.LOOKUP).exists()
    else:
        assert response.status_code == 302
        assert snapshot(WATCHED) != before


def test_another_committees_office_sees_nothing_of_ours(client, home):
    client.force_login(UserFactory(committee=CommitteeFactory(), role=Role.OFFICE))
    for name, method in OBJECT_CASES:
        response = request(client, name, method, home)
        assert response.status_code == 404, name
        assert "张三" not in body(response)
