import datetime

import pytest
from django import forms
from django.conf import settings
from django.urls import reverse
from django.utils import translation

from lvzhi.core import masking
from lvzhi.core.models import AuditEvent
from lvzhi.factories import MemberFactory, MemberTermFactory, OrgUnitFactory, UserFactory, valid_id_number
from lvzhi.members.models import Member, MemberChange, MemberTerm
from lvzhi.organization.models import OrgUnit

# workflow.StaleEdit's message.
LOCK_MESSAGE = (
    "Someone else saved this after you opened it. Nothing was saved. "
    "Reload the page to see their changes, then make yours again."
)


def translated(msgid):
    with translation.override(settings.LANGUAGE_CODE):
        return translation.gettext(msgid)


def browser_data(response):
    """What a browser submits for the member form as rendered: every field's shown value, both the
    personal part and the `term-` part, the hidden version included, no file chosen."""
    data = {}
    for form in (response.context["form"], response.context["term_form"]):
        for bound in form:
            value = bound.value()
            if isinstance(bound.field.widget, forms.ClearableFileInput):
                continue
            if isinstance(bound.field.widget, forms.CheckboxInput):
                if value:
                    data[bound.html_name] = "on"
                continue
            if isinstance(bound.field, (forms.MultipleChoiceField, forms.ModelMultipleChoiceField)):
                # Unticked checkboxes send nothing.
                if value:
                    data[bound.html_name] = [str(v) for v in value]
                continue
            if value is None:
                value = ""
            if isinstance(value, datetime.date):
                data[bound.html_name] = value.isoformat()
            else:
                data[bound.html_name] = str(value)
    return data


@pytest.fixture
def sector(committee):
    return OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.SECTOR, name="教育界")


@pytest.fixture
def member(term, sector):
    member = MemberFactory(committee=term.committee, name="张三", employer_post="县第一中学教师")
    MemberTermFactory(member=member, term=term, sector=sector)
    return member


@pytest.fixture
def office_client(client, office):
    client.force_login(office)
    return client


def edit_url(member):
    return reverse("members:edit", args=[member.pk])


def open_edit(client, member):
    response = client.get(edit_url(member))
    assert response.status_code == 200
    return browser_data(response)


def test_the_edit_form_carries_the_version_and_no_personal_data_in_clear(office_client, member):
    response = office_client.get(edit_url(member))
    html = response.content.decode()
    assert browser_data(response)["version"] == "1"
    assert member.id_number not in html
    assert member.phone not in html
    assert masking.mask_phone(member.phone) in html


def test_it_saves_an_edit_and_records_old_and_new(office_client, office, member, my_unit):
    data = open_edit(office_client, member)
    data["employer_post"] = "县第二中学校长"
    data["term-is_standing"] = "on"
    data["term-special_committees"] = [str(my_unit.pk)]
    response = office_client.post(edit_url(member), data)
    assert response.status_code == 302
    assert response.url == member.get_absolute_url()
    member.refresh_from_db()
    assert member.employer_post == "县第二中学校长"
    assert member.version == 2
    row = MemberTerm.objects.get(member=member)
    assert row.is_standing
    assert list(row.special_committees.all()) == [my_unit]
    change = MemberChange.objects.get(member=member)
    assert change.actor == office
    assert change.source == MemberChange.Source.EDIT
    assert change.version == 2
    assert ("employer_post", "县第一中学教师", "县第二中学校长") in [
        (c["field"], c["old"], c["new"]) for c in change.changes
    ]
    assert AuditEvent.objects.filter(action="update", object_id=str(member.pk), actor=office).exists()


def test_the_history_page_shows_the_change(office_client, member):
    data = open_edit(office_client, member)
    data["employer_post"] = "县第二中学校长"
    office_client.post(edit_url(member), data)
    html = office_client.get(reverse("members:history", args=[member.pk])).content.decode()
    assert "县第一中学教师" in html
    assert "县第二中学校长" in html
    assert "office" in html


