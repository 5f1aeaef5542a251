"""Reading activities: invitee rules, scope and permission checks."""

from django.db.models import Exists, OuterRef, Q
from django.http import Http404

from lvzhi.members.models import Member, MemberTerm

from .models import Activity

# The keys of Activity.invitee_rules.
RULE_ALL = "all_members"  # true: every serving member of the current term
RULE_STANDING = "standing"  # true: every 常委
RULE_UNITS = "units"  # ids of sectors, town committees and special committees
RULE_MEMBERS = "members"  # ids of named members
RULE_KEYS = (RULE_ALL, RULE_STANDING, RULE_UNITS, RULE_MEMBERS)


def normalize_rules(rules):
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


def resolve_invitees(activity):
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


def can_run(user, activity):
    """Office staff run every activity of their committee; unit staff those of their units."""
    if not user.is_authenticated or user.committee_id != activity.committee_id:
        return False
    if not user.has_perm("activities.run_activity"):
        return False
    return user.is_committee_wide or (
        activity.organizing_unit_id is not None and activity.organizing_unit_id in user.unit_ids()
    )


def can_decide_leave(user, activity):
    if not user.is_authenticated or user.committee_id != activity.committee_id:
        return False
    if not user.has_perm("activities.approve_leave"):
        return False
    return user.is_committee_wide or (
        activity.organizing_unit_id is not None and activity.organizing_unit_id in user.unit_ids()
    )


def get_activity_for_user(user, pk):
    """The activity if the user may see it, else 404 (an id outside one's scope is as good as absent)."""
    try:
        return Activity.objects.visible_to(user).select_related("organizing_unit").get(pk=pk)
    except (Activity.DoesNotExist, ValueError, TypeError):
        raise Http404 from None
