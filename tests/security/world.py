"""The data the security walk runs against, built once per test worker.

Three sides with the same objects each:

- `own`: what the signed-in role users may legitimately act on: objects of unit A (the unit staff's
  special committee) and of the member who is the MEMBER role's user;
- `other`: someone else's objects in the same committee: unit B, another member with an account of
  their own (no role user below is them);
- `foreign`: the same objects in another committee.

The text fields of the objects carry an HTML payload, so that every page the walk opens also proves
that stored text comes back escaped.
"""

import datetime
import io
import itertools
from types import SimpleNamespace

from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from openpyxl import Workbook

from lvzhi.accounts.models import OnboardingBatch
from lvzhi.accounts.roles import Role
from lvzhi.activities.models import (
    Activity,
    ActivityAttachment,
    ActivityStatusChange,
    CalendarFeed,
    Participation,
    Speech,
)
from lvzhi.core import idcard, rotating_tokens
from lvzhi.core.models import AuditVerification
from lvzhi.factories import (
    CommitteeFactory,
    DepartmentFactory,
    LiaisonContactFactory,
    LiaisonFactory,
    MemberFactory,
    MembershipFactory,
    MemberTermFactory,
    OrgUnitFactory,
    TermFactory,
    UserFactory,
)
from lvzhi.ledger import services as ledger_services
from lvzhi.library.models import Document
from lvzhi.members.models import ContactUpdateRequest, Member, RosterImport
from lvzhi.notifications import services as notification_services
from lvzhi.opinions.models import (
    Adoption,
    Bulletin,
    Category,
    InformationOfficer,
    Instruction,
    OpinionAttachment,
    OpinionReport,
    SerialCounter,
    Transfer,
)
from lvzhi.opinions.services import inspections as inspection_services
from lvzhi.opinions.tests.factories import ReportFactory
from lvzhi.organization.models import OrgUnit
from lvzhi.portal.models import PublicMessage
from lvzhi.scoring.models import UnitAssessment
from lvzhi.studies import services as study_services
from lvzhi.studies.models import StudySubmission, TrainingPlan

from .hostile import IMG, SCRIPT

PDF = b"%PDF-1.4\n1 0 obj <<>> endobj\ntrailer <<>>\n%%EOF\n"
PNG = (
    b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR\x00\x00\x00\x01\x00\x00\x00\x01\x08\x06\x00\x00\x00\x1f\x15\xc4"
    b"\x89\x00\x00\x00\rIDATx\x9cc\xf8\x0f\x00\x00\x01\x01\x00\x05\x18\xd8N\x00\x00\x00\x00IEND\xaeB`\x82"
)
CHECKIN_PURPOSE = "activity-checkin"  # lvzhi.activities.views.CHECKIN_PURPOSE
# Stored text: a Chinese name the pages show, then the payload that must come back escaped.
TAINT = f"{SCRIPT}{IMG}"

_phones = itertools.count(1)


def phone():
    """A mobile number no template or example uses."""
    return f"1366{next(_phones):07d}"


ROLE_USERNAMES = {role: f"sec_{role.name.lower()}" for role in Role}


