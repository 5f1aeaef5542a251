"""The session's catalogue of proposals (提案目录) and handling report (提案办理情况报告) as Word
documents: read back with python-docx, their contents asserted; the downloads are checked and audited."""

import io

import pytest
from django.test import override_settings
from django.urls import reverse
from docx import Document

from lvzhi.core.models import AuditEvent
from lvzhi.proposals import documents
from lvzhi.proposals.models import ProposalAuthor

from .stats_fixtures import *  # noqa: F403
from .stats_fixtures import Status


def _read(response):
    assert response.status_code == 200
    assert (
        response["Content-Type"] == "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    )
    return Document(io.BytesIO(response.content))


def _paragraphs(document):
    return [p.text for p in document.paragraphs if p.text.strip()]


def _tables(document):
    return [[[cell.text for cell in row.cells] for row in table.rows] for table in document.tables]


@pytest.mark.usefixtures("english")
def test_the_catalogue_groups_the_accepted_proposals_by_category(
    client, office, dataset, session, make_proposal, cosigner, cosigner2
):
    joint = make_proposal(
        Status.ACCEPTED,
        co_signers=[cosigner, cosigner2],
        category=dataset["p1"].category,
        title="关于联名的提案",
    )
    ProposalAuthor.objects.filter(proposal=joint, member=cosigner2).update(
        consent=ProposalAuthor.Consent.DECLINED
    )
    collective = make_proposal(
        Status.ACCEPTED,
        kind="collective",
        collective_name="民盟县委会",
        category=dataset["p1"].category,
        title="关于集体提案的提案",
    )
    client.force_login(office)
    document = _read(client.get(reverse("proposals:catalogue"), {"session": session.pk}))
    text = _paragraphs(document)
    assert text[:3] == [
        "政协本县委员会第九届第二次会议",
        "Catalogue of proposals",
        "7 proposals accepted, by category and number",
    ]
    assert "1. 经济 (5)" in text and "2. 社会 (2)" in text
    assert text.index("1. 经济 (5)") < text.index("2. 社会 (2)")
    header = ["Number", "Title", "Proposers", "Lead unit", "Co-units"]
    economy, society = _tables(document)
    assert economy == [
        header,
        ["No. 1", "关于改善县城公交线路的提案", "张建国", "县交通运输局", "—"],
        ["No. 3", "关于扶持小微企业的提案", "张建国", "县财政局", "县交通运输局"],
        ["No. 4", "关于整治县城停车秩序的提案", "张建国", "县交通运输局", "—"],
        [joint.serial_label, "关于联名的提案", "张建国、李秀英", "—", "—"],
        [collective.serial_label, "关于集体提案的提案", "民盟县委会 (main authors: 张建国)", "—", "—"],
    ]
    assert society == [
        header,
        ["No. 2", "关于加强农村养老服务的提案", "李秀英", "县交通运输局", "—"],
        ["No. 5", "关于修缮乡村道路的提案", "张建国", "县交通运输局", "—"],
    ]
    # Not accepted, merged, converted, waiting, drafts and the other session's are not in it.
    body = "\n".join(text) + str(_tables(document))
    for title in (
        "关于县城公交的提案",
        "关于个人待遇的提案",
        "关于图书馆延时开放的提案",
        "草稿",
        "上次会议的提案",
    ):
        assert title not in body
    assert "Office of 政协本县委员会" in text
    event = AuditEvent.objects.get(event="proposals.catalogue_downloaded")
    assert event.actor == office and event.action == "export"
    assert event.detail["proposals"] == [dataset[k].pk for k in ("p1", "p3", "p4")] + [
        joint.pk,
        collective.pk,
        dataset["p2"].pk,
        dataset["p9"].pk,
    ]


@pytest.mark.usefixtures("english")
def test_the_handling_report(client, leader, dataset, session):
    client.force_login(leader)
    response = client.get(reverse("proposals:handling_report"), {"session": session.pk})
    assert "filename*=UTF-8''" in response["Content-Disposition"]
    document = _read(response)
    text = _paragraphs(document)
    assert text[0] == "Report on the handling of the proposals of 政协本县委员会第九届第二次会议"
    assert (
        "11 proposals were received: 5 accepted, 1 merged into other cases, 1 converted into public-opinion "
        "reports or letters, 1 not accepted, 3 still waiting for review." in text
    )
    assert (
        "5 accepted proposals were assigned to 2 lead units, which replied to 3 (handling rate 60%); 2 of "
        "the 4 replies due were sent by the deadline (on-time rate 50%)." in text
    )
    assert _tables(document) == [
        [
            ["Lead unit", "Assigned", "Replied", "Handling rate", "Replied on time", "On-time rate"],
            ["县交通运输局", "4", "2", "50%", "2", "66.7%"],
            ["县财政局", "1", "1", "100%", "0", "0%"],
        ]
    ]
    assert "A: solved or basically solved: 1 (33.3% of the replies)" in text
    assert "D: kept for reference: 0 (0% of the replies)" in text
    assert "Basically satisfied: 1 (33.3% of the replied proposals)" in text
    assert "Not evaluated yet: 1 (33.3% of the replied proposals)" in text
    assert "No. 3 关于扶持小微企业的提案: lead unit 县财政局; supervising leader 领导甲; Evaluated." in text
    headings = [t for t in text if t[:2] in {"1.", "2.", "3.", "4.", "5."}]
    assert headings == [
        "1. Overview",
        "2. Handling by the lead units",
        "3. Results of the handling",
        "4. The proposers' evaluations",
        "5. Key proposals",
    ]
    event = AuditEvent.objects.get(event="proposals.handling_report_downloaded")
    assert event.actor == leader and event.detail["proposals"] == 11


@pytest.mark.usefixtures("english")
def test_an_empty_session_still_gives_both_documents(client, office, session):
    client.force_login(office)
    text = _paragraphs(_read(client.get(reverse("proposals:catalogue"), {"session": session.pk})))
    assert "No proposal of this session has been accepted yet." in text
    text = _paragraphs(_read(client.get(reverse("proposals:handling_report"), {"session": session.pk})))
    assert "No proposal has been assigned yet." in text and "No key proposals in this session." in text


@override_settings(LANGUAGE_CODE="zh-hans")
def test_headings_are_numbered_the_chinese_way(dataset, session):
    document = documents.build_catalogue_docx(session)
    text = _paragraphs(document)
    assert any(t.startswith("一、") for t in text) and any(t.startswith("二、") for t in text)


def test_the_layout_is_the_official_one(dataset, session):
    document = documents.build_handling_report_docx(session)
    section = document.sections[0]
    assert round(section.page_width.mm) == 210 and round(section.left_margin.mm) == 28
    title_run = document.paragraphs[0].runs[0]
    assert title_run.font.name == "方正小标宋简体"
    assert document.tables[0].style.name == "Table Grid"
