"""常委会出勤情况通报: which meeting(s), who may read it, and what the Word and Excel files say."""

import datetime
import io

import docx
import pytest
from django.urls import reverse
from django.utils import translation
from openpyxl import load_workbook

from lvzhi.accounts.roles import Role
from lvzhi.activities import documents
from lvzhi.activities.models import Activity, Participation
from lvzhi.activities.tests.conftest import TZ
from lvzhi.core.models import AuditEvent
from lvzhi.core.testing import assert_same_query_count, capture_queries

P = Participation.Status
STANDING = Activity.Kind.STANDING
CLOSED = Activity.Status.CLOSED
FULL_WIDTH_SPACE = "\u3000"
SECRET_REASON = "住院治疗，不便公开"


pytestmark = pytest.mark.usefixtures("english")


def at(month, day):
    start = datetime.datetime(2026, month, day, 9, 0, tzinfo=TZ)
    return {"starts_at": start, "ends_at": start + datetime.timedelta(hours=2)}


@pytest.fixture
def meeting(make_activity, invite_member):
    def make(statuses, **kwargs):
        kwargs.setdefault("status", CLOSED)
        kwargs.setdefault("kind", STANDING)
        activity = make_activity(**kwargs)
        for member, status in statuses.items():
            extra = {"leave_reason": SECRET_REASON} if status == P.LEAVE_APPROVED else {}
            invite_member(activity, member, status=status, **extra)
        return activity

    return make


@pytest.fixture
def board(make_member, sector):
    """Standing members; stroke order of the surnames: 丁 2, 王 4, 李 7, 张 7 (李 before 张), 赵 9, 黄 11."""
    names = ["黄建国", "赵敏", "张晓明", "李卫东", "王芳", "丁力"]
    return {name: make_member(name=name, standing=True, sector=sector) for name in names}


@pytest.fixture
def meetings(board, meeting):
    b = board
    first = meeting(
        {
            b["黄建国"]: P.PRESENT,
            b["赵敏"]: P.ABSENT,
            b["张晓明"]: P.PRESENT,
            b["李卫东"]: P.PRESENT,
            b["王芳"]: P.PRESENT,
            b["丁力"]: P.PRESENT,
        },
        title="第十次常委会议",
        **at(3, 10),
    )
    latest = meeting(
        {
            b["黄建国"]: P.LEAVE_APPROVED,
            b["赵敏"]: P.ABSENT,
            b["张晓明"]: P.LATE,
            b["李卫东"]: P.LEAVE_APPROVED,
            b["王芳"]: P.LEFT_EARLY,
            b["丁力"]: P.ABSENT,
        },
        title="第十一次常委会议",
        **at(6, 10),
    )
    # Not reported by default: a later meeting still running, and a later closed activity of another kind.
    meeting({b["丁力"]: P.PRESENT}, title="第十二次常委会议", status=Activity.Status.IN_PROGRESS, **at(9, 1))
    meeting({b["丁力"]: P.PRESENT}, title="Training", kind=Activity.Kind.TRAINING, **at(9, 2))
    return first, latest


def sections(document):
    """{heading text without the count: [names]} read back from the notice's paragraphs."""
    found, current = {}, None
    for paragraph in document.paragraphs:
        text = paragraph.text.strip()
        if not text:
            current = None
            continue
        if text[0].isdigit() and ". " in text:
            current = text.split(". ", 1)[1].rsplit(" (", 1)[0]
            found[current] = []
        elif current is not None:
            if text == "None.":
                continue
            found[current] += [n.replace(FULL_WIDTH_SPACE, "") for n in text.split(FULL_WIDTH_SPACE * 2)]
    return found


def get(client, name, query=""):
    return client.get(reverse(f"activities:{name}") + (f"?{query}" if query else ""))


def read_docx(response):
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.wordprocessing")
    return docx.Document(io.BytesIO(response.content))


def all_text(document):
    parts = [p.text for p in document.paragraphs]
    for table in document.tables:
        parts += [cell.text for row in table.rows for cell in row.cells]
    return "\n".join(parts)


