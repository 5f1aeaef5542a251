"""The assessment of town committees (镇区政协工委) and sectors (界别): indicators computed from the ledger,
inspection groups led by vice-chairs, the inspection's scores per indicator and findings, and the tier
(一类/二类/三类) the office decides.

The indicators are facts for the inspection groups to read, not points: what a unit scores comes from the
inspection, per indicator of the active rule set's `units:` part (rules.UnitRules), and the tier that
score suggests is only a suggestion — the office decides, and the decision is recorded (who, when).

Writes need scoring.assess_units in the committee concerned (actor None: the system, e.g. the demo).
"""

from __future__ import annotations

import datetime
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import TYPE_CHECKING, Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import pgettext_lazy

from lvzhi.activities.models import Activity
from lvzhi.core import audit
from lvzhi.ledger.models import DutyRecord
from lvzhi.members.models import Member, MemberTerm
from lvzhi.organization.models import Committee, OrgUnit

from . import rules, selectors
from .models import ASSESS_UNITS, InspectionGroup, MemberScore, UnitAssessment
from .services import ScoringError, _check_year

if TYPE_CHECKING:
    from lvzhi.accounts.models import User

UNIT_KINDS = (OrgUnit.Kind.TOWN_COMMITTEE, OrgUnit.Kind.SECTOR)
NAME_MAX = InspectionGroup._meta.get_field("name").max_length or 100
TITLE_MAX = InspectionGroup._meta.get_field("leader_title").max_length or 50
FINDING_MAX = 2000
FINDINGS_MAX = 5000

# The indicators computed from the ledger, in the order the pages show them.
INDICATORS = {
    "members": pgettext_lazy("unit indicator", "Members"),
    "attendance_rate": pgettext_lazy("unit indicator", "Meeting attendance (%)"),
    "opinions": pgettext_lazy("unit indicator", "Public-opinion reports"),
    "opinions_per_member": pgettext_lazy("unit indicator", "Reports per member"),
    "opinions_adopted": pgettext_lazy("unit indicator", "Reports adopted"),
    "proposals": pgettext_lazy("unit indicator", "Proposals"),
    "proposals_per_member": pgettext_lazy("unit indicator", "Proposals per member"),
    "proposals_accepted": pgettext_lazy("unit indicator", "Proposals accepted"),
    "average_score": pgettext_lazy("unit indicator", "Members' average duty score"),
    "activities": pgettext_lazy("unit indicator", "Activities held"),
}
# Attendance at the meetings that count (plenary, standing, special committee): "present-ish" over every
# final answer to an invitation (present, late, left early, on leave, absent).
ATTENDED = ("present", "late", "left_early")
ATTENDANCE_STATUSES = (*ATTENDED, "leave", "absent")
ATTENDANCE_MEETINGS = ("plenary", "standing", "committee")


def _require_right(actor: User | None, committee_id: int) -> None:
    if actor is None:
        return
    if actor.committee_id != committee_id or not actor.has_perm(ASSESS_UNITS):
        raise PermissionDenied(ASSESS_UNITS)


def _year_bounds(year: int) -> tuple[datetime.date, datetime.date]:
    return datetime.date(year, 1, 1), datetime.date(year, 12, 31)


# --- reads ------------------------------------------------------------------------------------------


def assessed_units(committee: Committee) -> list[OrgUnit]:
    """The committee's active town committees and sectors: town committees first, each kind in its order."""
    units = OrgUnit.objects.filter(committee=committee, kind__in=UNIT_KINDS, is_active=True)
    return sorted(units, key=lambda u: (UNIT_KINDS.index(u.kind), u.sort_order, u.name, u.pk))


def unit_rules(committee: Committee | int, year: int) -> rules.UnitRules | None:
    """The `units:` part of the year's active rule set (None without one)."""
    rule_set = selectors.active_rule_set(committee, year)
    if rule_set is None:
        return None
    try:
        return rule_set.parsed().units
    except rules.RuleSetError:
        return None


def _members_by_unit(committee: Committee) -> dict[int, set[int]]:
    """unit id → the members serving in it (as sector or town committee) in the current term; one query."""
    by_unit: dict[int, set[int]] = defaultdict(set)
    rows = MemberTerm.objects.filter(
        term__committee=committee, term__is_current=True, status=MemberTerm.Status.SERVING
    ).values_list("member_id", "sector_id", "town_committee_id")
    for member_id, sector_id, town_id in rows:
        for unit_id in (sector_id, town_id):
            if unit_id is not None:
                by_unit[unit_id].add(member_id)
    return by_unit


