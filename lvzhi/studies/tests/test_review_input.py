"""What staff type when they acknowledge or return a submission goes through a form: a NUL character
(which PostgreSQL refuses in text: a 500 there) or an over-long text is refused with a message naming
the field, and nothing changes."""

from django.urls import reverse

from lvzhi.studies.models import StudySubmission

S = StudySubmission.Status


def _post(client, name, item, **data):
    return client.post(
        reverse(f"studies:{name}", args=[item.pk]), {"version": item.version, **data}, follow=True
    )


def test_a_note_with_a_nul_character_is_refused(client_of, member, office, make_submission):
    item = make_submission(member)
    response = _post(client_of(office), "acknowledge", item, note="已阅\x00")
    assert response.status_code == 200
    assert "Note to the member：Null characters are not allowed." in response.content.decode()
    item.refresh_from_db()
    assert (item.status, item.review_note) == (S.SUBMITTED, "")


def test_a_note_longer_than_the_field_is_refused(client_of, member, office, make_submission):
    item = make_submission(member)
    response = _post(client_of(office), "acknowledge", item, note="长" * 2001)
    assert "Note to the member：Ensure this value has at most 2000 characters" in response.content.decode()
    item.refresh_from_db()
    assert item.status == S.SUBMITTED


def test_a_reason_with_a_nul_character_is_refused(client_of, member, office, make_submission):
    item = make_submission(member)
    response = _post(client_of(office), "return", item, reason="请补充\x00")
    assert "Reason：Null characters are not allowed." in response.content.decode()
    item.refresh_from_db()
    assert (item.status, item.review_note) == (S.SUBMITTED, "")


def test_a_reason_longer_than_the_field_is_refused_not_cut(client_of, member, office, make_submission):
    item = make_submission(member)
    response = _post(client_of(office), "return", item, reason="长" * 2001)
    assert "Reason：Ensure this value has at most 2000 characters" in response.content.decode()
    item.refresh_from_db()
    assert item.status == S.SUBMITTED


def test_a_valid_note_still_acknowledges(client_of, member, office, make_submission):
    item = make_submission(member)
    _post(client_of(office), "acknowledge", item, note=" 很好 ")
    item.refresh_from_db()
    assert (item.status, item.review_note) == (S.ACKNOWLEDGED, "很好")