def test_a_change_of_the_place_in_the_current_term_is_kept_in_history(office_client, office, member):
    # Status (在任 → 辞去) and 常委 are part of the member file; a change to them must leave history.
    data = open_edit(office_client, member)
    data["term-status"] = MemberTerm.Status.RESIGNED
    data["term-status_date"] = "2026-03-01"
    data["term-status_reason"] = "工作调动"
    assert office_client.post(edit_url(member), data).status_code == 302
    assert MemberTerm.objects.get(member=member).status == MemberTerm.Status.RESIGNED
    change = MemberChange.objects.get(member=member)
    assert change.actor == office
    assert {"term.status", "term.status_date", "term.status_reason"} <= {c["field"] for c in change.changes}
    html = office_client.get(reverse("members:history", args=[member.pk])).content.decode()
    with translation.override(settings.LANGUAGE_CODE):
        assert str(MemberTerm.Status.RESIGNED.label) in html
    assert "工作调动" in html


def test_history_masks_id_number_and_phone(office_client, member):
    old_id, old_phone = member.id_number, member.phone
    new_id = valid_id_number(member.birth_date, male=True)
    data = open_edit(office_client, member)
    data["id_number"] = new_id
    data["phone"] = "13812345678"
    assert office_client.post(edit_url(member), data).status_code == 302
    member.refresh_from_db()
    assert (member.id_number, member.phone) == (new_id, "13812345678")
    change = MemberChange.objects.get(member=member)
    recorded = {c["field"]: (c["old"], c["new"]) for c in change.changes}
    assert recorded == {
        "id_number": (masking.mask_id_number(old_id), masking.mask_id_number(new_id)),
        "phone": (masking.mask_phone(old_phone), "138****5678"),
    }
    html = office_client.get(reverse("members:history", args=[member.pk])).content.decode()
    for clear in (old_id, new_id, old_phone, "13812345678"):
        assert clear not in html
    assert "138****5678" in html


def test_leaving_id_number_and_phone_empty_keeps_them(office_client, member):
    old_id, old_phone = member.id_number, member.phone
    data = open_edit(office_client, member)
    assert data["id_number"] == data["phone"] == ""
    data["notes"] = "新备注"
    assert office_client.post(edit_url(member), data).status_code == 302
    member.refresh_from_db()
    assert (member.id_number, member.phone, member.notes) == (old_id, old_phone, "新备注")
    assert [c["field"] for c in MemberChange.objects.get(member=member).changes] == ["notes"]


def _wrong_check_digit(member):
    good = valid_id_number(member.birth_date, male=True)
    return good[:17] + ("0" if good[17] != "0" else "1")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"id_number": _wrong_check_digit}, "id_number"),
        ({"id_number": lambda m: "12345"}, "id_number"),
        ({"id_number": lambda m: valid_id_number(datetime.date(1980, 6, 1), male=True)}, "birth_date"),
        ({"id_number": lambda m: valid_id_number(m.birth_date, male=False)}, "gender"),
        ({"gender": lambda m: "female"}, "gender"),
        ({"birth_date": lambda m: "1976-03-01"}, "birth_date"),
        ({"phone": lambda m: "1381234567"}, "phone"),
        ({"phone": lambda m: "138123456789"}, "phone"),
        ({"phone": lambda m: "23812345678"}, "phone"),
    ],
)
def test_bad_personal_data_is_refused_on_its_field(office_client, member, changes, field):
    before = Member.objects.values().get(pk=member.pk)
    data = open_edit(office_client, member)
    data["employer_post"] = "不应保存"
    for name, make in changes.items():
        data[name] = make(member)
    response = office_client.post(edit_url(member), data)
    assert response.status_code == 200
    assert field in response.context["form"].errors
    assert Member.objects.values().get(pk=member.pk) == before
    assert not MemberChange.objects.exists()