def _rate(part: int, whole: int) -> str:
    if not whole:
        return ""
    return str(rules.money(Decimal(part) * 100 / whole))


def _per(part: int, whole: int) -> str:
    if not whole:
        return ""
    return str(rules.money(Decimal(part) / whole))


def compute_indicators(
    committee: Committee, year: int, units: Iterable[OrgUnit]
) -> dict[int, dict[str, Any]]:
    """unit id → {code: {"name", "value"}} (values as strings, "" when there is nothing to divide by), for
    every unit given. Five queries whatever the number of units: the members, their ledger counted by
    member and kind (GROUP BY), their scores, and the activities counted by organising unit (GROUP BY)."""
    units = list(units)
    by_unit = _members_by_unit(committee)
    everyone = set().union(*by_unit.values()) if by_unit else set()
    counts: dict[int, dict[str, int]] = defaultdict(lambda: defaultdict(int))
    wanted = (
        Q(kind__in=[f"attendance.{m}.{s}" for m in ATTENDANCE_MEETINGS for s in ATTENDANCE_STATUSES])
        | Q(kind__in=("opinion.submitted", "proposal.submitted", "proposal.accepted"))
        | Q(kind__startswith="opinion.adopted.")
    )
    rows = (
        DutyRecord.objects.filter(committee=committee, date__range=_year_bounds(year), member_id__in=everyone)
        .filter(wanted)
        .order_by()
        .values_list("member_id", "kind")
        .annotate(n=Count("id"))
    )
    for member_id, kind, n in rows:
        if kind.startswith("attendance."):
            counts[member_id]["attendance_invited"] += n
            if kind.rsplit(".", 1)[1] in ATTENDED:
                counts[member_id]["attendance_attended"] += n
        elif kind.startswith("opinion.adopted."):
            counts[member_id]["opinions_adopted"] += n
        else:
            counts[member_id][kind] += n
    scores: dict[int, Decimal] = {}
    rule_set = selectors.active_rule_set(committee, year)
    if rule_set is not None:
        scores = dict(
            MemberScore.objects.filter(rule_set=rule_set, member_id__in=everyone).values_list(
                "member_id", "total"
            )
        )
    start, end = _year_bounds(year)
    held = dict(
        Activity.objects.filter(
            committee=committee,
            organizing_unit__in=[u.pk for u in units],
            status=Activity.Status.CLOSED,
            starts_at__date__range=(start, end),
        )
        .order_by()
        .values_list("organizing_unit")
        .annotate(n=Count("id"))
    )
    result: dict[int, dict[str, Any]] = {}
    for unit in units:
        members = by_unit.get(unit.pk, set())
        total: dict[str, int] = defaultdict(int)
        for member_id in members:
            for key, n in counts.get(member_id, {}).items():
                total[key] += n
        n_members = len(members)
        unit_scores = [scores[m] for m in members if m in scores]
        average = str(rules.money(sum(unit_scores, Decimal("0")) / len(unit_scores))) if unit_scores else ""
        values = {
            "members": str(n_members),
            "attendance_rate": _rate(total["attendance_attended"], total["attendance_invited"]),
            "opinions": str(total["opinion.submitted"]),
            "opinions_per_member": _per(total["opinion.submitted"], n_members),
            "opinions_adopted": str(total["opinions_adopted"]),
            "proposals": str(total["proposal.submitted"]),
            "proposals_per_member": _per(total["proposal.submitted"], n_members),
            "proposals_accepted": str(total["proposal.accepted"]),
            "average_score": average,
            "activities": str(held.get(unit.pk, 0)),
        }
        result[unit.pk] = {
            code: {"name": str(INDICATORS[code]), "value": values[code]} for code in INDICATORS
        }
    return result


def suggested_tier(assessment: UnitAssessment, units: rules.UnitRules | None) -> str:
    """The tier the inspection score suggests under the rule set's minimums ("" before any score)."""
    if units is None or assessment.score is None:
        return ""
    return units.tier_for(assessment.score)


@dataclass(frozen=True)
class UnitRow:
    assessment: UnitAssessment
    suggested: str


