"""The export page: who may download the roster, what the file holds for them, and the audit trail."""

import io
from urllib.parse import quote, unquote

import openpyxl
import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext
from docx import Document

from lvzhi.accounts.roles import Role
from lvzhi.core import docx_official, masking, xlsx
from lvzhi.core.models import AuditEvent
from lvzhi.core.testing import assert_same_query_count, capture_queries
from lvzhi.factories import MemberFactory
from lvzhi.members import roster_export
from lvzhi.members.models import MemberTerm

from .test_roster_export import grow_to, make_roster, place

URL = reverse("members:export")
ROLES_WITHOUT_VIEW = [
    Role.MEMBER,
    Role.OFFICER,
    Role.HANDLING_UNIT,
    Role.SYSADMIN,
    Role.SECADMIN,
    Role.AUDITOR,
]


@pytest.fixture
def roster(term):
    return make_roster(term)


@pytest.fixture
def outsider(other_committee):
    return MemberFactory(committee=other_committee, name="邻县委员")


def post(client, **data):
    payload = {"format": "xlsx", "columns": ["name", "sector"], "order": "stroke"}
    payload.update(data)
    return client.post(URL, payload)


def sheet_of(response):
    return openpyxl.load_workbook(io.BytesIO(response.content)).active


def names_of(response):
    """The first column below the title and header rows."""
    return [row[0] for row in sheet_of(response).iter_rows(min_row=3, values_only=True)]


def exports():
    return AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT)


@pytest.mark.parametrize("role", ROLES_WITHOUT_VIEW)
@pytest.mark.parametrize("method", ["get", "post"])
def test_roles_without_view_member_are_refused(client, make_user, roster, role, method):
    client.force_login(make_user(role))
    response = getattr(client, method)(URL, {"format": "xlsx", "columns": ["name"], "order": "stroke"})
    assert response.status_code == 403
    assert "张三" not in response.content.decode(errors="replace")
    assert not exports().exists()


def test_anonymous_users_are_sent_to_login(client, roster):
    response = client.post(URL, {"format": "xlsx", "columns": ["name"]})
    assert response.status_code == 302
    assert not exports().exists()


def test_the_page_offers_the_options(client, office, roster):
    client.force_login(office)
    response = client.get(URL)
    assert response.status_code == 200
    form = response.context["form"]
    assert form["columns"].initial == roster_export.DEFAULT_COLUMNS
    assert form["status"].initial == MemberTerm.Status.SERVING
    assert "unmask" in form.fields
    assert "政协本县委员会" in form["title"].initial
    assert not exports().exists()


def test_the_member_list_links_to_the_export(client, office):
    client.force_login(office)
    assert URL in client.get(reverse("members:list")).content.decode()


def test_the_office_downloads_an_excel_roster_with_a_chinese_name(client, office, roster):
    client.force_login(office)
    response = post(client, title="委员名单")
    assert response.status_code == 200
    assert response["Content-Type"] == xlsx.XLSX_CONTENT_TYPE
    assert response["Cache-Control"] == "private, no-store"
    disposition = response["Content-Disposition"]
    assert disposition.startswith("attachment;")
    expected = gettext("%(committee)s member list") % {"committee": "政协本县委员会"}
    expected += f"-{timezone.localdate():%Y%m%d}.xlsx"
    encoded = disposition.split("filename*=UTF-8''", 1)[1]
    assert encoded == quote(expected, safe="")
    assert unquote(encoded) == expected
    sheet = sheet_of(response)
    assert sheet["A1"].value == "委员名单"
    assert [sheet["A2"].value, sheet["B2"].value] == [gettext("Name"), gettext("Sector")]
    assert names_of(response) == ["丁一", "王小明", "王五", "刘一", "李四", "张三"]


def test_the_office_downloads_a_word_list(client, office, roster):
    client.force_login(office)
    response = post(client, format="docx", title="政协本县委员会委员名单")
    assert response.status_code == 200
    assert response["Content-Type"] == docx_official.DOCX_CONTENT_TYPE
    assert response["Content-Disposition"].endswith(".docx")
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    document = Document(io.BytesIO(response.content))
    text = [p.text for p in document.paragraphs]
    assert text[0] == "政协本县委员会委员名单"
    assert "丁　一　　李　四" in text
    event = exports().get()
    assert event.detail["format"] == "docx"
    assert event.detail["rows"] == 6
    assert event.detail["unmasked"] is False


