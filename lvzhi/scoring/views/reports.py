"""The assessment's documents (see lvzhi/scoring/documents.py): a page of downloads for a year, the member's
annual report (the member themself or those who see every score), and for those who see every score the
bulletin, the notices to the members' units and the tables. Every download is audited
(scoring.report_exported). Without an active rule set or scores the downloads explain why instead of
failing."""

from __future__ import annotations

from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import path
from django.utils import timezone
from django.utils.translation import gettext_lazy

from lvzhi.core import audit, docx_official, xlsx
from lvzhi.core.forms import StyledFormMixin
from lvzhi.members.models import Member
from lvzhi.organization.models import OrgUnit

from .. import documents
from ..models import VIEW_SCORES, RuleSet

UNIT_KINDS = (OrgUnit.Kind.SECTOR, OrgUnit.Kind.TOWN_COMMITTEE)
ZIP_CONTENT_TYPE = "application/zip"

REASONS = {
    documents.Unavailable.NO_RULE_SET: gettext_lazy(
        "No rule set is active for %(year)s, so there are no scores to report. The office activates a "
        "rule set on the rule sets page; the scores are then computed."
    ),
    documents.Unavailable.BROKEN_RULE_SET: gettext_lazy(
        "The rule set active for %(year)s no longer loads (for example a kind it names was removed). "
        "The office corrects it on the rule sets page and computes the year again."
    ),
    documents.Unavailable.NO_SCORES: gettext_lazy(
        "No member has a score for %(year)s yet. The office computes the year with the active rule set."
    ),
    "no_member_score": gettext_lazy(
        "%(member)s has no score for %(year)s: they were not serving in the current term when the year "
        "was computed, or the year has not been computed since."
    ),
}


class ReportForm(StyledFormMixin, forms.Form):
    """The GET parameters of the page and the downloads (StyledFormMixin: a unit id beyond any database
    integer is an unknown unit, not an OverflowError)."""

    year = forms.IntegerField(label=gettext_lazy("Year"), min_value=1949, max_value=2100, required=False)
    unit = forms.ModelChoiceField(
        label=gettext_lazy("Members of"), queryset=OrgUnit.objects.none(), required=False
    )
    to = forms.ChoiceField(
        label=gettext_lazy("Addressed to"),
        choices=[
            (documents.ADDRESS_EMPLOYER, gettext_lazy("each member's employer")),
            (documents.ADDRESS_SECTOR, gettext_lazy("each member's sector")),
            (documents.ADDRESS_TOWN, gettext_lazy("each member's town committee")),
        ],
        required=False,
    )
    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=[
            ("docx", gettext_lazy("One Word file, a page per member")),
            ("zip", gettext_lazy("A zip of one Word file per member")),
        ],
        required=False,
    )
    names = forms.ChoiceField(
        label=gettext_lazy("Names below the line"), choices=[("1", "1"), ("0", "0")], required=False
    )

    def __init__(self, data, *, committee):
        super().__init__(data)
        self.committee = committee
        self.fields["unit"].queryset = OrgUnit.objects.filter(
            committee=committee, kind__in=UNIT_KINDS
        ).order_by("kind", "sort_order", "name")

    def year_or_default(self) -> int:
        return self.cleaned_data.get("year") or default_year(self.committee)


def default_year(committee) -> int:
    """The latest year with an active rule set; this year if there is none."""
    years = active_years(committee)
    return years[0] if years else timezone.localdate().year


def active_years(committee) -> list[int]:
    return list(
        RuleSet.objects.filter(committee=committee, status=RuleSet.Status.ACTIVE)
        .order_by("-year")
        .values_list("year", flat=True)
        .distinct()
    )


def _committee(request):
    committee = request.user.committee
    if committee is None:
        raise Http404
    return committee


def _form(request, committee) -> ReportForm:
    form = ReportForm(request.GET, committee=committee)
    if not form.is_valid():
        # A unit of another committee (or not a sector or town committee) is as unknown as none.
        if "unit" in form.errors:
            raise Http404
        raise _BadRequest(form)
    return form


class _BadRequest(Exception):
    def __init__(self, form):
        self.form = form


def _bad_request(request, form):
    errors = [(form.fields[name].label or name, messages) for name, messages in form.errors.items()]
    return render(request, "scoring/reports/unavailable.html", {"errors": errors}, status=400)


def _unavailable(request, reason, **params):
    return render(
        request,
        "scoring/reports/unavailable.html",
        {"message": REASONS[reason] % params, "year": params.get("year")},
    )


def _audit(request, committee, *, year, filename, report, obj=None, **detail):
    audit.record(
        audit.Action.EXPORT,
        actor=request.user,
        request=request,
        committee=committee,
        obj=obj,
        event="scoring.report_exported",
        params={"year": year, "file": filename},
        detail={"report": report, "file": filename, "year": year, **detail},
    )


def _handles_bad_requests(view):
    def wrapped(request, *args, **kwargs):
        try:
            return view(request, *args, **kwargs)
        except _BadRequest as exc:
            return _bad_request(request, exc.form)

    wrapped.__name__ = view.__name__
    wrapped.__doc__ = view.__doc__
    return wrapped


