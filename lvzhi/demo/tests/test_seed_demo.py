"""`manage.py seed_demo`: the demo county committee (lvzhi.demo.builder) with one account per role.

Building the demo takes a few seconds, so the module builds it once, inside a transaction that is
rolled back when the module is done; each test runs in a savepoint within it.
"""

import datetime
import json
from collections import Counter
from io import StringIO

import pyotp
import pytest
from django.contrib.auth.models import Group
from django.core.management import CommandError, call_command
from django.db import models, transaction
from django.test import Client, override_settings
from django.urls import reverse
from django.utils import timezone

from lvzhi.accounts import second_factor
from lvzhi.accounts.models import User
from lvzhi.accounts.roles import Role
from lvzhi.activities.models import Activity, Participation, Speech
from lvzhi.core import idcard
from lvzhi.core.docx_official import DOCX_CONTENT_TYPE
from lvzhi.core.models import AuditEvent
from lvzhi.core.testing import body
from lvzhi.demo import builder as demo_module
from lvzhi.ledger.models import DutyImport, DutyRecord
from lvzhi.library.models import Document
from lvzhi.members.models import Member, MemberChange, MemberTerm
from lvzhi.opinions import home_transfers
from lvzhi.opinions.demo import seed_opinions
from lvzhi.opinions.models import (
    Adoption,
    Bulletin,
    InformationOfficer,
    InspectionReport,
    Instruction,
    OpinionReport,
    OpinionStatusChange,
    SerialCounter,
    Suggestion,
    Transfer,
)
from lvzhi.opinions.permissions import is_author
from lvzhi.organization.models import Committee, Department, Liaison, Membership, OrgUnit, Term
from lvzhi.portal import demo_texts as portal_texts
from lvzhi.portal.demo import seed_portal
from lvzhi.portal.models import (
    Announcement,
    MemberSuggestion,
    PortalSettings,
    PublicMessage,
    PublicMessageStatusChange,
    ReplyTemplate,
)
from lvzhi.portal.public_site import settings_for
from lvzhi.scoring.models import InspectionGroup, MemberScore, RuleSet, UnitAssessment
from lvzhi.studies.models import StudySubmission, TrainingPlan

DEMO_ROLES = {
    "sysadmin": Role.SYSADMIN,
    "secadmin": Role.SECADMIN,
    "auditor": Role.AUDITOR,
    "office": Role.OFFICE,
    "clerk": Role.OFFICE,
    "unitstaff": Role.UNIT_STAFF,
    "editor": Role.EDITOR,
    "leader": Role.LEADER,
    "member": Role.MEMBER,
    "officer": Role.OFFICER,
    "unit": Role.HANDLING_UNIT,
}
FAST_HASHER = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def counts():
    return {
        model.__name__: model.objects.count()
        for model in (
            Committee,
            Term,
            OrgUnit,
            Department,
            Liaison,
            Member,
            MemberTerm,
            User,
            AuditEvent,
            Activity,
            Participation,
            Speech,
            DutyRecord,
            Document,
            TrainingPlan,
            StudySubmission,
            InformationOfficer,
            OpinionReport,
            OpinionStatusChange,
            Bulletin,
            Adoption,
            Instruction,
            Transfer,
            Suggestion,
            InspectionReport,
        )
    }


# The demo stands at late November of this year, whatever the day the tests run: its plenary, most
# standing meetings and the demo member's record are behind it, December's meetings still ahead.
AS_OF = timezone.make_aware(datetime.datetime(timezone.localdate().year, 11, 29, 10))


# Runs first, on the empty database, before the module fixture below builds anything.
def test_it_refuses_to_run_in_production(db, settings):
    settings.PRODUCTION = True
    before = counts()

    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo", stdout=StringIO())
    with pytest.raises(CommandError, match="production"):
        call_command("seed_demo", "--if-empty", stdout=StringIO())
    assert counts() == before
    assert not Committee.objects.filter(name="政协青溪县委员会").exists()


@pytest.fixture(scope="module")
def demo_output(django_db_setup, django_db_blocker, tmp_path_factory):
    with (
        django_db_blocker.unblock(),
        override_settings(PASSWORD_HASHERS=FAST_HASHER, MEDIA_ROOT=str(tmp_path_factory.mktemp("media"))),
        transaction.atomic(),
    ):
        assert not Committee.objects.exists()
        out = StringIO()
        call_command("seed_demo", "--as-of", AS_OF.date().isoformat(), stdout=out)
        yield out.getvalue()
        transaction.set_rollback(True)


