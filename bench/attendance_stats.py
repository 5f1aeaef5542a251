"""Yearly attendance statistics: server time and query count of /activities/stats/ (each view), its Excel
export and the standing committee notice for a year, at 30 members × 6 activities and 300 × 60.

    .venv/bin/python bench/attendance_stats.py
    .venv/bin/python bench/attendance_stats.py --levels 30:6 300:60 3000:120 --runs 30

Each level is a committee of its own (bench/scale_data.py builds its members) with the given number of
closed activities spread over 2026 (every fifth one a standing committee meeting), every member invited
to every activity with a final status drawn like a real year (about 75 % present, late or left early,
12 % on leave, the rest absent). Rows are written in bulk: the bench times the reading, not the writing.
An office user of the level is signed in with Django's test client and every page is fetched --warmups
times, then --runs times, rounds interleaving levels and pages. The time is the wall time of client.get
(middleware, view, queries, template or workbook), with DEBUG off.

The database is PostgreSQL `lvzhi_bench_activities`, dropped and recreated on every run. It exits non-zero
when a page's query count differs between levels.
"""

import argparse
import datetime
import gc
import random
import statistics
import sys
import time
import zoneinfo
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scale_data  # noqa: E402  (the bench directory is not a package)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/lvzhi_bench_activities"
YEAR = "date_from=2026-01-01&date_to=2026-12-31"
PAGES = [
    ("activity", f"/activities/stats/?{YEAR}&view=activity"),
    ("member", f"/activities/stats/?{YEAR}&view=member"),
    ("sector", f"/activities/stats/?{YEAR}&view=sector"),
    ("town", f"/activities/stats/?{YEAR}&view=town"),
    ("xlsx member", f"/activities/stats/export/?{YEAR}&view=member"),
    ("notice year", f"/activities/standing-report/?mode=period&{YEAR}"),
    ("notice docx", f"/activities/standing-report/docx/?mode=period&{YEAR}"),
]
TABLE_PAGES = ("activity", "member", "sector", "town")
FINAL = [("present", 0.68), ("late", 0.05), ("left_early", 0.02), ("leave_approved", 0.12), ("absent", 0.13)]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument(
        "--levels",
        nargs="+",
        default=["30:6", "300:60"],
        help="members:activities pairs (default 30:6 300:60)",
    )
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--warmups", type=int, default=3)
    return parser.parse_args(argv)


def add_activities(level, count, seed):
    """`count` closed activities of 2026, every member of the level invited, final statuses drawn."""
    from lvzhi.activities.models import Activity, Participation
    from lvzhi.members.models import Member

    rng = random.Random(seed)
    zone = zoneinfo.ZoneInfo("Asia/Shanghai")
    kinds = [Activity.Kind.STANDING, Activity.Kind.INSPECTION, Activity.Kind.TRAINING, Activity.Kind.RESEARCH]
    kinds += [Activity.Kind.CONSULTATION]
    step = 360 // count
    activities = Activity.objects.bulk_create(
        Activity(
            committee=level.committee,
            kind=kinds[i % len(kinds)],
            title=f"基准活动{i + 1}",
            starts_at=datetime.datetime(2026, 1, 2, 9, tzinfo=zone) + datetime.timedelta(days=i * step),
            ends_at=datetime.datetime(2026, 1, 2, 11, tzinfo=zone) + datetime.timedelta(days=i * step),
            status=Activity.Status.CLOSED,
        )
        for i in range(count)
    )
    member_ids = list(Member.objects.filter(committee=level.committee).values_list("pk", flat=True))
    statuses = [s for s, _w in FINAL]
    weights = [w for _s, w in FINAL]
    Participation.objects.bulk_create(
        (
            Participation(activity=activity, member_id=pk, status=rng.choices(statuses, weights)[0])
            for activity in activities
            for pk in member_ids
        ),
        batch_size=2000,
    )
    return len(member_ids) * count