@pytest.mark.parametrize("name", ["standing_report", "standing_report_docx", "standing_report_xlsx"])
def test_permissions(client, make_user, unit_staff, make_member, meetings, name):
    assert get(client, name).status_code == 302  # anonymous: to the login page
    denied = [make_member(login=True).user, unit_staff, make_user(Role.EDITOR), make_user(Role.SYSADMIN)]
    for user in denied:
        client.force_login(user)
        assert get(client, name).status_code == 403, user
    for user in (make_user(Role.OFFICE), make_user(Role.LEADER)):
        client.force_login(user)
        assert get(client, name).status_code == 200, user


def test_default_is_the_latest_closed_standing_meeting(client, office, meetings):
    _first, latest = meetings
    client.force_login(office)
    response = get(client, "standing_report")
    report = response.context["report"]
    assert report.meeting == latest
    page = response.content.decode()
    assert "Notice on attendance at the 政协本县委员会 第十一次常委会议" in page
    assert SECRET_REASON not in page


def test_docx_lists_the_right_names_in_the_right_sections(client, office, meetings):
    client.force_login(office)
    document = read_docx(get(client, "standing_report_docx"))
    assert sections(document) == {
        "On leave": ["黄建国", "李卫东"][::-1],  # stroke order: 李 (7) before 黄 (11)
        "Absent": ["丁力", "赵敏"],
        "Late": ["张晓明"],
        "Left early": ["王芳"],
    }
    text = all_text(document)
    assert text.startswith("Notice on attendance at the 政协本县委员会 第十一次常委会议")
    assert "Of 6 standing committee members, 2 attended, 2 were on leave and 2 were absent." in text
    assert "Office of 政协本县委员会" in text
    assert SECRET_REASON not in text
    assert document.tables == []
    event = AuditEvent.objects.get(action=AuditEvent.Action.EXPORT)
    assert event.actor == office and event.params["file"].endswith("-20260610.docx")
    assert event.detail["report"] == "standing_attendance" and event.detail["format"] == "docx"


def test_sections_without_names_say_none_and_late_is_left_out(client, office, board, meeting):
    meeting(dict.fromkeys(board.values(), P.PRESENT), **at(4, 1))
    client.force_login(office)
    document = read_docx(get(client, "standing_report_docx"))
    assert sections(document) == {"On leave": [], "Absent": []}
    assert "None." in all_text(document)


def test_a_chosen_meeting(client, office, meetings):
    first, _latest = meetings
    client.force_login(office)
    query = f"mode=meeting&meeting={first.pk}"
    assert get(client, "standing_report", query).context["report"].meeting == first
    document = read_docx(get(client, "standing_report_docx", query))
    assert sections(document) == {"On leave": [], "Absent": ["赵敏"]}


def test_another_committees_meeting_cannot_be_chosen(
    client, office, meetings, other_committee, make_activity
):
    foreign = make_activity(committee=other_committee, kind=STANDING, status=CLOSED, **at(5, 5))
    client.force_login(office)
    query = f"mode=meeting&meeting={foreign.pk}"
    response = get(client, "standing_report", query)
    assert response.context["report"] is None
    assert response.context["form"].errors["meeting"]
    assert get(client, "standing_report_docx", query).status_code == 400
    assert get(client, "standing_report_xlsx", query).status_code == 400
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).exists()


def test_a_period_has_a_table_per_member(client, office, meetings):
    client.force_login(office)
    query = "mode=period&date_from=2026-01-01&date_to=2026-06-30"
    response = get(client, "standing_report", query)
    assert len(response.context["report"].meetings) == 2
    document = read_docx(get(client, "standing_report_docx", query))
    text = all_text(document)
    assert "2 standing committee meetings were held, with 12 expected attendances: 7 attended" in text
    assert "the attendance rate was 58.3%" in text
    assert sections(document)["Absent"] == ["丁力", "赵敏"]
    [table] = document.tables
    rows = [[cell.text for cell in row.cells] for row in table.rows]
    assert rows[0] == ["Name", "Sector", "Meetings", "Attended", "On leave", "Absent", "Late", "Left early"]
    by_name = {row[0]: row[1:] for row in rows[1:]}
    assert by_name["赵敏"] == ["教育界", "2", "0", "0", "2", "0", "0"]
    assert by_name["张晓明"] == ["教育界", "2", "2", "0", "0", "1", "0"]
    assert [row[0] for row in rows[1:]] == ["丁力", "王芳", "李卫东", "张晓明", "赵敏", "黄建国"]
    assert SECRET_REASON not in text