@pytest.fixture
def demo(demo_output, db):
    # Every test here asks for `db` (through this fixture): pytest-django runs non-db tests last,
    # after the module's build would have been rolled back.
    return Committee.objects.get(name="政协青溪县委员会")


def test_it_builds_the_county_committee(demo):
    assert demo.level == Committee.Level.COUNTY
    assert demo.parent is not None  # the city committee above it
    assert Committee.objects.filter(name="政协青溪县委员会").count() == 1


def test_it_builds_the_current_term_with_two_sessions(demo):
    term = Term.objects.get(committee=demo, is_current=True)

    assert term.name == "第九届"
    assert term.sessions.count() == 2


def test_it_builds_the_units(demo):
    units = OrgUnit.objects.filter(committee=demo)
    kind = OrgUnit.Kind

    assert 20 <= units.filter(kind=kind.SECTOR).count() <= 30
    assert units.filter(kind=kind.TOWN_COMMITTEE).count() == 17
    special = units.filter(kind=kind.SPECIAL_COMMITTEE)
    assert special.count() == 6
    assert special.filter(name="委员工作委员会").exists()
    assert units.filter(kind=kind.STANDING_COMMITTEE).count() == 1


def test_it_builds_departments_with_liaison_links(demo):
    departments = Department.objects.filter(committee=demo)

    assert departments.count() == 13
    assert not departments.filter(liaisons__isnull=True).exists()
    assert Liaison.objects.filter(committee=demo, department__isnull=True, target_unit__isnull=False).exists()


def test_it_builds_280_members_with_valid_id_numbers(demo):
    members = list(Member.objects.filter(committee=demo))

    assert len(members) == 280
    for member in members:
        parsed = idcard.parse(member.id_number)
        assert parsed.birth_date == member.birth_date, member.name
        assert parsed.is_male == (member.gender == Member.Gender.MALE), member.name
    assert len({m.id_number for m in members}) == 280
    assert len({m.phone for m in members}) > 270


def test_every_member_serves_in_the_current_term(demo):
    terms = MemberTerm.objects.filter(term__committee=demo, term__is_current=True)

    assert terms.count() == 280
    assert terms.filter(is_standing=True).count() == 45
    assert not terms.filter(sector__isnull=True).exists()
    assert not terms.filter(town_committee__isnull=True).exists()


def test_every_members_place_is_in_the_history_of_the_file(demo):
    # The demo places its members through members.services like the form and the import do.
    created = MemberChange.objects.filter(member__committee=demo, source=MemberChange.Source.CREATE)
    assert created.count() == 280
    for change in created:
        fields = {c["field"] for c in change.changes}
        assert {"term.sector", "term.town_committee", "term.status"} <= fields, change.member.name
    users = User.objects.filter(committee=demo)
    # The demo accounts one signs in with; the members who wrote the public column's suggestions have
    # accounts too, as the office's batch gives them, without a password until they activate it.
    assert {u.username for u in users if u.has_usable_password()} == set(DEMO_ROLES)
    for username, role in DEMO_ROLES.items():
        groups = set(Group.objects.filter(user__username=username).values_list("name", flat=True))
        assert groups == {role.value}, username


@pytest.mark.parametrize("username", sorted(DEMO_ROLES))
def test_every_demo_account_can_sign_in(demo, settings, username):
    client = Client()

    response = client.post(
        reverse("accounts:login"), {"username": username, "password": settings.LVZHI_DEMO_PASSWORD}
    )

    assert response.status_code == 302
    user = User.objects.get(username=username)
    if username in demo_module.SECOND_FACTOR_USERS:
        # The administrators and the office are enrolled with an authenticator and finish with its code.
        assert response.url == reverse("accounts:second_factor")
        code = pyotp.TOTP(user.totp_device.secret).now()
        client.post(reverse("accounts:second_factor"), {"code": code})
    assert client.session["_auth_user_id"] == str(user.pk)


def test_the_demo_enrols_exactly_the_accounts_that_need_a_second_factor(demo):
    needing = {
        user.username for user in User.objects.filter(committee=demo) if second_factor.required_for(user)
    }

    assert needing == set(demo_module.SECOND_FACTOR_USERS)
    assert set(User.objects.filter(totp_device__isnull=False).values_list("username", flat=True)) == needing