@login_required
@permission_required(VIEW_SCORES, raise_exception=True)
@_handles_bad_requests
def reports(request):
    """The page of the year's documents: what each is, the choices of the notices, the members'
    reports."""
    committee = _committee(request)
    form = _form(request, committee)
    year = form.year_or_default()
    try:
        data = documents.load_year(committee, year)
        numbers = documents.overall(data)
        reason = ""
    except documents.Unavailable as exc:
        data, numbers = None, None
        reason = REASONS[exc.reason] % {"year": year}
    years = sorted({*active_years(committee), year}, reverse=True)
    units = list(form.fields["unit"].queryset)
    return render(
        request,
        "scoring/reports/page.html",
        {
            "year": year,
            "years": years,
            "data": data,
            "numbers": numbers,
            "reason": reason,
            "below": sum(1 for row in data.rows if row.below) if data else 0,
            "sectors": [u for u in units if u.kind == OrgUnit.Kind.SECTOR],
            "towns": [u for u in units if u.kind == OrgUnit.Kind.TOWN_COMMITTEE],
            "addressees": form.fields["to"].choices,
            "formats": form.fields["format"].choices,
        },
    )


def get_member_for_report(user, member_pk) -> Member:
    """The member whose report the user may download: their own file, or any member of their
    committee for those who see every score; 404 otherwise."""
    member = get_object_or_404(Member.objects.select_related("committee"), pk=member_pk)
    if member.committee_id != user.committee_id:
        raise Http404
    if member.user_id == user.pk or user.has_perm(VIEW_SCORES):
        return member
    raise Http404


@login_required
def report_member(request, member_pk, year):
    """The member's 个人年度履职报告 (.docx)."""
    member = get_member_for_report(request.user, member_pk)
    committee = member.committee
    try:
        data = documents.load_year(committee, year, member_id=member.pk)
    except documents.Unavailable as exc:
        return _unavailable(request, exc.reason, year=year)
    if not data.rows:
        return _unavailable(request, "no_member_score", year=year, member=member.name)
    row = data.rows[0]
    document = documents.build_member_report(data, row, documents.record_counts(member, year))
    filename = documents.member_report_filename(data, row)
    response = docx_official.document_response(document, filename)
    _audit(request, committee, year=year, filename=filename, report="member", obj=member)
    return response


@login_required
@permission_required(VIEW_SCORES, raise_exception=True)
@_handles_bad_requests
def report_bulletin(request):
    """The committee's 履职情况通报 (.docx); ?names=0 leaves out the names of the members below the line."""
    committee = _committee(request)
    form = _form(request, committee)
    year = form.year_or_default()
    try:
        data = documents.load_year(committee, year)
    except documents.Unavailable as exc:
        return _unavailable(request, exc.reason, year=year)
    name_below = form.cleaned_data.get("names") != "0"
    document = documents.build_bulletin(data, name_below=name_below)
    filename = documents.bulletin_filename(data)
    response = docx_official.document_response(document, filename)
    _audit(
        request,
        committee,
        year=year,
        filename=filename,
        report="bulletin",
        members=len(data.rows),
        names_below=name_below,
    )
    return response


@login_required
@permission_required(VIEW_SCORES, raise_exception=True)
@_handles_bad_requests
def report_notices(request):
    """The 履职情况告知书 of every member (or of one sector's or town committee's members): one .docx with
    a page per member, or a zip of one .docx per member."""
    committee = _committee(request)
    form = _form(request, committee)
    year = form.year_or_default()
    unit = form.cleaned_data.get("unit")
    to = form.cleaned_data.get("to") or documents.ADDRESS_EMPLOYER
    kind = form.cleaned_data.get("format") or "docx"
    try:
        data = documents.load_year(committee, year, unit=unit)
    except documents.Unavailable as exc:
        return _unavailable(request, exc.reason, year=year)
    document, pages = documents.build_notices(data, to=to)
    if kind == "zip":
        filename = documents.notices_filename(data, "zip")
        response = xlsx.attachment_response(
            documents.notices_zip(data, document, pages), filename, ZIP_CONTENT_TYPE
        )
    else:
        filename = documents.notices_filename(data, "docx")
        response = docx_official.document_response(document, filename)
    _audit(
        request,
        committee,
        year=year,
        filename=filename,
        report="notices",
        unit=unit.pk if unit else None,
        to=to,
        format=kind,
        members=len(data.rows),
    )
    return response


@login_required
@permission_required(VIEW_SCORES, raise_exception=True)
@_handles_bad_requests
def report_tables(request):
    """The year's tables (.xlsx): by sector, by town committee, every member."""
    committee = _committee(request)
    form = _form(request, committee)
    year = form.year_or_default()
    try:
        data = documents.load_year(committee, year)
    except documents.Unavailable as exc:
        return _unavailable(request, exc.reason, year=year)
    filename = documents.tables_filename(data)
    response = xlsx.workbook_response(documents.build_tables(data), filename)
    _audit(request, committee, year=year, filename=filename, report="tables", members=len(data.rows))
    return response


urlpatterns: list = [
    path("reports/", reports, name="reports"),
    path("reports/member/<int:member_pk>/<int:year>/report.docx", report_member, name="report_member"),
    path("reports/bulletin.docx", report_bulletin, name="report_bulletin"),
    path("reports/notices/", report_notices, name="report_notices"),
    path("reports/tables.xlsx", report_tables, name="report_tables"),
]
