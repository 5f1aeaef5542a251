"""What an uploaded roster leaves behind (issue 8, finding 4): the file waits encrypted, is deleted once
the import is done, failed or abandoned (its size and SHA-256 stay for the audit), and nothing kept for
the preview holds a full ID or phone number."""

import datetime
import hashlib
import json
from pathlib import Path

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

from lvzhi.core import crypto, idcard, masking
from lvzhi.core.models import AuditEvent
from lvzhi.factories import OrgUnitFactory
from lvzhi.members import import_jobs, tasks
from lvzhi.members.models import Member, RosterImport
from lvzhi.organization.models import OrgUnit

GOOD_ID = idcard.make("990101", datetime.date(1975, 3, 1), 11)
OTHER_ID = idcard.make("990101", datetime.date(1980, 6, 2), 22)
BAD_ID = GOOD_ID[:-1] + ("0" if GOOD_ID[-1] != "0" else "1")
SHIFTED_ID = idcard.make("990101", datetime.date(1968, 9, 9), 33)
PHONES = ["13900000001", "13900000002", "13900000003", "13900000004"]
HEADER = "姓名,性别,身份证号码,界别,政治面貌,工作单位及职务,手机号码"


def csv_upload(lines, name="委员名单.csv"):
    return SimpleUploadedFile(name, "\n".join([HEADER, *lines]).encode())


GOOD_LINES = [
    f"张三,男,{GOOD_ID},教育界,中共,县一中校长,{PHONES[0]}",
    f"李丽,女,{OTHER_ID},教育界,民盟,县医院医生,{PHONES[1]}",
]
# Rows whose errors would echo what the cell held: a wrong check digit, an ID number that slipped into
# the party column, a phone that slipped into the gender column, the same ID number twice.
BAD_LINES = [
    f"王五,男,{BAD_ID},教育界,中共,县二中教师,{PHONES[2]}",
    f"赵六,男,,教育界,{SHIFTED_ID},县三中教师,{PHONES[3]}",
    f"孙七,{PHONES[3]},,教育界,中共,县四中教师,",
    f"周八,男,{GOOD_ID},教育界,中共,县五中教师,",
]
FULL_NUMBERS = [GOOD_ID, OTHER_ID, BAD_ID, SHIFTED_ID, *PHONES]


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path / "media")


@pytest.fixture
def sector(committee, term):
    return OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.SECTOR, name="教育界")


def uploaded_by(office, upload, *, ip="192.0.2.7", user_agent="Roster-Browser/1.0"):
    request = RequestFactory().post("/members/import/", REMOTE_ADDR=ip, HTTP_USER_AGENT=user_agent)
    request.user = office
    return import_jobs.start(committee=office.committee, uploaded_file=upload, actor=office, request=request)


def stored_path(job):
    return Path(job.file.path)


def test_the_file_waits_encrypted_and_holds_no_id_or_phone_number(office, sector):
    upload = csv_upload(GOOD_LINES)
    original = upload.read()
    assert GOOD_ID.encode() in original  # the plain CSV carries them…
    upload.seek(0)
    job = uploaded_by(office, upload)
    raw = stored_path(job).read_bytes()
    for number in FULL_NUMBERS[:2] + PHONES[:2]:
        assert number.encode() not in raw  # …the stored file does not
    assert crypto.decrypt_bytes(raw, context="members.RosterImport.file") == original
    assert (job.file_bytes, job.file_sha256) == (len(original), hashlib.sha256(original).hexdigest())
    upload_row = AuditEvent.objects.get(action="import", object_id=str(job.pk))
    assert upload_row.detail["sha256"] == job.file_sha256
    assert upload_row.detail["bytes"] == len(original)


def test_the_check_reads_the_encrypted_file(office, sector):
    job = uploaded_by(office, csv_upload(GOOD_LINES))
    tasks.check_roster.call(job.pk)
    job.refresh_from_db()
    assert job.status == RosterImport.Status.PREVIEW
    assert job.preview["counts"]["create"] == 2
    assert stored_path(job).exists()  # kept, encrypted, until the import is confirmed


def test_the_file_is_deleted_once_the_import_is_done(office, sector):
    upload = csv_upload(GOOD_LINES)
    digest = hashlib.sha256(upload.read()).hexdigest()
    upload.seek(0)
    job = uploaded_by(office, upload)
    path = stored_path(job)
    tasks.check_roster.call(job.pk)
    import_jobs.confirm(job=job, valid_only=True, actor=office)
    tasks.import_roster.call(job.pk, office.pk)
    job.refresh_from_db()
    assert job.status == RosterImport.Status.DONE
    assert Member.objects.count() == 2
    assert not path.exists()
    assert not job.file
    assert job.file_sha256 == digest
    deleted = AuditEvent.objects.get(action="delete", object_id=str(job.pk))
    assert (deleted.detail["sha256"], deleted.detail["bytes"], deleted.detail["status"]) == (
        digest,
        job.file_bytes,
        "done",
    )


def test_the_file_is_deleted_when_the_import_fails(office, sector):
    job = uploaded_by(office, csv_upload(GOOD_LINES + BAD_LINES))
    path = stored_path(job)
    tasks.check_roster.call(job.pk)
    import_jobs.confirm(job=job, valid_only=False, actor=office)  # all or nothing: fails
    tasks.import_roster.call(job.pk, office.pk)
    job.refresh_from_db()
    assert job.status == RosterImport.Status.FAILED
    assert not path.exists() and not job.file
    assert AuditEvent.objects.filter(action="delete", object_id=str(job.pk)).exists()