def test_the_demo_member_account_has_a_member_file(demo):
    user = User.objects.get(username="member")

    assert user.member.committee == demo
    assert user.display_name == user.member.name
    assert user.member.terms.get(term__is_current=True).status == MemberTerm.Status.SERVING


def test_it_builds_the_years_activities(demo):
    year = timezone.localdate().year
    activities = Activity.objects.filter(committee=demo)
    kinds = {kind: activities.filter(kind=kind).count() for kind in Activity.Kind.values}

    assert not activities.exclude(starts_at__year=year).exists()
    assert kinds["plenary"] == 2
    assert kinds["standing"] == 6
    assert 12 <= kinds["committee_meeting"] <= 18
    assert kinds["training"] == 3
    assert kinds["inspection"] == 2
    assert kinds["research"] == kinds["study_tour"] == kinds["consultation"] == 1
    assert kinds["group"] >= 3
    # Every special committee meets two or three times.
    for unit in OrgUnit.objects.filter(committee=demo, kind=OrgUnit.Kind.SPECIAL_COMMITTEE):
        assert 2 <= activities.filter(kind="committee_meeting", organizing_unit=unit).count() <= 3, unit.name


def test_activities_that_are_over_are_closed_and_later_ones_published(demo):
    now = AS_OF
    activities = Activity.objects.filter(committee=demo)

    assert not activities.filter(ends_at__lt=now).exclude(status=Activity.Status.CLOSED).exists()
    assert not activities.filter(ends_at__gte=now).exclude(status=Activity.Status.PUBLISHED).exists()
    assert not activities.filter(participations__isnull=True).exists()


def test_invitations_follow_the_rules(demo):
    serving = MemberTerm.objects.filter(term__committee=demo, status=MemberTerm.Status.SERVING)
    for activity in Activity.objects.filter(committee=demo, kind="plenary"):
        assert activity.participations.count() == serving.count()
    for activity in Activity.objects.filter(committee=demo, kind="standing"):
        assert activity.participations.count() == serving.filter(is_standing=True).count()


def test_closed_activities_have_realistic_attendance(demo):
    finals = Participation.objects.filter(activity__committee=demo, activity__status=Activity.Status.CLOSED)
    P = Participation.Status
    total = finals.count()
    by_status = {status: finals.filter(status=status).count() for status in P.values}

    assert by_status["present"] > 0.7 * total
    assert 0 < by_status["late"] < 0.15 * total
    assert 0 < by_status["leave_approved"] < 0.1 * total
    assert 0 < by_status["absent"] < 0.1 * total
    assert set(finals.values_list("status", flat=True)) <= set(Participation.FINAL)
    # Leave from plenary and standing meetings is decided by the leader, with the member's reason.
    leave = finals.filter(status=P.LEAVE_APPROVED, activity__kind__in=["plenary", "standing"])
    assert not leave.exclude(decided_by__username="leader").exists()
    assert not leave.filter(leave_reason="").exists()


def test_most_members_have_a_duty_record(demo):
    serving = Member.objects.filter(terms__status=MemberTerm.Status.SERVING, committee=demo)
    recorded = serving.filter(duty_records__isnull=False).distinct().count()

    assert recorded >= 0.9 * serving.count()
    assert DutyRecord.objects.filter(committee=demo, kind__startswith="speech.").exists()
    assert Speech.objects.filter(activity__kind="plenary", kind="oral").exists()
    assert Speech.objects.filter(activity__kind="plenary", kind="written").exists()


def test_the_demo_member_has_a_full_record(demo):
    member = User.objects.get(username="member").member
    kinds = set(DutyRecord.objects.filter(member=member).values_list("kind", flat=True))

    assert {"attendance.plenary.present", "attendance.standing.present", "speech.oral"} <= kinds
    assert {"attendance.standing.leave", "attendance.standing.late"} <= kinds
    assert any(kind.startswith("activity.") for kind in kinds)


def test_the_demo_member_has_a_meeting_tonight_to_answer(demo, monkeypatch):
    from lvzhi.activities import home_cards

    member = User.objects.get(username="member")
    tonight = Participation.objects.select_related("activity").get(
        member=member.member, activity__starts_at__date=AS_OF.date()
    )
    assert timezone.localtime(tonight.activity.starts_at).hour >= 18
    assert tonight.activity.status == Activity.Status.PUBLISHED
    assert tonight.status == Participation.Status.INVITED
    # Their start page, on the day the demo stands on, opens on it with the question to answer.
    monkeypatch.setattr(home_cards.timezone, "now", lambda: AS_OF)
    card = home_cards.my_activities(member)
    assert [p.activity for p in card["today"]] == [tonight.activity]
    assert card["today"][0].to_answer


