"""The assessment of town committees and sectors (工委和界别考核): the year's table of units (indicators,
group, inspection score, suggested and decided tier, a chart of the tiers), the inspection groups, one
unit's page (its inspection and tier), and the 通报 (.docx). Those with scoring.view_scores (the office,
leaders) read; scoring.assess_units (the office) writes, through lvzhi/scoring/units.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required, permission_required
from django.core.exceptions import ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import path, reverse
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from lvzhi.core import audit, docx_official

from .. import units
from ..forms_units import InspectionForm, InspectionGroupForm, TierForm, UnitYearForm
from ..models import ASSESS_UNITS, VIEW_SCORES, InspectionGroup, UnitAssessment
from ..units_documents import build_bulletin, bulletin_filename

READ = VIEW_SCORES
WRITE = ASSESS_UNITS


def _year(request) -> int:
    return UnitYearForm(request.GET).year_or_current()


def _errors(error: ValidationError) -> str:
    return "；".join(error.messages)


def get_assessment_for_user(user, pk) -> UnitAssessment:
    """A unit assessment of the user's committee, else 404."""
    return get_object_or_404(
        UnitAssessment.objects.visible_to(user).select_related(
            "unit", "group", "group__leader", "decided_by"
        ),
        pk=pk,
    )


def get_group_for_user(user, pk) -> InspectionGroup:
    return get_object_or_404(InspectionGroup.objects.visible_to(user).select_related("leader"), pk=pk)


def _chart(overview: units.Overview) -> dict | None:
    """The decided tiers counted per kind, in the shape of charts.js's "opinion-bars" builder."""
    labels = [str(label) for label in UnitAssessment.Tier.labels]
    chart = {}
    for key, title, rows in (
        ("towns", _("Town committees"), overview.town_rows),
        ("sectors", _("Sectors"), overview.sector_rows),
    ):
        counts = overview.tier_counts(rows)
        if any(counts.values()):
            chart[key] = {"key": key, "labels": labels, "series": title, "values": list(counts.values())}
    return chart or None


@login_required
@permission_required(READ, raise_exception=True)
def units_page(request):
    year = _year(request)
    overview = units.overview(request.user.committee, year)
    sections = [
        {"key": "towns", "title": _("Town committees"), "rows": overview.town_rows},
        {"key": "sectors", "title": _("Sectors"), "rows": overview.sector_rows},
    ]
    chart = _chart(overview)
    for section in sections:
        section["counts"] = overview.tier_counts(section["rows"])
        # charts.js draws a section only from its own numbers; a kind with no tier decided has none
        section["charted"] = bool(chart and section["key"] in chart)
    return render(
        request,
        "scoring/units/page.html",
        {
            "year": year,
            "overview": overview,
            "sections": sections,
            "indicator_labels": units.INDICATORS,
            "chart": chart,
            "tiers": UnitAssessment.Tier,
            "may_assess": request.user.has_perm(WRITE),
        },
    )


@login_required
@permission_required(WRITE, raise_exception=True)
@require_POST
def unit_refresh(request):
    year = UnitYearForm(request.POST).year_or_current()
    try:
        refreshed = units.refresh_units(committee=request.user.committee, year=year, actor=request.user)
    except ValidationError as error:
        messages.error(request, _errors(error))
    else:
        messages.success(
            request, _("Indicators of %(n)s units computed from the ledger.") % {"n": len(refreshed)}
        )
    return redirect(f"{reverse('scoring:units')}?year={year}")


@login_required
@permission_required(READ, raise_exception=True)
def unit_groups(request):
    year = _year(request)
    overview = units.overview(request.user.committee, year)
    return render(
        request,
        "scoring/units/groups.html",
        {"year": year, "overview": overview, "may_assess": request.user.has_perm(WRITE)},
    )


def _group_form_page(request, *, group: InspectionGroup | None, year: int):
    committee = request.user.committee
    form = InspectionGroupForm(request.POST or None, committee=committee, year=year, group=group)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            saved = units.save_group(
                committee=committee,
                year=year,
                name=data["name"],
                leader=data["leader"],
                leader_title=data["leader_title"],
                members=data["members"],
                units=data["units"],
                group=group,
                actor=request.user,
            )
        except ValidationError as error:
            form.add_error(None, _errors(error))
        else:
            messages.success(request, _("Inspection group %(name)s saved.") % {"name": saved.name})
            return redirect(f"{reverse('scoring:unit_groups')}?year={year}")
    return render(
        request,
        "scoring/units/group_form.html",
        {"form": form, "group": group, "year": year},
        status=400 if form.errors else 200,
    )


@login_required
@permission_required(WRITE, raise_exception=True)
@never_cache
def unit_group_new(request):
    year = UnitYearForm(request.GET).year_or_current()
    return _group_form_page(request, group=None, year=year)


@login_required
@permission_required(WRITE, raise_exception=True)
@never_cache
def unit_group_edit(request, pk):
    group = get_group_for_user(request.user, pk)
    return _group_form_page(request, group=group, year=group.year)