def test_the_file_is_deleted_when_the_check_refuses_it(office, sector):
    job = uploaded_by(office, SimpleUploadedFile("名单.csv", b"\n\n\n"))
    path = stored_path(job)
    tasks.check_roster.call(job.pk)
    job.refresh_from_db()
    assert job.status == RosterImport.Status.FAILED
    assert not path.exists() and not job.file


def test_purge_stale_expires_previews_left_for_a_day(office, sector):
    stale = uploaded_by(office, csv_upload(GOOD_LINES))
    fresh = uploaded_by(office, csv_upload(GOOD_LINES))
    for job in (stale, fresh):
        tasks.check_roster.call(job.pk)
    now = timezone.now()
    RosterImport.objects.filter(pk=stale.pk).update(created_at=now - datetime.timedelta(hours=25))
    RosterImport.objects.filter(pk=fresh.pk).update(created_at=now - datetime.timedelta(hours=23))
    stale_path, fresh_path = stored_path(stale), stored_path(fresh)

    assert import_jobs.purge_stale(now=now) == 1

    stale.refresh_from_db()
    fresh.refresh_from_db()
    assert stale.status == RosterImport.Status.EXPIRED
    assert not stale_path.exists() and not stale.file
    assert fresh.status == RosterImport.Status.PREVIEW
    assert fresh_path.exists()
    assert AuditEvent.objects.get(action="delete", object_id=str(stale.pk)).detail["status"] == "expired"
    assert import_jobs.purge_stale(now=now) == 0


def test_an_expired_import_can_no_longer_be_confirmed(office, sector):
    job = uploaded_by(office, csv_upload(GOOD_LINES))
    tasks.check_roster.call(job.pk)
    RosterImport.objects.filter(pk=job.pk).update(created_at=timezone.now() - datetime.timedelta(days=2))
    import_jobs.purge_stale()
    job.refresh_from_db()
    with pytest.raises(ValidationError):
        import_jobs.confirm(job=job, valid_only=True, actor=office)
    assert not Member.objects.exists()


def test_nothing_kept_for_the_preview_holds_a_full_number(office, sector):
    job = uploaded_by(office, csv_upload(GOOD_LINES + BAD_LINES))
    tasks.check_roster.call(job.pk)
    job.refresh_from_db()
    assert job.preview["counts"]["error"] >= 4
    kept = json.dumps(job.preview, ensure_ascii=False) + job.error
    for number in FULL_NUMBERS:
        assert number not in kept
    # The messages still say what was wrong and where, with the number masked.
    assert masking.mask_id_number(SHIFTED_ID) in kept
    assert masking.mask_phone(PHONES[3]) in kept


def test_the_workers_audit_rows_carry_the_address_of_who_started_the_step(office, sector):
    job = uploaded_by(office, csv_upload(GOOD_LINES), ip="198.51.100.9", user_agent="Roster-Browser/2.0")
    assert (job.client_ip, job.user_agent) == ("198.51.100.9", "Roster-Browser/2.0")
    tasks.check_roster.call(job.pk)
    confirming = RequestFactory().post("/", REMOTE_ADDR="198.51.100.10", HTTP_USER_AGENT="Roster-Browser/3.0")
    import_jobs.confirm(job=job, valid_only=True, actor=office, request=confirming)
    tasks.import_roster.call(job.pk, office.pk)
    worker_rows = AuditEvent.objects.filter(action__in=["create", "delete"])
    assert worker_rows.count() == 2
    assert {(e.ip_address, e.user_agent) for e in worker_rows} == {("198.51.100.10", "Roster-Browser/3.0")}


def test_a_refused_files_audit_row_carries_the_uploaders_address(office, sector):
    job = uploaded_by(office, SimpleUploadedFile("名单.csv", b"\n\n\n"), ip="198.51.100.9")
    tasks.check_roster.call(job.pk)
    assert AuditEvent.objects.get(action="delete", object_id=str(job.pk)).ip_address == "198.51.100.9"


def test_purge_stale_deletes_the_file_an_ended_job_still_holds(office, committee):
    # Uploads of jobs that ended before files were deleted at the end of a job.
    job = RosterImport.objects.create(
        committee=committee,
        created_by=office,
        file=ContentFile(f"姓名,身份证号码\n张三,{GOOD_ID}\n".encode(), name="old.csv"),
        original_name="old.csv",
        status=RosterImport.Status.DONE,
    )
    path = stored_path(job)
    assert path.exists()
    assert import_jobs.purge_stale() == 0
    job.refresh_from_db()
    assert not path.exists() and not job.file
    assert job.status == RosterImport.Status.DONE


def test_the_page_of_an_expired_import_says_to_upload_again(client, office, sector):
    job = uploaded_by(office, csv_upload(GOOD_LINES))
    tasks.check_roster.call(job.pk)
    RosterImport.objects.filter(pk=job.pk).update(created_at=timezone.now() - datetime.timedelta(days=2))
    import_jobs.purge_stale()
    client.force_login(office)
    html = client.get(reverse("members:import_detail", args=[job.pk])).content.decode()
    assert 'id="import-expired"' in html
    assert 'id="import-confirm"' not in html
