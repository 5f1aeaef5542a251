"""What each role may change in a member file (issue 8, finding 3): unit staff keep the contact and work
details of their units' members and the membership of the special committees they staff; everything
else is the office's, refused by the service with an audited denial, whatever the form posted."""

import datetime

import pytest
from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from lvzhi.accounts.roles import Role
from lvzhi.core.models import AuditEvent
from lvzhi.factories import MemberFactory, MemberTermFactory, OrgUnitFactory, valid_id_number
from lvzhi.members import services
from lvzhi.members.models import Member, MemberChange, MemberTerm
from lvzhi.organization.models import OrgUnit


@pytest.fixture
def sector(committee):
    return OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.SECTOR, name="教育界")


@pytest.fixture
def town(committee):
    return OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.TOWN_COMMITTEE, name="城关镇政协工委")


@pytest.fixture
def second_unit(committee):
    return OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.SPECIAL_COMMITTEE, name="文史委员会")


@pytest.fixture
def member(term, sector, my_unit):
    member = MemberFactory(committee=term.committee, name="张三", employer_post="县第一中学教师")
    MemberTermFactory(member=member, term=term, sector=sector).special_committees.set([my_unit])
    return member


@pytest.fixture
def staff(make_user, my_unit, second_unit):
    """Staff of two special committees: 经济委员会 (the member's) and 文史委员会."""
    return make_user(Role.UNIT_STAFF, username="staff", units=[my_unit, second_unit])


@pytest.fixture
def staff_client(client, staff):
    client.force_login(staff)
    return client


def edit_url(member):
    return reverse("members:edit", args=[member.pk])


def shown_data(response):
    """What a browser submits for the edit form as rendered: disabled inputs (and disabled checkboxes of
    a list) send nothing, unticked checkboxes send nothing."""
    data = {}
    for form in (response.context["form"], response.context["term_form"]):
        for bound in form:
            widget = bound.field.widget
            if widget.attrs.get("disabled") or isinstance(widget, forms.ClearableFileInput):
                continue
            value = bound.value()
            if isinstance(widget, forms.CheckboxInput):
                if value:
                    data[bound.html_name] = "on"
            elif isinstance(bound.field, forms.ModelMultipleChoiceField):
                locked = {str(v) for v in getattr(widget, "locked_values", ())}
                sent = [str(v) for v in value or () if str(v) not in locked]
                if sent:
                    data[bound.html_name] = sent
            elif value is None:
                data[bound.html_name] = ""
            elif isinstance(value, datetime.date):
                data[bound.html_name] = value.isoformat()
            else:
                data[bound.html_name] = str(value)
    return data


def open_edit(client, member):
    response = client.get(edit_url(member))
    assert response.status_code == 200
    return shown_data(response)


def denials():
    return AuditEvent.objects.filter(action=AuditEvent.Action.PERMISSION_DENIED)


def current_term(member):
    return MemberTerm.objects.get(member=member, term__is_current=True)


def test_unit_staff_save_contact_and_work_details(staff_client, staff, member):
    data = open_edit(staff_client, member)
    data["employer_post"] = "县第二中学校长"
    data["phone"] = "13812345678"
    data["email"] = "zhangsan@example.cn"
    response = staff_client.post(edit_url(member), data)
    assert response.status_code == 302
    member.refresh_from_db()
    assert (member.employer_post, member.phone, member.email) == (
        "县第二中学校长",
        "13812345678",
        "zhangsan@example.cn",
    )
    change = MemberChange.objects.get(member=member)
    assert {c["field"] for c in change.changes} == {"employer_post", "phone", "email"}
    assert not denials().exists()


def test_unit_staff_add_and_remove_the_special_committees_they_staff(
    staff_client, member, my_unit, second_unit
):
    data = open_edit(staff_client, member)
    data["term-special_committees"] = [str(second_unit.pk)]  # 经济委员会 off, 文史委员会 on
    assert staff_client.post(edit_url(member), data).status_code == 302
    assert list(current_term(member).special_committees.all()) == [second_unit]
    change = MemberChange.objects.get(member=member)
    assert [c["field"] for c in change.changes] == ["term.special_committees"]


def test_the_form_shows_the_office_fields_read_only(staff_client, member, other_unit, my_unit):
    response = staff_client.get(edit_url(member))
    form, term_form = response.context["form"], response.context["term_form"]
    editable = {n for n, f in form.fields.items() if not f.widget.attrs.get("disabled")}
    assert editable == {"phone", "email", "address", "employer_post", "version"}
    term_editable = {n for n, f in term_form.fields.items() if not f.widget.attrs.get("disabled")}
    assert term_editable == {"special_committees"}
    html = response.content.decode()
    assert 'name="term-is_standing"' in html
    checkbox = html[html.index('name="term-is_standing"') - 200 : html.index('name="term-is_standing"') + 200]
    assert "disabled" in checkbox
    # The other special committee is shown, but its box cannot be ticked.
    assert term_form.fields["special_committees"].widget.locked_values == {other_unit.pk}
    assert f'value="{other_unit.pk}"' in html


