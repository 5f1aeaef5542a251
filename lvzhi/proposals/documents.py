"""A session's proposal documents in the layout of official documents (GB/T 9704, through
lvzhi.core.docx_official):

- the catalogue (提案目录): the accepted proposals grouped by category, each with its number (第N号),
  title, proposers (a collective proposal: its body) and its lead unit and co-units;
- the handling report (提案办理情况报告): the totals, the table of lead units with their handling and
  on-time rates, the result codes, the proposers' evaluations, and the key proposals with their
  supervising leaders; the numbers are those of the statistics page (stats.py).

The views check who may download and audit it; the documents are made in memory."""

from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from docx.enum.text import WD_ALIGN_PARAGRAPH

from lvzhi.core import docx_official
from lvzhi.organization.models import Session

from . import stats
from .models import Assignment, Evaluation, Proposal, ProposalAuthor, Reply

SEPARATOR = "、"


def issuing_body(session: Session) -> str:
    return _("Office of %(committee)s") % {"committee": session.term.committee.name}


def session_name(session: Session) -> str:
    """政协本县委员会第九届第二次会议."""
    return f"{session.term.committee.name}{session}"


def _sign_off(document: Any, session: Session) -> None:
    docx_official.add_blank_line(document)
    docx_official.add_blank_line(document)
    for line in (issuing_body(session), formats.date_format(timezone.localdate(), "DATE_FORMAT")):
        paragraph = docx_official.add_body_paragraph(document, line, indent=False)
        paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
        paragraph.paragraph_format.right_indent = docx_official.SIZE_3 * 4


# --- the catalogue ----------------------------------------------------------------------------------------


def catalogue_proposals(session: Session) -> list[Proposal]:
    """The session's accepted proposals in the catalogue's order (category, then number), with their
    proposers and current units; four queries."""
    authors = ProposalAuthor.objects.filter(consent=ProposalAuthor.Consent.CONFIRMED).order_by("order", "pk")
    units = (
        Assignment.objects.exclude(status=Assignment.Status.RETURNED)
        .select_related("department")
        .order_by("role", "pk")
    )
    return list(
        stats.session_proposals(session)
        .filter(status__in=Proposal.ACCEPTED_STATUSES, serial__isnull=False)
        .select_related("category", "collective_unit")
        .prefetch_related(
            Prefetch("authors", queryset=authors, to_attr="confirmed_authors"),
            Prefetch("assignments", queryset=units, to_attr="current_units"),
        )
        .order_by("category__order", "category_id", "serial")
    )


def proposers_text(proposal: Proposal) -> str:
    """The names of the confirmed proposers; a collective proposal's body (and its main authors)."""
    names = SEPARATOR.join(a.name for a in getattr(proposal, "confirmed_authors", []) if a.name)
    if proposal.kind == Proposal.Kind.COLLECTIVE:
        unit = proposal.collective_unit
        body = unit.name if unit is not None else proposal.collective_name
        if body and names:
            return _("%(body)s (main authors: %(names)s)") % {"body": body, "names": names}
        return body or names
    return names


def units_text(proposal: Proposal) -> tuple[str, str]:
    units = getattr(proposal, "current_units", [])
    lead = [a.department.name for a in units if a.role == Assignment.Role.LEAD]
    co = [a.department.name for a in units if a.role == Assignment.Role.CO]
    return SEPARATOR.join(lead) or stats.NO_VALUE, SEPARATOR.join(co) or stats.NO_VALUE


def catalogue_title(session: Session) -> str:
    # zh: 政协本县委员会第九届第二次会议\n提案目录
    return _("%(session)s\nCatalogue of proposals") % {"session": session_name(session)}


