"""The inspection report in Word (GB/T 9704 layout), read back with python-docx: the title, staff's
text, each listed suggestion credited to its member, the credited names, nothing that is not listed."""

import io

import pytest
from django.urls import reverse
from docx import Document

from lvzhi.core import docx_official
from lvzhi.core.docx_official import chinese_number
from lvzhi.opinions.models import Suggestion
from lvzhi.opinions.services import inspections as services

from .inspection_fixtures import *  # noqa: F403

pytestmark = pytest.mark.django_db


def test_chinese_numbers():
    assert [chinese_number(n) for n in (1, 9, 10, 11, 20, 35, 99)] == [
        "一",
        "九",
        "十",
        "十一",
        "二十",
        "三十五",
        "九十九",
    ]


def test_the_download_lists_and_credits_the_listed_suggestions(
    client, inspection, member_a, member_b, unit_staff
):
    listed = services.hand_in(
        activity=inspection, actor=member_a.user, findings="园区职工通勤不便。", text="建议增设园区公交线路。"
    )
    left_out = services.hand_in(
        activity=inspection, actor=member_b.user, findings="", text="这条不列入报告。"
    )
    services.save_report(
        activity=inspection,
        actor=unit_staff,
        title="关于重点项目建设情况的视察报告",
        body="6月10日，视察组视察了县产业园。\n视察组认为，项目推进总体顺利。",
        shown_ids=[listed.pk, left_out.pk],
        listed_ids=[listed.pk],
        expected_version=0,
    )
    client.force_login(unit_staff)
    response = client.get(reverse("opinions:inspection_report_docx", args=[inspection.pk]))
    assert response.status_code == 200
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    document = Document(io.BytesIO(response.content))
    texts = [p.text for p in document.paragraphs]
    full = "\n".join(texts)
    assert texts[0] == "关于重点项目建设情况的视察报告"
    assert document.paragraphs[0].runs[0].font.name == docx_official.TITLE_FONT
    assert "6月10日，视察组视察了县产业园。" in texts and "视察组认为，项目推进总体顺利。" in texts
    assert "园区职工通勤不便。" in full and "建议增设园区公交线路。" in full
    assert "这条不列入报告。" not in full
    # Credited: the member's name heads their suggestion and stands in the list of contributors.
    assert any("张建国" in t and "园区" not in t for t in texts)
    assert full.count("张建国") == 2
    assert "李秀英" not in full
    # The sender (the organizing unit) closes the document.
    assert any(t.endswith("经济委员会") for t in texts)
    assert Suggestion.objects.get(pk=left_out.pk).included is False
