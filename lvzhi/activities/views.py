"""Activity pages: a member's own activities and answers, and QR self check-in (kiosk and scan)."""

import time

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lvzhi.accounts.onboarding_views import PENDING_ACTIVATION_SECONDS
from lvzhi.core import rotating_tokens
from lvzhi.core.forms import show_errors

from . import selectors, services
from .forms import LeaveRequestForm
from .models import Activity, CalendarFeed, Participation

CHECKIN_PURPOSE = "activity-checkin"
# A code still works in the window after its own, so that a scan just as the kiosk changes it counts.
CHECKIN_GRACE_WINDOWS = 1
KIOSK_POLL_SECONDS = 5
# A valid scan by someone not yet signed in is remembered in their session across the sign-in, for the
# scanned code only, until the code itself expires plus this grace (seconds): long enough to type a
# username and password on a phone, short enough that a forwarded link dies soon after the code it
# carries (a grant is as good as being in the hall).
SCAN_GRANT_KEY = "activities.scan_grant"
SCAN_GRANT_GRACE = 2 * 60
# A first sign-in takes longer: activating the account with the letter's code and choosing a password,
# or choosing a new password when an administrator set it (older members type slowly on a phone). When
# the account's password was set after the scan, the grant lasts as long as the activation's password
# step stays open after the scan (one value, the accounts app's). Why this keeps the kiosk's protection:
# the rotating code stops a photo of it being used later, from home; a grant is only ever made for a
# code opened while it was valid (at most a minute after the kiosk showed it), and only in the session
# that opened it, for that code of that activity, once. Whoever opened a photo that fast could as well
# have checked in at once, signed in; the longer grant only spares the member who is really signing in
# for the first time. A plain sign-in keeps the short grace.
FIRST_SIGN_IN_SECONDS = PENDING_ACTIVATION_SECONDS


def _member_or_none(user):
    return getattr(user, "member", None)


def _can_answer(participation, now):
    """Whether the answer buttons make sense; the service has the final word."""
    activity = participation.activity
    return (
        activity.status in Activity.OPEN_STATUSES
        and (activity.registration_deadline is None or now <= activity.registration_deadline)
        and not participation.is_checked_in
        and participation.status in (*Participation.REPLIES, Participation.Status.LEAVE_APPROVED)
    )


# --- member side -----------------------------------------------------------------------------------


@login_required
def my_activities(request):
    member = _member_or_none(request.user)
    now = timezone.now()
    upcoming, past = [], []
    if member is not None:
        participations = (
            Participation.objects.filter(member=member)
            .exclude(activity__status=Activity.Status.DRAFT)
            .select_related("activity")
            .order_by("activity__starts_at", "pk")
        )
        for participation in participations:
            participation.can_answer = _can_answer(participation, now)
            (upcoming if participation.activity.ends_at >= now else past).append(participation)
        past.reverse()
    feed_url = None
    if member is not None:
        # Created by a POST (calendar_reset), so that viewing the page writes nothing.
        feed = CalendarFeed.objects.filter(user=request.user).first()
        if feed is not None:
            feed_url = request.build_absolute_uri(reverse("activities:calendar_feed", args=[feed.token]))
    return render(
        request,
        "activities/mine.html",
        {
            "member": member,
            "upcoming": upcoming,
            "past": past,
            "leave_form": LeaveRequestForm(),
            "feed_url": feed_url,
        },
    )


@login_required
def activity_detail(request, pk):
    activity = selectors.get_activity_for_user(request.user, pk)
    participation = activity.participations.filter(member__user=request.user).first()
    if participation is not None:
        participation.can_answer = _can_answer(participation, timezone.now())
    return render(
        request,
        "activities/detail.html",
        {
            "activity": activity,
            "participation": participation,
            "my_speeches": activity.speeches.filter(member__user=request.user) if participation else (),
            "leave_form": LeaveRequestForm(),
            "can_run": selectors.can_run(request.user, activity),
        },
    )


def _next_url(request, default):
    """The page to go back to: a path on this site only (anything else, even a bare word, which redirect()
    would take for a view name, gives the default)."""
    target = request.POST.get("next", "")
    if target.startswith("/") and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


@login_required
@require_POST
def respond(request, pk, action):
    member = _member_or_none(request.user)
    if member is None:
        raise Http404
    # activity__pk, not activity_id: a lookup through the foreign key column does not guard against an
    # id beyond the column's range (OverflowError on SQLite), one on the primary key does.
    participation = get_object_or_404(
        Participation.objects.exclude(activity__status=Activity.Status.DRAFT), activity__pk=pk, member=member
    )
    reason = ""
    if action == "leave":
        form = LeaveRequestForm(request.POST)
        if not form.is_valid():
            messages.error(request, _("Give a reason for your leave request."))
            return redirect(_next_url(request, reverse("activities:detail", args=[pk])))
        reason = form.cleaned_data["reason"]
    try:
        services.respond(participation=participation, action=action, actor=request.user, reason=reason)
    except services.ActivityError as error:
        show_errors(request, error)
    else:
        messages.success(
            request,
            {
                "confirm": _("You have confirmed your attendance."),
                "decline": _("You have declined the invitation."),
                "leave": _("Your leave request has been sent."),
            }[action],
        )
    return redirect(_next_url(request, reverse("activities:detail", args=[pk])))