def build_catalogue_docx(session: Session, proposals: list[Proposal] | None = None) -> Any:
    if proposals is None:
        proposals = catalogue_proposals(session)
    title = catalogue_title(session)
    document = docx_official.new_document(title=title.replace("\n", ""), author=issuing_body(session))
    docx_official.add_title(document, title)
    docx_official.add_subtitle(
        document, _("%(n)s proposals accepted, by category and number") % {"n": len(proposals)}
    )
    groups: dict[Any, list[Proposal]] = {}
    for proposal in proposals:
        groups.setdefault(proposal.category_id, []).append(proposal)
    columns = [
        pgettext("catalogue column", "Number"),
        _("Title"),
        _("Proposers"),
        _("Lead unit"),
        _("Co-units"),
    ]
    for number, members in enumerate(groups.values(), 1):
        first = members[0].category
        category = first.name if first is not None else _("No category")
        docx_official.add_blank_line(document)
        docx_official.add_heading_line(
            document,
            docx_official.heading_number(number)
            + _("%(category)s (%(n)s)") % {"category": category, "n": len(members)},
        )
        docx_official.add_table(
            document,
            columns,
            [[p.serial_label, p.title, proposers_text(p), *units_text(p)] for p in members],
        )
    if not proposals:
        docx_official.add_body_paragraph(document, _("No proposal of this session has been accepted yet."))
    _sign_off(document, session)
    return document


def catalogue_filename(session: Session) -> str:
    return _("%(session)s catalogue of proposals.docx") % {"session": session}


# --- the handling report ------------------------------------------------------------------------------


def rate_text(value: float | None) -> str:
    return stats.NO_VALUE if value is None else f"{value:g}%"


def key_proposals(session: Session) -> QuerySet[Proposal]:
    units = Assignment.objects.filter(role=Assignment.Role.LEAD).exclude(status=Assignment.Status.RETURNED)
    return (
        stats.session_proposals(session)
        .filter(is_key=True, status__in=Proposal.ACCEPTED_STATUSES)
        .select_related("key_leader")
        .prefetch_related(
            Prefetch("assignments", queryset=units.select_related("department"), to_attr="current_units")
        )
        .order_by("serial", "pk")
    )


def handling_title(session: Session) -> str:
    # zh: 关于%(session)s提案办理情况的报告
    return _("Report on the handling of the proposals of %(session)s") % {"session": session_name(session)}


def build_handling_report_docx(session: Session, numbers: stats.SessionNumbers | None = None) -> Any:
    if numbers is None:
        numbers = stats.session_numbers(session)
    title = handling_title(session)
    document = docx_official.new_document(title=title, author=issuing_body(session))
    docx_official.add_title(document, title)
    docx_official.add_blank_line(document)
    total = numbers.total

    docx_official.add_heading_line(document, docx_official.heading_number(1) + _("Overview"))
    docx_official.add_body_paragraph(
        document,
        _(
            "%(received)s proposals were received: %(accepted)s accepted, %(merged)s merged into other "
            "cases, %(converted)s converted into public-opinion reports or letters, %(rejected)s not "
            "accepted, %(waiting)s still waiting for review."
        )
        % {
            "received": total.received,
            "accepted": total.accepted,
            "merged": total.merged,
            "converted": total.converted,
            "rejected": total.rejected,
            "waiting": total.waiting,
        },
    )
    docx_official.add_body_paragraph(
        document,
        _(
            "%(assigned)s accepted proposals were assigned to %(units)s lead units, which replied to "
            "%(replied)s (handling rate %(rate)s); %(on_time)s of the %(due)s replies due were sent by "
            "the deadline (on-time rate %(on_time_rate)s)."
        )
        % {
            "assigned": numbers.assigned,
            "units": len(numbers.units),
            "replied": numbers.replied,
            "rate": rate_text(stats.percent(numbers.replied, numbers.assigned)),
            "on_time": numbers.on_time,
            "due": numbers.due,
            "on_time_rate": rate_text(stats.percent(numbers.on_time, numbers.due)),
        },
    )

    docx_official.add_heading_line(
        document, docx_official.heading_number(2) + _("Handling by the lead units")
    )
    if numbers.units:
        docx_official.add_table(
            document,
            [
                _("Lead unit"),
                pgettext("proposal statistics", "Assigned"),
                pgettext("proposal statistics", "Replied"),
                _("Handling rate"),
                _("Replied on time"),
                _("On-time rate"),
            ],
            [
                [
                    unit.name,
                    unit.assigned,
                    unit.replied,
                    rate_text(unit.handling_rate),
                    unit.on_time,
                    rate_text(unit.on_time_rate),
                ]
                for unit in numbers.units
            ],
        )
    else:
        docx_official.add_body_paragraph(document, _("No proposal has been assigned yet."))

    docx_official.add_heading_line(document, docx_official.heading_number(3) + _("Results of the handling"))
    results = numbers.results
    replied = sum(results.values())
    for value, label in Reply.Result.choices:
        docx_official.add_body_paragraph(
            document,
            _("%(result)s: %(n)s (%(share)s of the replies)")
            % {
                "result": label,
                "n": results.get(value, 0),
                "share": rate_text(stats.percent(results.get(value, 0), replied)),
            },
        )

    docx_official.add_heading_line(
        document, docx_official.heading_number(4) + _("The proposers' evaluations")
    )
    ratings = numbers.ratings
    lines: list[tuple[str, int]] = [
        (str(label), ratings.get(value, 0)) for value, label in Evaluation.Rating.choices
    ]
    lines.append((_("Not evaluated yet"), numbers.not_evaluated))
    for rating, n in lines:
        docx_official.add_body_paragraph(
            document,
            _("%(rating)s: %(n)s (%(share)s of the replied proposals)")
            % {"rating": rating, "n": n, "share": rate_text(stats.percent(n, numbers.replied))},
        )

    docx_official.add_heading_line(document, docx_official.heading_number(5) + _("Key proposals"))
    keys = list(key_proposals(session))
    for proposal in keys:
        current = getattr(proposal, "current_units", [])
        lead = SEPARATOR.join(a.department.name for a in current) or stats.NO_VALUE
        docx_official.add_body_paragraph(
            document,
            _("%(serial)s %(title)s: lead unit %(unit)s; supervising leader %(leader)s; %(status)s.")
            % {
                "serial": proposal.serial_label,
                "title": proposal.title,
                "unit": lead,
                "leader": str(proposal.key_leader) if proposal.key_leader_id else stats.NO_VALUE,
                "status": proposal.get_status_display(),
            },
        )
    if not keys:
        docx_official.add_body_paragraph(document, _("No key proposals in this session."))
    _sign_off(document, session)
    return document


