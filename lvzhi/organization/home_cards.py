"""What the organization app shows on the start page (OrganizationConfig.home_cards, drawn by
lvzhi.home)."""

from django.db.models import Count

from .models import OrgUnit


def unit_counts(user):
    """How many units of each kind the user may see; nothing when there are none."""
    if not user.has_perm("organization.view_orgunit"):
        return None
    rows = [
        {"label": OrgUnit.Kind(row["kind"]).label, "n": row["n"]}
        for row in OrgUnit.objects.visible_to(user).values("kind").annotate(n=Count("id")).order_by("kind")
    ]
    return {"unit_counts": rows} if rows else None
