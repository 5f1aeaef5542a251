"""Closing an activity: wall time and query count of services.close_activity at 50 and 500 invitees.

    .venv/bin/python bench/activity_close.py
    .venv/bin/python bench/activity_close.py --sizes 50 500 2000 --runs 10

Closing turns every participation into a final status (one UPDATE) and writes the duty ledger through
ledger.services.sync_records (one bulk INSERT), so its query count must not depend on the number of
invitees. For each size, a committee of that many members (bench/scale_data.py) gets --runs fresh
activities, each published to all members through the services (invitations by rule), started, and
given a realistic spread of answers and check-ins (written in bulk: the bench times the closing, not
the check-in); then each one is closed and timed. The database is PostgreSQL `lvzhi_bench_activities`,
dropped and recreated on every run (closing writes append-only audit rows).

It exits non-zero when the query counts differ between sizes.
"""

import argparse
import datetime
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scale_data  # noqa: E402  (the bench directory is not a package)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/lvzhi_bench_activities"

# The answers and check-ins before closing: (status, share). Confirmed / invited / refused leave
# become absent at closing, the others stay.
SPREAD = [
    ("present", 0.62),
    ("late", 0.08),
    ("left_early", 0.04),
    ("leave_approved", 0.10),
    ("confirmed", 0.08),
    ("invited", 0.05),
    ("leave_denied", 0.03),
]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--sizes", type=int, nargs="+", default=[50, 500])
    parser.add_argument("--runs", type=int, default=7, help="activities closed per size (after one warm-up)")
    return parser.parse_args(argv)


class Meter:
    """Counts the queries and sums their time (a database execute wrapper)."""

    def __init__(self):
        self.queries, self.sql_time = 0, 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.sql_time += time.perf_counter() - started
            self.queries += 1


def prepare(level, number, rng):
    """A started activity inviting every member of the level, with answers and check-ins spread."""
    from django.utils import timezone

    from lvzhi.activities import services
    from lvzhi.activities.models import Activity, Participation

    start = timezone.now() - datetime.timedelta(hours=2)
    activity = services.create_activity(
        actor=level.office,
        kind=Activity.Kind.STANDING if number % 2 else Activity.Kind.INSPECTION,
        title=f"基准活动{number}",
        starts_at=start,
        ends_at=start + datetime.timedelta(hours=1),
        invitee_rules={"all_members": True},
    )
    services.publish_activity(activity=activity, actor=level.office)
    services.start_activity(activity=activity, actor=level.office)
    participations = list(Participation.objects.filter(activity=activity))
    statuses = [s for s, _share in SPREAD]
    weights = [share for _s, share in SPREAD]
    for participation in participations:
        participation.status = rng.choices(statuses, weights)[0]
    Participation.objects.bulk_update(participations, ["status"], batch_size=1000)
    activity.refresh_from_db()
    return activity, len(participations)


def measure(level, runs, rng):
    from django.db import connection

    from lvzhi.activities import services
    from lvzhi.activities.models import Participation
    from lvzhi.ledger.models import DutyRecord

    results = []
    for number in range(runs + 1):
        activity, invited = prepare(level, number, rng)
        meter = Meter()
        with connection.execute_wrapper(meter):
            started = time.perf_counter()
            services.close_activity(activity=activity, actor=level.office)
            elapsed = time.perf_counter() - started
        left = Participation.objects.filter(activity=activity).exclude(status__in=Participation.FINAL).count()
        records = DutyRecord.objects.filter(source_id=activity.pk, committee=level.committee).count()
        if left or not records:
            raise SystemExit(f"closing went wrong: {left} not final, {records} ledger rows")
        if number:  # the first one warms the caches
            results.append((elapsed, meter.sql_time, meter.queries, invited, records))
    return results


def main(argv=None):
    args = parse_args(argv)
    try:
        scale_data.setup(args.database_url, rebuild=True)
    except scale_data.UnsafeDatabase as exc:
        raise SystemExit(f"refusing to run: {exc}") from None
    from django.db import connection

    sizes = sorted(set(args.sizes))
    levels = scale_data.ensure_levels(sizes, progress=False)
    rng = random.Random(2026)
    rows = {}
    for level in levels:
        rows[level.size] = measure(level, args.runs, rng)

    print(f"\nPostgreSQL {connection.pg_version // 10000}; {args.runs} closings per size after a warm-up\n")
    header = f"{'invitees':>9}{'median ms':>11}{'min ms':>9}{'SQL ms':>9}{'queries':>9}{'ledger rows':>13}"
    print(header + "\n" + "-" * len(header))
    medians, counts = {}, set()
    for size in sizes:
        results = rows[size]
        times = [r[0] for r in results]
        medians[size] = statistics.median(times)
        queries = sorted({r[2] for r in results})
        counts.update(queries)
        print(
            f"{results[0][3]:>9,}{medians[size] * 1000:>11.1f}{min(times) * 1000:>9.1f}"
            f"{statistics.median(r[1] for r in results) * 1000:>9.1f}{'/'.join(map(str, queries)):>9}"
            f"{statistics.median(r[4] for r in results):>13,.0f}"
        )
    for small, big in zip(sizes, sizes[1:], strict=False):
        print(
            f"\nratio {big:,} / {small:,} invitees: time {medians[big] / medians[small]:.2f}x "
            f"for {big / small:.0f}x the invitees"
        )
    if len(counts) > 1:
        print(f"\nFAILED: query counts differ between sizes ({sorted(counts)})")
        return 1
    print(f"\nOK: {counts.pop()} queries at every size")
    return 0


if __name__ == "__main__":
    sys.exit(main())
