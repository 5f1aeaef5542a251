"""A participation is a workflow like the others (DESIGN §6): every act moves it only along
Participation.TRANSITIONS, and every move leaves a history row with who and why. Each act is tried here
from every status: it moves where the table and the act allow, and refuses everywhere else, changing
nothing."""

import itertools

import pytest
from django.urls import reverse

from lvzhi.activities import services
from lvzhi.activities.models import Activity, Participation, ParticipationStatusChange
from lvzhi.core.models import AuditEvent
from lvzhi.core.testing import body

from .conftest import START

pytestmark = pytest.mark.usefixtures("english")

P = Participation.Status
S = Activity.Status
ALL = list(P)

# Each act's moves, as the model's comment describes them.
ANSWERS = {
    (before, after)
    for before in (*Participation.REPLIES, P.LEAVE_APPROVED)
    for after in (P.CONFIRMED, P.DECLINED, P.LEAVE_REQUESTED)
    if before != after
} - {(P.LEAVE_APPROVED, P.LEAVE_REQUESTED), (P.LEAVE_DENIED, P.DECLINED)}
DECISIONS = {(P.LEAVE_REQUESTED, P.LEAVE_APPROVED), (P.LEAVE_REQUESTED, P.LEAVE_DENIED)}
# Undoing a leave decision (undo_leave_decision); refused → requested is also the member's answer.
UNDOS = {(P.LEAVE_APPROVED, P.LEAVE_REQUESTED), (P.LEAVE_DENIED, P.LEAVE_REQUESTED)}
CHECK_INS = {
    (before, after) for before in ALL if before not in Participation.ATTENDED for after in (P.PRESENT, P.LATE)
}
LEAVING_EARLY = {(P.PRESENT, P.LEFT_EARLY), (P.LATE, P.LEFT_EARLY)}
CLOSING = {(before, P.ABSENT) for before in ALL if before not in Participation.FINAL}
CORRECTIONS = {(before, after) for before, after in itertools.permutations(Participation.FINAL, 2)}


def history(participation):
    return list(
        ParticipationStatusChange.objects.filter(participation=participation).values_list(
            "from_status", "to_status", "actor", "reason"
        )
    )


def status_of(participation):
    return Participation.objects.values_list("status", flat=True).get(pk=participation.pk)


def test_the_table_holds_exactly_the_moves_of_the_acts():
    table = {(before, after) for before, targets in Participation.TRANSITIONS.items() for after in targets}
    assert table == ANSWERS | DECISIONS | UNDOS | CHECK_INS | LEAVING_EARLY | CLOSING | CORRECTIONS
    assert set(Participation.TRANSITIONS) == set(P)


@pytest.fixture
def member(make_member):
    return make_member(login=True)


@pytest.fixture
def make_participation(make_activity, member, invite_member):
    def make(before, activity_status=S.IN_PROGRESS, *, leave_reason="", **activity_kwargs):
        activity = make_activity(status=activity_status, **activity_kwargs)
        return invite_member(activity, member, status=before, leave_reason=leave_reason)

    return make


# --- the member's answer ---------------------------------------------------------------------------

ACTIONS = {"confirm": P.CONFIRMED, "decline": P.DECLINED, "leave": P.LEAVE_REQUESTED}


@pytest.mark.parametrize("before", ALL)
@pytest.mark.parametrize("action", ACTIONS)
def test_an_answer_moves_along_the_table(make_participation, member, before, action):
    participation = make_participation(before, S.PUBLISHED, is_required=False)
    after = ACTIONS[action]
    answer = {"participation": participation, "action": action, "actor": member.user, "reason": "出差"}
    if (before, after) in ANSWERS:
        services.respond(**answer)
        reason = "出差" if after == P.LEAVE_REQUESTED else ""
        assert status_of(participation) == after
        assert history(participation) == [(before, after, member.user.pk, reason)]
    elif before == after:
        # The same answer again (a leave request with a new reason) is no move.
        services.respond(**answer)
        assert status_of(participation) == before and history(participation) == []
    else:
        with pytest.raises(services.ActivityError):
            services.respond(**answer)
        assert status_of(participation) == before and history(participation) == []