def duty_xlsx(rows):
    """A duty-record import file (lvzhi.ledger.import_template's columns) with `rows`."""
    workbook = Workbook()
    workbook.active.append(["身份证号", "姓名", "日期", "类型", "事项", "角色", "备注"])
    for row in rows:
        workbook.active.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def roster_xlsx():
    workbook = Workbook()
    workbook.active.append(["姓名", "身份证号码"])
    workbook.active.append(["导入测试", "990101197503010011"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def _activity(committee, unit, *, title, status, starts, hours=2, kind=Activity.Kind.COMMITTEE_MEETING):
    activity = Activity.objects.create(
        committee=committee,
        organizing_unit=unit,
        kind=kind,
        title=f"{title}{TAINT}",
        starts_at=starts,
        ends_at=starts + datetime.timedelta(hours=hours),
        place=f"会议室{TAINT}",
        agenda=f"议程{TAINT}",
        status=status,
    )
    ActivityStatusChange.objects.create(
        activity=activity, from_status="", to_status=status, actor=None, reason=f"原因{TAINT}"
    )
    return activity


def build_side(committee, term, *, label, unit, unit_kind_name, owner, staff):
    """One set of objects in `committee`, tied to `unit` and to `owner` (a member's user account);
    `staff` is an office user of the committee, the actor of the services that need one."""
    now = timezone.now()
    year = timezone.localdate().year
    member = MemberFactory(
        committee=committee, name=f"{label}委员", user=owner, employer_post=TAINT, phone=phone()
    )
    member.photo.save("photo.png", ContentFile(PNG), save=True)
    MemberTermFactory(member=member, term=term).special_committees.set([unit])
    second = MemberFactory(committee=committee, name=f"{label}同事", phone=phone())
    MemberTermFactory(member=second, term=term).special_committees.set([unit])

    upcoming = _activity(
        committee,
        unit,
        title=f"{label}会议",
        status=Activity.Status.PUBLISHED,
        starts=now + datetime.timedelta(days=10),
    )
    participation = Participation.objects.create(activity=upcoming, member=member)
    leave = Participation.objects.create(
        activity=upcoming,
        member=second,
        status=Participation.Status.LEAVE_REQUESTED,
        leave_reason=f"请假{TAINT}",
        responded_at=now,
    )
    attachment = ActivityAttachment(
        activity=upcoming,
        original_name=f"{label}附件.pdf",
        content_type="application/pdf",
        size=len(PDF),
        uploaded_by=staff,
    )
    attachment.file.save("a.pdf", ContentFile(PDF), save=True)
    speech = Speech.objects.create(
        activity=upcoming, member=member, kind=Speech.Kind.ORAL, title=f"发言{TAINT}", recorded_by=staff
    )

    running = _activity(
        committee,
        unit,
        title=f"{label}调研",
        status=Activity.Status.IN_PROGRESS,
        starts=now - datetime.timedelta(minutes=30),
    )
    running_participation = Participation.objects.create(activity=running, member=member)
    present = Participation.objects.create(
        activity=running,
        member=second,
        status=Participation.Status.PRESENT,
        checked_in_at=now,
        checked_in_by=staff,
    )

    closed = _activity(
        committee,
        unit,
        title=f"{label}视察",
        status=Activity.Status.CLOSED,
        starts=now - datetime.timedelta(days=20),
    )
    closed_participation = Participation.objects.create(
        activity=closed, member=member, status=Participation.Status.ABSENT
    )
    ledger_services.sync_records(
        source=closed,
        committee=committee,
        facts=[ledger_services.Fact(member, "attendance.committee.absent", closed.starts_at.date())],
    )

    draft = _activity(
        committee,
        unit,
        title=f"{label}草稿",
        status=Activity.Status.DRAFT,
        starts=now + datetime.timedelta(days=30),
    )

    document = Document(
        committee=committee,
        title=f"{label}文件{TAINT}",
        category=Document.Category.RULES,
        audience=Document.Audience.STAFF,
        summary=f"摘要{TAINT}",
        body=f"正文{TAINT}",
        is_published=True,
        created_by=staff,
        original_name=f"{label}文件.pdf",
        content_type="application/pdf",
        size=len(PDF),
    )
    document.file.save("d.pdf", ContentFile(PDF), save=False)
    document.save()

    plan = TrainingPlan.objects.filter(committee=committee, year=year).first()
    if plan is None:
        plan = study_services.create_plan(actor=staff, year=year, title=f"学习方案{TAINT}", summary=TAINT)
    training_session = study_services.save_session(
        plan=plan,
        actor=staff,
        planned_on=datetime.date(year, 3, 15),
        topic=f"{label}专题{TAINT}",
        lecturer=TAINT,
    )
    if plan.status != TrainingPlan.Status.PUBLISHED:
        plan = study_services.set_plan_status(plan=plan, to_status=TrainingPlan.Status.PUBLISHED, actor=staff)
    submission = study_services.submit(
        member=member,
        actor=owner,
        kind=StudySubmission.Kind.NOTES,
        title=f"{label}心得{TAINT}",
        body=f"正文{TAINT}",
        attachment=ContentFile(PDF, name="n.pdf"),
    )
    returned = study_services.submit(
        member=member, actor=owner, kind=StudySubmission.Kind.ESSAY, title=f"{label}论文{TAINT}", body=TAINT
    )
    returned = study_services.return_submission(submission=returned, actor=staff, reason=f"退回{TAINT}")

    department = DepartmentFactory(committee=committee, name=f"{label}县教育局{TAINT}")
    liaison = LiaisonFactory(committee=committee, unit=unit, department=department, note=TAINT)
    liaison_contact = LiaisonContactFactory(liaison=liaison, topic=f"座谈{TAINT}", recorded_by=staff)
    membership = MembershipFactory(unit=unit, member=member)

    notification = notification_services.notify(
        recipients=[owner], kind="test", title=f"通知{TAINT}", body=TAINT, url="/", committee=committee
    )[0]
    return SimpleNamespace(
        label=label,
        committee=committee,
        unit=unit,
        member=member,
        second_member=second,
        owner=owner,
        activity=upcoming,
        participation=participation,
        leave_participation=leave,
        attachment=attachment,
        speech=speech,
        running=running,
        running_participation=running_participation,
        present_participation=present,
        closed=closed,
        closed_participation=closed_participation,
        draft=draft,
        document=document,
        plan=plan,
        training_session=training_session,
        submission=submission,
        returned_submission=returned,
        department=department,
        liaison=liaison,
        liaison_contact=liaison_contact,
        membership=membership,
        notification=notification,
        contact_request=ContactUpdateRequest.objects.create(
            member=member, phone=phone(), address=f"新址{TAINT}"
        ),
        calendar_token=CalendarFeed.objects.create(user=owner).token,
        year=year,
        unit_kind_name=unit_kind_name,
    )


def _committee_base(name, code, label):
    committee = CommitteeFactory(name=name, code=code)
    term = TermFactory(committee=committee, name=f"{label}第九届")
    session = term.sessions.create(number=1, name=f"{label}第一次会议", start_date=datetime.date(2025, 1, 8))
    unit_a = OrgUnitFactory(
        committee=committee, kind=OrgUnit.Kind.SPECIAL_COMMITTEE, name=f"{label}经济委员会", description=TAINT
    )
    unit_b = OrgUnitFactory(
        committee=committee, kind=OrgUnit.Kind.SPECIAL_COMMITTEE, name=f"{label}提案委员会", description=TAINT
    )
    OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.SECTOR, name=f"{label}教育界")
    OrgUnitFactory(committee=committee, kind=OrgUnit.Kind.TOWN_COMMITTEE, name=f"{label}城关镇工委")
    return committee, term, session, unit_a, unit_b


def _import_job(committee, user):
    job = RosterImport(
        committee=committee,
        created_by=user,
        original_name=f"名单{TAINT}.xlsx",
        status=RosterImport.Status.PREVIEW,
        preview={
            "counts": {"create": 1, "update": 0, "unchanged": 0, "error": 0},
            "create": [{"row": 2, "name": TAINT}],
        },
    )
    job.file.save("roster.xlsx", ContentFile(roster_xlsx()), save=False)
    job.save()
    return job


def _standing_meeting(committee, members):
    """A closed standing committee meeting, which the attendance notice reports on."""
    meeting = _activity(
        committee,
        None,
        title="常委会议",
        status=Activity.Status.CLOSED,
        starts=timezone.now() - datetime.timedelta(days=40),
        kind=Activity.Kind.STANDING,
    )
    statuses = [
        Participation.Status.PRESENT,
        Participation.Status.ABSENT,
        Participation.Status.LEAVE_APPROVED,
    ]
    for i, member in enumerate(members):
        Participation.objects.create(
            activity=meeting, member=member, status=statuses[i % len(statuses)], leave_reason=TAINT
        )
    return meeting


_numbers = {}


def build_opinions(side, *, staff, editor, leader, officer_user, verifier):
    """社情民意 objects of one side: the member's reports in every status the steps start from (with an
    attachment, feedback, transfers and bulletins), an information officer, and an inspection activity
    with the member's suggestion and its report (one still compiled, one sent to the department)."""
    S = OpinionReport.Status
    committee, member, year, label = side.committee, side.member, side.year, side.label
    now = timezone.now()
    today = timezone.localdate()
    # Serial and issue numbers run per committee, across the sides that share one.
    serials = _numbers.setdefault((SerialCounter.Series.REPORT, committee.pk), itertools.count(1))
    issues = _numbers.setdefault((SerialCounter.Series.BULLETIN, committee.pk), itertools.count(1))

    def report(status, **kwargs):
        if status not in (S.DRAFT, S.SUBMITTED, S.RETURNED):
            kwargs.setdefault("serial", next(serials))
        if status in (S.EDITING, S.AWAITING_SIGNOFF, S.SIGNED, S.REPORTED):
            kwargs.setdefault("edited_title", f"{label}编辑稿{TAINT}")
            kwargs.setdefault("edited_body", f"编辑正文{TAINT}")
        if status in (S.SIGNED, S.REPORTED):
            kwargs.setdefault("signed_by", leader)
            kwargs.setdefault("signed_at", now)
        return ReportFactory(
            committee=committee,
            year=year,
            status=status,
            lead=member,
            co=[side.second_member],
            unit=side.unit,
            source=OpinionReport.Source.UNIT,
            title=f"{label}{S(status).label}{TAINT}",
            body=f"情况{TAINT}",
            findings=f"核实{TAINT}",
            **kwargs,
        )

    side.category = Category.objects.filter(committee=committee, is_active=True).order_by("order", "pk")[0]
    side.verifier = verifier
    side.opinion_draft = report(S.DRAFT)
    side.opinion_submitted = report(S.SUBMITTED)
    side.opinion_registered = report(S.REGISTERED)
    side.opinion_verifying = report(S.VERIFYING, verifier=verifier)
    side.opinion_editing = report(S.EDITING)
    side.opinion_awaiting = report(S.AWAITING_SIGNOFF)
    side.opinion_signed = report(S.SIGNED)
    side.opinion_reported = report(S.REPORTED, reported_on=today, reported_to=f"县委{TAINT}")
    attachment = OpinionAttachment(
        report=side.opinion_submitted,
        original_name=f"{label}照片{TAINT}.pdf",
        content_type="application/pdf",
        size=len(PDF),
        uploaded_by=side.owner,
    )
    attachment.file.save("o.pdf", ContentFile(PDF), save=True)
    side.opinion_attachment = attachment
    side.bulletin = Bulletin.objects.create(
        committee=committee,
        year=year,
        number=next(issues),
        title=f"专报{TAINT}",
        recipients=TAINT,
        created_by=editor,
    )
    side.bulletined = report(S.SIGNED, bulletin=side.bulletin, bulletin_order=1)
    side.sent_bulletin = Bulletin.objects.create(
        committee=committee,
        year=year,
        number=next(issues),
        title=f"已发专报{TAINT}",
        recipients=TAINT,
        status=Bulletin.Status.SENT,
        sent_on=today,
        created_by=editor,
    )
    report(S.REPORTED, bulletin=side.sent_bulletin, bulletin_order=1, reported_on=today, reported_to=TAINT)
    reported = side.opinion_reported
    side.adoption = Adoption.objects.create(
        report=reported,
        level="county",
        adopted_by=f"县委{TAINT}",
        adopted_on=today,
        note=TAINT,
        created_by=editor,
    )
    side.instruction = Instruction.objects.create(
        report=reported,
        level="county",
        leader_post=f"县长{TAINT}",
        text=TAINT,
        instructed_on=today,
        created_by=editor,
    )
    side.transfer = Transfer.objects.create(
        committee=committee,
        report=reported,
        department=side.department,
        transferred_on=today,
        note=TAINT,
        created_by=editor,
    )
    replied = Transfer(
        committee=committee,
        report=reported,
        department=side.department,
        transferred_on=today,
        status=Transfer.Status.REPLIED,
        reply=f"答复{TAINT}",
        replied_on=today,
        replied_by=editor,
        on_paper=True,
        created_by=editor,
        original_name=f"{label}答复{TAINT}.pdf",
        content_type="application/pdf",
        size=len(PDF),
    )
    replied.save()
    replied.file.save("r.pdf", ContentFile(PDF), save=True)
    side.replied_transfer = replied
    for series, numbers in ((SerialCounter.Series.REPORT, serials), (SerialCounter.Series.BULLETIN, issues)):
        # The services take the next number from the counter: it must know the numbers given here.
        last = next(numbers)
        SerialCounter.objects.update_or_create(
            committee=committee, year=year, series=series, defaults={"last": last}
        )
        _numbers[(series, committee.pk)] = itertools.count(last + 1)
    side.officer = InformationOfficer.objects.create(
        committee=committee,
        year=year,
        user=officer_user,
        name=f"{label}信息员",
        workplace=f"单位{TAINT}",
        appointed_on=datetime.date(year, 1, 1),
        created_by=staff,
    )

    # An officer who is not a member and has no account yet: the one an account is opened for.
    side.officer_without_account = InformationOfficer.objects.create(
        committee=committee,
        year=year,
        name=f"{label}新信息员",
        workplace=TAINT,
        appointed_on=datetime.date(year, 1, 1),
        created_by=staff,
    )

    inspection = _activity(
        committee,
        side.unit,
        title=f"{label}视察活动",
        status=Activity.Status.PUBLISHED,
        starts=now - datetime.timedelta(days=1),
        kind=Activity.Kind.INSPECTION,
    )
    Participation.objects.create(activity=inspection, member=member)
    side.inspection = inspection
    side.suggestion = inspection_services.hand_in(
        activity=inspection, actor=side.owner, findings=f"发现{TAINT}", text=f"建议{TAINT}"
    )
    side.inspection_report = inspection_services.save_report(
        activity=inspection,
        actor=staff,
        title=f"{label}视察报告{TAINT}",
        body=f"报告正文{TAINT}",
        shown_ids=[side.suggestion.pk],
        listed_ids=[side.suggestion.pk],
        expected_version=0,
    )
    sent = _activity(
        committee,
        side.unit,
        title=f"{label}调研活动",
        status=Activity.Status.CLOSED,
        starts=now - datetime.timedelta(days=15),
        kind=Activity.Kind.RESEARCH,
    )
    Participation.objects.create(activity=sent, member=member)
    sent_report = inspection_services.save_report(
        activity=sent,
        actor=staff,
        title=f"{label}调研报告",
        body=TAINT,
        shown_ids=[],
        listed_ids=[],
        expected_version=0,
    )
    inspection_services.send_report(
        report=sent_report,
        actor=staff,
        departments=[side.department],
        note=TAINT,
        expected_version=sent_report.version,
    )
    side.sent_inspection = sent
    side.inspection_transfer = Transfer.objects.get(inspection_report=sent_report)


# --- proposals (提案) -------------------------------------------------------------------------------


def build_proposals(side, *, staff, unit_user, leader):
    """提案 objects of one side, rows written directly (as the proposals tests' fixtures do), so that the
    walk does not depend on the services: a proposal in every status the steps start from, the member
    first proposer of each (a joint one with the member invited to co-sign another member's), the
    side's department the lead unit (its account `unit_user`) with a co-unit, a contact, the co-unit's
    views, a draft reply, sent replies with their document, an evaluation, attachments and a
    supervision note."""
    from lvzhi.proposals.models import (
        Assignment,
        ContactRecord,
        Evaluation,
        Proposal,
        ProposalAttachment,
        ProposalAuthor,
        ProposalCategory,
        Reply,
        SupervisionNote,
    )
    from lvzhi.proposals.models import SerialCounter as ProposalSerialCounter

    P, A, Consent = Proposal.Status, Assignment.Status, ProposalAuthor.Consent
    committee, member, second, label = side.committee, side.member, side.second_member, side.label
    now = timezone.now()
    today = timezone.localdate()
    serials = _numbers.setdefault(("proposal", side.session.pk), itertools.count(1))
    side.proposal_category = ProposalCategory.objects.filter(committee=committee).order_by("order", "pk")[0]
    side.co_department = DepartmentFactory(committee=committee, name=f"{label}县财政局{TAINT}")
    joint = Proposal.Kind.JOINT

    def proposal(status, name, *, lead=member, co=second, consent=Consent.CONFIRMED, units=None, **fields):
        """A proposal of `lead` (with `co` co-signing when given); `units` = (lead unit, co-unit,
        assignment status)."""
        fields.setdefault("kind", joint if co else Proposal.Kind.INDIVIDUAL)
        fields.setdefault("created_by", lead.user)
        if status != P.DRAFT:
            fields.setdefault("submitted_at", now - datetime.timedelta(days=30))
        if status in Proposal.ACCEPTED_STATUSES:
            fields.setdefault("serial", next(serials))
            fields.setdefault("reviewed_on", today - datetime.timedelta(days=25))
            fields.setdefault("reviewed_by", staff)
        if units:
            fields.setdefault("assigned_on", today - datetime.timedelta(days=2))
            fields.setdefault("deadline", today + datetime.timedelta(days=80))
        row = Proposal.objects.create(
            committee=committee,
            session=side.session,
            title=f"{label}{name}提案{TAINT}",
            case=f"案由{TAINT}",
            analysis=f"分析{TAINT}",
            suggestions=f"建议{TAINT}",
            category=side.proposal_category,
            status=status,
            status_changed_at=now,
            **fields,
        )
        row.suggested_departments.set([side.department])
        ProposalAuthor.objects.create(
            proposal=row, member=lead, user=lead.user, name=lead.name, role=ProposalAuthor.Role.LEAD
        )
        if co is not None:
            ProposalAuthor.objects.create(
                proposal=row,
                member=co,
                user=co.user,
                name=co.name,
                role=ProposalAuthor.Role.CO,
                consent=consent,
                order=1,
                responded_at=None if consent == Consent.PENDING else now,
            )
        if units:
            lead_unit, co_unit, assignment_status = units
            for role, department in ((Assignment.Role.LEAD, lead_unit), (Assignment.Role.CO, co_unit)):
                signed = assignment_status != A.ASSIGNED
                Assignment.objects.create(
                    committee=committee,
                    proposal=row,
                    department=department,
                    role=role,
                    status=assignment_status if role == Assignment.Role.LEAD else A.SIGNED,
                    assigned_on=row.assigned_on,
                    signed_at=now if signed else None,
                    return_reason=f"不属职责{TAINT}" if assignment_status == A.RETURN_REQUESTED else "",
                    return_requested_at=now if assignment_status == A.RETURN_REQUESTED else None,
                    views=f"协办意见{TAINT}" if role == Assignment.Role.CO and signed else "",
                    views_given_at=now if role == Assignment.Role.CO and signed else None,
                )
        return row

    def reply(row, *, sent=True, result=Reply.Result.B):
        made = Reply(
            proposal=row,
            department=side.department,
            round=row.round,
            result=result,
            text=f"答复{TAINT}",
            sent_at=now if sent else None,
            sent_by=unit_user if sent else None,
            created_by=unit_user,
            original_name=f"{label}答复函{TAINT}.pdf",
            content_type="application/pdf",
            size=len(PDF),
            uploaded_by=unit_user,
            uploaded_at=now,
        )
        made.file.save("reply.pdf", ContentFile(PDF), save=True)
        return made

    def contact(row):
        assignment = row.assignments.get(role=Assignment.Role.LEAD)
        return ContactRecord.objects.create(
            proposal=row,
            assignment=assignment,
            round=row.round,
            date=today - datetime.timedelta(days=1),
            way=ContactRecord.Way.PHONE,
            note=f"电话沟通{TAINT}",
            created_by=unit_user,
        )

    own_units = (side.department, side.co_department)
    side.proposal_draft = proposal(P.DRAFT, "草稿", co=None)
    attachment = ProposalAttachment(
        proposal=side.proposal_draft,
        original_name=f"{label}提案附件{TAINT}.pdf",
        content_type="application/pdf",
        size=len(PDF),
        uploaded_by=side.owner,
        uploaded_at=now,
    )
    attachment.file.save("p.pdf", ContentFile(PDF), save=True)
    side.proposal_attachment = attachment
    # Submitted, the co-signer confirmed: ready for review.
    side.proposal_submitted = proposal(P.SUBMITTED, "已提交")
    submitted_attachment = ProposalAttachment(
        proposal=side.proposal_submitted,
        original_name=f"{label}调查{TAINT}.pdf",
        content_type="application/pdf",
        size=len(PDF),
        uploaded_by=side.owner,
        uploaded_at=now,
    )
    submitted_attachment.file.save("s.pdf", ContentFile(PDF), save=True)
    side.proposal_submitted_attachment = submitted_attachment
    side.proposal_submitted_other = proposal(P.SUBMITTED, "另一件", co=None)
    # Another member's joint proposal the side's member is invited to co-sign (until next week).
    side.proposal_cosigning = proposal(
        P.SUBMITTED,
        "联名",
        lead=second,
        co=member,
        consent=Consent.PENDING,
        cosign_deadline=now + datetime.timedelta(days=7),
    )
    side.proposal_accepted = proposal(P.ACCEPTED, "已立案")
    side.proposal_assigned = proposal(P.ASSIGNED, "已交办", units=(*own_units, A.ASSIGNED))
    side.assignment = side.proposal_assigned.assignments.get(role=Assignment.Role.LEAD)
    side.proposal_return_requested = proposal(P.ASSIGNED, "申请退回", units=(*own_units, A.RETURN_REQUESTED))
    side.return_requested_assignment = side.proposal_return_requested.assignments.get(
        role=Assignment.Role.LEAD
    )
    # Being handled: the lead unit signed, has a contact and a draft reply; the co-unit gave its views.
    side.proposal_handling = proposal(P.HANDLING, "办理中", units=(*own_units, A.SIGNED), is_key=True)
    side.handling_assignment = side.proposal_handling.assignments.get(role=Assignment.Role.LEAD)
    side.contact = contact(side.proposal_handling)
    side.draft_reply = reply(side.proposal_handling, sent=False)
    # The side's department as the co-unit of a case another department leads (it gives views).
    side.proposal_co_handling = proposal(
        P.HANDLING, "协办", units=(side.co_department, side.department, A.SIGNED)
    )
    side.co_assignment = side.proposal_co_handling.assignments.get(role=Assignment.Role.CO)
    side.co_assignment.views, side.co_assignment.views_given_at = "", None
    side.co_assignment.save(update_fields=["views", "views_given_at"])
    side.proposal_replied = proposal(P.REPLIED, "已答复", units=(*own_units, A.SIGNED))
    side.replied_contact = contact(side.proposal_replied)
    side.reply = reply(side.proposal_replied)
    side.proposal_evaluated = proposal(P.EVALUATED, "已评价", units=(*own_units, A.SIGNED))
    side.evaluated_reply = reply(side.proposal_evaluated)
    side.evaluation = Evaluation.objects.create(
        reply=side.evaluated_reply, rating=Evaluation.Rating.BASIC, comments=f"评价{TAINT}", by=side.owner
    )
    side.proposal_closed = proposal(
        P.CLOSED, "已办结", units=(*own_units, A.SIGNED), closed_on=today, is_excellent=True
    )
    side.closed_reply = reply(side.proposal_closed, result=Reply.Result.A)
    side.rejection_reason = committee.proposal_rejection_reasons.order_by("order", "pk")[0]
    side.proposal_rejected = proposal(
        P.REJECTED,
        "不立案",
        co=None,
        reviewed_on=today,
        review_note=f"不立案说明{TAINT}",
        rejection_reason=side.rejection_reason,
    )
    # Converted to a letter to the side's department (its Word letter is a download).
    side.proposal_letter = proposal(
        P.CONVERTED,
        "转函",
        co=None,
        reviewed_on=today,
        converted_to=Proposal.Conversion.LETTER,
        letter_department=side.department,
        review_note=f"转函说明{TAINT}",
    )
    # The pk only, not the account: the walk watches every model instance a side names.
    side.proposal_leader = SimpleNamespace(pk=leader.pk)
    side.supervision_note = SupervisionNote.objects.create(
        proposal=side.proposal_handling, date=today, note=f"督办{TAINT}", created_by=leader
    )
    # The accept service takes the next number from the counter: it must know the numbers given here.
    last = next(serials)
    ProposalSerialCounter.objects.update_or_create(session=side.session, defaults={"last": last})
    _numbers[("proposal", side.session.pk)] = itertools.count(last + 1)


# An ID number of nobody in a duty import: a row naming it is an error whose message must mask it too.
UNKNOWN_ID_NUMBER = idcard.make("990199", datetime.date(1961, 2, 3), 5)


def build_scoring(committee, sides, *, staff):
    """Duty assessment (考核) of one committee: the default rule set active for the year and the scores
    computed, a draft version per side, the unit assessments (own side: a sector, other side: a town
    committee) each in an inspection group led by the side's second member, inspected (findings with
    the payload) and the own side's tier decided; a duty-record import of each side in preview (with an
    error row) and one imported."""
    from lvzhi.ledger import import_services
    from lvzhi.scoring import services as scoring_services
    from lvzhi.scoring import units as scoring_units
    from lvzhi.scoring.views.rules import default_rules_text

    year = sides[0].year
    # The rule set's name, a category, a rule's text and a grade carry the payload: the score pages,
    # the ranking's filter and chart, the rule pages and the documents show them.
    text = (
        default_rules_text()
        .replace("    name: 出席全体会议\n", f"    name: 出席全体会议{TAINT}\n", 1)
        .replace("        text: 出席全体会议\n", f"        text: 出席全体会议{TAINT}\n", 1)
        .replace("  - name: 称职\n", f"  - name: 称职{SCRIPT}\n", 1)
    )
    active = scoring_services.save_rule_set(
        actor=staff,
        committee=committee,
        year=year,
        text=text.replace("默认模板", f"默认模板{TAINT}"),
        activate=True,
    )
    unit_kinds = (OrgUnit.Kind.SECTOR, OrgUnit.Kind.TOWN_COMMITTEE)
    assessed = list(OrgUnit.objects.filter(committee=committee, kind__in=unit_kinds).order_by("kind"))
    # Members of the sector and town committee (the indicators, notices and tables group by them).
    for side, unit in zip(sides, assessed, strict=False):
        for member in (side.member, side.second_member):
            term = member.terms.get()
            if unit.kind == OrgUnit.Kind.SECTOR:
                term.sector = unit
            else:
                term.town_committee = unit
            term.save()
    scoring_services.compute_year(committee=committee, year=year, actor=staff)
    scoring_units.refresh_units(committee=committee, year=year, actor=staff)
    day = min(timezone.localdate(), datetime.date(year, 1, 2)).isoformat()
    for side, unit in zip(sides, assessed, strict=False):
        side.rule_set_active = active
        side.rule_set_draft = scoring_services.save_rule_set(
            actor=staff,
            committee=committee,
            year=year,
            text=text.replace("默认模板", f"{side.label}草稿{TAINT}"),
        )
        side.inspection_group = scoring_units.save_group(
            committee=committee,
            year=year,
            name=f"{side.label}考核组{TAINT}"[:100],
            leader=side.second_member,
            leader_title=f"副主席{IMG}"[:50],
            members=[side.member],
            units=[unit],
            actor=staff,
        )
        assessment = UnitAssessment.objects.get(committee=committee, year=year, unit=unit)
        assessment = scoring_units.record_inspection(
            assessment=assessment,
            scores={
                "organization": "18",
                "study": "12",
                "duty": "20",
                "opinions_proposals": "15",
                "highlights": "10",
            },
            notes={"organization": f"组织{TAINT}"},
            findings=f"考核意见{TAINT}",
            actor=staff,
        )
        if side.unit_kind_name != "b":
            assessment = scoring_units.decide_tier(assessment=assessment, tier="first", actor=staff)
        side.unit_assessment = assessment
        side.assessed_unit = unit
        # The member's score: its pk only (a recompute after any ledger change replaces the row).
        side.member_score = SimpleNamespace(pk=side.member.pk)

        def upload(rows, name):
            content = duty_xlsx(rows)
            return import_services.start(
                committee=committee,
                uploaded_file=SimpleUploadedFile(name, content),
                actor=staff,
            )

        member, second = side.member, side.second_member
        item = f"{side.label}联名提案{TAINT}"
        side.duty_import_preview = upload(
            [
                [member.id_number, member.name, day, "attendance.plenary.present", "", "", f"备注{TAINT}"],
                [member.id_number, member.name, day, "proposal.submitted", item, "领衔", ""],
                [second.id_number, second.name, day, "proposal.submitted", item, "联名", ""],
                [UNKNOWN_ID_NUMBER, f"无名{TAINT}", day, "opinion.submitted", "", "", ""],
            ],
            f"{side.label}履职记录{TAINT}.xlsx"[:120],
        )
        imported = upload(
            [[member.id_number, member.name, day, "activity.inspection", f"{side.label}视察", "", TAINT]],
            f"{side.label}已导入.xlsx",
        )
        side.duty_import_imported = import_services.confirm(job=imported, actor=staff)


def build_claims(side, *, staff):
    """Duty claims of the side's member (their own account put them in): one awaiting approval, one
    rejected (to send again), each with a PDF as evidence and the payload in its texts."""
    from lvzhi.scoring import services_claims

    day = min(timezone.localdate(), datetime.date(side.year, 1, 2))

    def claim(title):
        return services_claims.submit_claim(
            actor=side.owner,
            kind="commendation.provincial",
            date=day,
            title=f"{side.label}{title}{TAINT}"[:100],
            description=f"说明{TAINT}",
            evidence=SimpleUploadedFile(f"{side.label}证书{TAINT}.pdf"[:80], PDF),
        )

    side.claim = claim("省级表彰")
    rejected = claim("被退回")
    side.claim_rejected = services_claims.reject_claim(
        rejected, actor=staff, reason=f"材料不全{TAINT}", expected_version=rejected.version
    )


# --- the public site (公众留言, 委员建言, announcements) -------------------------------------------------
# Everything is made through the portal's services, as the public, the office and the members make it.
# Each object carries a marker (the side's label and what it is) in its title and content, and a
# message in its writer's name too, so that a test can tell whether one that is not published reached a
# public page; every message has a telephone of its own, which is a secret of the walk.
SENSITIVE_WORD = "赌博"
# A second word with the img payload: the settings page and a held message's page show the words found.
# (Not the payloads themselves, which every object carries: each would then be held.)
SENSITIVE_TAINTED = f"博彩{IMG}"
MESSAGE_MARKERS = {
    "received": "待处理留言",
    "held": "敏感留言",
    "published": "公开留言",
    "answered": "私下留言",
    "hidden": "隐藏留言",
    "converted": "转报留言",
}
SUGGESTION_MARKERS = {
    "draft": "建言草稿",
    "submitted": "建言待审",
    "returned": "建言退回",
    "published": "建言公开",
    "withdrawn": "建言撤下",
}
ANNOUNCEMENT_MARKERS = {"draft": "公告草稿", "published": "公告发布", "withdrawn": "公告撤下"}
# Texts no public page may show, of any object: a private reply, the reasons for hiding a message,
# returning a suggestion and taking one off the site, the report a message became.
PRIVATE_MARKERS = ("私下答复", "隐藏原因", "退回理由", "撤下理由", "转报信息", "转报正文")


def build_portal_settings(committee, *, staff):
    """The committee's public-site settings: open, with sensitive words (one with the img payload) and
    the office telephone carrying the img payload too (every public page shows it)."""
    from lvzhi.portal.services import moderation

    return moderation.update_settings(
        actor=staff,
        committee=committee,
        accepting_messages=True,
        sensitive_words=f"{SENSITIVE_WORD}\n{SENSITIVE_TAINTED}",
        overdue_days=7,
        office_phone=f"0551{IMG}",
        expected_version=None,
    )


def build_portal(side, *, staff):
    """The public site's objects of one side: messages to the side's committee in every status (sent
    through the public form's service, then moderated by `staff`), with their query codes; the side's
    member's suggestions in every status; announcements (draft, published, withdrawn); a reply
    template."""
    from lvzhi.portal.models import Announcement, Category
    from lvzhi.portal.services import announcements, messages, moderation, suggestions

    label, committee = side.label, side.committee

    def message(key):
        marker = f"{label}{MESSAGE_MARKERS[key]}"
        return messages.submit_message(
            committee=committee,
            category=Category.URBAN_RURAL,
            title=f"{marker}{TAINT}",
            content=f"{marker}内容{SENSITIVE_WORD + SENSITIVE_TAINTED if key == 'held' else ''}{TAINT}",
            name=f"{marker}人{IMG}",
            phone=phone(),
            client_ip="192.0.2.1",
        )

    sent = {key: message(key) for key in MESSAGE_MARKERS}
    side.message_codes = {key: code for key, (_row, code) in sent.items()}
    # The code the walk looks up: a privately answered message (its reply is for the code's holder only).
    side.query_code = side.message_codes["answered"]
    rows = {key: row for key, (row, _code) in sent.items()}
    rows["published"] = moderation.publish(
        rows["published"], actor=staff, reply=f"{label}公开答复{TAINT}", expected_version=None
    )
    rows["answered"] = moderation.answer_privately(
        rows["answered"], actor=staff, reply=f"{label}私下答复{TAINT}", expected_version=None
    )
    rows["hidden"] = moderation.hide(
        rows["hidden"], actor=staff, reason=f"{label}隐藏原因{TAINT}", expected_version=None
    )
    moderation.convert(
        rows["converted"],
        actor=staff,
        title=f"{label}转报信息{TAINT}",
        body=f"{label}转报正文{TAINT}",
        include_contact=False,
        expected_version=None,
    )
    rows["converted"].refresh_from_db()
    for key, row in rows.items():
        setattr(side, f"message_{key}", row)

    def suggestion(key):
        marker = f"{label}{SUGGESTION_MARKERS[key]}"
        return suggestions.save_suggestion(
            actor=side.owner,
            category=Category.ECONOMY,
            title=f"{marker}{TAINT}",
            content=f"{marker}内容{TAINT}",
            show_name=key != "withdrawn",
        )

    rows = {key: suggestion(key) for key in SUGGESTION_MARKERS}
    for key in ("submitted", "returned", "published", "withdrawn"):
        rows[key] = suggestions.submit(rows[key], actor=side.owner)
    rows["returned"] = suggestions.return_for_revision(
        rows["returned"],
        actor=staff,
        reason=f"{label}退回理由{TAINT}",
        expected_version=rows["returned"].version,
    )
    for key in ("published", "withdrawn"):
        rows[key] = suggestions.publish(
            rows[key],
            actor=staff,
            answer=f"{label}官方答复{TAINT}",
            answered_by_unit=f"{label}县商务局{IMG}",
            expected_version=rows[key].version,
        )
    rows["withdrawn"] = suggestions.withdraw(
        rows["withdrawn"],
        actor=staff,
        reason=f"{label}撤下理由{TAINT}",
        expected_version=rows["withdrawn"].version,
    )
    for key, row in rows.items():
        setattr(side, f"member_suggestion_{key}", row)

    def announcement(key, kind):
        marker = f"{label}{ANNOUNCEMENT_MARKERS[key]}"
        return announcements.save_announcement(
            actor=staff,
            committee=committee,
            kind=kind,
            title=f"{marker}{TAINT}",
            body=f"{marker}正文\n\n{TAINT}",
        )

    side.announcement_draft = announcement("draft", Announcement.Kind.NEWS)
    side.announcement_published = announcements.publish_announcement(
        announcement("published", Announcement.Kind.NOTICE), actor=staff
    )
    withdrawn = announcements.publish_announcement(
        announcement("withdrawn", Announcement.Kind.NOTICE), actor=staff
    )
    side.announcement_withdrawn = announcements.withdraw_announcement(withdrawn, actor=staff)
    side.reply_template = moderation.save_reply_template(
        actor=staff, committee=committee, title=f"{label}答复模板{TAINT}", text=f"模板正文{TAINT}"
    )


def build_world():
    home, term, session, unit_a, unit_b = _committee_base("政协本县委员会", "sec-home", "本县")
    users = {}
    for role in Role:
        users[role] = UserFactory(
            committee=home,
            username=ROLE_USERNAMES[role],
            role=role,
            units=[unit_a] if role == Role.UNIT_STAFF else None,
        )
    office = users[Role.OFFICE]
    own = build_side(
        home, term, label="本方", unit=unit_a, unit_kind_name="a", owner=users[Role.MEMBER], staff=office
    )
    other_owner = UserFactory(committee=home, username="sec_other_member", role=Role.MEMBER)
    other = build_side(
        home, term, label="他方", unit=unit_b, unit_kind_name="b", owner=other_owner, staff=office
    )

    foreign_committee, foreign_term, foreign_session, foreign_unit, _spare = _committee_base(
        "政协邻县委员会", "sec-foreign", "邻县"
    )
    foreign_office = UserFactory(committee=foreign_committee, username="sec_foreign_office", role=Role.OFFICE)
    foreign_owner = UserFactory(committee=foreign_committee, username="sec_foreign_member", role=Role.MEMBER)
    foreign = build_side(
        foreign_committee,
        foreign_term,
        label="邻县",
        unit=foreign_unit,
        unit_kind_name="f",
        owner=foreign_owner,
        staff=foreign_office,
    )
    for committee, sides in ((home, (own, other)), (foreign_committee, (foreign,))):
        _standing_meeting(committee, [m for side in sides for m in (side.member, side.second_member)])
    for side, tsession, account, job_user in (
        (own, session, users[Role.OFFICE], office),
        (other, session, other_owner, office),
        (foreign, foreign_session, foreign_owner, foreign_office),
    ):
        side.term = side.committee.terms.get()
        side.session = tsession
        # The account an administrator would open: someone else's for `other` and `foreign`.
        side.account = account
        side.import_job = _import_job(side.committee, job_user)
        side.onboarding_batch = OnboardingBatch.objects.create(committee=side.committee, created=1)
    # Administrators act on another person's account, never on their own.
    own.account = users[Role.LEADER]
    # 社情民意: the home committee's editor and leader handle both home sides; the handling unit's
    # account belongs to the own side's department, so that the other side's transfers are someone
    # else's; the information officer is the own side's officer.
    users[Role.HANDLING_UNIT].department = own.department
    users[Role.HANDLING_UNIT].save(update_fields=["department"])
    foreign_editor = UserFactory(committee=foreign_committee, username="sec_foreign_editor", role=Role.EDITOR)
    foreign_leader = UserFactory(committee=foreign_committee, username="sec_foreign_leader", role=Role.LEADER)
    for side, staff, editor, leader, officer_user in (
        (own, office, users[Role.EDITOR], users[Role.LEADER], users[Role.OFFICER]),
        (
            other,
            office,
            users[Role.EDITOR],
            users[Role.LEADER],
            UserFactory(committee=home, username="sec_other_officer", role=Role.OFFICER),
        ),
        (
            foreign,
            foreign_office,
            foreign_editor,
            foreign_leader,
            UserFactory(committee=foreign_committee, username="sec_foreign_officer", role=Role.OFFICER),
        ),
    ):
        verifier = UserFactory(
            committee=side.committee, username=f"sec_verifier_{side.unit_kind_name}", role=Role.UNIT_STAFF
        )
        build_opinions(
            side, staff=staff, editor=editor, leader=leader, officer_user=officer_user, verifier=verifier
        )
    # --- proposals (提案): the handling unit's account is the own side's lead unit; the other sides'
    # departments have accounts of their own (so the other side's assignments are someone else's).
    for side, staff, leader in (
        (own, office, users[Role.LEADER]),
        (other, office, users[Role.LEADER]),
        (foreign, foreign_office, foreign_leader),
    ):
        unit_user = (
            users[Role.HANDLING_UNIT]
            if side is own
            else UserFactory(
                committee=side.committee,
                username=f"sec_unit_{side.unit_kind_name}",
                role=Role.HANDLING_UNIT,
                department=side.department,
            )
        )
        build_proposals(side, staff=staff, unit_user=unit_user, leader=leader)
    # --- duty assessment (考核) and the duty-record import: each committee's own rule sets, scores, unit
    # assessments and imports; the other side's assessment is a town committee, its import its own.
    build_scoring(home, [own, other], staff=office)
    build_scoring(foreign_committee, [foreign], staff=foreign_office)
    for side, staff in ((own, office), (other, office), (foreign, foreign_office)):
        build_claims(side, staff=staff)
    # --- the public site: each committee's settings, then each side's messages, suggestions and
    # announcements.
    for committee, staff in ((home, office), (foreign_committee, foreign_office)):
        site = build_portal_settings(committee, staff=staff)
        for side in (own, other, foreign):
            if side.committee == committee:
                side.portal_settings = site
    for side, staff in ((own, office), (other, office), (foreign, foreign_office)):
        build_portal(side, staff=staff)
    members = list(Member.objects.all())
    secrets = {UNKNOWN_ID_NUMBER}
    for m in members:
        secrets.update(v for v in (m.id_number, m.phone) if v)
    secrets.update(ContactUpdateRequest.objects.values_list("phone", flat=True))
    # The telephones public messages' writers left: the office's only, shown once by the audited reveal.
    secrets.update(PublicMessage.objects.values_list("phone", flat=True))
    secrets.discard("")
    verification = AuditVerification.objects.create(started_by=users[Role.AUDITOR].username)
    own.verification = other.verification = foreign.verification = verification
    return SimpleNamespace(
        users=users,
        own=own,
        other=other,
        foreign=foreign,
        secrets=sorted(secrets),
        checkin_token=lambda activity: rotating_tokens.make_token(
            purpose=CHECKIN_PURPOSE, object_id=activity.pk
        ),
    )