def test_activities_ahead_wait_for_answers(demo):
    ahead = Participation.objects.filter(activity__committee=demo, activity__status=Activity.Status.PUBLISHED)
    P = Participation.Status

    assert ahead.filter(status=P.CONFIRMED).exists()
    assert ahead.filter(status=P.INVITED).exists()
    pending = ahead.filter(status=P.LEAVE_REQUESTED, decided_by__isnull=True)
    assert pending.exists()
    # Answered over the days before the demo was built, not all at the build time.
    answered = Counter(ahead.exclude(responded_at=None).values_list("responded_at", flat=True))
    assert max(answered.values()) < 0.1 * answered.total()
    assert max(answered) < AS_OF


def test_it_builds_the_library(demo):
    documents = Document.objects.filter(committee=demo)
    member = User.objects.get(username="member")
    unit = User.objects.get(username="unit")

    assert documents.count() == 8
    assert set(documents.values_list("audience", flat=True)) == set(Document.Audience.values)
    assert set(documents.values_list("category", flat=True)) == set(Document.Category.values)
    # The demo member (a 常委) reads all but the staff's manual; the handling unit the public ones.
    assert Document.objects.visible_to(member).count() == 7
    assert set(Document.objects.visible_to(unit).values_list("audience", flat=True)) == {"everyone"}
    # Two come with their Word version, stored under a random name and served as Word.
    with_file = documents.exclude(file="")
    assert with_file.count() == 2
    for document in with_file:
        assert document.original_name == f"{document.title}.docx"
        assert document.content_type == DOCX_CONTENT_TYPE
        assert document.file.name.endswith(".docx") and document.title not in document.file.name
        with document.file.open("rb") as file:
            assert file.read(2) == b"PK"


def test_it_builds_the_years_study_plan_with_notes(demo):
    plan = TrainingPlan.objects.get(committee=demo, year=timezone.localdate().year)
    submissions = StudySubmission.objects.filter(committee=demo)

    assert plan.status == TrainingPlan.Status.PUBLISHED
    assert plan.sessions.filter(activity__kind="training").exists()
    assert submissions.filter(member__user__username="member").exists()
    acknowledged = submissions.filter(status=StudySubmission.Status.ACKNOWLEDGED).count()
    assert acknowledged > 0
    assert DutyRecord.objects.filter(committee=demo, kind__startswith="study.").count() == acknowledged


def test_it_prints_the_demo_accounts(demo, demo_output, settings):
    assert "280/280" in demo_output
    assert f"activities of {timezone.localdate().year}" in demo_output
    assert "8 library documents" in demo_output
    for username in DEMO_ROLES:
        assert username in demo_output
    assert settings.LVZHI_DEMO_PASSWORD in demo_output


def test_a_second_run_with_if_empty_changes_nothing(demo):
    before = counts()
    out = StringIO()

    call_command("seed_demo", "--if-empty", stdout=out)

    assert counts() == before
    assert "already" in out.getvalue()
    # `make run` relies on it to print the accounts on every start.
    assert "member     委员" in out.getvalue()


def test_a_second_run_without_if_empty_fails(demo):
    before = counts()

    with pytest.raises(CommandError, match="already exists"):
        call_command("seed_demo", stdout=StringIO())
    assert counts() == before


# --- 社情民意 (lvzhi.opinions.demo) ---------------------------------------------------------------------