def test_approved_leave_is_withdrawn_by_confirming(make_participation, member):
    participation = make_participation(P.LEAVE_APPROVED, S.PUBLISHED)
    services.respond(participation=participation, action="confirm", actor=member.user)
    assert history(participation) == [(P.LEAVE_APPROVED, P.CONFIRMED, member.user.pk, "")]


# --- the leave decision ----------------------------------------------------------------------------


@pytest.mark.parametrize("before", ALL)
@pytest.mark.parametrize("approve", [True, False])
def test_a_leave_decision_moves_only_a_leave_request(make_participation, leader, before, approve):
    participation = make_participation(before, S.PUBLISHED)
    after = P.LEAVE_APPROVED if approve else P.LEAVE_DENIED
    decide = {"participation": participation, "approve": approve, "actor": leader, "note": "请安排好工作"}
    if (before, after) in DECISIONS:
        services.decide_leave(**decide)
        assert status_of(participation) == after
        assert history(participation) == [(before, after, leader.pk, "请安排好工作")]
    else:
        with pytest.raises(services.ActivityError):
            services.decide_leave(**decide)
        assert status_of(participation) == before and history(participation) == []


# --- check-in and leaving early --------------------------------------------------------------------


@pytest.mark.parametrize("before", ALL)
def test_check_in_moves_anyone_not_yet_there(make_participation, member, office, before):
    participation = make_participation(before)
    if (before, P.PRESENT) in CHECK_INS:
        services.check_in(activity=participation.activity, member=member, actor=office, when=START)
        assert status_of(participation) == P.PRESENT
        assert history(participation) == [(before, P.PRESENT, office.pk, "")]
    else:
        with pytest.raises(services.ActivityError):
            services.check_in(activity=participation.activity, member=member, actor=office, when=START)
        assert status_of(participation) == before and history(participation) == []


def test_self_check_in_is_the_members_own_move(make_participation, member):
    participation = make_participation(P.CONFIRMED)
    services.check_in(activity=participation.activity, member=member, actor=member.user, when=START)
    assert history(participation) == [(P.CONFIRMED, P.PRESENT, member.user.pk, "")]


def test_a_reopened_activity_takes_the_check_in_that_was_missed(make_activity, member, invite_member, office):
    activity = make_activity(status=S.IN_PROGRESS)
    participation = invite_member(activity, member, status=P.CONFIRMED)
    services.close_activity(activity=activity, actor=office)
    services.reopen_activity(activity=activity, actor=office, reason="签到漏记")
    services.check_in(activity=activity, member=member, actor=office, when=START)
    assert status_of(participation) == P.PRESENT
    assert history(participation) == [
        (P.CONFIRMED, P.ABSENT, office.pk, ""),
        (P.ABSENT, P.PRESENT, office.pk, ""),
    ]


def test_adding_a_walk_in_moves_the_new_invitation(make_activity, member, office):
    activity = make_activity(status=S.IN_PROGRESS)
    services.add_participant(activity=activity, member=member, actor=office, when=START, reason="临时到会")
    participation = Participation.objects.get(activity=activity, member=member)
    assert history(participation) == [(P.INVITED, P.PRESENT, office.pk, "临时到会")]


@pytest.mark.parametrize("before", ALL)
def test_leaving_early_needs_a_check_in(make_participation, office, before):
    participation = make_participation(before)
    if (before, P.LEFT_EARLY) in LEAVING_EARLY:
        services.mark_left_early(participation=participation, actor=office, reason="身体不适")
        assert status_of(participation) == P.LEFT_EARLY
        assert history(participation) == [(before, P.LEFT_EARLY, office.pk, "身体不适")]
    else:
        with pytest.raises(services.ActivityError) as error:
            services.mark_left_early(participation=participation, actor=office)
        assert error.value.code == "illegal_transition"
        assert status_of(participation) == before and history(participation) == []


# --- closing and correcting ------------------------------------------------------------------------


