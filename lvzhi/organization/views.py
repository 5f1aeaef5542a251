from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from lvzhi.core import submission
from lvzhi.core.pagination import paginate
from lvzhi.members.models import Member, MemberTerm
from lvzhi.members.selectors import current_terms_prefetch

from . import services
from .forms import (
    DepartmentForm,
    LiaisonContactForm,
    LiaisonForm,
    MembershipForm,
    OrgUnitForm,
    SessionForm,
    TermForm,
)
from .models import Department, Liaison, LiaisonContact, Membership, OrgUnit, Term
from .permissions import (
    get_department_for_user,
    get_liaison_contact_for_user,
    get_liaison_for_user,
    get_session_for_user,
    get_term_for_user,
    get_unit_for_user,
)

TREE_ORDER = [
    OrgUnit.Kind.STANDING_COMMITTEE,
    OrgUnit.Kind.CHAIRS_COUNCIL,
    OrgUnit.Kind.OFFICE,
    OrgUnit.Kind.SPECIAL_COMMITTEE,
    OrgUnit.Kind.SECTOR,
    OrgUnit.Kind.TOWN_COMMITTEE,
]


def _member_counts(units):
    """Serving members of the current term per unit, in three grouped queries."""
    base = MemberTerm.objects.filter(term__is_current=True, status=MemberTerm.Status.SERVING)
    counts = {}
    for field in ("sector", "town_committee", "special_committees"):
        for row in base.filter(**{f"{field}__in": units}).values(field).annotate(n=Count("id")):
            counts[row[field]] = row["n"]
    return counts


@login_required
@permission_required("organization.view_orgunit", raise_exception=True)
def org_index(request):
    user = request.user
    units = list(
        OrgUnit.objects.visible_to(user).prefetch_related(
            Prefetch("children", queryset=OrgUnit.objects.order_by("sort_order", "name"))
        )
    )
    unit_ids = {u.pk for u in units}
    counts = _member_counts(units)
    for unit in units:
        unit.member_count = counts.get(unit.pk, 0)
    groups = []
    for kind in TREE_ORDER:
        kind_units = [u for u in units if u.kind == kind and u.parent_id not in unit_ids]
        if kind_units:
            groups.append({"kind": kind, "label": OrgUnit.Kind(kind).label, "units": kind_units})
    terms = Term.objects.visible_to(user).prefetch_related("sessions")
    return render(
        request,
        "organization/index.html",
        {
            "committee": user.committee,
            "groups": groups,
            "terms": terms,
            "can_add_unit": user.has_perm("organization.add_orgunit"),
            "can_add_term": user.has_perm("organization.add_term"),
            "can_add_session": user.has_perm("organization.add_session"),
        },
    )


@login_required
def unit_detail(request, pk):
    unit = get_unit_for_user(request.user, pk)
    field = {
        OrgUnit.Kind.SECTOR: "sector",
        OrgUnit.Kind.TOWN_COMMITTEE: "town_committee",
        OrgUnit.Kind.SPECIAL_COMMITTEE: "special_committees",
    }.get(unit.kind)
    members, former = [], []
    if field and request.user.has_perm("members.view_member"):
        # Counted as the tree counts (_member_counts): serving in the current term. Those of the current
        # term who no longer serve (resigned, removed…) are listed apart, with their status.
        placed = (
            Member.objects.visible_to(request.user)
            .filter(terms__term__is_current=True, **{f"terms__{field}": unit})
            .order_by("name_stroke_key")
            .prefetch_related(current_terms_prefetch())
            .distinct()
        )
        for member in placed:
            member.place = member.current_terms[0] if member.current_terms else None
            serving = member.place is not None and member.place.status == MemberTerm.Status.SERVING
            (members if serving else former).append(member)
    liaisons = (
        Liaison.objects.filter(unit=unit)
        .select_related("department", "target_unit")
        .annotate(contact_count=Count("contacts"))
    )
    return render(
        request,
        "organization/unit_detail.html",
        {
            "unit": unit,
            "children": unit.children.order_by("sort_order", "name"),
            "memberships": Membership.objects.current().filter(unit=unit).select_related("member"),
            "members": members,
            "former_members": former,
            "liaisons": liaisons,
            "liaised_by": Liaison.objects.filter(target_unit=unit).select_related("unit"),
            "recent_contacts": LiaisonContact.objects.filter(liaison__unit=unit).select_related(
                "liaison__department", "liaison__target_unit", "recorded_by"
            )[:10],
            "can_edit": request.user.has_perm("organization.change_orgunit"),
            "can_add_membership": request.user.has_perm("organization.add_membership"),
            "can_add_liaison": request.user.has_perm("organization.add_liaison")
            and unit.kind == OrgUnit.Kind.SPECIAL_COMMITTEE,
        },
    )