def test_period_needs_both_dates(client, office, meetings):
    client.force_login(office)
    response = get(client, "standing_report", "mode=period&date_from=2026-01-01")
    assert response.context["report"] is None
    assert "date_to" in response.context["form"].errors


def test_xlsx_for_a_meeting_and_a_period(client, office, meetings):
    client.force_login(office)
    response = get(client, "standing_report_xlsx")
    assert response.status_code == 200
    workbook = load_workbook(io.BytesIO(response.content))
    members, meetings_sheet = workbook.worksheets
    rows = list(members.iter_rows(values_only=True))
    assert rows[0][0].startswith("Notice on attendance")
    assert rows[1] == ("Name", "Sector", "Attendance")
    assert {row[0]: row[2] for row in rows[2:]} == {
        "丁力": "Absent",
        "王芳": "Left early",
        "李卫东": "On leave",
        "张晓明": "Late",
        "赵敏": "Absent",
        "黄建国": "On leave",
    }
    meeting_rows = list(meetings_sheet.iter_rows(values_only=True))
    assert meeting_rows[1][1:] == ("第十一次常委会议", 6, 0, 1, 1, 2, 2, "33.3%")

    response = get(client, "standing_report_xlsx", "mode=period&date_from=2026-01-01&date_to=2026-12-31")
    rows = list(load_workbook(io.BytesIO(response.content)).worksheets[0].iter_rows(values_only=True))
    assert rows[1][:4] == ("Name", "Sector", "Meetings", "Attended")
    assert {row[0]: row[2:] for row in rows[2:]}["黄建国"] == (2, 1, 1, 0, 0, 0)
    assert AuditEvent.objects.filter(action=AuditEvent.Action.EXPORT).count() == 2
    assert SECRET_REASON not in str(rows)


def test_no_closed_meeting_yet(client, office, board):
    client.force_login(office)
    response = get(client, "standing_report")
    assert response.status_code == 200 and response.context["report"] is None
    assert "There is no closed standing committee meeting yet." in response.content.decode()
    assert get(client, "standing_report_docx").status_code == 404


def test_chinese_numbering_and_dates():
    with translation.override("zh-hans"):
        assert documents._numbered(2, "缺席").startswith("二")
        assert documents.date_text(datetime.date(2026, 6, 10)) == "2026年6月10日"
    with translation.override("en"):
        assert documents._numbered(2, "Absent") == "2. Absent"


def _preview_queries(client, query):
    with capture_queries() as queries:
        response = get(client, "standing_report", query)
    assert response.status_code == 200
    return queries


@pytest.mark.parametrize("query", ["", "mode=period&date_from=2026-01-01&date_to=2026-12-31"])
def test_preview_query_count_does_not_grow(client, office, make_member, meeting, query):
    few = [make_member(standing=True) for _ in range(2)]
    meeting(dict.fromkeys(few, P.ABSENT), **at(1, 5))
    client.force_login(office)
    _preview_queries(client, query)
    small = _preview_queries(client, query)
    many = few + [make_member(standing=True) for _ in range(8)]
    for day in range(6, 12):
        meeting(dict.fromkeys(many, P.LEAVE_APPROVED), **at(1, day))
    assert_same_query_count(small, _preview_queries(client, query))


def test_a_title_that_names_the_committee_is_kept(committee, make_activity):
    named = make_activity(title="政协本县第九届委员会常务委员会第十次会议")
    bare = make_activity(title="第十次常委会议")
    assert documents._meeting_name(committee, named) == "政协本县第九届委员会常务委员会第十次会议"
    assert documents._meeting_name(committee, bare) == "政协本县委员会 第十次常委会议"
