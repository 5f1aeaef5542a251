"""The staff pages of rule sets (考核细则), for scoring.manage_rules (the office): the versions of a year,
a new version from a text (the active one's, or the default template), a version as a readable table,
its text or its numbers edited into the next version (a stored version never changes), the preview
(试算) of a version against the scores stored now, activation (which computes the year), the text as a
.yaml download, and computing the year again.

Every fetch is scoped to the user's committee (another committee's version is 404); without the right
it is 403, except that anyone of the committee may read the ACTIVE version's table (members follow it
from their score page)."""

from __future__ import annotations

from pathlib import Path

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Max
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import path, reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from lvzhi.core import audit, xlsx
from lvzhi.ledger import kinds as ledger_kinds

from .. import preview as previews
from .. import rules, services
from ..forms import RuleSetTextForm, RuleSetValuesForm
from ..models import MANAGE_RULES, MemberScore, RuleSet

DEFAULT_RULES = Path(__file__).resolve().parent.parent / "data" / "default_rules.yaml"


def default_rules_text() -> str:
    """The template shipped with lvzhi, which staff copy and adapt."""
    return DEFAULT_RULES.read_text(encoding="utf-8")


def _require_right(user):
    if not user.has_perm(MANAGE_RULES):
        raise PermissionDenied(MANAGE_RULES)


def _visible(user):
    return RuleSet.objects.visible_to(user).select_related("committee", "created_by", "activated_by")


def _pk(value) -> int:
    value = str(value)
    if not value.isdecimal() or len(value) > 18:
        raise Http404
    return int(value)


def get_rule_set_for_manager(user, pk) -> RuleSet:
    """A version of the user's committee for staff with the right: 403 without it, 404 elsewhere."""
    _require_right(user)
    rule_set = _visible(user).filter(pk=_pk(pk)).first()
    if rule_set is None:
        raise Http404
    return rule_set


def _year(value) -> int:
    """A year from a query parameter; anything else is this year."""
    low, high = services.YEAR_RANGE
    value = str(value or "")
    if value.isdecimal() and len(value) == 4 and low <= int(value) <= high:
        return int(value)
    return timezone.localdate().year


def _split_label(rule: rules.Rule) -> list[str]:
    """What a rule says about joint work and counting, in words."""
    notes = []
    labels = {
        "equal": _("Shared equally among the authors"),
        "lead_half": _("First author half, the others share the other half"),
        "share": _("By each author's share"),
    }
    if rule.split in labels:
        notes.append(labels[rule.split])
    if rule.per_role:
        notes.append(
            _("Fixed per role: %(roles)s")
            % {
                "roles": "、".join(
                    f"{ledger_kinds.role_label(role)} {_number(value)}" for role, value in rule.per_role
                )
            }
        )
    if rule.max_authors:
        notes.append(_("At most %(n)s authors count") % {"n": rule.max_authors})
    if rule.max_count:
        notes.append(_("At most %(n)s times a member") % {"n": rule.max_count})
    if rule.exclusive:
        notes.append(
            _("Only the highest of group “%(group)s” counts for one item") % {"group": rule.exclusive}
        )
    return notes


def _number(value):
    if value is None:
        return ""
    return str(int(value)) if value == value.to_integral_value() else format(value.normalize(), "f")


def _kind_label(kind: str) -> str:
    if kind.endswith(".*"):
        prefix = kind[:-2]
        label = ledger_kinds.label(prefix)
        if label == prefix:
            label = ledger_kinds.group_label(ledger_kinds.group_of(prefix))
        return _("%(label)s (all kinds)") % {"label": label}
    return ledger_kinds.label(kind)


def _problems(error: rules.RuleSetError, text: str) -> list[dict]:
    """The errors of a text, each with the line it names quoted from the text."""
    lines = text.splitlines()
    out = []
    for (line, _message), shown in zip(error.problems, error.messages, strict=False):
        out.append(
            {"line": line, "message": shown, "source": lines[line - 1] if 0 < line <= len(lines) else ""}
        )
    return out


# --- the list --------------------------------------------------------------------------------------


@login_required
@never_cache
def rules_list(request):
    """The versions of the committee's rules for ?year= (default: this year)."""
    _require_right(request.user)
    year = _year(request.GET.get("year"))
    versions = list(_visible(request.user).filter(year=year).order_by("-version"))
    years = set(RuleSet.objects.visible_to(request.user).values_list("year", flat=True).distinct())
    years |= {year, timezone.localdate().year}
    active = next((v for v in versions if v.status == RuleSet.Status.ACTIVE), None)
    base = active or (versions[0] if versions else None)
    scores = (
        MemberScore.objects.filter(rule_set=active).aggregate(n=Count("pk"), at=Max("computed_at"))
        if active
        else None
    )
    return render(
        request,
        "scoring/rules/list.html",
        {
            "year": year,
            "years": sorted(years, reverse=True),
            "versions": versions,
            "active": active,
            "base": base,
            "scores": scores,
        },
    )


