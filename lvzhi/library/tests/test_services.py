"""The library services check the actor themselves, whatever view calls them."""

import pytest
from django.core.exceptions import PermissionDenied

from lvzhi.accounts.roles import Role
from lvzhi.core import workflow
from lvzhi.library import services
from lvzhi.library.models import Document

DATA = {
    "title": "学习材料",
    "category": "study",
    "audience": "everyone",
    "summary": "",
    "body": "正文",
    "is_published": True,
}


def test_office_creates_in_its_own_committee(office):
    document = services.create_document(actor=office, data=DATA)

    assert document.committee_id == office.committee_id
    assert document.version == 1


@pytest.mark.parametrize("role", [Role.MEMBER, Role.LEADER, Role.UNIT_STAFF, Role.EDITOR])
def test_others_cannot_create(make_user, role):
    with pytest.raises(PermissionDenied):
        services.create_document(actor=make_user(role), data=DATA)
    assert not Document.objects.exists()


def test_an_account_of_no_committee_cannot_create(make_user):
    superuser = make_user(committee=None, is_superuser=True)

    with pytest.raises(PermissionDenied):
        services.create_document(actor=superuser, data=DATA)
    assert not Document.objects.exists()


def test_another_committees_office_cannot_touch_it(make_user, other_committee, make_document):
    document = make_document()
    stranger = make_user(Role.OFFICE, committee=other_committee)

    with pytest.raises(PermissionDenied):
        services.update_document(document=document, data={"title": "改"}, actor=stranger, expected_version=1)
    with pytest.raises(PermissionDenied):
        services.set_published(document=document, published=False, actor=stranger)
    with pytest.raises(PermissionDenied):
        services.delete_document(document=document, actor=stranger)
    document.refresh_from_db()
    assert document.title != "改" and document.is_published


def test_an_edit_that_changes_nothing_still_moves_the_version(office, make_document):
    document = make_document()

    updated = services.update_document(document=document, data={}, actor=office, expected_version=1)

    assert updated.version == 2


def test_a_stale_edit_is_refused(office, make_document):
    document = make_document(version=4)

    with pytest.raises(workflow.StaleEdit):
        services.update_document(document=document, data={"title": "新"}, actor=office, expected_version=3)
    document.refresh_from_db()
    assert document.title != "新"


def test_an_invalid_audience_is_refused(office):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError):
        services.create_document(actor=office, data={**DATA, "audience": "public"})
    assert not Document.objects.exists()
