"""The member roster (委员名单) as an Excel sheet with chosen columns, or as a printable Word list in
official-document layout.

Both read the current term of each member (sector, town committee, special committees, 常委, status)
through one prefetch, so the number of queries does not grow with the number of members. They take a
queryset that the caller has already scoped to the user (Member.objects.visible_to) and filtered.
"""

import itertools
from dataclasses import dataclass
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, pgettext, pgettext_lazy
from openpyxl import Workbook

from lvzhi.core import docx_official, masking, xlsx

from .selectors import current_terms_prefetch


@dataclass(frozen=True)
class Column:
    key: str
    label: Any  # a lazy translation
    value: Any  # (member, current term row or None, unmask) -> the cell's value


def _birth_month(member, term, unmask):
    # 出生年月 is written "1975.03" in rosters; as text, so Excel does not turn it into a number.
    date = member.birth_date
    return f"{date.year}.{date.month:02d}" if date else ""


def _special_committees(member, term, unmask):
    if term is None:
        return ""
    return pgettext("list separator", ", ").join(unit.name for unit in term.special_committees.all())


def _status(member, term, unmask):
    return term.get_status_display() if term else _("Not in current term")


#: Every column the roster can have, in the order they are offered and written. The keys are what the
#: export form posts and what the audit log records.
COLUMNS = {
    column.key: column
    for column in [
        Column("name", gettext_lazy("Name"), lambda m, t, u: m.name),
        Column("gender", gettext_lazy("Gender"), lambda m, t, u: m.get_gender_display()),
        Column("ethnicity", gettext_lazy("Ethnicity"), lambda m, t, u: m.ethnicity),
        Column("birth_month", gettext_lazy("Year and month of birth"), _birth_month),
        Column("native_place", gettext_lazy("Native place"), lambda m, t, u: m.native_place),
        Column(
            "id_number",
            gettext_lazy("ID number"),
            lambda m, t, u: m.id_number if u else masking.mask_id_number(m.id_number),
        ),
        Column("party", gettext_lazy("Party"), lambda m, t, u: m.get_party_display()),
        Column("education", gettext_lazy("Education"), lambda m, t, u: m.get_education_display()),
        Column("employer_post", gettext_lazy("Employer and post"), lambda m, t, u: m.employer_post),
        Column(
            "phone",
            gettext_lazy("Mobile phone"),
            lambda m, t, u: m.phone if u else masking.mask_phone(m.phone),
        ),
        Column("email", gettext_lazy("Email"), lambda m, t, u: m.email),
        Column("sector", gettext_lazy("Sector"), lambda m, t, u: t.sector.name if t and t.sector else ""),
        Column(
            "town_committee",
            gettext_lazy("Town committee"),
            lambda m, t, u: t.town_committee.name if t and t.town_committee else "",
        ),
        Column("special_committees", gettext_lazy("Special committees"), _special_committees),
        Column(
            "is_standing",
            gettext_lazy("Standing committee member"),
            lambda m, t, u: pgettext("standing committee member", "Yes") if t and t.is_standing else "",
        ),
        Column("status", gettext_lazy("Status"), _status),
        Column("address", gettext_lazy("Mailing address"), lambda m, t, u: m.address),
        Column("notes", gettext_lazy("Notes"), lambda m, t, u: m.notes),
    ]
}
#: Columns that hold personal data masked unless the user may unmask it.
MASKED_COLUMNS = {"id_number", "phone"}
DEFAULT_COLUMNS = [
    "name",
    "gender",
    "ethnicity",
    "birth_month",
    "party",
    "employer_post",
    "sector",
    "town_committee",
    "is_standing",
]

ORDERS = {
    "stroke": pgettext_lazy("roster order", "By surname strokes"),
    "pinyin": pgettext_lazy("roster order", "By pinyin"),
    "sector": pgettext_lazy("roster order", "By sector, then surname strokes"),
}
_ORDER_BY = {
    "stroke": ("name_stroke_key", "id"),
    "pinyin": ("name_pinyin_key", "id"),
    "sector": ("name_stroke_key", "id"),  # then regrouped by sector in Python (see _sector_key)
}


