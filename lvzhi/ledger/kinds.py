"""The duty-record taxonomy, in one place.

A kind is a dotted code: its first segment is the group the member's record page and the scoring rules
work by (attendance, activity, speech, study, ...). Rule sets refer to these codes, so a code, once used,
is never renamed; a new fact gets a new code.

    attendance.<meeting>.<status>   meeting: plenary, standing, committee (special-committee meetings);
                                    status: present, leave, absent, late, left_early
    activity.<activity kind>        taking part in a duty activity of that kind
    speech.oral, speech.written     a speech at a meeting, given or submitted in writing
    study.notes, study.essay        study notes and essays handed in

Reserved prefixes, registered by their own apps through `register()` when those apps arrive:
    proposal.*       proposals (submitted, accepted, key, excellent, converted; role lead / co / collective)
    opinion.*        社情民意 reports (submitted, adopted at a level, instructed, ...)
    commendation.*   commendations and awards
    portal.*         the public website (a member's suggestion published in the 委员建言 column)
"""

from django.core.exceptions import ValidationError
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

GROUPS = {
    "attendance": _("Attendance"),
    "activity": _("Duty activities"),
    "speech": _("Speeches"),
    "study": _("Study"),
    "proposal": _("Proposals"),
    "opinion": _("Social conditions and public opinion"),
    "commendation": _("Commendations"),
    "portal": _("Public website"),
}
RESERVED_PREFIXES = ("proposal", "opinion", "commendation", "portal")

ATTENDANCE_MEETINGS = {
    "plenary": _("Plenary session"),
    "standing": _("Standing committee meeting"),
    "committee": _("Special committee meeting"),
}
ATTENDANCE_STATUSES = {
    "present": _("present"),
    "leave": _("on leave"),
    "absent": _("absent"),
    "late": _("late"),
    "left_early": _("left early"),
}
ACTIVITY_KINDS = {
    "plenary": _("Plenary session"),
    "standing": _("Standing committee meeting"),
    "chairs": _("Chairs' council meeting"),
    "committee_meeting": _("Special committee meeting"),
    "group": _("Member group activity"),
    "training": _("Study and training"),
    "inspection": _("Inspection"),
    "research": _("Research"),
    "study_tour": _("Study tour"),
    "consultation": _("Consultation"),
    "liaison": _("Counterpart liaison"),
    "other": _("Other activity"),
}

# The member's part in a joint piece of work; other codes are shown as they are.
ROLES = {
    "lead": _("Lead"),
    "co": _("Co-author"),
    # An author of a report merged into this one (社情民意): rule sets decide what such credit is worth.
    "merged": _("Author of a merged report"),
    # A main author of a proposal filed by a sector, special committee or party group.
    "collective": _("Main author of a collective proposal"),
}

_REGISTRY = {}


def register(kind, label):
    """Add a kind to the taxonomy. Later apps call this from their AppConfig.ready() for their own
    prefix; registering a code twice with another label is a programming error."""
    group = kind.split(".", 1)[0]
    if group not in GROUPS or "." not in kind:
        raise ValueError(f"Duty-record kind {kind!r} is not under a known group.")
    if kind in _REGISTRY and _REGISTRY[kind] != label:
        raise ValueError(f"Duty-record kind {kind!r} is already registered.")
    _REGISTRY[kind] = label


for _meeting, _meeting_label in ATTENDANCE_MEETINGS.items():
    for _status, _status_label in ATTENDANCE_STATUSES.items():
        register(
            f"attendance.{_meeting}.{_status}",
            # Translators: a duty-record kind such as "Standing committee meeting: late".
            format_lazy(_("{meeting}: {status}"), meeting=_meeting_label, status=_status_label),
        )
for _activity, _activity_label in ACTIVITY_KINDS.items():
    register(f"activity.{_activity}", _activity_label)
register("speech.oral", _("Speech at a meeting"))
register("speech.written", _("Written speech"))
register("study.notes", _("Study notes"))
register("study.essay", _("Study essay"))


def is_known(kind):
    return kind in _REGISTRY


def label(kind):
    """The kind's label in the reader's language; an unknown code (e.g. of an app since removed) is
    shown as it is rather than hidden."""
    return _REGISTRY.get(kind, kind)


def group_of(kind):
    return kind.split(".", 1)[0]


def group_label(group):
    return GROUPS.get(group, group)


def role_label(role):
    return ROLES.get(role, role)


def all_kinds():
    return list(_REGISTRY)


def validate_kind(value):
    if not is_known(value):
        raise ValidationError(
            _("Unknown duty-record kind: %(kind)s"), code="unknown_kind", params={"kind": value}
        )