@dataclass(frozen=True)
class Overview:
    """A year's assessments for the pages and the bulletin: rows by kind (town committees, sectors), the
    groups, the rule set's units part, the tier counts (decided tiers) per kind."""

    year: int
    units: rules.UnitRules | None
    town_rows: list[UnitRow]
    sector_rows: list[UnitRow]
    groups: list[InspectionGroup]
    missing: int  # assessed units without a row yet (indicators never computed)

    @property
    def rows(self) -> list[UnitRow]:
        return [*self.town_rows, *self.sector_rows]

    def tier_counts(self, rows: list[UnitRow]) -> dict[str, int]:
        counts = {tier: 0 for tier in UnitAssessment.Tier.values}
        for row in rows:
            if row.assessment.tier:
                counts[row.assessment.tier] += 1
        return counts


def overview(committee: Committee, year: int) -> Overview:
    """Everything the units page, the groups page and the bulletin show for `year`; a fixed number of
    queries whatever the number of units and groups."""
    assessments = list(
        UnitAssessment.objects.filter(committee=committee, year=year)
        .select_related("unit", "group", "group__leader", "decided_by")
        .order_by("unit__sort_order", "unit__name", "pk")
    )
    units_part = unit_rules(committee, year)
    rows = [UnitRow(a, suggested_tier(a, units_part)) for a in assessments]
    groups = list(
        InspectionGroup.objects.filter(committee=committee, year=year)
        .select_related("leader")
        .prefetch_related("members")
        .order_by("order", "pk")
    )
    by_group: dict[int, list[UnitAssessment]] = defaultdict(list)
    for assessment in assessments:
        if assessment.group_id is not None:
            by_group[assessment.group_id].append(assessment)
    for group in groups:
        group.assessed = by_group.get(group.pk, [])  # type: ignore[attr-defined]
    unit_count = OrgUnit.objects.filter(committee=committee, kind__in=UNIT_KINDS, is_active=True).count()
    return Overview(
        year=year,
        units=units_part,
        town_rows=[r for r in rows if r.assessment.unit.kind == OrgUnit.Kind.TOWN_COMMITTEE],
        sector_rows=[r for r in rows if r.assessment.unit.kind == OrgUnit.Kind.SECTOR],
        groups=groups,
        missing=max(unit_count - len(assessments), 0),
    )


# --- writes -----------------------------------------------------------------------------------------


def refresh_units(*, committee: Committee, year: int, actor: User | None = None) -> list[UnitAssessment]:
    """Compute the indicators of every active town committee and sector for `year` from the ledger and
    store them on the year's assessments (created when missing). Inspection scores, findings and tiers
    are left as they are. A fixed number of queries whatever the number of units."""
    _require_right(actor, committee.pk)
    _check_year(year)
    units = assessed_units(committee)
    indicators = compute_indicators(committee, year, units)
    with transaction.atomic():
        existing = {
            a.unit_id: a
            for a in UnitAssessment.objects.select_for_update().filter(committee=committee, year=year)
        }
        new = [
            UnitAssessment(committee=committee, year=year, unit=unit, indicators=indicators[unit.pk])
            for unit in units
            if unit.pk not in existing
        ]
        changed = []
        for unit in units:
            assessment = existing.get(unit.pk)
            if assessment is not None:
                assessment.indicators = indicators[unit.pk]
                assessment.updated_at = timezone.now()
                changed.append(assessment)
        UnitAssessment.objects.bulk_create(new)
        UnitAssessment.objects.bulk_update(changed, ["indicators", "updated_at"])
        audit.record(
            audit.Action.UPDATE,
            actor=actor,
            committee=committee,
            event="scoring.units_refreshed",
            params={"year": year, "units": len(units)},
            detail={"created": len(new), "updated": len(changed)},
        )
    return list(
        UnitAssessment.objects.filter(committee=committee, year=year, unit__in=units).select_related("unit")
    )


def _check_units(committee: Committee, units: Iterable[OrgUnit]) -> list[OrgUnit]:
    units = list(units)
    for unit in units:
        if unit.committee_id != committee.pk:
            raise PermissionDenied("unit of another committee")
        if unit.kind not in UNIT_KINDS:
            raise ScoringError(
                _("%(unit)s is neither a town committee nor a sector."),
                code="bad_unit",
                params={"unit": unit.name},
            )
    return units


def _check_people(committee: Committee, people: Iterable[Member]) -> None:
    for member in people:
        if member.committee_id != committee.pk:
            raise PermissionDenied("member of another committee")