# --- QR check-in -----------------------------------------------------------------------------------


def _runnable_activity(user, pk):
    activity = get_object_or_404(Activity, pk=pk, committee_id=user.committee_id)
    if not selectors.can_run(user, activity):
        raise PermissionDenied("activities.run_activity")
    return activity


def _code_context(request, activity):
    token = rotating_tokens.make_token(purpose=CHECKIN_PURPOSE, object_id=activity.pk)
    url = request.build_absolute_uri(reverse("activities:scan", args=[activity.pk, token]))
    return {
        "activity": activity,
        "checkin_url": url,
        "qr": rotating_tokens.qr_svg(url),
        "seconds_left": rotating_tokens.seconds_left(),
        "poll_seconds": KIOSK_POLL_SECONDS,
    }


@login_required
def kiosk(request, pk):
    activity = _runnable_activity(request.user, pk)
    return render(request, "activities/kiosk.html", _code_context(request, activity))


@login_required
def kiosk_code(request, pk):
    activity = _runnable_activity(request.user, pk)
    return render(request, "activities/_kiosk_code.html", _code_context(request, activity))


def _code_valid(token, activity_id):
    return rotating_tokens.verify_token(
        token, purpose=CHECKIN_PURPOSE, object_id=activity_id, grace_windows=CHECKIN_GRACE_WINDOWS
    )


def _code_expires(token):
    """When a (verified) code stops working, as a unix time."""
    return rotating_tokens.expires_at(token, grace_windows=CHECKIN_GRACE_WINDOWS)


def _grant_for(request, activity_id, token):
    """Whether this session scanned this very code (of this activity) lately: see `scan`."""
    grant = request.session.get(SCAN_GRANT_KEY)
    if not isinstance(grant, dict) or grant.get("activity") != activity_id or grant.get("token") != token:
        return False
    now = time.time()
    try:
        if now <= float(grant.get("until", 0)):
            return True
        scanned = float(grant.get("scanned", 0))
    except (TypeError, ValueError):
        return False
    # The first sign-in (activation, or a forced new password) finished after the scan: FIRST_SIGN_IN_SECONDS.
    changed = getattr(request.user, "password_changed_at", None)
    return (
        scanned > 0
        and changed is not None
        and changed.timestamp() >= scanned
        and now <= scanned + FIRST_SIGN_IN_SECONDS
    )


def scan(request, pk, token):
    """The page a member's phone opens from the kiosk's QR code. GET only asks for confirmation, so
    that link previews and prefetching never check anyone in; POST checks in the signed-in member.

    A member who is not signed in scans, then types their password; by then the 30 s code has
    expired. So an anonymous GET with a valid code leaves a grant in the session (this activity and
    this code, until the code expires plus SCAN_GRANT_GRACE, or FIRST_SIGN_IN_SECONDS after the scan
    when the sign-in was the account's first: activation or a forced new password) before sending them
    to sign in; Django's login keeps the data of an anonymous session, and the grant stands in for that
    code, on its own URL only, until it is used or runs out. Another browser opening the same link has
    no grant."""
    if not request.user.is_authenticated:
        if request.method == "GET" and _code_valid(token, pk):
            request.session[SCAN_GRANT_KEY] = {
                "activity": pk,
                "token": token,
                "until": _code_expires(token) + SCAN_GRANT_GRACE,
                "scanned": time.time(),
            }
        return redirect_to_login(request.get_full_path())
    activity = get_object_or_404(Activity, pk=pk, committee_id=request.user.committee_id)
    token_ok = _code_valid(token, activity.pk) or _grant_for(request, activity.pk, token)
    if not token_ok and not Activity.objects.visible_to(request.user).filter(pk=activity.pk).exists():
        # Only a real code shows an activity to someone who could not see it otherwise (someone in the
        # hall who was not invited); a made-up one shows nothing.
        raise Http404
    member = _member_or_none(request.user)
    if request.method == "POST":
        if member is None:
            messages.error(request, _("Only members can check in."))
        elif not token_ok:
            messages.error(request, _("This code has expired: scan the QR code on the big screen again."))
        else:
            try:
                services.check_in(activity=activity, member=member, actor=request.user)
            except services.ActivityError as error:
                show_errors(request, error)
            else:
                request.session.pop(SCAN_GRANT_KEY, None)
                messages.success(request, _("You are checked in. Welcome!"))
                return redirect("activities:detail", pk=activity.pk)
        return redirect("activities:mine")
    return render(
        request,
        "activities/scan.html",
        {"activity": activity, "member": member, "token_ok": token_ok},
    )