def test_it_builds_a_year_of_opinion_reports_in_every_state(demo):
    reports = OpinionReport.objects.filter(committee=demo)

    assert 40 <= reports.count() <= 60
    assert set(reports.values_list("status", flat=True)) == set(OpinionReport.Status.values)
    assert set(reports.values_list("year", flat=True)) == {AS_OF.year}
    # Spread over the year, and nothing after the moment the demo stands at.
    submitted = reports.exclude(submitted_at=None).values_list("submitted_at", flat=True)
    assert len({timezone.localtime(when).month for when in submitted}) >= 6
    assert not OpinionStatusChange.objects.filter(report__committee=demo, at__gt=AS_OF).exists()
    assert not reports.filter(status_changed_at__gt=AS_OF).exists()
    # Side exits say why; merged ones name the report they went into.
    for exit_status in ("returned", "not_adopted"):
        moves = OpinionStatusChange.objects.filter(report__committee=demo, to_status=exit_status)
        assert moves.exists() and not moves.filter(reason="").exists(), exit_status
    assert not reports.filter(status="merged", merged_into=None).exists()
    # The editors' version beside the author's, handled by the demo editor and leader.
    assert reports.exclude(edited_body="").exclude(edited_body=models.F("body")).exists()
    assert not reports.exclude(signed_by=None).exclude(signed_by__username="leader").exists()
    moved_by = set(
        OpinionStatusChange.objects.filter(
            report__committee=demo, to_status__in=["registered", "editing", "awaiting_signoff"]
        ).values_list("actor__username", flat=True)
    )
    assert moved_by <= {"editor", "leader"}
    # Members (the demo member among them), officers and units write; some with co-authors.
    assert {"member", "officer", "unit", "inspection"} <= set(reports.values_list("source", flat=True))
    assert reports.filter(authors__member__user__username="member").distinct().count() >= 5
    assert reports.filter(authors__role="co").exists()
    assert not reports.filter(source="unit", unit=None).exists()


def test_opinion_report_numbers_have_no_gaps(demo):
    numbered = OpinionReport.objects.filter(committee=demo).exclude(serial=None)
    serials = sorted(numbered.values_list("serial", flat=True))

    assert serials == list(range(1, len(serials) + 1))
    counter = SerialCounter.objects.get(committee=demo, year=AS_OF.year, series=SerialCounter.Series.REPORT)
    assert counter.last == len(serials)
    # Numbered in the order they were registered.
    first_registration = {}
    for report_id, at in (
        OpinionStatusChange.objects.filter(report__committee=demo, to_status="registered")
        .order_by("at", "pk")
        .values_list("report_id", "at")
    ):
        first_registration.setdefault(report_id, at)
    by_time = sorted(first_registration, key=first_registration.get)
    assert [numbered.get(pk=pk).serial for pk in by_time] == serials


def test_the_two_bulletins_hold_their_reports(demo):
    bulletins = list(Bulletin.objects.filter(committee=demo).order_by("number"))

    assert [(b.year, b.number, b.status) for b in bulletins] == [
        (AS_OF.year, 1, "sent"),
        (AS_OF.year, 2, "sent"),
    ]
    assert bulletins[0].sent_on < bulletins[1].sent_on <= AS_OF.date()
    for bulletin in bulletins:
        reports = bulletin.reports.all()
        assert reports.count() >= 3 and bulletin.recipients
        assert not reports.exclude(status__in=["reported", "archived"]).exists()
        assert not reports.exclude(reported_on=bulletin.sent_on).exists()
        orders = sorted(reports.values_list("bulletin_order", flat=True))
        assert orders == list(range(1, len(orders) + 1))
    # A few signed reports wait for the next bulletin; some were reported without one.
    assert OpinionReport.objects.filter(committee=demo, status="signed", bulletin=None).count() >= 2
    assert OpinionReport.objects.filter(committee=demo, status="reported", bulletin=None).exists()


def test_adoptions_and_instructions_are_in_the_ledger(demo):
    adoptions = Adoption.objects.filter(report__committee=demo).select_related("report")

    assert {"county", "city", "province"} <= set(adoptions.values_list("level", flat=True))
    for adoption in adoptions:
        for author in adoption.report.authors.exclude(member=None):
            assert DutyRecord.objects.filter(
                member=author.member_id,
                kind=f"opinion.adopted.{adoption.level}",
                source_id=adoption.report_id,
            ).exists(), (adoption.report, author.name)
    instructions = Instruction.objects.filter(report__committee=demo)
    assert {"县委书记", "县长"} <= set(instructions.values_list("leader_post", flat=True))
    assert instructions.filter(level="city").exists()
    assert DutyRecord.objects.filter(committee=demo, kind__startswith="opinion.instructed.").exists()
    # The demo member's record shows their reports and what became of them.
    kinds = set(DutyRecord.objects.filter(member__user__username="member").values_list("kind", flat=True))
    assert {"opinion.submitted", "opinion.reported"} <= kinds
    assert any(kind.startswith("opinion.adopted.") for kind in kinds)