def save_group(
    *,
    committee: Committee,
    year: int,
    name: str,
    leader: Member,
    leader_title: str = "",
    members: Iterable[Member] = (),
    units: Iterable[OrgUnit] | None = None,
    order: int | None = None,
    group: InspectionGroup | None = None,
    actor: User | None = None,
) -> InspectionGroup:
    """Create an inspection group for `year` (or change `group`): its name, leader (a member of the
    committee, usually a vice-chair) with the leader's title, its other members, and — when `units` is
    given — exactly the town committees and sectors it inspects (a unit moves here from any other group;
    a unit left out is no longer this group's)."""
    _require_right(actor, committee.pk)
    _check_year(year)
    name = (name or "").strip()
    if not name:
        raise ScoringError(_("Name: required."), code="required")
    if len(name) > NAME_MAX:
        raise ScoringError(_("Name: at most %(n)s characters."), code="too_long", params={"n": NAME_MAX})
    leader_title = (leader_title or "").strip()
    if len(leader_title) > TITLE_MAX:
        raise ScoringError(
            _("Leader's title: at most %(n)s characters."), code="too_long", params={"n": TITLE_MAX}
        )
    members = [m for m in members if m.pk != leader.pk]
    _check_people(committee, [leader, *members])
    unit_list = _check_units(committee, units) if units is not None else None
    with transaction.atomic():
        clash = InspectionGroup.objects.filter(committee=committee, year=year, name=name)
        if group is not None:
            group = InspectionGroup.objects.select_for_update().get(pk=group.pk)
            if group.committee_id != committee.pk:
                raise PermissionDenied("group of another committee")
            clash = clash.exclude(pk=group.pk)
        if clash.exists():
            raise ScoringError(
                _("Name: %(year)s already has a group called %(name)s."),
                code="duplicate",
                params={"year": year, "name": name},
            )
        creating = group is None
        if group is None:
            last = InspectionGroup.objects.filter(committee=committee, year=year).order_by("-order").first()
            group = InspectionGroup(committee=committee, year=year, order=(last.order + 1) if last else 1)
        group.name = name
        group.leader = leader
        group.leader_title = leader_title
        if order is not None:
            group.order = order
        group.save()
        group.members.set(members)
        if unit_list is not None:
            assign_units(group=group, units=unit_list)
        audit.record(
            audit.Action.CREATE if creating else audit.Action.UPDATE,
            actor=actor,
            committee=committee,
            obj=group,
            event="scoring.inspection_group_saved",
            params={"name": group.name, "year": year},
            detail={
                "leader": leader.pk,
                "members": sorted(m.pk for m in members),
                **({"units": sorted(u.pk for u in unit_list)} if unit_list is not None else {}),
            },
        )
    return group


def assign_units(*, group: InspectionGroup, units: Iterable[OrgUnit]) -> None:
    """Make `units` exactly the ones `group` inspects (creating their year's assessments when missing).
    Called inside save_group, which checks the right and writes the audit row."""
    committee_id = group.committee_id
    unit_ids = {u.pk for u in units}
    UnitAssessment.objects.filter(group=group).exclude(unit_id__in=unit_ids).update(group=None)
    have = set(
        UnitAssessment.objects.filter(
            committee_id=committee_id, year=group.year, unit_id__in=unit_ids
        ).values_list("unit_id", flat=True)
    )
    UnitAssessment.objects.bulk_create(
        [
            UnitAssessment(committee_id=committee_id, year=group.year, unit_id=unit_id, group=group)
            for unit_id in sorted(unit_ids - have)
        ]
    )
    UnitAssessment.objects.filter(committee_id=committee_id, year=group.year, unit_id__in=unit_ids).update(
        group=group
    )


def delete_group(*, group: InspectionGroup, actor: User | None = None) -> None:
    """Delete an inspection group; its units stay assessed, without a group, their scores kept."""
    _require_right(actor, group.committee_id)
    with transaction.atomic():
        audit.record(
            audit.Action.DELETE,
            actor=actor,
            committee=group.committee_id,
            obj=group,
            event="scoring.inspection_group_deleted",
            params={"name": group.name, "year": group.year},
        )
        group.delete()


def _stale() -> ScoringError:
    return ScoringError(
        _(
            "Someone else saved this unit's assessment while you were editing it. Your changes were not "
            "saved: reload the page to see theirs, then enter yours again."
        ),
        code="stale",
    )


def _lock(assessment: UnitAssessment, version: int | None) -> UnitAssessment:
    locked = UnitAssessment.objects.select_for_update().select_related("unit").get(pk=assessment.pk)
    if version is not None and locked.version != version:
        raise _stale()
    return locked


