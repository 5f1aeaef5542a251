"""Findings of the security walk (tests/security) in the duty-record import, kept as regression tests."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from lvzhi.factories import MemberFactory
from lvzhi.ledger.models import DutyImport, DutyImportItem, DutyRecord

HEADER = "身份证号,姓名,日期,类型,事项,角色,备注\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def member(committee):
    return MemberFactory(committee=committee, name="张三")


def csv_file(rows, *, padding=0):
    """A CSV file; `padding` comment-free rows of spaces first push the later bytes past the 64 KB the
    upload check reads."""
    body = HEADER + ("," * 6 + " " * 60 + "\n") * padding + "".join(",".join(r) + "\n" for r in rows)
    return SimpleUploadedFile("履职.csv", body.encode("utf-8"))


@pytest.mark.parametrize("column", [4, 6], ids=["item", "note"])
def test_a_nul_in_a_csv_cell_after_the_first_64_kb_is_a_row_error_not_a_500(client, office, member, column):
    """NUL bytes reached the preview (JSON) and the items and records (text): PostgreSQL refuses them,
    so the upload or the confirmation was a server error."""
    row = ["", "张三", "2026-02-01", "视察", "调研", "", "备注"]
    row[column] = "a\x00b"
    client.force_login(office)
    response = client.post(reverse("ledger:import_new"), {"file": csv_file([row], padding=1200)})
    assert response.status_code in (302, 400)
    for job in DutyImport.objects.all():
        assert "\x00" not in str(job.preview)
        client.post(reverse("ledger:import_confirm", args=[job.pk]), {"mode": "valid"})
    assert DutyImportItem.objects.exists()
    texts = [*DutyImportItem.objects.values_list("key", "label"), *DutyRecord.objects.values_list("note")]
    assert not any("\x00" in text for row in texts for text in row)
