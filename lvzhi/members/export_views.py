from django import forms
from django.contrib.auth.decorators import login_required, permission_required
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from lvzhi.core import audit, docx_official, xlsx
from lvzhi.organization.models import Term

from . import selectors
from .forms import MemberSearchForm
from .models import Member, MemberTerm
from .roster_export import (
    COLUMNS,
    DEFAULT_COLUMNS,
    MASKED_COLUMNS,
    ORDERS,
    export_roster_docx,
    export_roster_xlsx,
)

UNMASK_PERMISSION = "members.unmask_personal_data"
FILTER_FIELDS = ("q", "sector", "town_committee", "special_committee", "status", "standing", "party")


class RosterExportForm(MemberSearchForm):
    """What to export (format, title, columns, order) and which members: the member list's filters."""

    format = forms.ChoiceField(
        label=gettext_lazy("Format"),
        choices=[
            ("xlsx", gettext_lazy("Excel workbook (.xlsx)")),
            ("docx", gettext_lazy("Word list for printing (.docx)")),
        ],
        initial="xlsx",
        help_text=gettext_lazy(
            "The Word list is grouped by sector with names in surname-stroke order; "
            "columns, order and grouping apply to Excel."
        ),
    )
    title = forms.CharField(label=gettext_lazy("Title"), max_length=200, required=False)
    columns = forms.MultipleChoiceField(
        label=gettext_lazy("Columns"),
        choices=[(key, column.label) for key, column in COLUMNS.items()],
        initial=DEFAULT_COLUMNS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
    )
    order = forms.ChoiceField(label=gettext_lazy("Order"), choices=list(ORDERS.items()), initial="stroke")
    group_by_sector = forms.BooleanField(label=gettext_lazy("Group by sector"), required=False)
    unmask = forms.BooleanField(
        label=gettext_lazy("Show full ID and phone numbers"),
        help_text=gettext_lazy("The export is recorded in the audit log."),
        required=False,
    )

    field_order = ["format", "title", "columns", "order", "group_by_sector", "unmask", *FILTER_FIELDS]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, user=user, **kwargs)
        if not user.has_perm(UNMASK_PERMISSION):
            del self.fields["unmask"]
        # A roster lists the members now serving unless the user asks for others.
        self.fields["status"].initial = MemberTerm.Status.SERVING
        self.fields["title"].initial = default_title(user.committee)

    def clean(self):
        data = super().clean()
        if data.get("format") == "xlsx" and not data.get("columns"):
            self.add_error("columns", _("Choose at least one column."))
        return data


def default_title(committee):
    term = Term.objects.filter(committee=committee, is_current=True).first()
    if term is None:
        return _("%(committee)s member list") % {"committee": committee.name}
    return _("%(committee)s %(term)s member list") % {"committee": committee.name, "term": term.name}


def export_filename(committee, extension):
    name = _("%(committee)s member list") % {"committee": committee.name}
    return f"{name}-{timezone.localdate():%Y%m%d}.{extension}"


@login_required
@permission_required("members.view_member", raise_exception=True)
def roster_export(request):
    """GET: the export page. POST: the roster as a download, written to the audit log."""
    form = RosterExportForm(request.POST or None, user=request.user)
    if request.method != "POST" or not form.is_valid():
        return render(request, "members/export.html", {"form": form})

    data = form.cleaned_data
    committee = request.user.committee
    filters = {key: data.get(key) for key in FILTER_FIELDS}
    members = selectors.search_members(Member.objects.visible_to(request.user), **filters)
    title = data["title"].strip() or default_title(committee)
    # The box is only on the form for users who hold the permission; check again all the same.
    unmask = bool(data.get("unmask")) and request.user.has_perm(UNMASK_PERMISSION)
    rows = members.count()

    if data["format"] == "docx":
        columns = ["name", "sector"]
        unmask = False  # the Word list has names only
        document = export_roster_docx(committee=committee, members_qs=members, title=title)
        filename = export_filename(committee, "docx")
        response = docx_official.document_response(document, filename)
    else:
        columns = data["columns"]
        # Recorded as an unmask only when a masked column was actually written in full.
        unmask = unmask and bool(MASKED_COLUMNS.intersection(columns))
        workbook = export_roster_xlsx(
            members_qs=members,
            columns=columns,
            order=data["order"],
            group_by_sector=data["group_by_sector"],
            unmask=unmask,
            title=title,
        )
        filename = export_filename(committee, "xlsx")
        response = xlsx.workbook_response(workbook, filename)

    audit.record(
        audit.Action.EXPORT,
        actor=request.user,
        request=request,
        event="members.exported",
        params={"file": filename},
        detail={
            "format": data["format"],
            "rows": rows,
            "columns": columns,
            "unmasked": unmask,
            # The search text is left out: it may be an ID or phone number.
            "filters": {
                key: str(getattr(value, "pk", value))
                for key, value in filters.items()
                if key != "q" and value not in (None, "")
            },
            "order": data["order"],
        },
    )
    return response