@login_required
@permission_required(WRITE, raise_exception=True)
@require_POST
def unit_group_delete(request, pk):
    group = get_group_for_user(request.user, pk)
    year, name = group.year, group.name
    units.delete_group(group=group, actor=request.user)
    messages.success(request, _("Inspection group %(name)s deleted.") % {"name": name})
    return redirect(f"{reverse('scoring:unit_groups')}?year={year}")


def _detail(request, assessment, *, inspection_form=None, tier_form=None, status=200):
    unit_rules = units.unit_rules(assessment.committee_id, assessment.year)
    may_assess = request.user.has_perm(WRITE)
    if may_assess:
        inspection_form = inspection_form or InspectionForm(unit_rules=unit_rules, assessment=assessment)
        tier_form = tier_form or TierForm(
            initial={
                "tier": assessment.tier or units.suggested_tier(assessment, unit_rules),
                "version": assessment.version,
            }
        )
    inspection = [
        (indicator, (assessment.inspection or {}).get(indicator.code, {}))
        for indicator in (unit_rules.indicators if unit_rules else ())
    ]
    return render(
        request,
        "scoring/units/detail.html",
        {
            "assessment": assessment,
            "unit_rules": unit_rules,
            "suggested": units.suggested_tier(assessment, unit_rules),
            "suggested_label": dict(UnitAssessment.Tier.choices).get(
                units.suggested_tier(assessment, unit_rules), ""
            ),
            "indicators": [
                (units.INDICATORS.get(code, entry.get("name", code)), entry.get("value", ""))
                for code, entry in (assessment.indicators or {}).items()
            ],
            "inspection": inspection,
            "inspection_form": inspection_form,
            "tier_form": tier_form,
            "may_assess": may_assess,
        },
        status=status,
    )


@login_required
@permission_required(READ, raise_exception=True)
def unit_detail(request, pk):
    return _detail(request, get_assessment_for_user(request.user, pk))


@login_required
@permission_required(WRITE, raise_exception=True)
@require_POST
def unit_inspect(request, pk):
    assessment = get_assessment_for_user(request.user, pk)
    unit_rules = units.unit_rules(assessment.committee_id, assessment.year)
    form = InspectionForm(request.POST, unit_rules=unit_rules, assessment=assessment)
    if form.is_valid():
        try:
            units.record_inspection(
                assessment=assessment,
                scores=form.scores(),
                notes=form.notes(),
                findings=form.cleaned_data["findings"],
                version=form.cleaned_data["version"],
                actor=request.user,
            )
        except ValidationError as error:
            messages.error(request, _errors(error))
            return _detail(request, assessment, inspection_form=form, status=409 if _stale(error) else 400)
        messages.success(request, _("Inspection of %(unit)s saved.") % {"unit": assessment.unit.name})
        return redirect("scoring:unit_detail", pk=assessment.pk)
    return _detail(request, assessment, inspection_form=form, status=400)


def _stale(error: ValidationError) -> bool:
    return getattr(error, "code", "") == "stale"


@login_required
@permission_required(WRITE, raise_exception=True)
@require_POST
def unit_decide(request, pk):
    assessment = get_assessment_for_user(request.user, pk)
    form = TierForm(request.POST)
    if form.is_valid():
        try:
            decided = units.decide_tier(
                assessment=assessment,
                tier=form.cleaned_data["tier"],
                version=form.cleaned_data["version"],
                actor=request.user,
            )
        except ValidationError as error:
            messages.error(request, _errors(error))
            return _detail(request, assessment, tier_form=form, status=409 if _stale(error) else 400)
        messages.success(
            request,
            _("%(unit)s: %(tier)s decided.")
            % {"unit": assessment.unit.name, "tier": decided.get_tier_display()},
        )
        return redirect("scoring:unit_detail", pk=assessment.pk)
    return _detail(request, assessment, tier_form=form, status=400)


@login_required
@permission_required(READ, raise_exception=True)
def units_bulletin(request):
    year = _year(request)
    committee = request.user.committee
    overview = units.overview(committee, year)
    if not overview.rows:
        raise Http404
    filename = bulletin_filename(committee, year)
    document = build_bulletin(committee, overview)
    audit.record(
        audit.Action.EXPORT,
        actor=request.user,
        request=request,
        committee=committee,
        event="scoring.report_exported",
        params={"year": year, "file": filename},
        detail={"file": filename, "units": len(overview.rows)},
    )
    return docx_official.document_response(document, filename)


urlpatterns = [
    path("units/", units_page, name="units"),
    path("units/refresh/", unit_refresh, name="unit_refresh"),
    path("units/groups/", unit_groups, name="unit_groups"),
    path("units/groups/new/", unit_group_new, name="unit_group_new"),
    path("units/groups/<int:pk>/edit/", unit_group_edit, name="unit_group_edit"),
    path("units/groups/<int:pk>/delete/", unit_group_delete, name="unit_group_delete"),
    path("units/bulletin/", units_bulletin, name="units_bulletin"),
    path("units/<int:pk>/", unit_detail, name="unit_detail"),
    path("units/<int:pk>/inspect/", unit_inspect, name="unit_inspect"),
    path("units/<int:pk>/decide/", unit_decide, name="unit_decide"),
]
