"""Writes to activities and participations (DESIGN §6.1, §6.5). Every status change goes through a
transition table and leaves a history row and an audit row; closing, reopening and correcting keep the
duty ledger in step. One module per concern, and callers use the package (`services.close_activity`):

- lifecycle: creating, editing and inviting, and the activity's moves (publish, start, close, reopen,
  cancel);
- attendance: the participation's moves (answers, leave decisions, check-in, leaving early,
  corrections) and the duty facts the final attendance implies;
- attachments: the files sent with the notice;
- speeches: the speeches recorded at an activity, each its own ledger source;
- common: the error types and what the others share."""

from .attachments import add_attachment, delete_attachment
from .attendance import (
    ATTENDANCE_MEETINGS,
    ATTENDANCE_STATUS_NAMES,
    RESPONSES,
    add_participant,
    check_in,
    check_in_many,
    correct_attendance,
    decide_leave,
    facts_for,
    mark_left_early,
    respond,
    sync_ledger,
    undo_leave_decision,
)
from .common import ActivityError
from .lifecycle import (
    EDITABLE_FIELDS,
    EDITABLE_STATUSES,
    cancel_activity,
    close_activity,
    create_activity,
    invite,
    publish_activity,
    reopen_activity,
    set_invitee_rules,
    start_activity,
    update_activity,
)
from .speeches import SPEECH_STATUSES, delete_speech, record_speech, speech_facts

__all__ = [
    "ATTENDANCE_MEETINGS",
    "ATTENDANCE_STATUS_NAMES",
    "EDITABLE_FIELDS",
    "EDITABLE_STATUSES",
    "RESPONSES",
    "SPEECH_STATUSES",
    "ActivityError",
    "add_attachment",
    "add_participant",
    "cancel_activity",
    "check_in",
    "check_in_many",
    "close_activity",
    "correct_attendance",
    "create_activity",
    "decide_leave",
    "delete_attachment",
    "delete_speech",
    "facts_for",
    "invite",
    "mark_left_early",
    "publish_activity",
    "record_speech",
    "reopen_activity",
    "respond",
    "set_invitee_rules",
    "speech_facts",
    "start_activity",
    "sync_ledger",
    "undo_leave_decision",
    "update_activity",
]
