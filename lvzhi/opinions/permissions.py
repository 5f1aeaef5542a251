"""Permission-checked fetches of the opinions app (DESIGN §6.6): a view never looks an object up by an id
from the request except through one of these, which answer 404 for anything outside the user's scope
(an id one may not see is as good as absent).

Other helpers append their own `get_<thing>_for_user` functions at the end of this module."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q
from django.http import Http404

from lvzhi.accounts.roles import Role

from .models import OpinionReport

if TYPE_CHECKING:
    from lvzhi.accounts.models import User

PROCESS = "opinions.process_opinionreport"
SIGN = "opinions.sign_opinionreport"
VIEW_ALL = "opinions.view_opinionreport"
WRITE = "opinions.add_opinionreport"
RECORD_PAPER = "opinions.record_paper_report"
# Roles whose holders are "staff of the committee": any of them may be asked to verify a report.
STAFF_ROLES = (Role.OFFICE, Role.UNIT_STAFF, Role.EDITOR, Role.LEADER)


def get_report_for_user(user: User, pk: int | str, *, for_update: bool = False) -> OpinionReport:
    """The report if `user` may see it (OpinionReport.objects.visible_to), else 404. `for_update` locks
    the row (the caller must be in a transaction)."""
    qs = OpinionReport.objects.visible_to(user).select_related(
        "committee", "category", "unit", "verifier", "signed_by", "merged_into", "bulletin", "created_by"
    )
    try:
        if for_update:
            # select_for_update cannot go with DISTINCT (visible_to's): check visibility, then lock by pk.
            visible = qs.filter(pk=pk).values_list("pk", flat=True).first()
            if visible is None:
                raise OpinionReport.DoesNotExist
            return (
                OpinionReport.objects.select_for_update(of=("self",))
                .select_related("committee", "category", "unit", "verifier", "merged_into")
                .get(pk=visible)
            )
        return qs.get(pk=pk)
    except (OpinionReport.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def author_filter(user: User) -> Q:
    """Reports `user` wrote or co-wrote (as a member or as a user), or created."""
    return Q(created_by=user) | Q(authors__user=user) | Q(authors__member__user=user)


def is_author(user: User, report: OpinionReport) -> bool:
    """Whether `user` wrote, co-wrote or created `report`: such a user never handles it as an editor,
    verifier or leader."""
    if not user.is_authenticated:
        return False
    if report.created_by_id == user.pk:
        return True
    return report.authors.filter(Q(user=user) | Q(member__user=user)).exists()


def is_lead_author(user: User, report: OpinionReport) -> bool:
    """The one who may edit, submit and resubmit: the creator or the lead author."""
    if not user.is_authenticated:
        return False
    if report.created_by_id == user.pk:
        return True
    return report.authors.filter(role="lead").filter(Q(user=user) | Q(member__user=user)).exists()


def is_staff_user(user: User) -> bool:
    """A staff account of a committee (office, unit staff, editor, leader): who may verify a report."""
    return bool(
        user.is_authenticated
        and user.is_active
        and user.committee_id is not None
        and user.groups.filter(name__in=[r.value for r in STAFF_ROLES]).exists()
    )


def staff_users(committee_id: int):
    """The active staff accounts of a committee, by name: the verifiers an editor may choose."""
    from django.contrib.auth import get_user_model

    return (
        get_user_model()
        .objects.filter(
            committee_id=committee_id, is_active=True, groups__name__in=[r.value for r in STAFF_ROLES]
        )
        .distinct()
        .order_by("display_name", "username")
    )


# --- bulletins and feedback (helper "bulletins+feedback") ------------------------------------------


def get_bulletin_for_user(user: User, pk: int | str, *, for_update: bool = False):
    """The bulletin if `user` may see it (Bulletin.objects.visible_to: the committee's editors, office
    and leaders), else 404. `for_update` locks the row (the caller must be in a transaction)."""
    from .models import Bulletin

    qs = Bulletin.objects.visible_to(user).select_related("committee", "created_by")
    if for_update:
        qs = qs.select_for_update()
    try:
        return qs.get(pk=pk)
    except (Bulletin.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_transfer_for_user(user: User, pk: int | str, *, for_update: bool = False):
    """A transfer to a department (of a report, or of an inspection report), if `user` may see it
    (Transfer.objects.visible_to: the committee's staff, or an account of that department), else 404."""
    from .models import Transfer

    qs = Transfer.objects.visible_to(user).select_related(
        "committee", "report", "inspection_report", "department", "signed_by", "replied_by"
    )
    if for_update:
        qs = qs.select_for_update(of=("self",))
    try:
        return qs.get(pk=pk)
    except (Transfer.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


def get_officer_for_user(user: User, pk: int | str, *, manage: bool = False):
    """An information officer's appointment if `user` may see it (InformationOfficer.objects.visible_to:
    staff who manage officers or see all reports, and the officer themself), else 404. `manage`: only for
    those who appoint officers (opinions.manage_officers); anyone else gets 404 too."""
    from .models import InformationOfficer

    qs = InformationOfficer.objects.visible_to(user).select_related("member", "user", "committee")
    if manage and not user.has_perm("opinions.manage_officers"):
        raise Http404
    try:
        return qs.get(pk=pk)
    except (InformationOfficer.DoesNotExist, ValueError, TypeError):
        raise Http404 from None


_SIDE_EXIT_FROM = (
    OpinionReport.Status.SUBMITTED,
    OpinionReport.Status.REGISTERED,
    OpinionReport.Status.VERIFYING,
    OpinionReport.Status.EDITING,
)


def report_actions(user: User, report: OpinionReport) -> set[str]:
    """The steps `user` may take on `report` now: what its page offers (the services check again)."""
    S = OpinionReport.Status
    status = report.status
    actions: set[str] = set()
    if not user.is_authenticated or user.committee_id != report.committee_id:
        return actions
    author = is_author(user, report)
    if author:
        if is_lead_author(user, report) and status in OpinionReport.AUTHOR_EDITABLE:
            actions |= {"edit", "attachments", "submit" if status == S.DRAFT else "resubmit"}
        return actions
    if user.has_perm(PROCESS):
        by_status = {
            S.SUBMITTED: {"register", "return", "not_adopt", "merge", "attachments"},
            S.REGISTERED: {"assign_verifier", "start_editing", "return", "not_adopt", "merge", "attachments"},
            S.VERIFYING: {
                "assign_verifier",
                "findings",
                "start_editing",
                "return",
                "not_adopt",
                "merge",
                "attachments",
            },
            S.EDITING: {
                "save_edit",
                "send_for_signoff",
                "assign_verifier",
                "return",
                "not_adopt",
                "merge",
                "attachments",
            },
            S.AWAITING_SIGNOFF: {"attachments"},
            S.SIGNED: {"report_directly"},
            S.REPORTED: {"archive"},
        }
        actions |= by_status.get(status, set())
    if user.has_perm(SIGN):
        if status == S.AWAITING_SIGNOFF:
            actions |= {"sign", "send_back", "leader_not_adopt"}
        elif status == S.SIGNED:
            actions.add("send_back")
    if status == S.VERIFYING and report.verifier_id == user.pk:
        actions.add("findings")
    return actions