class Target:
    def __init__(self, level, activities, invitations, label, url):
        from django.test import Client

        self.level, self.activities, self.invitations = level, activities, invitations
        self.label, self.url = label, url
        self.client = Client()
        self.client.force_login(level.office)
        self.times, self.sql_times, self.query_counts = [], [], set()

    def fetch(self, *, timed):
        from django.db import connection

        meter = Meter()
        with connection.execute_wrapper(meter):
            started = time.perf_counter()
            response = self.client.get(self.url)
            elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"{self.url} at {self.level.size} members: HTTP {response.status_code}")
        # The totals row holds the number of invitations: the page counted every row.
        total = f'<td class="text-end">{self.invitations}</td>'
        if self.label in TABLE_PAGES and total not in response.content.decode():
            raise SystemExit(f"{self.url} at {self.level.size} members: total {self.invitations} missing")
        self.query_counts.add(meter.queries)
        if timed:
            self.times.append(elapsed)
            self.sql_times.append(meter.sql_time)


class Meter:
    def __init__(self):
        self.queries, self.sql_time = 0, 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.sql_time += time.perf_counter() - started
            self.queries += 1


def main(argv=None):
    args = parse_args(argv)
    pairs = sorted(tuple(int(x) for x in level.split(":")) for level in args.levels)
    try:
        scale_data.setup(args.database_url, rebuild=True)
    except scale_data.UnsafeDatabase as exc:
        raise SystemExit(f"refusing to run: {exc}") from None
    from django.conf import settings
    from django.db import connection

    assert not settings.DEBUG, "the benchmark must run with DEBUG off"
    targets = {}
    for members, activities in pairs:
        level = scale_data.ensure_level(members, progress=False)
        started = time.perf_counter()
        invitations = add_activities(level, activities, seed=members)
        print(
            f"level {members:>5,} members × {activities:>3} activities: {invitations:,} invitations "
            f"written in {time.perf_counter() - started:.1f} s"
        )
        targets[members] = [Target(level, activities, invitations, label, url) for label, url in PAGES]
    scale_data.analyze()

    sizes = [members for members, _a in pairs]
    for round_number in range(args.warmups + args.runs):
        gc.collect()
        for i in range(len(PAGES)):
            for size in sizes:
                targets[size][i].fetch(timed=round_number >= args.warmups)

    print(f"\nPostgreSQL {connection.pg_version // 10000}, {args.runs} runs after {args.warmups} warm-ups\n")
    header = (
        f"{'page':<12}{'members':>8}{'activities':>11}{'invitations':>12}{'median ms':>11}{'p90 ms':>8}"
        f"{'SQL ms':>8}{'queries':>9}"
    )
    print(header + "\n" + "-" * len(header))
    failures = []
    for i, (label, _url) in enumerate(PAGES):
        counts = set()
        for size in sizes:
            t = targets[size][i]
            counts |= t.query_counts
            ordered = sorted(t.times)
            p90 = ordered[min(len(ordered) - 1, int(0.9 * len(ordered)))]
            print(
                f"{label:<12}{size:>8,}{t.activities:>11,}{t.invitations:>12,}"
                f"{statistics.median(t.times) * 1000:>11.1f}{p90 * 1000:>8.1f}"
                f"{statistics.median(t.sql_times) * 1000:>8.1f}{'/'.join(map(str, sorted(t.query_counts))):>9}"
            )
        if len(counts) > 1:
            failures.append(f"{label}: query counts differ between levels ({sorted(counts)})")

    if len(sizes) >= 2:
        big, small = sizes[-1], sizes[-2]
        grow = targets[big][0].invitations / targets[small][0].invitations
        print(f"\nratio of median times, {big:,} / {small:,} members ({grow:.0f}x the invitations):")
        for i, (label, _url) in enumerate(PAGES):
            ratio = statistics.median(targets[big][i].times) / statistics.median(targets[small][i].times)
            print(f"  {label:<12}{ratio:6.2f}")

    if failures:
        print("\nFAILED:\n  " + "\n  ".join(failures))
        return 1
    print("\nOK: equal query counts at every level")
    return 0


if __name__ == "__main__":
    sys.exit(main())
