"""Reading activities: invitee rules, scope and permission checks."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Permission
from django.db.models import Exists, OuterRef, Q
from django.http import Http404
from django.utils import timezone

from lvzhi.members.models import Member, MemberTerm
from lvzhi.organization.models import Membership

from .models import Activity, Participation, Speech

if TYPE_CHECKING:
    from django.contrib.auth.models import AnonymousUser
    from django.db.models import QuerySet

    from lvzhi.accounts.models import User

# The keys of Activity.invitee_rules.
RULE_ALL = "all_members"  # true: every serving member of the current term
RULE_STANDING = "standing"  # true: every 常委
RULE_UNITS = "units"  # ids of sectors, town committees and special committees
RULE_MEMBERS = "members"  # ids of named members
RULE_KEYS = (RULE_ALL, RULE_STANDING, RULE_UNITS, RULE_MEMBERS)


def normalize_rules(rules: Mapping[str, Any] | None) -> dict[str, Any]:
    """The invitee rules in their stored form: known keys only, ids as sorted ints."""
    rules = rules or {}
    unknown = set(rules) - set(RULE_KEYS)
    if unknown:
        raise ValueError(f"Unknown invitee rule: {sorted(unknown)}")
    return {
        RULE_ALL: bool(rules.get(RULE_ALL)),
        RULE_STANDING: bool(rules.get(RULE_STANDING)),
        RULE_UNITS: sorted({int(pk) for pk in rules.get(RULE_UNITS) or ()}),
        RULE_MEMBERS: sorted({int(pk) for pk in rules.get(RULE_MEMBERS) or ()}),
    }


def resolve_invitees(activity: Activity) -> QuerySet[Member]:
    """The members the activity's rules invite: serving members of the committee's current term that
    match any rule. One query however many members or rules."""
    rules = normalize_rules(activity.invitee_rules)
    serving = MemberTerm.objects.filter(
        member=OuterRef("pk"),
        term__committee_id=activity.committee_id,
        term__is_current=True,
        status=MemberTerm.Status.SERVING,
    )
    if not rules[RULE_ALL]:
        match = Q(pk__in=[])
        if rules[RULE_STANDING]:
            match |= Q(is_standing=True)
        if rules[RULE_UNITS]:
            units = rules[RULE_UNITS]
            match |= Q(sector_id__in=units) | Q(town_committee_id__in=units)
            match |= Q(
                Exists(
                    MemberTerm.special_committees.through.objects.filter(
                        memberterm_id=OuterRef("pk"), orgunit_id__in=units
                    )
                )
            )
        if rules[RULE_MEMBERS]:
            match |= Q(member_id__in=rules[RULE_MEMBERS])
        serving = serving.filter(match)
    return Member.objects.filter(committee_id=activity.committee_id).filter(Exists(serving))


def new_invitees(activity: Activity) -> QuerySet[Member]:
    """The members the rules invite who are not on the activity's list yet: whom publishing (or `invite`)
    adds and notifies (those with a user account)."""
    already = Participation.objects.filter(activity=activity).values("member_id")
    return resolve_invitees(activity).exclude(pk__in=already)


def to_mark_absent(activity: Activity) -> QuerySet[Participation]:
    """The participations closing the activity marks absent: every one not final yet (no check-in, no
    approved leave). Closing and its confirmation page both read this."""
    return activity.participations.exclude(status__in=Participation.FINAL)


def bulk_checkin_candidates(activity: Activity) -> QuerySet[Participation]:
    """The participations staff may check in by hand, one by one or together: of the activity's
    committee's members, not checked in yet (Participation.is_checked_in)."""
    return activity.participations.filter(
        member__committee_id=activity.committee_id, checked_in_at__isnull=True
    ).exclude(status__in=Participation.ATTENDED)


def can_run(user: User | AnonymousUser, activity: Activity) -> bool:
    """Office staff run every activity of their committee; unit staff those of their units, except the
    committee's own meetings (Activity.COMMITTEE_KINDS), which stay the office's whatever unit they name."""
    if not user.is_authenticated or user.committee_id != activity.committee_id:
        return False
    if not user.has_perm("activities.run_activity"):
        return False
    if user.is_committee_wide:
        return True
    return (
        activity.kind not in Activity.COMMITTEE_KINDS
        and activity.organizing_unit_id is not None
        and activity.organizing_unit_id in user.unit_ids()
    )


