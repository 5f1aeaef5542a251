"""Step 3 of the roster import: plan it, writing nothing.

plan_import runs clean.py's RowCleaner over every row of the table, flags the rows that repeat an ID
number (or, without one, a name and birth date), finds the committee's existing files for the rows (by
the ID number's blind index, or by name and birth date for a row without one) and decides each row:
create, update (with its changes, the place in the term included, as the preview lists them), unchanged,
or error (with its issues). The ImportPlan it returns is what the preview summarizes
(import_jobs.summarize) and what apply.py writes. Its queries do not grow with the rows.
"""

from dataclasses import dataclass, field

from django.db.models import Prefetch, Q
from django.utils.translation import gettext as _

from lvzhi.organization.models import OrgUnit

from .. import services
from ..models import Member, MemberTerm
from .clean import MEMBER_FIELDS, TERM_KEYS, Reference, RowCleaner, RowIssue
from .read import FIELD_ALIASES

# Progress is reported every this many rows: rows cleaned here, changed files written in apply.py.
PROGRESS_EVERY = 100
# Digests per query when matching existing files: one query for any file up to this size, and far
# below the bind-parameter limits of SQLite and PostgreSQL.
MATCH_BATCH = 10_000


@dataclass
class PlannedRow:
    row: int
    action: str  # "create" | "update" | "unchanged" | "error"
    name: str
    member_id: int | None = None
    changes: list[dict] = field(default_factory=list)
    issues: list[RowIssue] = field(default_factory=list)
    data: dict = field(default_factory=dict)


ACTIONS = ("create", "update", "unchanged", "error")


@dataclass
class ImportPlan:
    rows: list[PlannedRow]
    file_issues: list[str]
    columns: dict[str, str]
    # Header cells the import does not read, as (column letter, header text): the preview warns of them.
    unknown_columns: list[tuple[str, str]] = field(default_factory=list)
    # Rows left out on purpose (the template's sample row), as the sentences the preview shows.
    skipped: list[str] = field(default_factory=list)

    def counts(self):
        counts = dict.fromkeys(ACTIONS, 0)
        for row in self.rows:
            counts[row.action] += 1
        return counts


# --- planning ------------------------------------------------------------------------------------


def plan_import(*, committee, table, progress=None):
    """Clean, check and match every row; write nothing. Queries: reference data and existing files,
    a fixed number whatever the number of rows (see MATCH_BATCH)."""
    plan = ImportPlan(
        rows=[],
        file_issues=list(table.issues),
        columns=table.columns(),
        unknown_columns=list(table.unknown_columns),
        skipped=list(table.skipped),
    )
    if plan.file_issues:
        return plan
    ref = Reference(committee)
    if ref.current_term is None and "term" not in table.fields:
        plan.file_issues.append(
            _(
                "The committee has no current term. Set the current term under Organization, or give "
                "each row's term in a “%(column)s” column."
            )
            % {"column": FIELD_ALIASES["term"][0]}
        )
        return plan
    cleaner = RowCleaner(table, ref)
    total = len(table.rows)
    rows = []
    for done, (number, values) in enumerate(table.rows, start=1):
        rows.append(cleaner.clean(number, values))
        if progress and done % PROGRESS_EVERY == 0:
            progress(done, total)
    _flag_duplicates(rows, table)
    existing = _existing_members(committee, rows, ref)
    for row in rows:
        plan.rows.append(_decide(row, existing, ref, table, committee))
    if progress:
        progress(total, total)
    return plan


def _flag_duplicates(rows, table):
    by_id, by_person = {}, {}
    for row in rows:
        if row.id_number:
            by_id.setdefault(row.id_number, []).append(row)
        if row.name:
            by_person.setdefault(row.match_key(), []).append(row)
    for group in by_id.values():
        if len(group) > 1:
            for row in group:
                others = "、".join(str(r.number) for r in group if r is not row)
                row.issues.append(
                    RowIssue(
                        row.number,
                        table.header("id_number"),
                        _("The same ID number is also on row %(rows)s.") % {"rows": others},
                    )
                )
    for group in by_person.values():
        if len(group) > 1 and any(not r.id_number for r in group):
            for row in group:
                if row.id_number:
                    continue
                others = "、".join(str(r.number) for r in group if r is not row)
                row.issues.append(
                    RowIssue(
                        row.number,
                        table.header("name"),
                        _(
                            "The same name and birth date are also on row %(rows)s, and this row has no ID "
                            "number to tell the people apart."
                        )
                        % {"rows": others},
                    )
                )


