"""Member-list benchmark: server time and query count of /members/ at 50, 5,000 and 50,000 members.

    make bench                                   # or: .venv/bin/python bench/member_list.py
    .venv/bin/python bench/member_list.py --runs 50 --explain middle

Each level is a committee of its own in one PostgreSQL database (bench/scale_data.py builds them once
and reuses them). For each level an office user of that committee is signed in with Django's test
client, and each page is fetched --warmups times, then --runs times; the time is the wall time of
client.get, i.e. the whole Django stack in-process (middleware, view, queries, template), with
DEBUG off. Rounds interleave levels and pages, so background load hits every level alike.

It exits non-zero when a page's query count differs between levels or when a page's median time at
the largest level is more than --max-ratio times its median at the next level (50,000 vs 5,000).
"""

import argparse
import gc
import math
import re
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scale_data  # noqa: E402  (the bench directory is not a package)

PER_PAGE = 50  # members.views.member_list
ROW = re.compile(r'href="/members/\d+/"')
PAGES = ("first", "middle", "surname", "sector", "initials", "pinyin")


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    scale_data.add_database_arguments(parser)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(scale_data.DEFAULT_SIZES))
    parser.add_argument("--runs", type=int, default=20, help="timed requests per page and level")
    parser.add_argument("--warmups", type=int, default=3, help="untimed requests first")
    parser.add_argument("--max-ratio", type=float, default=2.0)
    parser.add_argument(
        "--explain",
        metavar="PAGE",
        action="append",
        default=[],
        choices=PAGES,
        help="print EXPLAIN ANALYZE of every SELECT the page runs at each level (repeatable)",
    )
    return parser.parse_args(argv)


def pick_arguments(smallest):
    """Search values taken from the smallest level, so that every level finds something."""
    from django.db.models import Count
    from django.db.models.functions import Left, Length

    from lvzhi.members.models import Member, MemberTerm

    members = Member.objects.filter(committee=smallest.committee)
    surname = (
        members.annotate(s=Left("name", 1))
        .values("s")
        .annotate(n=Count("id"))
        .order_by("-n", "s")
        .first()["s"]
    )
    initials = (
        members.annotate(k=Length("name_initials"))
        .filter(k=2)
        .values("name_initials")
        .annotate(n=Count("id"))
        .order_by("-n", "name_initials")
        .first()["name_initials"]
    )
    sector = (
        MemberTerm.objects.filter(member__committee=smallest.committee, term__is_current=True)
        .values("sector__name")
        .annotate(n=Count("id"))
        .order_by("-n", "sector__name")
        .first()["sector__name"]
    )
    return surname, initials, sector


def pages_for(level, surname, initials, sector_name):
    """(label, query string, search_members filters) for one level."""
    middle = max(1, math.ceil(level.size / PER_PAGE) // 2)
    sector = level.units[sector_name]
    return [
        ("first", "", {}),
        ("middle", f"page={middle}", {}),
        ("surname", f"q={surname}", {"q": surname}),
        ("sector", f"sector={sector.pk}", {"sector": sector}),
        ("initials", f"q={initials}", {"q": initials}),
        ("pinyin", "order=pinyin", {"order": "pinyin"}),
    ]


class Target:
    """One page at one level: a signed-in client, the URL and what the page must show."""

    def __init__(self, level, label, query, filters):
        from django.test import Client

        from lvzhi.members import selectors
        from lvzhi.members.models import Member

        self.level, self.label = level, label
        self.url = "/members/" + (f"?{query}" if query else "")
        self.client = Client()
        self.client.force_login(level.office)
        self.total = selectors.search_members(
            Member.objects.filter(committee=level.committee), **filters
        ).count()
        page = int(query.partition("page=")[2] or 1)
        self.expected_rows = max(0, min(PER_PAGE, self.total - (page - 1) * PER_PAGE))
        self.times, self.db_times, self.query_counts = [], [], set()
        self.queries = []

    def fetch(self, *, timed):
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        sql_time = SqlTimer()
        # The log is a deque of at most 9,000 entries: once full, a capture would see no new queries.
        connection.queries_log.clear()
        with CaptureQueriesContext(connection) as ctx, connection.execute_wrapper(sql_time):
            started = time.perf_counter()
            response = self.client.get(self.url)
            elapsed = time.perf_counter() - started
        if response.status_code != 200:
            raise SystemExit(f"{self.url} at level {self.level.size}: HTTP {response.status_code}")
        rows = len(ROW.findall(response.content.decode()))
        if rows != self.expected_rows or not self.total:
            raise SystemExit(
                f"{self.url} at level {self.level.size}: {rows} rows shown, "
                f"{self.expected_rows} expected of {self.total}"
            )
        self.query_counts.add(len(ctx.captured_queries))
        self.queries = ctx.captured_queries
        if timed:
            self.times.append(elapsed)
            self.db_times.append(sql_time.total)


class SqlTimer:
    """Database wrapper summing the time spent in queries (CaptureQueriesContext rounds to 1 ms)."""

    def __init__(self):
        self.total = 0.0

    def __call__(self, execute, sql, params, many, context):
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.total += time.perf_counter() - started


def p90(values):
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, math.ceil(0.9 * len(ordered)) - 1)]


