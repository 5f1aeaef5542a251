"""Members' scores: a member's own score and its explanation ("why do I have 72?"), the same page for
staff and leaders, the active rules as members read them, the ranking (internal, and switched off by the
committee's settings), the export of the year's scores, and those settings.

Rights (lvzhi.scoring.permissions): a member sees their own score; scoring.view_scores (office, leaders)
every member of the committee, the ranking and the export; scoring.manage_rules (office) the settings.
"""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Count, Exists, F, OuterRef, Prefetch, Window
from django.db.models.functions import Rank
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache

from lvzhi.core import xlsx
from lvzhi.core.forms import StyledFormMixin
from lvzhi.members.models import MemberTerm
from lvzhi.organization.models import OrgUnit

from .. import explain, rules, selectors, services, services_policy
from ..models import MANAGE_RULES, MemberScore
from ..permissions import (
    get_member_score_for_user,
    may_view_scores,
    own_member,
    require_manage_rules,
    require_view_scores,
)

MIN_YEAR, MAX_YEAR = services.YEAR_RANGE
RANKING_PAGE_SIZE = 50
CSV_CONTENT_TYPE = "text/csv; charset=utf-8"


def _year(request) -> int:
    """?year= (this year when absent or not a year: a stale or mistyped link shows this year)."""
    value = request.GET.get("year", "")
    if value.isdecimal() and MIN_YEAR <= int(value) <= MAX_YEAR:
        return int(value)
    return timezone.localdate().year


def _decimal(value):
    return Decimal(value) if value is not None else None


def _check_year(year: int) -> None:
    if not MIN_YEAR <= year <= MAX_YEAR:
        raise Http404(_("No such year."))


# --- a member's score -----------------------------------------------------------------------------


def _render_score(request, member, year, *, own):
    explanation = explain.explain_member(member, year)
    years = explain.score_years(member)
    if year not in years:
        years = sorted({*years, year}, reverse=True)
    return render(
        request,
        "scoring/scores/member.html",
        {
            "member": member,
            "year": year,
            "years": years,
            "own": own,
            "x": explanation,
            "may_view_scores": may_view_scores(request.user),
        },
    )


@login_required
@never_cache
def mine(request):
    """我的履职得分: the signed-in member's score of ?year= (this year by default) and its explanation."""
    member = own_member(request.user)
    return _render_score(request, member, _year(request), own=True)


@login_required
@never_cache
def member_score(request, member_pk, year):
    """A member's score and its explanation, for the member or a holder of scoring.view_scores."""
    _check_year(year)
    member = get_member_score_for_user(request.user, member_pk)
    return _render_score(request, member, year, own=member.user_id == request.user.pk)


@login_required
def my_rules(request):
    """The active rules of ?year= as a readable table, for every member of the committee (they are what
    each member's score is computed with; each line of an explanation links to its row here)."""
    if request.user.committee_id is None:
        raise Http404
    year = _year(request)
    rule_set = selectors.active_rule_set(request.user.committee_id, year)
    parsed = None
    errors: list[str] = []
    if rule_set is not None:
        try:
            parsed = rule_set.parsed()
        except rules.RuleSetError as error:
            errors = error.messages
    return render(
        request,
        "scoring/scores/rules.html",
        {
            "year": year,
            "rule_set": rule_set,
            "rules": parsed,
            "errors": errors,
            "has_member": getattr(request.user, "member", None) is not None,
        },
    )


# --- ranking --------------------------------------------------------------------------------------