def test_the_unit_account_answers_for_its_department(demo):
    unit = User.objects.get(username="unit")

    assert unit.department.name == "县农业农村局"
    visible = Transfer.objects.visible_to(unit)
    assert not visible.exclude(department=unit.department).exists()
    assert visible.filter(report__isnull=False, status="replied", replied_by=unit, on_paper=False).exists()
    # Its start page lists the transfer still waiting for its answer.
    card = home_transfers.transfers_waiting(unit)
    assert card["rows"]
    assert {t.department_id for t in card["rows"]} == {unit.department_id}
    assert card["to_sign"] + card["to_reply"] >= 1
    # Another department's answer came on paper and the editor typed it in.
    assert Transfer.objects.filter(committee=demo, on_paper=True, replied_by__username="editor").exists()


def test_the_leader_has_reports_to_sign(demo):
    leader = User.objects.get(username="leader")
    waiting = OpinionReport.objects.visible_to(leader).filter(status="awaiting_signoff")

    assert waiting.exists()
    assert not any(is_author(leader, report) for report in waiting)


def test_it_appoints_27_information_officers(demo):
    officers = InformationOfficer.objects.filter(committee=demo, year=AS_OF.year)

    assert officers.count() == 27
    assert officers.exclude(member=None).count() > 20
    own = officers.get(user__username="officer")
    assert own.member is None and own.quota == 12
    written = OpinionReport.objects.filter(authors__user__username="officer").exclude(status="draft")
    assert 0 < written.count() < own.quota


def test_the_years_inspection_ends_in_suggestions_and_an_answer(demo):
    report = InspectionReport.objects.get(committee=demo)

    assert report.status == "sent"
    assert report.activity.kind == Activity.Kind.INSPECTION
    assert report.activity.status == Activity.Status.CLOSED
    suggestions = Suggestion.objects.filter(activity=report.activity)
    assert suggestions.count() >= 3
    assert suggestions.filter(member__user__username="member").exists()
    assert suggestions.filter(adopted=True).exists()
    draft = suggestions.exclude(report=None).get().report
    assert draft.source == OpinionReport.Source.INSPECTION
    assert Transfer.objects.filter(
        inspection_report=report, status="replied", replied_by__username="unit"
    ).exists()
    kinds = set(DutyRecord.objects.filter(committee=demo).values_list("kind", flat=True))
    assert {"opinion.suggestion", "opinion.suggestion.adopted"} <= kinds


def test_seeding_the_opinions_again_changes_nothing(demo):
    users = {user.username: user for user in User.objects.filter(committee=demo)}
    before = counts()

    assert seed_opinions(committee=demo, users=users, now=AS_OF, seed=7) is None
    assert counts() == before


def test_the_years_assessment_is_computed_with_the_default_rules(demo):
    year = timezone.localdate(AS_OF).year
    rule_set = RuleSet.objects.get(committee=demo, year=year, status=RuleSet.Status.ACTIVE)
    serving = MemberTerm.objects.filter(
        term__committee=demo, term__is_current=True, status=MemberTerm.Status.SERVING
    ).count()
    scores = MemberScore.objects.filter(rule_set=rule_set)
    assert scores.count() == serving
    grades = Counter(scores.values_list("grade", flat=True))
    # a realistic year: more than one grade, and the demo member has a score
    assert len(grades) >= 2
    assert scores.filter(member__user__username="member").exists()


def test_four_vice_chairs_lead_six_groups_over_the_town_committees(demo):
    year = timezone.localdate(AS_OF).year
    vice_chairs = Membership.objects.filter(
        unit__committee=demo,
        unit__kind=OrgUnit.Kind.CHAIRS_COUNCIL,
        position=Membership.Position.DEPUTY_DIRECTOR,
    )
    assert vice_chairs.count() == 4
    groups = InspectionGroup.objects.filter(committee=demo, year=year)
    assert groups.count() == 6
    assert sorted(Counter(groups.values_list("leader", flat=True)).values()) == [1, 1, 2, 2]
    assert set(groups.values_list("leader", flat=True)) == set(vice_chairs.values_list("member", flat=True))
    towns = UnitAssessment.objects.filter(committee=demo, year=year, unit__kind=OrgUnit.Kind.TOWN_COMMITTEE)
    assert towns.count() == 17
    assert not towns.filter(group=None).exists()
    assert not towns.filter(findings="").exists()
    assert Counter(towns.values_list("tier", flat=True)) == {"first": 5, "second": 9, "third": 3}


