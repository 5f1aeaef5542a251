"""What the members app shows on the start page (MembersConfig.home_cards, drawn by lvzhi.home)."""

from django.db.models import Count, Q

from .models import ContactUpdateRequest, Member, MemberTerm, RosterImport


def figures(user):
    """The member files the user may see, and how many of them serve this term (on the standing
    committee among them)."""
    if not user.has_perm("members.view_member"):
        return None
    members = Member.objects.visible_to(user)
    return {
        "member_count": members.count(),
        "serving": MemberTerm.objects.filter(
            member__in=members, term__is_current=True, status=MemberTerm.Status.SERVING
        ).aggregate(total=Count("id"), standing=Count("id", filter=Q(is_standing=True))),
    }


def contact_requests(user):
    """How many contact updates of the committee's members wait for the user's approval."""
    if not user.has_perm("members.approve_contact_update"):
        return None
    pending = ContactUpdateRequest.objects.filter(
        member__committee_id=user.committee_id, status=ContactUpdateRequest.Status.PENDING
    ).count()
    return {"pending": pending}


def roster_imports(user):
    """For staff who import rosters: the committee's imports checked (or being checked) and not applied
    yet, which wait for someone to look at the preview and confirm."""
    if not (user.has_perm("members.add_member") and user.has_perm("members.change_member")):
        return None
    waiting = RosterImport.objects.filter(
        committee_id=user.committee_id,
        status__in=(RosterImport.Status.CHECKING, RosterImport.Status.PREVIEW),
    )
    return {"count": waiting.count()}
