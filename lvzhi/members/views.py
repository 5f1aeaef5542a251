from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from lvzhi.core import submission
from lvzhi.core.pagination import paginate
from lvzhi.core.workflow import StaleEdit
from lvzhi.organization.models import Term

from . import selectors, services
from .forms import (
    ContactUpdateForm,
    DecisionForm,
    LookupForm,
    MemberForm,
    MemberSearchForm,
    MemberTermForm,
)
from .models import ContactUpdateRequest, Member, MemberTerm
from .permissions import get_contact_request_for_user, get_member_for_user


@login_required
@permission_required("members.view_member", raise_exception=True)
def member_list(request):
    form = MemberSearchForm(request.GET or None, user=request.user)
    filters = form.cleaned_data if form.is_valid() else {}
    # lvzhi.js sends number_typed=1 instead of a number typed into the box (see data-no-personal-numbers).
    number_typed = (
        selectors.looks_like_personal_number(filters.get("q")) or request.GET.get("number_typed") == "1"
    )
    if number_typed and not request.htmx:
        # A number typed into the search (and sent without htmx) leaves the address bar at once; the
        # search would find nobody anyway.
        messages.info(request, _lookup_notice(request.user))
        return redirect("members:list")
    visible = Member.objects.none() if number_typed else Member.objects.visible_to(request.user)
    members = selectors.search_members(visible, **filters)
    page = paginate(request, members, per_page=50)
    template = "members/_list.html" if request.htmx and not request.htmx.boosted else "members/list.html"
    context = {
        "form": form,
        "page": page,
        "lookup_notice": _lookup_notice(request.user) if number_typed else "",
        "can_lookup": request.user.has_perm("members.unmask_personal_data"),
    }
    response = render(request, template, context)
    if number_typed:
        response["HX-Push-Url"] = "false"  # nor does it go into the browser's history
    return response


def _lookup_notice(user):
    if user.has_perm("members.unmask_personal_data"):
        return _(
            "The search does not look for ID or phone numbers. Finding a member by a whole ID or phone "
            "number is a separate action, recorded in the audit log: use “Look up by ID or phone”."
        )
    return _(
        "The search does not look for ID or phone numbers. Finding a member by a whole ID or phone "
        "number is a separate action, for staff who may see full personal data."
    )


@login_required
@never_cache
def member_lookup(request):
    """Find a member by a whole ID or phone number, posted so that the number stays out of every URL
    and log line; only for users who may unmask personal data (checked by the service), every lookup
    audited."""
    form = LookupForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        field, value = form.cleaned_data["number"]
        found = services.lookup_members(actor=request.user, field=field, value=value, request=request)
        context = {"form": LookupForm(), "found": found, "masked": services.MASKED_FIELDS[field](value)}
        # A fresh form: the number is not written back into the page.
        return render(request, "members/lookup.html", context)
    if not request.user.has_perm("members.unmask_personal_data"):
        raise PermissionDenied("members.unmask_personal_data")
    return render(request, "members/lookup.html", {"form": form, "found": None})


def _current_term_row(member):
    return (
        member.terms.filter(term__is_current=True)
        .select_related("term", "sector", "town_committee")
        .prefetch_related("special_committees")
        .first()
    )


@login_required
def member_detail(request, pk):
    member = get_member_for_user(request.user, pk)
    if member.user_id == request.user.pk and not request.user.has_perm("members.view_member"):
        return redirect("members:me")
    return render(
        request,
        "members/detail.html",
        {
            "member": member,
            "terms": member.terms.select_related("term", "sector", "town_committee").prefetch_related(
                "special_committees"
            ),
            "memberships": member.memberships.select_related("unit"),
            "can_edit": request.user.has_perm("members.change_member"),
            "can_unmask": request.user.has_perm("members.unmask_personal_data"),
            "pending_request": member.contact_requests.filter(
                status=ContactUpdateRequest.Status.PENDING
            ).first(),
        },
    )


@login_required
def member_create(request):
    if not request.user.has_perm("members.add_member"):
        raise PermissionDenied("members.add_member")
    committee = request.user.committee
    term = Term.objects.filter(committee=committee, is_current=True).first()
    instance = Member(committee=committee)
    form = MemberForm(request.POST or None, request.FILES or None, instance=instance)
    term_form = MemberTermForm(request.POST or None, committee=committee, prefix="term")
    if request.method == "POST" and form.is_valid() and term_form.is_valid():
        data = {f: form.cleaned_data[f] for f in form.Meta.fields}
        try:
            with transaction.atomic():
                submission.claim(request)
                member = services.create_member(
                    committee=committee,
                    data=data,
                    actor=request.user,
                    term=term,
                    term_values={name: term_form.cleaned_data[name] for name in services.TERM_FIELDS},
                    request=request,
                )
        except submission.DuplicateSubmission:
            submission.tell_already_submitted(request)
            return redirect("members:list")
        messages.success(request, _("Member file for %(name)s created.") % {"name": member.name})
        return redirect(member)
    return render(request, "members/form.html", {"form": form, "term_form": term_form, "term": term})