def test_the_records_kept_before_lvzhi_are_imported_and_most_members_meet_the_requirements(demo):
    job = DutyImport.objects.get(committee=demo)
    assert job.status == DutyImport.Status.IMPORTED and job.result["errors"] == 0
    assert (
        DutyRecord.objects.filter(source_type__model="dutyimportitem", committee=demo).count()
        == job.result["records"]
    )
    year = timezone.localdate(AS_OF).year
    scores = MemberScore.objects.filter(committee=demo, year=year, rule_set__status=RuleSet.Status.ACTIVE)
    assert scores.exclude(unmet=[]).count() < scores.count() / 2


# --- the public website (lvzhi.portal.demo) ------------------------------------------------------------
# Settings, reply templates, announcements, members' suggestions and public messages in every status,
# built through the services on the demo's clock; nothing personal on the public side; the converted
# message a report in the editors' queue.


def portal_statuses(queryset):
    return Counter(queryset.values_list("status", flat=True))


def test_the_site_is_set_up_with_words_templates_and_a_fictional_telephone(demo):
    site = PortalSettings.objects.get(committee=demo)
    assert site.accepting_messages and site.overdue_days == portal_texts.OVERDUE_DAYS
    assert site.office_phone.startswith("139-0000-")
    assert {"代开发票", "博彩", "贷款广告"} <= set(site.word_list())
    assert ReplyTemplate.objects.filter(committee=demo).count() == 3


def test_eight_announcements_are_published_over_the_months_and_one_is_a_draft(demo):
    announcements = Announcement.objects.filter(committee=demo)
    assert portal_statuses(announcements) == {"published": 8, "draft": 1}
    assert {"notice", "news"} == set(announcements.values_list("kind", flat=True))
    published = announcements.filter(status="published")
    dates = sorted(published.values_list("published_at", flat=True))
    assert dates[-1] <= AS_OF and dates[0] < AS_OF - datetime.timedelta(days=120)
    assert len({timezone.localtime(d).month for d in dates}) >= 4
    assert not announcements.filter(body__contains="{").exists()  # the years are filled in


def test_members_suggestions_are_in_every_status(demo):
    column = MemberSuggestion.objects.filter(committee=demo)
    assert portal_statuses(column) == {
        "published": 7,
        "withdrawn": 1,
        "submitted": 1,
        "returned": 1,
        "draft": 1,
    }
    published = column.filter(status="published")
    assert published.exclude(answer="").count() == 6
    assert not published.exclude(answer="").filter(answered_by_unit="").exists()
    assert published.filter(show_name=False).count() == 1
    assert column.filter(status="returned").exclude(return_reason="").exists()
    # Written by several members, the demo member among them (their draft and their returned one).
    assert column.values("member").distinct().count() >= 8
    demo_member = User.objects.get(committee=demo, username="member").member
    assert set(column.filter(member=demo_member).values_list("status", flat=True)) == {
        "published",
        "returned",
        "draft",
    }
    # Each published one is a duty record of its member; the one taken off the site is not.
    records = DutyRecord.objects.filter(committee=demo, kind="portal.suggestion")
    assert records.count() == 7
    assert set(records.values_list("member", flat=True)) == set(published.values_list("member", flat=True))


def test_the_other_authors_have_member_accounts_that_cannot_sign_in(demo):
    authors = User.objects.filter(member__portal_suggestions__committee=demo).exclude(username="member")
    assert authors.distinct().count() == 8
    for account in authors.distinct():
        assert not account.has_usable_password()
        assert account.member.name == account.display_name
        assert list(account.groups.values_list("name", flat=True)) == [Role.MEMBER.value]


def test_public_messages_are_in_every_status_over_two_months(demo):
    board = PublicMessage.objects.filter(committee=demo)
    counts = portal_statuses(board)
    assert board.count() == 25
    assert counts == {"published": 15, "answered": 3, "hidden": 2, "received": 4, "converted": 1}
    assert not board.filter(submitted_at__gt=AS_OF).exists()
    assert board.filter(submitted_at__lt=AS_OF - datetime.timedelta(days=45)).exists()
    # Answered all along the two months, the last of them lately.
    assert board.filter(status="published", published_at__gt=AS_OF - datetime.timedelta(days=14)).exists()
    assert board.filter(status="published", published_at__lt=AS_OF - datetime.timedelta(days=40)).exists()
    assert not board.filter(submitted_at__lt=AS_OF - datetime.timedelta(days=61)).exists()
    assert not board.filter(status__in=["published", "answered"], reply="").exists()
    assert not PublicMessageStatusChange.objects.filter(message__committee=demo, at__gt=AS_OF).exists()
    assert not board.filter(replied_at__lt=models.F("submitted_at")).exists()


