"""The 通报's title is broken into lines at meaningful points, as GB/T 9704 asks (issue 10, defect 9):
before 第…次会议 or before 出勤情况的通报, never inside a word such as 第十二次."""

import datetime
import io
import re

import docx
import pytest
from django.urls import reverse
from django.utils import translation

from lvzhi.activities import documents
from lvzhi.activities.models import Activity, Participation
from lvzhi.activities.tests.conftest import TZ

# A 2号 title line holds 20 characters in the 156 mm type area.
WIDTH = 20
# Words a line may not end inside: a line ending in the first part of one is a broken word.
WORDS = re.compile(
    r"第[一二三四五六七八九十百零〇\d]+[次届](?:常委会议)?|出勤情况|常务委员会|委员会|\d+年\d+月\d+日"
)


def assert_no_word_broken(lines):
    joined = "".join(lines)
    for match in WORDS.finditer(joined):
        start, end = match.span()
        offset = 0
        for line in lines:
            offset += len(line)
            assert not (start < offset < end), f"{match.group()} broken across {lines}"


@pytest.mark.parametrize(
    "title",
    [
        "关于政协青溪县第九届委员会常务委员会第十二次会议出勤情况的通报",
        "关于政协本县委员会第十二次常委会议出勤情况的通报",
        "关于2026年1月1日至2026年6月30日政协青溪县委员会常委会议出勤情况的通报",
        "关于政协内蒙古自治区鄂尔多斯市伊金霍洛旗第十一届委员会常务委员会第二十三次会议出勤情况的通报",
        "关于第三次常委会议出勤情况的通报",
    ],
)
def test_title_lines_break_at_meaningful_points(title):
    lines = documents.title_lines(title)
    assert "".join(lines) == title
    assert all(documents.text_width(line) <= WIDTH for line in lines), lines
    assert_no_word_broken(lines)
    assert lines[-1].endswith("出勤情况的通报")


def test_the_meeting_and_the_notice_words_go_on_their_own_lines():
    lines = documents.title_lines("关于政协青溪县第九届委员会常务委员会第十二次会议出勤情况的通报")
    assert lines == ["关于政协青溪县第九届委员会常务委员会", "第十二次会议出勤情况的通报"]


def test_the_meeting_number_stays_with_its_meeting():
    lines = documents.title_lines("关于政协本县委员会第十二次常委会议出勤情况的通报")
    assert lines == ["关于政协本县委员会", "第十二次常委会议出勤情况的通报"]


def test_a_short_title_stays_one_line():
    assert documents.title_lines("关于第三次常委会议出勤情况的通报") == ["关于第三次常委会议出勤情况的通报"]


def test_a_title_in_a_language_with_spaces_is_left_to_the_word_processor():
    title = "Notice on attendance at the 政协本县委员会 第十二次常委会议"
    assert documents.title_lines(title) == [title]


def test_the_word_files_title_paragraphs_do_not_break_inside_a_word(
    client, office, make_activity, make_member, invite_member, sector
):
    start = datetime.datetime(2026, 6, 10, 9, 0, tzinfo=TZ)
    activity = make_activity(
        title="政协本县第九届委员会常务委员会第十二次会议",
        kind=Activity.Kind.STANDING,
        status=Activity.Status.CLOSED,
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=2),
    )
    invite_member(
        activity, make_member(name="丁力", standing=True, sector=sector), status=Participation.Status.PRESENT
    )
    client.force_login(office)
    with translation.override("zh-hans"):
        response = client.get(reverse("activities:standing_report_docx"), HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 200
    document = docx.Document(io.BytesIO(response.content))
    title = []
    for paragraph in document.paragraphs:
        if not paragraph.text:
            break
        title.append(paragraph.text)
    assert "".join(title) == "关于政协本县第九届委员会常务委员会第十二次会议出勤情况的通报"
    assert len(title) == 2
    assert_no_word_broken(title)
    assert title[1].startswith("第十二次会议")
