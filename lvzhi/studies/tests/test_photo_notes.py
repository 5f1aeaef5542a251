"""Issue 10, defect 8: study notes handed in as a photo of handwritten pages need no typed text (text or a
file, a message naming both when neither), and a refused form says the chosen file must be chosen again."""

import io

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image

from lvzhi.studies import services
from lvzhi.studies.models import StudySubmission

S = StudySubmission.Status
NEITHER = "Write the text or attach a file (a photo of handwritten notes will do): one of the two is needed."
CHOOSE_AGAIN = "was not kept because the form could not be saved: choose the file again"


def photo(name="IMG_2041.JPG", kind="JPEG"):
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (200, 180, 150)).save(buffer, kind)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{kind.lower()}")


def test_a_photo_of_handwritten_notes_needs_no_text(client_of, member):
    response = client_of(member.user).post(
        reverse("studies:submit"),
        {"kind": "notes", "title": "第一次学习笔记", "body": "", "attachment": photo()},
    )
    item = StudySubmission.objects.get()
    assert response.status_code == 302
    assert (item.body, item.status, item.content_type) == ("", S.SUBMITTED, "image/jpeg")
    assert item.original_name == "IMG_2041.JPG"


def test_a_png_screenshot_is_accepted_too(client_of, member):
    client_of(member.user).post(
        reverse("studies:submit"), {"kind": "notes", "title": "笔记", "attachment": photo("笔记.png", "PNG")}
    )
    assert StudySubmission.objects.get().content_type == "image/png"


def test_neither_text_nor_file_is_refused_naming_both(client_of, member):
    response = client_of(member.user).post(
        reverse("studies:submit"), {"kind": "notes", "title": "笔记", "body": " "}
    )
    assert response.status_code == 200
    assert NEITHER in response.content.decode()
    assert not StudySubmission.objects.exists()


def test_the_service_refuses_neither_text_nor_file(member):
    with pytest.raises(services.StudyError):
        services.submit(member=member, actor=member.user, kind="notes", title="笔记", body="")


def test_a_refused_form_says_the_chosen_file_must_be_chosen_again(client_of, member):
    response = client_of(member.user).post(
        reverse("studies:submit"), {"kind": "notes", "title": "", "body": "", "attachment": photo()}
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "IMG_2041.JPG" in html and CHOOSE_AGAIN in html
    assert 'id="attachment-choose-again"' in html
    assert not StudySubmission.objects.exists()


def test_the_message_is_in_chinese_for_members(client_of, member, settings):
    settings.LANGUAGE_CODE = "zh-hans"
    response = client_of(member.user).post(
        reverse("studies:submit"), {"kind": "notes", "title": "", "attachment": photo()}
    )
    assert "请重新选择文件" in response.content.decode()


def test_no_choose_again_message_when_no_file_was_chosen(client_of, member):
    response = client_of(member.user).post(
        reverse("studies:submit"), {"kind": "notes", "title": "", "body": "正文"}
    )
    assert 'id="attachment-choose-again"' not in response.content.decode()


def test_a_returned_photo_submission_is_handed_in_again_without_text(client_of, member, office):
    item = services.submit(
        member=member, actor=member.user, kind="notes", title="笔记", body="", attachment=photo()
    )
    services.return_submission(submission=item, actor=office, reason="请写上日期")
    item.refresh_from_db()
    response = client_of(member.user).post(
        reverse("studies:submission_edit", args=[item.pk]),
        {"kind": "notes", "title": "笔记（补日期）", "body": "", "version": item.version},
    )
    assert response.status_code == 302  # the stored photo still counts
    item.refresh_from_db()
    assert item.status == S.SUBMITTED and item.file


def test_staff_record_a_paper_submission_from_a_scan(client_of, office, member):
    response = client_of(office).post(
        reverse("studies:paper_submit"),
        {
            "member": member.pk,
            "kind": "notes",
            "title": "手写心得",
            "body": "",
            "attachment": photo("扫描.jpg"),
        },
    )
    assert response.status_code == 302
    assert StudySubmission.objects.get().body == ""