def runnable_by(user: User | AnonymousUser, activities: QuerySet[Activity]) -> QuerySet[Activity]:
    """The activities of `activities` that `user` runs: the rule of `can_run`, as a query."""
    if not user.is_authenticated or user.committee_id is None or not user.has_perm("activities.run_activity"):
        return activities.none()
    activities = activities.filter(committee_id=user.committee_id)
    if user.is_committee_wide:
        return activities
    return activities.filter(organizing_unit_id__in=user.unit_ids()).exclude(
        kind__in=Activity.COMMITTEE_KINDS
    )


# The staff list's status filter for `to_close` (not a status of its own).
TO_CLOSE = "to_close"


def to_close(
    user: User | AnonymousUser,
    activities: QuerySet[Activity] | None = None,
    now: datetime.datetime | None = None,
) -> QuerySet[Activity]:
    """What `user` has to close, of `activities` (default: all): those they run (`can_run`) that are in
    progress, or published and past their end (never started by hand). The start page's card counts
    these and links to the staff list filtered by TO_CLOSE, which lists exactly these."""
    now = now or timezone.now()
    activities = Activity.objects.all() if activities is None else activities
    return runnable_by(user, activities).filter(
        Q(status=Activity.Status.IN_PROGRESS) | Q(status=Activity.Status.PUBLISHED, ends_at__lt=now)
    )


def kinds_for(user: User) -> list[Activity.Kind]:
    """The kinds of activity `user` may create or choose when editing (the rule of `can_run`)."""
    if user.is_committee_wide:
        return list(Activity.Kind)
    return [kind for kind in Activity.Kind if kind not in Activity.COMMITTEE_KINDS]


def invitees_beyond_scope(
    user: User, rules: Mapping[str, Any] | None, stored: Mapping[str, Any] | None = None
) -> tuple[list[str], list[int], list[int]]:
    """What `rules` add to the `stored` rules that `user` may not invite, as (committee-wide rule keys,
    unit ids, member ids); all empty when the user may save them.

    Committee-wide staff invite anyone of their committee. Unit staff invite only the units they staff
    and the members they may see (Member.objects.visible_to): no "all members", no "all 常委". What the
    stored rules already hold stays valid, so that the office may widen a unit's activity and unit staff
    editing it keep what the office allowed: only additions are checked."""
    rules, stored = normalize_rules(rules), normalize_rules(stored)
    if user.is_committee_wide:
        return [], [], []
    wide = [key for key in (RULE_ALL, RULE_STANDING) if rules[key] and not stored[key]]
    units = sorted(set(rules[RULE_UNITS]) - set(stored[RULE_UNITS]) - user.unit_ids())
    added = set(rules[RULE_MEMBERS]) - set(stored[RULE_MEMBERS])
    if added:
        added -= set(Member.objects.visible_to(user).filter(pk__in=added).values_list("pk", flat=True))
    return wide, units, sorted(added)


# --- who decides leave (issue 4) -------------------------------------------------------------------
#
# Leave from the committee's own meetings (全体会议, 常委会议, 主席会议) is decided by a chair: users who
# hold activities.approve_plenary_leave (leaders). Leaders may decide any other leave too. Leave from a
# unit's activity is also decided by the unit's current heads (a member with a user account whose
# membership of the organizing unit is director, convener or group leader: being the head is what
# entitles them, not a permission); leave from an office activity by committee-wide users who hold
# activities.approve_leave (office staff). `leave_approvers`, `can_decide_leave` and
# `leave_decidable_activities` state this one rule from three sides and must agree (tests check it).

CHAIRS_DECIDE_KINDS = Activity.COMMITTEE_KINDS
HEAD_POSITIONS = (
    Membership.Position.DIRECTOR,
    Membership.Position.CONVENER,
    Membership.Position.GROUP_LEADER,
)
PLENARY_LEAVE_PERM = "activities.approve_plenary_leave"
LEAVE_PERM = "activities.approve_leave"
COMMITTEE_WIDE_PERM = "accounts.committee_wide"