# --- a new version from a text ---------------------------------------------------------------------


def _save_text(request, form, *, text_field="text"):
    """Save the form's text as the next version; None (and the form carries the problems) on error."""
    text = form.cleaned_data[text_field]
    try:
        return services.save_rule_set(
            actor=request.user, committee=request.user.committee, year=form.chosen_year, text=text
        )
    except rules.RuleSetError as error:
        form.problems = _problems(error, text)
    except services.ScoringError as error:
        form.problems = [{"line": 0, "message": m, "source": ""} for m in error.messages]
    return None


def _saved(request, rule_set):
    messages.success(
        request,
        _("Saved as version %(version)s of %(year)s (a draft: preview it, then activate it).")
        % {"version": rule_set.version, "year": rule_set.year},
    )
    return redirect("scoring:rule_detail", pk=rule_set.pk)


@login_required
@never_cache
def rule_new(request):
    """A new version: the text of ?from=<pk> (a version of the committee) or of the default template."""
    _require_right(request.user)
    source = None
    if request.GET.get("from"):
        source = get_rule_set_for_manager(request.user, request.GET["from"])
    if request.method == "POST":
        form = RuleSetTextForm(request.POST)
        form.problems = []
        if form.is_valid():
            rule_set = _save_text(request, form)
            if rule_set is not None:
                return _saved(request, rule_set)
    else:
        year = _year(request.GET.get("year") or (source.year if source else ""))
        form = RuleSetTextForm(
            initial={"year": year, "text": source.text if source else default_rules_text()}
        )
        form.problems = []
    return render(request, "scoring/rules/form.html", {"form": form, "source": source, "editing": None})


@login_required
@never_cache
def rule_edit(request, pk):
    """The text of a version, saved as the next version of its year (the version itself never changes)."""
    rule_set = get_rule_set_for_manager(request.user, pk)
    if request.method == "POST":
        form = RuleSetTextForm(request.POST, year=rule_set.year)
        form.problems = []
        if form.is_valid():
            if form.cleaned_data["text"] == rule_set.text:
                form.problems = [
                    {"line": 0, "message": _("The text is unchanged: nothing to save."), "source": ""}
                ]
            else:
                saved = _save_text(request, form)
                if saved is not None:
                    return _saved(request, saved)
    else:
        form = RuleSetTextForm(initial={"text": rule_set.text}, year=rule_set.year)
        form.problems = []
    return render(request, "scoring/rules/form.html", {"form": form, "source": rule_set, "editing": rule_set})


# --- one version -----------------------------------------------------------------------------------


def _table(parsed: rules.RuleSet) -> list[dict]:
    return [
        {
            "category": category,
            "rules": [
                {
                    "rule": rule,
                    "kind_label": _kind_label(rule.kind),
                    "points": _number(rule.points),
                    "notes": _split_label(rule),
                }
                for rule in category.rules
            ],
        }
        for category in parsed.categories
    ]


def _entries(entries) -> list[dict]:
    return [{"entry": e, "kinds": [_kind_label(k) for k in e.kinds]} for e in entries]


@login_required
@never_cache
def rule_detail(request, pk):
    """A version as a table. Staff with the right see every version and its actions; anyone else of the
    committee only the active version (403 for the others, 404 for another committee's)."""
    rule_set = _visible(request.user).filter(pk=_pk(pk)).first()
    if rule_set is None:
        raise Http404
    may_manage = request.user.has_perm(MANAGE_RULES)
    if not may_manage and rule_set.status != RuleSet.Status.ACTIVE:
        raise PermissionDenied(MANAGE_RULES)
    parsed, problems = None, []
    try:
        parsed = rule_set.parsed()
    except rules.RuleSetError as error:
        problems = _problems(error, rule_set.text)
    return render(
        request,
        "scoring/rules/detail.html",
        {
            "rule_set": rule_set,
            "parsed": parsed,
            "problems": problems,
            "table": _table(parsed) if parsed else [],
            "grades": [(g, _number(g.min)) for g in parsed.grades] if parsed else [],
            "pass_mark": _number(parsed.pass_mark) if parsed else "",
            "requirements": _entries(parsed.requirements) if parsed else [],
            "flags": _entries(parsed.flags) if parsed else [],
            "may_manage": may_manage,
            "numbered_text": list(enumerate(rule_set.text.splitlines(), 1)),
        },
    )


