from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from django.db.models import Exists, OuterRef, Prefetch, Q

from lvzhi.core import idcard

from .models import MemberTerm

if TYPE_CHECKING:
    from django.db.models import QuerySet

    from lvzhi.organization.models import OrgUnit

    from .models import Member

ORDERINGS = {
    "stroke": ["name_stroke_key", "id"],
    "pinyin": ["name_pinyin_key", "id"],
    "-updated": ["-updated_at", "-id"],
}


def current_terms_prefetch() -> Prefetch:
    return Prefetch(
        "terms",
        # order_by overrides MemberTerm's default ordering, which would join and sort the members again.
        queryset=MemberTerm.objects.filter(term__is_current=True)
        .order_by("-term__number")
        .select_related("term", "sector", "town_committee")
        .prefetch_related("special_committees"),
        to_attr="current_terms",
    )


# What a full (or nearly full) ID or phone number looks like once spaces and dashes are gone.
PERSONAL_NUMBER = re.compile(r"^\d{11,17}[\dX]?$")


def looks_like_personal_number(q: str | None) -> bool:
    """Whether a search text is an ID or phone number. The list's search never matches those: a role
    that sees only masked numbers could otherwise learn whose number it holds (services.lookup_members
    is the audited way)."""
    return bool(PERSONAL_NUMBER.match(idcard.normalize(re.sub(r"[\s\-]", "", q or ""))))


def search_members(
    qs: QuerySet[Member],
    *,
    q: str | None = "",
    sector: OrgUnit | None = None,
    town_committee: OrgUnit | None = None,
    special_committee: OrgUnit | None = None,
    status: str | None = "",
    standing: bool | None = None,
    party: str | None = "",
    order: str | None = "stroke",
) -> QuerySet[Member]:
    """Filter a visible-to-user queryset by the member-list form. The number of queries does not depend
    on the number of rows: term filters are EXISTS subqueries and the current term is prefetched. A search
    text that is an ID or phone number finds nobody (looks_like_personal_number)."""
    q = (q or "").strip()
    if q:
        if re.fullmatch(r"[A-Za-z]{1,2}", q):
            # One or two letters are pinyin initials ("zs" → 张三), never a fragment of an employer's name.
            condition = Q(name_initials__startswith=q.lower()) | Q(name_pinyin__startswith=q.lower())
        else:
            # Text without letters (Chinese, digits) has no case: plain `contains` spares PostgreSQL the
            # UPPER() of every row that `icontains` needs.
            lookup = "icontains" if q.lower() != q.upper() else "contains"
            condition = (
                Q(**{f"name__{lookup}": q})
                | Q(**{f"employer_post__{lookup}": q})
                | Q(**{f"native_place__{lookup}": q})
            )
            if re.fullmatch(r"[A-Za-z]+", q):
                condition |= Q(name_initials__startswith=q.lower()) | Q(name_pinyin__startswith=q.lower())
        qs = qs.filter(condition) if not looks_like_personal_number(q) else qs.none()

    term_filter: dict[str, Any] = {}
    if sector:
        term_filter["sector"] = sector
    if town_committee:
        term_filter["town_committee"] = town_committee
    if special_committee:
        term_filter["special_committees"] = special_committee
    if status:
        term_filter["status"] = status
    if standing is not None:
        term_filter["is_standing"] = standing
    if term_filter:
        terms = MemberTerm.objects.filter(member=OuterRef("pk"), term__is_current=True, **term_filter)
        qs = qs.filter(Exists(terms))
    if party:
        qs = qs.filter(party=party)
    ordering = ORDERINGS.get(order or "", ORDERINGS["stroke"])
    return qs.order_by(*ordering).prefetch_related(current_terms_prefetch())