def test_closing_moves_every_unfinished_participation_to_absent(
    make_activity, make_member, invite_member, office
):
    activity = make_activity(status=S.IN_PROGRESS)
    by_status = {before: invite_member(activity, make_member(), status=before) for before in ALL}
    services.close_activity(activity=activity, actor=office)
    for before, participation in by_status.items():
        if (before, P.ABSENT) in CLOSING:
            assert history(participation) == [(before, P.ABSENT, office.pk, "")]
        else:
            assert history(participation) == []
        assert status_of(participation) in Participation.FINAL


@pytest.mark.parametrize("before,after", list(itertools.product(sorted(Participation.FINAL), ALL)))
def test_a_correction_moves_between_final_statuses(make_participation, office, before, after):
    participation = make_participation(before, S.CLOSED)
    correct = {"participation": participation, "status": after, "actor": office, "reason": "核对签到表"}
    if (before, after) in CORRECTIONS:
        services.correct_attendance(**correct)
        assert status_of(participation) == after
        assert history(participation) == [(before, after, office.pk, "核对签到表")]
    else:
        with pytest.raises(services.ActivityError) as error:
            services.correct_attendance(**correct)
        assert error.value.code == ("unchanged" if before == after else "not_final")
        assert status_of(participation) == before and history(participation) == []


def test_a_correction_to_the_same_status_says_so(make_participation, office):
    participation = make_participation(P.PRESENT, S.CLOSED)
    with pytest.raises(services.ActivityError) as error:
        services.correct_attendance(participation=participation, status=P.PRESENT, actor=office, reason="x")
    assert error.value.messages == [
        f"The attendance of {participation.member.name} is Present already: choose the status it should be."
    ]


# --- what the moves keep ---------------------------------------------------------------------------


def test_the_leave_note_survives_check_in_and_correction(make_participation, member, leader, office):
    participation = make_participation(P.LEAVE_REQUESTED)
    services.decide_leave(participation=participation, approve=True, actor=leader, note="同意，会后补学")
    # Came after all, outside the window, then the record is corrected after closing.
    services.check_in(
        activity=participation.activity,
        member=member,
        actor=office,
        when=START + 5 * (participation.activity.ends_at - START),
        reason="会后补签",
    )
    services.close_activity(activity=participation.activity, actor=office)
    services.correct_attendance(
        participation=participation, status=P.LEAVE_APPROVED, actor=office, reason="实为请假"
    )
    participation.refresh_from_db()
    assert (participation.status, participation.note) == (P.LEAVE_APPROVED, "同意，会后补学")
    assert history(participation) == [
        (P.LEAVE_REQUESTED, P.LEAVE_APPROVED, leader.pk, "同意，会后补学"),
        (P.LEAVE_APPROVED, P.LATE, office.pk, "会后补签"),
        (P.LATE, P.LEAVE_APPROVED, office.pk, "实为请假"),
    ]


def test_every_move_writes_one_audit_row_naming_the_act(make_participation, office):
    participation = make_participation(P.PRESENT, S.CLOSED)
    services.correct_attendance(participation=participation, status=P.ABSENT, actor=office, reason="误签")
    event = AuditEvent.objects.get(object_type="activities.Participation", object_id=str(participation.pk))
    assert event.actor == office
    assert (event.event, event.params) == (
        "activities.attendance_corrected",
        {"object": str(participation), "from": "present", "to": "absent"},
    )
    assert event.detail == {"from": "present", "to": "absent", "reason": "误签"}


def test_the_manage_page_shows_why_staff_changed_the_attendance(client, make_participation, leader, office):
    participation = make_participation(P.LEAVE_REQUESTED, leave_reason="出差")
    services.decide_leave(participation=participation, approve=True, actor=leader, note="同意")
    services.close_activity(activity=participation.activity, actor=office)
    services.correct_attendance(
        participation=participation, status=P.PRESENT, actor=office, reason="实际到会"
    )
    client.force_login(office)
    page = body(client.get(reverse("activities:manage", args=[participation.activity_id])))
    assert "Leave: 出差<br>同意<br>Present: 实际到会</td>" in page