def current_term(member):
    """The member's row of the current term, from the prefetch (None when not in the current term)."""
    rows = getattr(member, "current_terms", None)
    return rows[0] if rows else None


def _sector_key(member):
    term = current_term(member)
    sector = term.sector if term else None
    if sector is None:
        return (1, 0, "", 0)  # members without a sector come last
    return (0, sector.sort_order, sector.name, sector.pk)


def roster_members(members_qs, *, order="stroke", by_sector=False):
    """The members as a list in roster order, each with `current_terms` prefetched (three queries)."""
    if order not in _ORDER_BY:
        raise ValueError(f"unknown roster order {order!r}")
    # prefetch_related(None) drops a current-term prefetch the caller may have added (the member-list
    # selector does): the same to_attr twice with different querysets is an error.
    members = list(
        members_qs.prefetch_related(None)
        .order_by(*_ORDER_BY[order])
        .prefetch_related(current_terms_prefetch())
    )
    if by_sector or order == "sector":
        members.sort(key=_sector_key)  # stable: keeps the name order inside each sector
    return members


def sector_groups(members):
    """(sector name or None, members) in the order of `members`, which roster_members sorted by sector."""
    for _key, group in itertools.groupby(members, key=_sector_key):
        group = list(group)
        term = current_term(group[0])
        yield (term.sector.name if term and term.sector else None), group


def group_heading(sector_name, count):
    return _("%(sector)s (%(count)d)") % {"sector": sector_name or _("Without a sector"), "count": count}


def export_roster_xlsx(*, members_qs, columns, order="stroke", group_by_sector=False, unmask=False, title=""):
    """The roster as a workbook with one sheet: an optional title row, a header row and one row per
    member; with `group_by_sector`, a heading row before each sector's members. ID numbers and phone
    numbers are masked unless `unmask` (the caller checks the permission and writes the audit row)."""
    unknown = [key for key in columns if key not in COLUMNS]
    if unknown or not columns:
        raise ValueError(f"unknown or no roster columns: {unknown or columns!r}")
    chosen = [COLUMNS[key] for key in columns]
    members = roster_members(members_qs, order=order, by_sector=group_by_sector)

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = _("Members")[:31]
    header_row = xlsx.start_sheet(sheet, [str(c.label) for c in chosen], title=title)
    if group_by_sector:
        for sector_name, group in sector_groups(members):
            xlsx.append_group_row(sheet, group_heading(sector_name, len(group)), len(chosen))
            for member in group:
                _write_member(sheet, member, chosen, unmask)
    else:
        for member in members:
            _write_member(sheet, member, chosen, unmask)
    xlsx.fit_columns(sheet, header_row=header_row)
    return workbook


def _write_member(sheet, member, chosen, unmask):
    term = current_term(member)
    xlsx.append_row(sheet, [column.value(member, term, unmask) for column in chosen])


def export_roster_docx(*, committee, members_qs, title):
    """A printable 委员名单 (GB/T 9704 layout): the title, a note on the order, then each sector as a
    黑体 heading followed by its members' names in 姓氏笔画 order, five to a line, two-character names
    padded (张　三). Only members of `committee` are listed, whatever the queryset holds."""
    members = roster_members(members_qs.filter(committee=committee), order="stroke", by_sector=True)
    document = docx_official.new_document(title=title, author=committee.name)
    docx_official.add_title(document, title)
    docx_official.add_subtitle(document, _("(in order of surname strokes)"))
    docx_official.add_blank_line(document)
    groups = list(sector_groups(members))
    with_headings = any(sector_name is not None for sector_name, _group in groups)
    for sector_name, group in groups:
        if with_headings:
            docx_official.add_heading_line(document, group_heading(sector_name, len(group)))
        docx_official.add_name_lines(document, [member.name for member in group])
    return document
