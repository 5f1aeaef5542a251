"""Scores follow the ledger: when a committed change touches members' records, their scores for the
years concerned are recomputed in the background (Django Tasks; the worker is `manage.py db_worker`)."""

from django_tasks import task

from lvzhi.organization.models import Committee

from . import selectors, services


@task()
def recompute_members(committee_id: int, year: int, member_ids: list[int]) -> int:
    committee = Committee.objects.filter(pk=committee_id).first()
    if committee is None:
        return 0
    return services.compute_members(committee=committee, year=year, member_ids=member_ids)


def on_records_changed(sender, *, committee_id, members_by_year, **kwargs):
    """lvzhi.ledger.signals.records_changed: queue a recompute for each year that has an active rule
    set (years without one have no scores to keep up to date)."""
    for year, member_ids in sorted(members_by_year.items()):
        if selectors.active_rule_set(committee_id, year) is not None:
            recompute_members.enqueue(committee_id, year, sorted(member_ids))