def test_waiting_messages_two_overdue_one_held_and_the_adverts_hidden(demo):
    board = PublicMessage.objects.filter(committee=demo)
    cutoff = AS_OF - datetime.timedelta(days=settings_for(demo).overdue_days)
    open_ = board.filter(status__in=PublicMessage.OPEN)
    assert open_.filter(submitted_at__lt=cutoff).count() == 2
    held = board.filter(status="received").exclude(sensitive_hits="")
    assert held.count() == 1 and "贷款广告" in held.get().sensitive_hits
    hidden = board.filter(status="hidden")
    assert hidden.count() == 2 and not hidden.filter(hidden_reason="").exists()
    assert hidden.exclude(sensitive_hits="").count() == 1  # the advert held first for its word


def test_the_converted_message_waits_as_a_public_report_in_the_editors_queue(demo):
    message = PublicMessage.objects.get(committee=demo, status="converted")
    report = message.report
    assert report is not None
    assert (report.status, report.source) == (OpinionReport.Status.SUBMITTED, OpinionReport.Source.PUBLIC)
    assert report.committee == demo
    # The writer's contact was not copied into the report.
    assert message.phone not in report.body and message.name not in report.body


def test_nothing_personal_is_public(client, demo):
    board = PublicMessage.objects.filter(committee=demo)
    secrets = set()
    for message in board:
        secrets.add(message.phone)
        secrets.add(str(message.client_ip))
    hidden_titles = list(board.filter(status="hidden").values_list("title", flat=True))
    unpublished_titles = list(board.exclude(status="published").values_list("title", flat=True))
    anonymous = MemberSuggestion.objects.get(committee=demo, status="published", show_name=False)
    code = demo.code
    pages = [
        reverse("public:home", args=[code]),
        reverse("public:messages", args=[code]),
        reverse("public:suggestions", args=[code]),
        reverse("public:announcements", args=[code]),
        reverse("public:api_messages", args=[code]),
        reverse("public:api_suggestions", args=[code]),
        reverse("public:suggestion", args=[code, anonymous.pk]),
        *(reverse("public:message", args=[code, m.pk]) for m in board.filter(status="published")),
    ]
    for url in pages:
        response = client.get(url)
        assert response.status_code == 200, url
        text = body(response)
        for secret in secrets:
            assert secret not in text, (url, secret)
        for phone in board.values_list("phone", flat=True):
            assert phone[:3] + "****" + phone[-4:] not in text
        for title in unpublished_titles:
            assert title not in text, (url, title)
    assert anonymous.member.name not in body(
        client.get(reverse("public:suggestion", args=[code, anonymous.pk]))
    )
    for message in board.exclude(status="published"):
        assert client.get(reverse("public:message", args=[code, message.pk])).status_code == 404
    assert hidden_titles  # the adverts exist and were checked above
    feed = json.loads(body(client.get(reverse("public:api_messages", args=[code]))))
    assert "phone" not in json.dumps(feed)


def test_the_office_and_the_member_see_the_demo_on_their_pages(client, demo):
    office = User.objects.get(committee=demo, username="office")
    client.force_login(office)
    for name in (
        "portal:moderation",
        "portal:suggestion_queue",
        "portal:announcements",
        "portal:reply_templates",
    ):
        assert client.get(reverse(name)).status_code == 200, name
    held = body(client.get(reverse("portal:moderation"), {"tab": "held"}))
    assert "小区楼道里贴满了贷款广告" in held
    client.force_login(User.objects.get(committee=demo, username="member"))
    mine = body(client.get(reverse("portal:my_suggestions")))
    assert "关于在县图书馆设立周末亲子阅读区的建议" in mine and "关于优化政务服务中心窗口设置的建议" in mine


def test_seeding_the_site_again_changes_nothing(demo):
    users = {user.username: user for user in User.objects.filter(committee=demo)}
    before = (PublicMessage.objects.count(), MemberSuggestion.objects.count(), Announcement.objects.count())
    assert seed_portal(committee=demo, users=users, now=AS_OF, seed=7) is None
    assert (
        PublicMessage.objects.count(),
        MemberSuggestion.objects.count(),
        Announcement.objects.count(),
    ) == before