def _edit(request, *, form, save, template, success, title):
    """The one create/edit loop for plain organization objects: validate, save through `save(data)` (an
    audited service that checks the user's rights again), redirect; otherwise show the form with its
    errors."""
    if request.method == "POST" and form.is_valid():
        try:
            with transaction.atomic():
                submission.claim(request)
                obj = save(form.cleaned_data)
        except submission.DuplicateSubmission:
            submission.tell_already_submitted(request)
            return redirect("organization:index")
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Saved."))
            return redirect(success(obj))
    return render(request, template, {"form": form, "title": title})


def _require(user, perm):
    if not user.has_perm(perm):
        raise PermissionDenied(perm)


@login_required
def unit_create(request):
    _require(request.user, "organization.add_orgunit")
    committee = request.user.committee
    form = OrgUnitForm(request.POST or None, committee=committee, initial={"kind": request.GET.get("kind")})
    return _edit(
        request,
        form=form,
        template="organization/form.html",
        save=lambda data: services.save_unit(actor=request.user, data=data),
        success=lambda u: reverse("organization:unit_detail", args=[u.pk]),
        title=_("New unit"),
    )


@login_required
def unit_edit(request, pk):
    unit = get_unit_for_user(request.user, pk, write=True)
    form = OrgUnitForm(request.POST or None, instance=unit, committee=unit.committee)
    return _edit(
        request,
        form=form,
        template="organization/form.html",
        save=lambda data: services.save_unit(actor=request.user, data=data, unit=unit),
        success=lambda u: reverse("organization:unit_detail", args=[u.pk]),
        title=unit.name,
    )


@login_required
def term_create(request):
    _require(request.user, "organization.add_term")
    form = TermForm(request.POST or None, committee=request.user.committee)
    return _edit(
        request,
        form=form,
        template="organization/form.html",
        save=lambda data: services.save_term(actor=request.user, data=data),
        success=lambda t: reverse("organization:index"),
        title=_("New term"),
    )


@login_required
def term_edit(request, pk):
    term = get_term_for_user(request.user, pk, write=True)
    form = TermForm(request.POST or None, instance=term, committee=term.committee)
    return _edit(
        request,
        form=form,
        template="organization/form.html",
        save=lambda data: services.save_term(actor=request.user, data=data, term=term),
        success=lambda t: reverse("organization:index"),
        title=term.name,
    )


@login_required
def session_create(request):
    _require(request.user, "organization.add_session")
    form = SessionForm(request.POST or None, committee=request.user.committee)
    return _edit(
        request,
        form=form,
        template="organization/form.html",
        save=lambda data: services.save_session(actor=request.user, data=data),
        success=lambda s: reverse("organization:index"),
        title=_("New session"),
    )


@login_required
def session_edit(request, pk):
    session = get_session_for_user(request.user, pk, write=True)
    form = SessionForm(request.POST or None, instance=session, committee=session.term.committee)
    return _edit(
        request,
        form=form,
        template="organization/form.html",
        save=lambda data: services.save_session(actor=request.user, data=data, session=session),
        success=lambda s: reverse("organization:index"),
        title=str(session),
    )


@login_required
@permission_required("organization.view_department", raise_exception=True)
def department_list(request):
    departments = (
        Department.objects.visible_to(request.user)
        .annotate(liaison_count=Count("liaisons"))
        .prefetch_related(Prefetch("liaisons", queryset=Liaison.objects.select_related("unit")))
    )
    return render(
        request,
        "organization/department_list.html",
        {"departments": departments, "can_add": request.user.has_perm("organization.add_department")},
    )


@login_required
def department_create(request):
    _require(request.user, "organization.add_department")
    form = DepartmentForm(request.POST or None, committee=request.user.committee)
    return _edit(
        request,
        form=form,
        template="organization/form.html",
        save=lambda data: services.save_department(actor=request.user, data=data),
        success=lambda d: reverse("organization:departments"),
        title=_("New department"),
    )


@login_required
def department_edit(request, pk):
    department = get_department_for_user(request.user, pk, write=True)
    form = DepartmentForm(request.POST or None, instance=department, committee=department.committee)
    return _edit(
        request,
        form=form,
        template="organization/form.html",
        save=lambda data: services.save_department(actor=request.user, data=data, department=department),
        success=lambda d: reverse("organization:departments"),
        title=department.name,
    )