def explain(target):
    from django.db import connection

    print(f"\n--- EXPLAIN ANALYZE {target.url} at level {target.level.size:,} ---")
    with connection.cursor() as cursor:
        for query in target.queries:
            sql = query["sql"]
            if not sql.lstrip().upper().startswith("SELECT"):
                continue
            cursor.execute("EXPLAIN (ANALYZE, BUFFERS) " + sql)
            print(sql[:300] + (" …" if len(sql) > 300 else ""))
            print("\n".join("    " + row[0] for row in cursor.fetchall()))


def main(argv=None):
    args = parse_args(argv)
    sizes = sorted(set(args.sizes))
    try:
        scale_data.setup(args.database_url, rebuild=args.rebuild)
    except scale_data.UnsafeDatabase as exc:
        raise SystemExit(f"refusing to run: {exc}") from None

    from django.conf import settings
    from django.db import connection

    assert not settings.DEBUG, "the benchmark must run with DEBUG off"
    levels = scale_data.ensure_levels(sizes)
    surname, initials, sector = pick_arguments(levels[0])
    targets = {
        level.size: [Target(level, *page) for page in pages_for(level, surname, initials, sector)]
        for level in levels
    }
    labels = [t.label for t in targets[sizes[0]]]
    print(
        f"\nPostgreSQL {connection.pg_version // 10000}, {args.runs} runs after {args.warmups} "
        f"warm-ups; surname={surname} initials={initials} sector={sector}"
    )

    for round_number in range(args.warmups + args.runs):
        gc.collect()
        for i in range(len(labels)):
            for size in sizes:
                targets[size][i].fetch(timed=round_number >= args.warmups)

    failures = []
    header = (
        f"{'page':<9}{'members':>8}{'median ms':>11}{'p90 ms':>9}{'SQL ms':>8}{'queries':>9}"
        f"{'matches':>9}  url"
    )
    print("\n" + header + "\n" + "-" * (len(header) + 12))
    for i, label in enumerate(labels):
        counts = set()
        for size in sizes:
            t = targets[size][i]
            counts |= t.query_counts
            print(
                f"{label:<9}{size:>8,}{statistics.median(t.times) * 1000:>11.1f}"
                f"{p90(t.times) * 1000:>9.1f}{statistics.median(t.db_times) * 1000:>8.1f}"
                f"{'/'.join(map(str, sorted(t.query_counts))):>9}{t.total:>9,}  {t.url}"
            )
        if len(counts) > 1:
            failures.append(f"{label}: query counts differ between levels ({sorted(counts)})")

    if len(sizes) >= 2:
        big, small = sizes[-1], sizes[-2]
        print(f"\nratio of median times, {big:,} / {small:,} members (limit {args.max_ratio:.1f}):")
        for i, label in enumerate(labels):
            ratio = statistics.median(targets[big][i].times) / statistics.median(targets[small][i].times)
            flag = "" if ratio <= args.max_ratio else "  <-- over the limit"
            print(f"  {label:<9}{ratio:6.2f}{flag}")
            if ratio > args.max_ratio:
                failures.append(f"{label}: {ratio:.2f}x from {small:,} to {big:,} members")

    for label in args.explain:
        for size in sizes:
            explain(targets[size][labels.index(label)])

    if failures:
        print("\nFAILED:\n  " + "\n  ".join(failures))
        return 1
    print("\nOK: equal query counts, and time within the limit")
    return 0


if __name__ == "__main__":
    sys.exit(main())