@login_required
def member_edit(request, pk):
    member = get_member_for_user(request.user, pk, write=True)
    before = services.snapshot(member)
    term = Term.objects.filter(committee_id=member.committee_id, is_current=True).first()
    member_term = MemberTerm.objects.filter(member=member, term=term).first() or MemberTerm(
        member=member, term=term
    )
    # The fields this user's role owns are editable; the others are shown read-only.
    access = services.field_access(request.user)
    form = MemberForm(request.POST or None, request.FILES or None, instance=member, access=access)
    term_form = MemberTermForm(
        request.POST or None,
        instance=member_term,
        committee=member.committee,
        prefix="term",
        access=access,
        unit_ids=request.user.unit_ids(),
    )
    status = 200
    if request.method == "POST" and form.is_valid() and term_form.is_valid():
        try:
            services.update_member(
                member=form.instance,
                before=before,
                expected_version=form.cleaned_data["version"] or 0,
                actor=request.user,
                term=term,
                term_values={name: term_form.cleaned_data[name] for name in services.TERM_FIELDS},
                request=request,
            )
        except StaleEdit as stale:
            form.add_error(None, stale)
        except services.FieldNotEditable as refused:
            form.add_error(None, str(refused))
            status = 403
        else:
            messages.success(request, _("Member file saved."))
            return redirect(member)
    return render(
        request,
        "members/form.html",
        {
            "form": form,
            "term_form": term_form,
            "member": member,
            "term": term,
            "some_read_only": set(access) != set(services.EDITABLE_FIELDS),
        },
        status=status,
    )


@login_required
def member_photo(request, pk):
    """Photos are personal data: served through the same visibility check as the file, never from a
    public media URL."""
    member = get_member_for_user(request.user, pk)
    if not member.photo:
        raise Http404
    content_type = "image/png" if member.photo.name.lower().endswith(".png") else "image/jpeg"
    response = FileResponse(member.photo.open("rb"), content_type=content_type)
    response["Cache-Control"] = "private, no-store"
    return response


@login_required
def member_history(request, pk):
    member = get_member_for_user(request.user, pk)
    if not request.user.has_perm("members.view_member"):
        raise PermissionDenied("members.view_member")
    changes = member.changes.select_related("actor")
    page = paginate(request, changes, per_page=30)
    return render(request, "members/history.html", {"member": member, "page": page})


@login_required
@require_POST
def member_unmask(request, pk, field):
    member = get_member_for_user(request.user, pk)
    try:
        value = services.unmask(member=member, field=field, actor=request.user, request=request)
    except ValidationError as exc:
        raise Http404 from exc
    return render(request, "members/_unmasked.html", {"value": value})


@login_required
def my_file(request):
    member = getattr(request.user, "member", None)
    if member is None:
        raise Http404(_("Your account is not linked to a member file."))
    pending = member.contact_requests.filter(status=ContactUpdateRequest.Status.PENDING).first()
    form = ContactUpdateForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        services.request_contact_update(
            member=member, actor=request.user, request=request, **form.cleaned_data
        )
        messages.success(request, _("Your update was sent to the office. It takes effect once approved."))
        return redirect("members:me")
    return render(
        request,
        "members/me.html",
        {
            "member": member,
            "term_row": _current_term_row(member),
            "memberships": member.memberships.select_related("unit"),
            "form": form,
            "pending": pending,
        },
    )


@login_required
@permission_required("members.approve_contact_update", raise_exception=True)
def contact_request_list(request):
    requests = (
        ContactUpdateRequest.objects.filter(
            member__in=Member.objects.visible_to(request.user), status=ContactUpdateRequest.Status.PENDING
        )
        .select_related("member")
        .order_by("requested_at")
    )
    return render(
        request, "members/contact_requests.html", {"page": paginate(request, requests, per_page=50)}
    )


@login_required
@require_POST
def contact_request_decide(request, pk, decision):
    contact_request = get_contact_request_for_user(request.user, pk)
    form = DecisionForm(request.POST)
    if decision not in {"approve", "reject"} or not form.is_valid():
        raise Http404
    try:
        services.decide_contact_update(
            contact_request=contact_request,
            approve=decision == "approve",
            actor=request.user,
            note=form.cleaned_data["note"],
            request=request,
        )
    except ValidationError as exc:
        messages.error(request, exc.messages[0])
    else:
        messages.success(request, _("Decision saved."))
    return redirect("members:contact_requests")