def test_a_browser_submission_of_the_read_only_form_keeps_everything_else(
    staff_client, member, sector, my_unit
):
    term_row = current_term(member)
    term_row.is_standing = True
    term_row.save()
    data = open_edit(staff_client, member)
    assert "term-is_standing" not in data  # disabled: the browser does not send it
    data["address"] = "县城新区1号"
    assert staff_client.post(edit_url(member), data).status_code == 302
    term_row = current_term(member)
    assert (term_row.is_standing, term_row.sector, list(term_row.special_committees.all())) == (
        True,
        sector,
        [my_unit],
    )
    member.refresh_from_db()
    assert (member.name, member.address) == ("张三", "县城新区1号")


@pytest.mark.parametrize(
    ("posted", "field"),
    [
        ({"term-is_standing": "on"}, "term.is_standing"),
        ({"term-status": "removed", "term-status_date": "2026-03-01"}, "term.status"),
        ({"term-sector": "other_sector"}, "term.sector"),
        ({"term-town_committee": "town"}, "term.town_committee"),
        ({"name": "李四"}, "name"),
        ({"birth_date": "1976-03-01", "id_number": "new_id"}, "id_number"),
        ({"native_place": "北京"}, "native_place"),
        ({"party": "cpc"}, "party"),
    ],
)
def test_a_tampered_post_of_an_office_field_is_refused_and_audited(
    staff_client, staff, member, committee, town, posted, field
):
    other_sector = OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.SECTOR, name="经济界")
    values = {"other_sector": str(other_sector.pk), "town": str(town.pk)}
    values["new_id"] = valid_id_number(datetime.date(1976, 3, 1), male=True)
    before_member = Member.objects.values().get(pk=member.pk)
    before_term = MemberTerm.objects.values().get(member=member)
    data = open_edit(staff_client, member)
    data["employer_post"] = "不应保存"
    data.update({k: values.get(v, v) for k, v in posted.items()})
    response = staff_client.post(edit_url(member), data)
    assert response.status_code == 403
    assert Member.objects.values().get(pk=member.pk) == before_member
    assert MemberTerm.objects.values().get(member=member) == before_term
    assert not MemberChange.objects.exists()
    denial = denials().get()
    assert denial.actor == staff
    assert denial.object_id == str(member.pk)
    assert field in denial.detail["fields"]
    with translation.override(settings.LANGUAGE_CODE):
        label = services.field_label(field)
    assert label in response.content.decode()


def test_a_tampered_post_adding_a_special_committee_not_staffed_is_refused(
    staff_client, member, my_unit, other_unit
):
    data = open_edit(staff_client, member)
    data["term-special_committees"] = [str(my_unit.pk), str(other_unit.pk)]
    response = staff_client.post(edit_url(member), data)
    assert response.status_code == 403
    assert list(current_term(member).special_committees.all()) == [my_unit]
    denial = denials().get()
    assert denial.detail["fields"] == ["term.special_committees"]
    assert other_unit.name in response.content.decode()


def test_leaving_out_a_special_committee_not_staffed_does_not_remove_it(
    staff_client, member, term, my_unit, other_unit
):
    current_term(member).special_committees.add(other_unit)
    data = open_edit(staff_client, member)
    assert data["term-special_committees"] == [str(my_unit.pk)]
    data["term-special_committees"] = []
    assert staff_client.post(edit_url(member), data).status_code == 302
    assert list(current_term(member).special_committees.all()) == [other_unit]


def test_the_service_refuses_unit_staff_a_name_change_whatever_the_caller(staff, member):
    before = services.snapshot(member)
    member.name = "李四"
    with pytest.raises(services.FieldNotEditable) as refused:
        services.update_member(member=member, before=before, expected_version=1, actor=staff)
    with translation.override(settings.LANGUAGE_CODE):
        message = str(refused.value)
        assert str(Member._meta.get_field("name").verbose_name) in message
    member.refresh_from_db()
    assert (member.name, member.version) == ("张三", 1)
    assert denials().get().detail["fields"] == ["name"]


def test_the_service_refuses_unit_staff_a_standing_seat(staff, member, term):
    with pytest.raises(services.FieldNotEditable):
        services.update_member(
            member=member,
            before=services.snapshot(member),
            expected_version=1,
            actor=staff,
            term=term,
            term_values={"is_standing": True},
        )
    assert not current_term(member).is_standing
    assert Member.objects.get(pk=member.pk).version == 1


def test_the_service_refuses_the_file_of_a_member_outside_the_staffs_units(staff, term, other_unit):
    outsider = MemberFactory(committee=term.committee, name="王五")
    MemberTermFactory(member=outsider, term=term).special_committees.set([other_unit])
    before = services.snapshot(outsider)
    outsider.employer_post = "越权修改"
    with pytest.raises(services.FieldNotEditable):
        services.update_member(member=outsider, before=before, expected_version=1, actor=staff)
    assert Member.objects.get(pk=outsider.pk).employer_post != "越权修改"


def test_the_office_changes_every_field(client, office, member, term, town, other_unit):
    before = services.snapshot(member)
    member.name = "张叁"
    services.update_member(
        member=member,
        before=before,
        expected_version=1,
        actor=office,
        term=term,
        term_values={"is_standing": True, "town_committee": town, "special_committees": [other_unit]},
    )
    row = current_term(member)
    assert (row.is_standing, row.town_committee, list(row.special_committees.all())) == (
        True,
        town,
        [other_unit],
    )
    assert Member.objects.get(pk=member.pk).name == "张叁"
    fields = {c["field"] for c in MemberChange.objects.get(member=member).changes}
    assert fields == {"name", "term.is_standing", "term.town_committee", "term.special_committees"}