@login_required
@never_cache
def rule_values(request, pk):
    """The numbers of a version (points, starts, caps, floors, grade minimums, pass mark) as a form;
    saving writes the next version with those numbers changed where they are written in the text."""
    rule_set = get_rule_set_for_manager(request.user, pk)
    try:
        parsed = rule_set.parsed()
    except rules.RuleSetError:
        messages.error(request, _("This version no longer loads: correct its text first."))
        return redirect("scoring:rule_edit", pk=rule_set.pk)
    form = RuleSetValuesForm(request.POST or None, ruleset=parsed, text=rule_set.text)
    problems: list[dict] = []
    if request.method == "POST" and form.is_valid():
        if not form.changes():
            messages.info(request, _("No number was changed: nothing saved."))
        else:
            try:
                text = form.new_text()
                saved = services.save_rule_set(
                    actor=request.user, committee=rule_set.committee, year=rule_set.year, text=text
                )
            except rules.RuleSetError as error:
                problems = [{"line": 0, "message": m, "source": ""} for m in error.messages]
            except services.ScoringError as error:
                problems = [{"line": 0, "message": m, "source": ""} for m in error.messages]
            else:
                return _saved(request, saved)
    return render(
        request,
        "scoring/rules/values.html",
        {
            "rule_set": rule_set,
            "form": form,
            "problems": problems,
            "errors": form.error_list() if form.is_bound else [],
        },
    )


@login_required
@never_cache
def rule_preview(request, pk):
    """试算: the version's year computed in memory, compared with the scores stored now."""
    rule_set = get_rule_set_for_manager(request.user, pk)
    try:
        result = previews.preview(rule_set)
    except rules.RuleSetError as error:
        return render(
            request,
            "scoring/rules/preview.html",
            {"rule_set": rule_set, "result": None, "problems": _problems(error, rule_set.text)},
        )
    chart = result.chart_data(
        before_label=_("Now"), after_label=_("With this version"), no_grade=_("No grade")
    )
    return render(
        request,
        "scoring/rules/preview.html",
        {"rule_set": rule_set, "result": result, "chart": chart, "problems": []},
    )


@login_required
@never_cache
def rule_activate(request, pk):
    """GET: what activating this version would do (the preview's numbers), and the button; POST: make
    it the active version of its year and compute the year with it, in one transaction."""
    rule_set = get_rule_set_for_manager(request.user, pk)
    if request.method != "POST":
        try:
            result = previews.preview(rule_set)
        except rules.RuleSetError as error:
            return render(
                request,
                "scoring/rules/preview.html",
                {"rule_set": rule_set, "result": None, "problems": _problems(error, rule_set.text)},
            )
        return render(request, "scoring/rules/activate.html", {"rule_set": rule_set, "result": result})
    try:
        with transaction.atomic():
            activated = services.activate_rule_set(rule_set, actor=request.user)
            computed = services.compute_year(
                committee=activated.committee, year=activated.year, rule_set=activated, actor=request.user
            )
    except (rules.RuleSetError, services.ScoringError) as error:
        messages.error(request, "；".join(error.messages))
        return redirect("scoring:rule_detail", pk=rule_set.pk)
    messages.success(
        request,
        _(
            "Version %(version)s is now the rules of %(year)s; scores computed for %(members)s members "
            "from %(records)s records."
        )
        % {
            "version": activated.version,
            "year": activated.year,
            "members": computed.members,
            "records": computed.records,
        },
    )
    return redirect(reverse("scoring:rules") + f"?year={activated.year}")


@login_required
def rule_export(request, pk):
    """The stored text as a .yaml file, exactly as saved (comments included), audited as an export."""
    rule_set = get_rule_set_for_manager(request.user, pk)
    filename = f"{rule_set.committee.code}-rules-{rule_set.year}-v{rule_set.version}.yaml"
    audit.record(
        audit.Action.EXPORT,
        actor=request.user,
        request=request,
        committee=rule_set.committee_id,
        obj=rule_set,
        event="scoring.rule_set_exported",
        params={"name": rule_set.name, "year": rule_set.year, "version": rule_set.version, "file": filename},
        detail={"file": filename, "status": rule_set.status},
    )
    return xlsx.attachment_response(
        rule_set.text.encode("utf-8"), filename, "application/yaml; charset=utf-8"
    )


@login_required
@require_POST
def compute(request):
    """Compute the POSTed year again with its active version (e.g. after records were corrected)."""
    _require_right(request.user)
    year = _year(request.POST.get("year"))
    try:
        result = services.compute_year(committee=request.user.committee, year=year, actor=request.user)
    except services.ScoringError as error:
        messages.error(request, "；".join(error.messages))
    else:
        messages.success(
            request,
            _(
                "Scores for %(year)s computed with version %(version)s: %(members)s members, %(records)s records."
            )
            % {
                "year": year,
                "version": result.rule_set.version,
                "members": result.members,
                "records": result.records,
            },
        )
    return redirect(reverse("scoring:rules") + f"?year={year}")


urlpatterns: list = [
    path("rules/", rules_list, name="rules"),
    path("rules/new/", rule_new, name="rule_new"),
    path("rules/compute/", compute, name="compute"),
    path("rules/<int:pk>/", rule_detail, name="rule_detail"),
    path("rules/<int:pk>/edit/", rule_edit, name="rule_edit"),
    path("rules/<int:pk>/values/", rule_values, name="rule_values"),
    path("rules/<int:pk>/preview/", rule_preview, name="rule_preview"),
    path("rules/<int:pk>/activate/", rule_activate, name="rule_activate"),
    path("rules/<int:pk>/export/", rule_export, name="rule_export"),
]