class RankingFilterForm(StyledFormMixin, forms.Form):
    q = forms.CharField(label=gettext_lazy("Name"), required=False, max_length=50)
    sector = forms.ModelChoiceField(
        label=gettext_lazy("Sector"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=gettext_lazy("All sectors"),
    )
    town = forms.ModelChoiceField(
        label=gettext_lazy("Town committee"),
        queryset=OrgUnit.objects.none(),
        required=False,
        empty_label=gettext_lazy("All town committees"),
    )
    grade = forms.ChoiceField(label=gettext_lazy("Grade"), required=False)

    def __init__(self, *args, user, grades, **kwargs):
        super().__init__(*args, **kwargs)
        units = OrgUnit.objects.filter(committee_id=user.committee_id, is_active=True).order_by(
            "sort_order", "name"
        )
        self.fields["sector"].queryset = units.filter(kind=OrgUnit.Kind.SECTOR)
        self.fields["town"].queryset = units.filter(kind=OrgUnit.Kind.TOWN_COMMITTEE)
        self.fields["grade"].choices = [("", _("All grades")), *((g, g) for g in grades)]


def _filtered_scores(rule_set, data):
    qs = MemberScore.objects.filter(rule_set=rule_set)
    q = (data.get("q") or "").strip()
    if q:
        qs = qs.filter(member__name__contains=q)
    term_filter = {}
    if data.get("sector"):
        term_filter["sector"] = data["sector"]
    if data.get("town"):
        term_filter["town_committee"] = data["town"]
    if term_filter:
        terms = MemberTerm.objects.filter(member=OuterRef("member_id"), term__is_current=True, **term_filter)
        qs = qs.filter(Exists(terms))
    return qs


@login_required
@never_cache
def ranking(request):
    """The members ranked by total (internal: staff and leaders), with a category column each in the
    rule set's order. When the committee's settings switch rankings off, the same scores are listed by
    name, without ranks: staff still reach every member's score."""
    require_view_scores(request.user)
    year = _year(request)
    policy = services_policy.policy_for(request.user.committee_id)
    rule_set = selectors.active_rule_set(request.user.committee_id, year)
    context = {
        "year": year,
        "rule_set": rule_set,
        "enabled": policy.rankings_enabled,
        "may_manage": request.user.has_perm(MANAGE_RULES),
    }
    if rule_set is None:
        return render(request, "scoring/scores/ranking.html", context)
    parsed = rule_set.parsed()
    categories = [(c.code, c.name, c.cap) for c in parsed.categories]
    grades = [g.name for g in parsed.grades]
    form = RankingFilterForm(request.GET or None, user=request.user, grades=grades)
    # A choice that is not valid (a unit of another committee, a stale grade) is dropped; the rest apply.
    form.is_valid()
    data = getattr(form, "cleaned_data", {})
    base = _filtered_scores(rule_set, data)
    distribution = dict(
        base.order_by().values_list("grade").annotate(n=Count("id")).values_list("grade", "n")
    )
    scores = base
    if data.get("grade"):
        scores = scores.filter(grade=data["grade"])
    if policy.rankings_enabled:
        scores = scores.annotate(rank=Window(Rank(), order_by=F("total").desc())).order_by(
            "-total", "member__name_pinyin_key", "member_id"
        )
    else:
        scores = scores.order_by("member__name_pinyin_key", "member_id")
    scores = scores.select_related("member").prefetch_related(
        Prefetch(
            "member__terms",
            queryset=MemberTerm.objects.filter(term__is_current=True)
            .order_by("-term__number")
            .select_related("sector", "town_committee"),
            to_attr="current_terms",
        )
    )
    page = Paginator(scores, RANKING_PAGE_SIZE).get_page(request.GET.get("page"))
    rows = []
    for score in page:
        term = score.member.current_terms[0] if score.member.current_terms else None
        rows.append(
            {
                "score": score,
                "term": term,
                "cells": [
                    (name, _decimal(score.categories.get(code, {}).get("score")))
                    for code, name, _cap in categories
                ],
            }
        )
    grade_rows = [(g, distribution.get(g, 0)) for g in grades]
    grade_rows += [(g, n) for g, n in distribution.items() if g not in grades]
    query = request.GET.copy()
    query.pop("page", None)
    context.update(
        {
            "form": form,
            "categories": categories,
            "page": page,
            "rows": rows,
            "grade_rows": grade_rows,
            "chart": {
                "grades": {
                    "key": "grades",
                    "labels": [g or _("No grade") for g, _n in grade_rows],
                    "values": [n for _g, n in grade_rows],
                    "series": _("Number of members"),
                }
            },
            "query": query.urlencode(),
            "filtered": any(data.get(k) for k in ("q", "sector", "town", "grade")),
        }
    )
    return render(request, "scoring/scores/ranking.html", context)


@login_required
def scores_export(request):
    """The year's scores (?year=, ?format=xlsx|csv) as a file: one row per member, ID numbers masked;
    the service writes the audit row."""
    require_view_scores(request.user)
    year = _year(request)
    fmt = request.GET.get("format", "xlsx")
    if fmt not in services.EXPORT_FORMATS:
        raise Http404(_("Format: csv or xlsx."))
    filename = f"{year}年度委员履职考核得分.{fmt}"
    content = services.export_scores(
        committees=[request.user.committee], year=year, fmt=fmt, filename=filename, actor=request.user
    )
    content_type = CSV_CONTENT_TYPE if fmt == "csv" else xlsx.XLSX_CONTENT_TYPE
    return xlsx.attachment_response(content, filename, content_type)


# --- settings -------------------------------------------------------------------------------------


class PolicyForm(StyledFormMixin, forms.Form):
    rankings_enabled = forms.BooleanField(
        label=gettext_lazy("Show rankings to staff and leaders"),
        required=False,
        help_text=gettext_lazy(
            "Members never see rankings. When off, staff and leaders see the scores listed by name, without ranks."
        ),
    )


@login_required
@never_cache
def policy(request):
    """The committee's assessment settings; a POST saves them (audited)."""
    require_manage_rules(request.user)
    current = services_policy.policy_for(request.user.committee_id)
    if request.method == "POST":
        form = PolicyForm(request.POST)
        if form.is_valid():
            services_policy.set_policy(
                actor=request.user, rankings_enabled=form.cleaned_data["rankings_enabled"], request=request
            )
            messages.success(request, _("Settings saved."))
            return redirect("scoring:policy")
    else:
        form = PolicyForm(initial={"rankings_enabled": current.rankings_enabled})
    return render(request, "scoring/scores/policy.html", {"form": form, "policy": current})


urlpatterns = [
    path("mine/", mine, name="mine"),
    path("mine/rules/", my_rules, name="my_rules"),
    path("members/<int:member_pk>/<int:year>/", member_score, name="member_score"),
    path("ranking/", ranking, name="ranking"),
    path("ranking/export/", scores_export, name="scores_export"),
    path("settings/", policy, name="policy"),
]
