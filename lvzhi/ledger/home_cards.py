"""What the duty ledger shows on the start page (LedgerConfig.home_cards, drawn by lvzhi.home)."""

import datetime

from django.db.models import Count
from django.utils import timezone

from . import kinds
from .models import DutyRecord


def member_year(user):
    """The member's own record of this year at a glance: how many records of each group (attendance,
    duty activities, speeches, study, ...) with the kinds inside it; one query, whatever the records."""
    member = getattr(user, "member", None)
    if member is None:
        return None
    year = timezone.localdate().year
    rows = (
        DutyRecord.objects.filter(
            member=member, date__gte=datetime.date(year, 1, 1), date__lt=datetime.date(year + 1, 1, 1)
        )
        .values("kind")
        .annotate(n=Count("id"))
        .order_by("kind")
    )
    groups = {key: {"label": label, "n": 0, "kinds": []} for key, label in kinds.GROUPS.items()}
    for row in rows:
        key = kinds.group_of(row["kind"])
        group = groups.setdefault(key, {"label": kinds.group_label(key), "n": 0, "kinds": []})
        group["n"] += row["n"]
        group["kinds"].append({"label": kinds.label(row["kind"]), "n": row["n"]})
    return {"year": year, "groups": [g for g in groups.values() if g["n"]]}