@dataclass
class _Existing:
    by_digest: dict
    by_person: dict


def _existing_members(committee, rows, ref):
    """The committee's files matching the rows: by blind index, or by name for rows without an ID."""
    digests = sorted({r.digest for r in rows if r.digest and not r.issues})
    names = sorted({r.name for r in rows if r.name and not r.id_number and not r.issues})
    terms = MemberTerm.objects.filter(term_id__in=list(ref.terms)).prefetch_related(
        Prefetch("special_committees", queryset=OrgUnit.objects.only("id"))
    )
    members = []
    for start in range(0, max(len(digests), len(names), 1), MATCH_BATCH):
        chunk_digests, chunk_names = digests[start : start + MATCH_BATCH], names[start : start + MATCH_BATCH]
        if not chunk_digests and not chunk_names:
            break
        members += (
            Member.objects.filter(committee=committee)
            .filter(Q(id_number_index__in=chunk_digests) | Q(id_number_index="", name__in=chunk_names))
            .prefetch_related(Prefetch("terms", queryset=terms))
        )
    existing = _Existing(by_digest={}, by_person={})
    for member in members:
        if member.id_number_index:
            existing.by_digest[member.id_number_index] = member
        else:
            existing.by_person.setdefault((member.name, member.birth_date), []).append(member)
    return existing


def _member_changes(member, data):
    """The member-file fields the row changes; for a new file (member None), every field it fills."""
    changes = []
    for name in MEMBER_FIELDS:
        if name not in data:
            continue
        old, new = (getattr(member, name) if member else None), data[name]
        if (old or "") != (new or ""):
            changes.append(
                {
                    "field": name,
                    "label": str(Member._meta.get_field(name).verbose_name),
                    "old": services.display_value(name, old),
                    "new": services.display_value(name, new),
                }
            )
    return changes


def term_values(data, ref):
    """A row's place in its term as TermPlacements takes it: the columns the roster filled, units as
    the committee's OrgUnit objects."""
    values = {}
    for key in TERM_KEYS:
        value = data.get(key)
        if value is None:
            continue
        if key == "special_committees":
            value = [ref.units_by_id[pk] for pk in value]
        elif key != "is_standing":
            value = ref.units_by_id[value]
        values[key] = value
    return values


def find_member_term(member, term_id):
    return next((mt for mt in member.terms.all() if mt.term_id == term_id), None)


def _decide(row, existing, ref, table, committee):
    planned = PlannedRow(row=row.number, action="error", name=row.name, issues=row.issues, data=row.data)
    if row.issues:
        return planned
    if row.digest:
        member = existing.by_digest.get(row.digest)
    else:
        candidates = existing.by_person.get(row.match_key(), [])
        if len(candidates) > 1:
            planned.issues.append(
                RowIssue(
                    row.number,
                    table.header("name"),
                    _(
                        "Several member files have this name and birth date and no ID number; add the ID number."
                    ),
                )
            )
            return planned
        member = candidates[0] if candidates else None
    if member is None:
        if "gender" not in row.data:
            column = table.header("gender") or table.header("name")
            planned.issues.append(
                RowIssue(
                    row.number,
                    column,
                    _("Give the gender (%(choices)s) or the ID number.") % {"choices": "男、女"},
                )
            )
            return planned
        fields = {name: row.data[name] for name in MEMBER_FIELDS if name in row.data}
        try:
            Member(committee=committee, **fields).clean_fields(exclude=["committee", "user", "photo"])
        except Exception as exc:  # a rule of the model the cleaning above did not foresee
            for name, messages in getattr(exc, "message_dict", {"name": [str(exc)]}).items():
                column = table.header(name) or table.header("name")
                planned.issues.extend(RowIssue(row.number, column, str(m)) for m in messages)
            return planned
        planned.action = "create"
        # What the new file will hold, as the preview lists it (the same shape as an update's changes).
        planned.changes = _member_changes(None, row.data)
        term_id = row.data.get("term")
        if term_id:
            planned.changes += ref.placements.compare(
                member=Member(committee=committee),
                term=ref.terms[term_id],
                values=term_values(row.data, ref),
                current=None,
            ).changes
        return planned
    planned.member_id = member.pk
    changes = _member_changes(member, row.data)
    term_id = row.data.get("term")
    if term_id:
        changes += ref.placements.compare(
            member=member,
            term=ref.terms[term_id],
            values=term_values(row.data, ref),
            current=find_member_term(member, term_id),
        ).changes
    planned.changes = changes
    planned.action = "update" if changes else "unchanged"
    return planned