def _score_of(value: Any, indicator: rules.UnitIndicator) -> Decimal:
    problem = ScoringError(
        _("%(indicator)s: a score from 0 to %(max)s, with at most two decimals."),
        code="bad_score",
        params={"indicator": indicator.name, "max": indicator.max},
    )
    if value is None or (isinstance(value, str) and not value.strip()):
        raise ScoringError(
            _("%(indicator)s: enter a score."), code="required", params={"indicator": indicator.name}
        )
    try:
        number = Decimal(str(value).strip())
    except InvalidOperation:
        raise problem from None
    if not number.is_finite() or number != number.quantize(rules.CENT) or not 0 <= number <= indicator.max:
        raise problem
    return rules.money(number)


def record_inspection(
    *,
    assessment: UnitAssessment,
    scores: Mapping[str, Any],
    findings: str = "",
    notes: Mapping[str, str] | None = None,
    version: int | None = None,
    actor: User | None = None,
) -> UnitAssessment:
    """Record the inspection of a unit: a score (0..max, two decimals) for every indicator of the year's
    rule set, an optional note per indicator (`notes`) and the overall findings. The total is stored as
    the unit's score. `version` is the one the form showed: if someone saved since, nothing is saved and
    a ScoringError says so."""
    _require_right(actor, assessment.committee_id)
    units_part = unit_rules(assessment.committee_id, assessment.year)
    if units_part is None:
        raise ScoringError(
            _("The active rule set for %(year)s has no units part: add one (indicators and tiers) first."),
            code="no_units_rules",
            params={"year": assessment.year},
        )
    notes = notes or {}
    unknown = set(scores) - {i.code for i in units_part.indicators}
    if unknown:
        raise ScoringError(
            _("Not an indicator of the rule set: %(codes)s."),
            code="unknown_indicator",
            params={"codes": ", ".join(sorted(unknown))},
        )
    inspection: dict[str, dict[str, str]] = {}
    total = Decimal("0")
    for indicator in units_part.indicators:
        score = _score_of(scores.get(indicator.code), indicator)
        note = (notes.get(indicator.code) or "").strip()
        if len(note) > FINDING_MAX:
            raise ScoringError(
                _("%(indicator)s: the note is longer than %(n)s characters."),
                code="too_long",
                params={"indicator": indicator.name, "n": FINDING_MAX},
            )
        inspection[indicator.code] = {"name": indicator.name, "score": str(score), "finding": note}
        total += score
    findings = (findings or "").strip()
    if len(findings) > FINDINGS_MAX:
        raise ScoringError(
            _("Findings: at most %(n)s characters."), code="too_long", params={"n": FINDINGS_MAX}
        )
    with transaction.atomic():
        locked = _lock(assessment, version)
        locked.inspection = inspection
        locked.findings = findings
        locked.score = rules.money(total)
        locked.version += 1
        locked.save(update_fields=["inspection", "findings", "score", "version", "updated_at"])
        audit.record(
            audit.Action.UPDATE,
            actor=actor,
            committee=locked.committee_id,
            obj=locked,
            event="scoring.unit_inspected",
            params={"unit": locked.unit.name, "year": locked.year},
            detail={"score": str(locked.score), "scores": {c: v["score"] for c, v in inspection.items()}},
        )
    return locked


def decide_tier(
    *, assessment: UnitAssessment, tier: str, version: int | None = None, actor: User | None = None
) -> UnitAssessment:
    """Record the tier decided for the unit (the office may differ from the one the score suggests);
    who decided and when are kept, and the suggestion at the time goes into the audit row."""
    _require_right(actor, assessment.committee_id)
    if tier not in UnitAssessment.Tier.values:
        raise ScoringError(_("Tier: choose tier one, two or three."), code="bad_tier")
    with transaction.atomic():
        locked = _lock(assessment, version)
        suggested = suggested_tier(locked, unit_rules(locked.committee_id, locked.year))
        locked.tier = tier
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.version += 1
        locked.save(update_fields=["tier", "decided_by", "decided_at", "version", "updated_at"])
        audit.record(
            audit.Action.UPDATE,
            actor=actor,
            committee=locked.committee_id,
            obj=locked,
            event="scoring.unit_tier_decided",
            params={"unit": locked.unit.name, "year": locked.year, "tier": str(locked.get_tier_display())},
            detail={
                "tier": tier,
                "suggested": suggested,
                "score": str(locked.score) if locked.score is not None else None,
            },
        )
    return locked