@login_required
def liaison_create(request, unit_pk):
    _require(request.user, "organization.add_liaison")
    unit = get_unit_for_user(request.user, unit_pk)
    if unit.kind != OrgUnit.Kind.SPECIAL_COMMITTEE:
        raise PermissionDenied("liaison from a non special committee")
    form = LiaisonForm(request.POST or None, committee=unit.committee, unit=unit)
    return _edit(
        request,
        form=form,
        template="organization/form.html",
        save=lambda data: services.create_liaison(actor=request.user, unit=unit, data=data),
        success=lambda link: reverse("organization:liaison_detail", args=[link.pk]),
        title=_("New counterpart liaison for %(unit)s") % {"unit": unit.name},
    )


@login_required
def liaison_detail(request, pk):
    liaison = get_liaison_for_user(request.user, pk)
    can_log = request.user.has_perm("organization.add_liaisoncontact")
    form = LiaisonContactForm(request.POST or None)
    if request.method == "POST":
        _require(request.user, "organization.add_liaisoncontact")
        if form.is_valid():
            try:
                with transaction.atomic():
                    submission.claim(request)
                    services.record_liaison_contact(
                        actor=request.user, liaison=liaison, data=form.cleaned_data
                    )
            except submission.DuplicateSubmission:
                submission.tell_already_submitted(request)
                return redirect("organization:liaison_detail", pk=liaison.pk)
            messages.success(request, _("Liaison contact recorded."))
            return redirect("organization:liaison_detail", pk=liaison.pk)
    contacts = paginate(request, liaison.contacts.select_related("recorded_by"), per_page=30)
    return render(
        request,
        "organization/liaison_detail.html",
        {"liaison": liaison, "page": contacts, "form": form, "can_log": can_log},
    )


@login_required
def liaison_contact_edit(request, pk):
    """Correct a logged contact: whoever may record contacts, on their own committee's (unit staff: their
    units') liaisons."""
    contact = get_liaison_contact_for_user(request.user, pk)
    form = LiaisonContactForm(request.POST or None, instance=contact)
    if request.method == "POST" and form.is_valid():
        try:
            services.update_liaison_contact(
                actor=request.user, contact=contact, data=form.cleaned_data, request=request
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Liaison contact corrected."))
            return redirect("organization:liaison_detail", pk=contact.liaison_id)
    return render(
        request,
        "organization/liaison_contact_form.html",
        {"form": form, "contact": contact, "liaison": contact.liaison},
    )


@login_required
def liaison_contact_delete(request, pk):
    """Delete a contact logged by mistake: the page asks first (GET), the POST deletes."""
    contact = get_liaison_contact_for_user(request.user, pk)
    if request.method == "POST":
        liaison_id = contact.liaison_id
        services.delete_liaison_contact(actor=request.user, contact=contact, request=request)
        messages.success(request, _("Liaison contact deleted."))
        return redirect("organization:liaison_detail", pk=liaison_id)
    return render(
        request, "organization/liaison_contact_delete.html", {"contact": contact, "liaison": contact.liaison}
    )


@login_required
@permission_required("organization.view_liaison", raise_exception=True)
def liaison_list(request):
    liaisons = (
        Liaison.objects.visible_to(request.user)
        .select_related("unit", "department", "target_unit")
        .annotate(contact_count=Count("contacts"))
        .order_by("unit__sort_order", "unit__name", "department__name", "target_unit__name")
    )
    return render(request, "organization/liaison_list.html", {"liaisons": liaisons})


@login_required
def membership_create(request, unit_pk):
    _require(request.user, "organization.add_membership")
    unit = get_unit_for_user(request.user, unit_pk)
    form = MembershipForm(request.POST or None, committee=unit.committee, user=request.user)
    return _edit(
        request,
        form=form,
        template="organization/form.html",
        save=lambda data: services.add_membership(actor=request.user, unit=unit, data=data),
        success=lambda m: reverse("organization:unit_detail", args=[unit.pk]),
        title=_("Add a post in %(unit)s") % {"unit": unit.name},
    )


@login_required
@require_POST
def membership_delete(request, pk):
    _require(request.user, "organization.delete_membership")
    membership = get_object_or_404(
        Membership.objects.visible_to(request.user).select_related("unit", "member"), pk=pk
    )
    unit_pk = membership.unit_id
    services.delete_membership(membership=membership, actor=request.user)
    messages.success(request, _("Post removed."))
    return redirect("organization:unit_detail", pk=unit_pk)