def handling_report_filename(session: Session) -> str:
    return _("%(session)s report on the handling of proposals.docx") % {"session": session}


# --- the letter of a proposal converted to 意见建议 -----------------------------------------------------


def letter_title(proposal: Proposal) -> str:
    # zh: 关于转送《%(title)s》的函
    return _("Letter forwarding “%(title)s”") % {"title": proposal.title}


def build_letter_docx(proposal: Proposal) -> Any:
    """The letter that forwards a proposal converted to 意见建议 to a department (转送意见建议函): the
    department as addressee, who proposed it in which session and why it goes to them, the proposal's
    case, analysis and suggestions, and the office's sign-off. Needs `proposal.letter_department`."""
    session = proposal.session
    authors = [
        a for a in proposal.authors.order_by("order", "pk") if a.consent == ProposalAuthor.Consent.CONFIRMED
    ]
    proposal.confirmed_authors = authors  # type: ignore[attr-defined]
    title = letter_title(proposal)
    document = docx_official.new_document(title=title, author=issuing_body(session))
    docx_official.add_title(document, title)
    docx_official.add_blank_line(document)
    docx_official.add_body_paragraph(document, f"{proposal.letter_department}：", indent=False)
    docx_official.add_body_paragraph(
        document,
        _(
            "During %(session)s, %(proposers)s put forward the proposal “%(title)s”. After review it is "
            "handled as an opinion and suggestion and is forwarded to you for your study and reference."
        )
        % {"session": session_name(session), "proposers": proposers_text(proposal), "title": proposal.title},
    )
    parts = (
        (_("Case"), proposal.case),
        (_("Analysis"), proposal.analysis),
        (pgettext("proposal part", "Suggestions"), proposal.suggestions),
    )
    for number, (heading, text) in enumerate((p for p in parts if p[1].strip()), 1):
        docx_official.add_heading_line(document, docx_official.heading_number(number) + heading)
        for line in text.splitlines():
            if line.strip():
                docx_official.add_body_paragraph(document, line.strip())
    if proposal.review_note:
        docx_official.add_body_paragraph(document, proposal.review_note)
    _sign_off(document, session)
    return document


def letter_filename(proposal: Proposal) -> str:
    return safe_filename(f"{letter_title(proposal)}.docx")


def safe_filename(name: str) -> str:
    """A download name without the characters file systems refuse (a title may hold any of them)."""
    return "".join(c for c in name if c not in '\\/:*?"<>|\r\n\t').strip()