def _has_perm_q(dotted: str) -> Q:
    """Users who hold `dotted` through a group or directly, or are superusers (as User.has_perm says)."""
    app_label, codename = dotted.split(".")
    perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename)
    User = get_user_model()
    return (
        Q(is_superuser=True)
        | Q(Exists(User.groups.through.objects.filter(user_id=OuterRef("pk"), group__permissions__in=perm)))
        | Q(Exists(User.user_permissions.through.objects.filter(user_id=OuterRef("pk"), permission__in=perm)))
    )


def _current_heads(on: datetime.date | None = None) -> QuerySet[Membership]:
    return Membership.objects.current(on).filter(position__in=HEAD_POSITIONS)


def leave_approvers(activity: Activity) -> QuerySet[User]:
    """The active users of the activity's committee who may decide its members' leave; one query."""
    who = _has_perm_q(PLENARY_LEAVE_PERM)
    if activity.kind not in CHAIRS_DECIDE_KINDS:
        if activity.organizing_unit_id is None:
            who |= _has_perm_q(LEAVE_PERM) & _has_perm_q(COMMITTEE_WIDE_PERM)
        else:
            heads = _current_heads().filter(unit_id=activity.organizing_unit_id, member__user__isnull=False)
            who |= Q(pk__in=heads.values("member__user_id"))
    return (
        get_user_model()
        .objects.filter(committee_id=activity.committee_id, is_active=True)
        .filter(who)
        .order_by("pk")
    )


def can_decide_leave(user: User | AnonymousUser, activity: Activity) -> bool:
    """Whether `user` may approve or refuse leave from `activity` (the rule of `leave_approvers`)."""
    if not user.is_authenticated or not user.is_active or user.committee_id != activity.committee_id:
        return False
    if user.has_perm(PLENARY_LEAVE_PERM):
        return True
    if activity.kind in CHAIRS_DECIDE_KINDS:
        return False
    if activity.organizing_unit_id is None:
        return user.has_perm(LEAVE_PERM) and user.has_perm(COMMITTEE_WIDE_PERM)
    return _current_heads().filter(unit_id=activity.organizing_unit_id, member__user=user).exists()


def leave_decidable_activities(user: User | AnonymousUser) -> QuerySet[Activity]:
    """The activities whose leave `user` may decide (the rule of `leave_approvers`), as a queryset."""
    if not user.is_authenticated or not user.is_active or user.committee_id is None:
        return Activity.objects.none()
    activities = Activity.objects.filter(committee_id=user.committee_id)
    if user.has_perm(PLENARY_LEAVE_PERM):
        return activities
    which = Q(organizing_unit__in=_current_heads().filter(member__user=user).values("unit_id"))
    if user.has_perm(LEAVE_PERM) and user.has_perm(COMMITTEE_WIDE_PERM):
        which |= Q(organizing_unit__isnull=True)
    return activities.filter(which).exclude(kind__in=CHAIRS_DECIDE_KINDS)


def may_decide_some_leave(user: User | AnonymousUser) -> bool:
    """Whether the leave page is for this user: a leader, office staff, or a unit's current head."""
    if not user.is_authenticated or not user.is_active or user.committee_id is None:
        return False
    if user.has_perm(PLENARY_LEAVE_PERM) or (
        user.has_perm(LEAVE_PERM) and user.has_perm(COMMITTEE_WIDE_PERM)
    ):
        return True
    return _current_heads().filter(member__user=user, unit__committee_id=user.committee_id).exists()


def get_activity_for_user(user: User, pk: int | str) -> Activity:
    """The activity if the user may see it, else 404 (an id outside one's scope is as good as absent)."""
    try:
        return Activity.objects.visible_to(user).select_related("organizing_unit").get(pk=pk)
    except (Activity.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def leave_requests_for_user(user: User | AnonymousUser) -> QuerySet[Participation]:
    """The participations whose leave `user` may decide (pending or not), never the user's own."""
    participations = Participation.objects.filter(activity__in=leave_decidable_activities(user))
    return participations.exclude(member__user=user) if user.is_authenticated else participations.none()


def speeches_of_member(member: Member) -> QuerySet[Speech]:
    """A member's speeches, latest activity first, for the member's own pages."""
    return (
        Speech.objects.filter(member=member)
        .exclude(activity__status__in=(Activity.Status.DRAFT, Activity.Status.CANCELLED))
        .select_related("activity")
        .order_by("-activity__starts_at", "kind", "pk")
    )