def test_the_export_is_audited(client, office, roster):
    client.force_login(office)
    post(client, columns=["name", "phone"], sector=roster["education"].pk)
    event = exports().get()
    assert event.actor == office
    assert event.committee_id == office.committee_id
    assert event.detail["format"] == "xlsx"
    assert event.detail["rows"] == 3
    assert event.detail["columns"] == ["name", "phone"]
    assert event.detail["unmasked"] is False
    assert event.detail["filters"] == {"sector": str(roster["education"].pk)}


def test_the_filters_of_the_member_list_apply(client, office, roster, term):
    roster["members"]["王五"].terms.filter(term=term).update(status=MemberTerm.Status.RESIGNED)
    client.force_login(office)
    assert names_of(post(client, sector=roster["education"].pk)) == ["王小明", "王五", "张三"]
    assert names_of(post(client, status=MemberTerm.Status.SERVING, q="王")) == ["王小明"]


def test_order_and_grouping_are_passed_on(client, office, roster):
    client.force_login(office)
    assert names_of(post(client, order="pinyin")) == ["丁一", "李四", "刘一", "王五", "王小明", "张三"]
    grouped = names_of(post(client, group_by_sector="on"))
    assert grouped[0] == roster_export.group_heading("经济界", 2)
    assert grouped[-2:] == [roster_export.group_heading(None, 1), "刘一"]


def test_an_excel_export_needs_a_column(client, office, roster):
    client.force_login(office)
    response = post(client, columns=[])
    assert response.status_code == 200
    assert gettext("Choose at least one column.") in response.context["form"].errors["columns"]
    assert not exports().exists()


def phones(response):
    return [row[1] for row in sheet_of(response).iter_rows(min_row=3, values_only=True)]


def test_phones_are_masked_unless_asked_for(client, office, roster):
    member = roster["members"]["张三"]
    client.force_login(office)
    masked = post(client, columns=["name", "phone"], q="张三")
    assert phones(masked) == [masking.mask_phone(member.phone)]
    full = post(client, columns=["name", "phone"], q="张三", unmask="on")
    assert phones(full) == [member.phone]
    # Ticking the box without a personal-data column unmasks nothing, and is not recorded as an unmask.
    post(client, columns=["name", "sector"], unmask="on")
    assert [e.detail["unmasked"] for e in exports().order_by("pk")] == [False, True, False]


def test_unmask_needs_the_permission(client, make_user, roster):
    member = roster["members"]["张三"]
    leader = make_user(Role.LEADER)
    assert leader.has_perm("members.view_member")
    assert not leader.has_perm("members.unmask_personal_data")
    client.force_login(leader)
    assert "unmask" not in client.get(URL).context["form"].fields
    response = post(client, columns=["name", "id_number", "phone"], q="张三", unmask="on")
    assert response.status_code == 200
    row = next(sheet_of(response).iter_rows(min_row=3, values_only=True))
    assert list(row) == ["张三", masking.mask_id_number(member.id_number), masking.mask_phone(member.phone)]
    assert member.id_number not in str(row)
    assert exports().get().detail["unmasked"] is False


@pytest.mark.parametrize("fmt", ["xlsx", "docx"])
def test_another_committees_members_never_appear(client, office, roster, outsider, fmt):
    client.force_login(office)
    response = post(client, format=fmt)
    if fmt == "xlsx":
        found = names_of(response)
    else:
        found = [p.text for p in Document(io.BytesIO(response.content)).paragraphs]
    assert "张三" in found or any("张　三" in line for line in found)
    assert not any(outsider.name in (line or "") for line in found)


def test_unit_staff_export_only_their_units_members(client, make_user, my_unit, roster, term):
    inside = place(MemberFactory(committee=term.committee, name="孙七"), term, specials=[my_unit])
    client.force_login(make_user(Role.UNIT_STAFF, units=[my_unit]))
    response = post(client)
    assert response.status_code == 200
    assert names_of(response) == [inside.name]
    assert exports().get().detail["rows"] == 1


def test_the_number_of_queries_does_not_grow_with_the_members(client, office, committee, term):
    client.force_login(office)
    runs = []
    for size in (5, 50):
        grow_to(term, size)
        with capture_queries() as queries:
            response = post(client, columns=list(roster_export.COLUMNS), group_by_sector="on")
        assert response.status_code == 200
        runs.append(queries)
    assert_same_query_count(*runs)