def test_a_second_editor_working_from_an_old_version_is_refused(client, office, member, committee):
    colleague = UserFactory(committee=committee, role="办公室工作人员", username="office2")
    second = client.__class__()
    client.force_login(office)
    second.force_login(colleague)
    first_data = open_edit(client, member)
    second_data = open_edit(second, member)

    first_data["employer_post"] = "第一次保存"
    assert client.post(edit_url(member), first_data).status_code == 302

    second_data["employer_post"] = "第二次保存"
    second_data["term-is_standing"] = "on"
    response = second.post(edit_url(member), second_data)
    assert response.status_code == 200
    errors = response.context["form"].non_field_errors()
    assert list(errors) == [translated(LOCK_MESSAGE)]
    assert translated(LOCK_MESSAGE) in response.content.decode()

    member.refresh_from_db()
    assert member.employer_post == "第一次保存"
    assert member.version == 2
    assert not MemberTerm.objects.get(member=member).is_standing
    assert MemberChange.objects.filter(member=member).count() == 1


def test_an_edit_without_a_version_is_refused(office_client, member):
    data = open_edit(office_client, member)
    del data["version"]
    data["employer_post"] = "无版本"
    response = office_client.post(edit_url(member), data)
    assert response.status_code == 200
    member.refresh_from_db()
    assert member.employer_post == "县第一中学教师"
    assert member.version == 1


def new_member_data(client, **overrides):
    response = client.get(reverse("members:create"))
    assert response.status_code == 200
    data = browser_data(response)
    data.update(
        {
            "name": "李四",
            "gender": "male",
            "birth_date": "1975-03-01",
            "id_number": valid_id_number(datetime.date(1975, 3, 1), male=True),
            "phone": "13900001111",
            "party": "non_party",
            "employer_post": "县人民医院副院长",
        }
    )
    data.update(overrides)
    return data


def test_it_creates_a_member_with_history_and_audit(office_client, office, term, sector):
    data = new_member_data(office_client, **{"term-sector": str(sector.pk), "term-is_standing": "on"})
    response = office_client.post(reverse("members:create"), data)
    member = Member.objects.get(name="李四")
    assert response.status_code == 302
    assert response.url == member.get_absolute_url()
    assert member.committee == term.committee
    assert member.id_number == data["id_number"]
    assert member.phone == "13900001111"
    row = MemberTerm.objects.get(member=member)
    assert (row.term, row.sector, row.is_standing) == (term, sector, True)
    change = MemberChange.objects.get(member=member)
    assert change.source == MemberChange.Source.CREATE
    assert change.actor == office
    fields = {c["field"]: c["new"] for c in change.changes}
    assert fields["name"] == "李四"
    assert fields["id_number"] == masking.mask_id_number(data["id_number"])
    assert AuditEvent.objects.filter(action="create", object_id=str(member.pk), actor=office).exists()


def test_creating_takes_the_birth_date_from_the_id_number(office_client, term):
    data = new_member_data(office_client, birth_date="")
    office_client.post(reverse("members:create"), data)
    assert Member.objects.get(name="李四").birth_date == datetime.date(1975, 3, 1)


def test_a_duplicate_id_number_in_the_same_committee_is_refused(office_client, member):
    data = new_member_data(office_client, id_number=member.id_number.lower())
    response = office_client.post(reverse("members:create"), data)
    assert response.status_code == 200
    assert "id_number" in response.context["form"].errors
    assert list(Member.objects.values_list("name", flat=True)) == ["张三"]
    assert not MemberChange.objects.exists()


def test_the_same_id_number_in_another_committee_is_allowed(office_client, term, other_committee):
    foreign = MemberFactory(committee=other_committee, name="邻县委员")
    data = new_member_data(office_client, id_number=foreign.id_number)
    assert office_client.post(reverse("members:create"), data).status_code == 302
    assert Member.objects.filter(name="李四", committee=term.committee).exists()


def test_editing_to_another_members_id_number_is_refused(office_client, member, term):
    other = MemberFactory(committee=term.committee, name="王五")
    data = open_edit(office_client, member)
    data["id_number"] = other.id_number
    response = office_client.post(edit_url(member), data)
    assert "id_number" in response.context["form"].errors
    member.refresh_from_db()
    assert member.version == 1
