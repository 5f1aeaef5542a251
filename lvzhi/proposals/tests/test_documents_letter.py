"""The letter that forwards a proposal converted to 意见建议 to its department: what it says, who may
download it, and the audit row of each download."""

import io

import docx
import pytest
from django.urls import reverse

from lvzhi.core.models import AuditEvent
from lvzhi.proposals.models import Proposal
from lvzhi.proposals.services import review

from .fixtures import *  # noqa: F403

pytestmark = pytest.mark.usefixtures("english")


@pytest.fixture
def letter(make_proposal, office, department):
    proposal = make_proposal(title="关于整治城区噪声的提案", analysis="夜间施工扰民。\n\n广场舞音量大。")
    review.convert(
        proposal, actor=office, to=Proposal.Conversion.LETTER, department=department, note="请研究参考"
    )
    return proposal


def _paragraphs(response):
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return [p.text for p in docx.Document(io.BytesIO(content)).paragraphs]


def test_the_letter_names_the_department_the_proposers_and_the_text(client, letter, office, proposer):
    client.force_login(office)
    response = client.get(reverse("proposals:letter", args=[letter.pk]))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    text = _paragraphs(response)
    assert "Letter forwarding “关于整治城区噪声的提案”" in text
    assert "县交通运输局：" in text
    assert any(proposer.name in line and "关于整治城区噪声的提案" in line for line in text)
    assert "1. Case" in text and "2. Analysis" in text and "3. Suggestions" in text
    assert (
        "夜间施工扰民。" in text
        and "广场舞音量大。" in text
        and "" not in text[text.index("夜间施工扰民。") :][:2]
    )
    assert "请研究参考" in text
    event = AuditEvent.objects.get(event="proposals.letter_downloaded")
    assert event.actor == office and event.action == AuditEvent.Action.EXPORT


def test_the_page_offers_the_letter_to_staff_only(client, letter, office, proposer):
    client.force_login(office)
    url = reverse("proposals:letter", args=[letter.pk])
    assert f'href="{url}"' in client.get(letter.get_absolute_url()).content.decode()
    client.force_login(proposer.user)
    assert f'href="{url}"' not in client.get(letter.get_absolute_url()).content.decode()
    assert client.get(url).status_code == 403


def test_no_letter_for_other_proposals_or_committees(client, make_proposal, letter, office, foreign_office):
    client.force_login(office)
    assert client.get(reverse("proposals:letter", args=[make_proposal().pk])).status_code == 404
    client.force_login(foreign_office)
    assert client.get(reverse("proposals:letter", args=[letter.pk])).status_code == 404
    assert not AuditEvent.objects.filter(event="proposals.letter_downloaded").exists()
