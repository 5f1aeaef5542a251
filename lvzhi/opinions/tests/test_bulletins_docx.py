"""The bulletin's Word document, read back with python-docx (documents.build_bulletin_docx and the
download view)."""

import datetime
import io

import pytest
from django.utils import translation
from django.utils.translation import gettext as _
from docx import Document

from lvzhi.core.models import AuditEvent
from lvzhi.opinions import documents
from lvzhi.opinions.models import OpinionAuthor, OpinionReport
from lvzhi.opinions.services import bulletins as services

from .factories import ReportFactory
from .pipeline_fixtures import *  # noqa: F403

Status = OpinionReport.Status
RECIPIENTS = "县委、县政府主要领导，市政协办公室"


@pytest.fixture
def bulletin(editor, make_report, committee):
    first = make_report(
        Status.SIGNED,
        serial=12,
        title="关于学校门口交通的建议",
        edited_title="关于缓解城关一小门口上下学拥堵的建议",
        body="原文",
        edited_body="情况：上下学时段拥堵。\n\n建议：错峰放学，增设临时停车位。",
    )
    second = make_report(
        Status.SIGNED, serial=13, title="关于农村饮水安全的建议", body="情况：水质不稳定。\n建议：加强检测。"
    )
    # An information officer who is not a member: named, without a title.
    OpinionAuthor.objects.create(report=second, name="赵信息员", role=OpinionAuthor.Role.CO, order=5)
    made = services.create_bulletin(actor=editor, year=2026, recipients=RECIPIENTS)
    services.add_reports(bulletin=made, actor=editor, expected_version=made.version, reports=[first, second])
    made.refresh_from_db()
    services.send_bulletin(
        bulletin=made, actor=editor, expected_version=made.version, sent_on=datetime.date(2026, 6, 10)
    )
    made.refresh_from_db()
    return made


def _paragraphs(document):
    return [p.text for p in document.paragraphs]


def _read(bulletin):
    with translation.override("zh-hans"):
        built = documents.build_bulletin_docx(bulletin)
    buffer = io.BytesIO()
    built.save(buffer)
    buffer.seek(0)
    return Document(buffer)


def test_the_document_reads_back(bulletin, author, co_author):
    """Labels are the catalogue's (compared through gettext, so that the test holds before the catalogue
    is compiled); the titles, texts, names and recipients are the data's."""
    texts = _paragraphs(_read(bulletin))
    with translation.override("zh-hans"):
        masthead = _("Public-opinion bulletin")
        issue = documents.issue_label(bulletin)
        contents_heading = _("Contents of this issue")
        office = documents.issuing_body(bulletin)
        day = documents.date_text(datetime.date(2026, 6, 10))
        member = documents.member_title(bulletin.committee)
    assert texts[0] == masthead
    assert issue in texts and "2026" in issue and "1" in issue
    assert any(office in t and day in t for t in texts)
    contents = texts.index(contents_heading)
    # The contents: numbered titles with their serial numbers, the editors' title where there is one.
    first_entry, second_entry = texts[contents + 1], texts[contents + 2]
    assert first_entry.startswith("1") and "关于缓解城关一小门口上下学拥堵的建议" in first_entry
    assert "〔2026〕12" in first_entry
    assert second_entry.startswith("2") and "关于农村饮水安全的建议" in second_entry
    assert "〔2026〕13" in second_entry
    # Each report in the body: its title, its text (edited where edited), its authors.
    first = texts.index("关于缓解城关一小门口上下学拥堵的建议")
    second = texts.index("关于农村饮水安全的建议")
    assert contents < first < second
    assert "情况：上下学时段拥堵。" in texts[first:second]
    assert "建议：错峰放学，增设临时停车位。" in texts[first:second]
    assert "原文" not in texts
    [first_authors] = [t for t in texts[first:second] if author.name in t]
    assert co_author.name in first_authors and member in first_authors
    [second_authors] = [t for t in texts[second:] if "赵信息员" in t]
    assert author.name in second_authors and f"赵信息员（{member}）" not in second_authors
    assert texts[-1].endswith(RECIPIENTS)


def test_nothing_personal_is_printed(bulletin, author):
    whole = "\n".join(_paragraphs(_read(bulletin)))
    assert author.phone not in whole
    assert author.employer_post not in whole


def test_a_unit_report_names_the_unit(editor, committee, my_unit):
    report = ReportFactory(committee=committee, status=Status.SIGNED, serial=3, unit=my_unit)
    made = services.create_bulletin(actor=editor, year=2026, recipients=RECIPIENTS)
    services.add_reports(bulletin=made, actor=editor, expected_version=made.version, reports=[report])
    assert any(t.endswith("经济委员会") for t in _paragraphs(_read(made)))


def test_the_download_is_audited(client, bulletin, leader):
    client.force_login(leader)
    response = client.get(f"/opinions/bulletins/{bulletin.pk}/download/")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument")
    assert "attachment" in response["Content-Disposition"]
    document = Document(
        io.BytesIO(b"".join(response.streaming_content) if response.streaming else response.content)
    )
    assert any("〔2026〕" in p.text for p in document.paragraphs)
    event = AuditEvent.objects.get(event="opinions.bulletin_downloaded")
    assert event.actor == leader and event.object_id == str(bulletin.pk)


def test_strangers_do_not_download(client, bulletin, author, foreign_editor, handling_unit):
    for user in (author.user, foreign_editor, handling_unit):
        client.force_login(user)
        assert client.get(f"/opinions/bulletins/{bulletin.pk}/download/").status_code == 404
    assert not AuditEvent.objects.filter(event="opinions.bulletin_downloaded").exists()
