"""Duty assessment at county-and-more scale: a year of 50,000 members and 1,500,000 ledger records on
PostgreSQL, computed in full and against a single SQL GROUP BY, and one member recomputed after a change.

    .venv/bin/python bench/scoring.py
    .venv/bin/python bench/scoring.py --runs 9 --member-runs 50
    .venv/bin/python bench/scoring.py --rebuild-ledger     # write the year's ledger again

The committee is scale_data's 50,000-member level (`bench-50000`, shared with bench/member_list.py in
`lvzhi_bench`). Its 2026 ledger is generated once, written with COPY, and reused while it holds exactly
--records rows: a plenary session (every member: present, on leave, late or absent), six standing
committee meetings (the ~15 % standing members), twelve special-committee meetings per member, duty
activities (the bulk after attendance), speeches, study notes, and the joint work: proposals (one to six
authors, lead and co-authors, or a collective proposal's main authors; accepted, key, excellent) and
社情民意 reports (one to three authors; adopted at one level or two, instructed). The default rule set is
active for the year.

It times, --runs rounds after a warm-up, each round both of (so both meet the same load on a shared
machine; the ratio is the median of the rounds' ratios):
  * the reference: `SELECT member_id, kind, count(*) … GROUP BY member_id, kind` over the year, every row
    fetched;
  * services.compute_year: every member's score computed and stored (delete, then COPY);
  * the same split into its steps (counts, records, engine, rows, store), for the explanation;
and, --member-runs times, services.compute_members for one member after a change to a joint item of
theirs (the ledger synced through ledger.services.sync_records, a DutyImportItem as the source), and the
whole path the app runs: the sync committed, records_changed sent, the recompute task run for the three
authors (tasks run immediately here).

Targets (the issue): the full computation under 60 s and within 5× of the GROUP BY; one member under
100 ms. It exits non-zero when one is missed. Memory: the peak resident size is printed before and
after the full computation.
"""

import argparse
import datetime
import gc
import os
import random
import resource
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scale_data  # noqa: E402  (the bench directory is not a package)

MEMBERS = 50_000
RECORDS = 1_500_000
YEAR = 2026
TARGET_SECONDS = 60.0
TARGET_RATIO = 5.0
TARGET_MEMBER_MS = 100.0

PLENARY = [("present", 0.90), ("leave", 0.06), ("late", 0.02), ("absent", 0.02)]
MEETING = [("present", 0.84), ("leave", 0.09), ("late", 0.03), ("left_early", 0.01), ("absent", 0.03)]
ACTIVITY_KINDS = ["inspection", "research", "training", "consultation", "group", "study_tour", "liaison"]
ADOPTION_LEVELS = [("county", 0.6), ("city", 0.3), ("province", 0.09), ("national", 0.01)]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=scale_data.DEFAULT_DATABASE_URL)
    parser.add_argument("--records", type=int, default=RECORDS)
    parser.add_argument("--runs", type=int, default=5, help="timed runs of the GROUP BY and the full year")
    parser.add_argument("--member-runs", type=int, default=20, help="timed one-member recomputes")
    parser.add_argument("--rebuild-ledger", action="store_true")
    return parser.parse_args(argv)


def _pick(rng, weighted):
    roll, total = rng.random(), 0.0
    for value, weight in weighted:
        total += weight
        if roll < total:
            return value
    return weighted[-1][0]


def _day(rng):
    return datetime.date(YEAR, 1, 1) + datetime.timedelta(days=rng.randrange(365))


class LedgerMaker:
    """The year's ledger rows as (member_id, kind, date, role, source_type_id, source_id), generated
    in a fixed order from a seeded generator: the same rows on every machine."""

    def __init__(self, member_ids, records, types):
        self.members = member_ids
        self.target = records
        self.types = types
        self.rng = random.Random(f"scoring-{YEAR}-{len(member_ids)}")

    def rows(self):
        rng, members, activity = self.rng, self.members, self.types["activity"]
        written = 0
        # a plenary session: everyone
        plenary_day = datetime.date(YEAR, 1, 12)
        for member in members:
            yield (member, f"attendance.plenary.{_pick(rng, PLENARY)}", plenary_day, "", activity, 1)
        written += len(members)
        # six standing committee meetings of the standing members
        standing = [m for m in members if rng.random() < 0.15]
        for meeting in range(6):
            day = datetime.date(YEAR, 2 * meeting + 1, 20)
            for member in standing:
                yield (member, f"attendance.standing.{_pick(rng, MEETING)}", day, "", activity, 10 + meeting)
            written += len(standing)
        # twelve meetings of each of six special committees, every member in one of them
        for member in members:
            committee = member % 6
            for meeting in range(12):
                day = datetime.date(YEAR, meeting + 1, 8 + committee)
                source = 100 + committee * 12 + meeting
                yield (member, f"attendance.committee.{_pick(rng, MEETING)}", day, "", activity, source)
            written += 12
        # speeches and study notes
        for member in members:
            if rng.random() < 0.6:
                yield (member, rng.choice(("speech.oral", "speech.written")), _day(rng), "", activity, 1)
                written += 1
            for kind in ("study.notes", "study.essay"):
                if rng.random() < (0.9 if kind == "study.notes" else 0.2):
                    yield (member, kind, _day(rng), "", self.types["study"], member)
                    written += 1
        # joint work
        for row in self._proposals():
            yield row
            written += 1
        for row in self._opinions():
            yield row
            written += 1
        # duty activities fill the rest: ~3,000 activities, each member at a dozen or so
        rest = self.target - written
        per_member, extra = divmod(rest, len(members))
        for i, member in enumerate(members):
            count = per_member + (1 if i < extra else 0)
            for source in rng.sample(range(1000, 4000), count):
                kind = f"activity.{ACTIVITY_KINDS[source % len(ACTIVITY_KINDS)]}"
                yield (
                    member,
                    kind,
                    datetime.date(YEAR, 1, 1) + datetime.timedelta(days=source % 365),
                    "",
                    activity,
                    source,
                )

    def _authors(self, collective=False):
        rng = self.rng
        roll = rng.random()
        n = 1 if roll < 0.6 else rng.randint(2, 3) if roll < 0.85 else rng.randint(4, 6)
        people = rng.sample(self.members, n)
        if collective:
            return [(m, "collective") for m in people]
        return [(people[0], "lead")] + [(m, "co") for m in people[1:]]

    def _proposals(self):
        rng, source_type = self.rng, self.types["proposal"]
        for number in range(1, 25_001):
            day = _day(rng)
            authors = self._authors(collective=rng.random() < 0.05)
            kinds = ["proposal.submitted"]
            if rng.random() < 0.7:
                kinds.append("proposal.accepted")
                if rng.random() < 0.07:
                    kinds.append("proposal.key")
                if rng.random() < 0.04:
                    kinds.append("proposal.excellent")
            for kind in kinds:
                for member, role in authors:
                    yield (member, kind, day, role, source_type, number)

    def _opinions(self):
        rng, source_type = self.rng, self.types["opinion"]
        for number in range(1, 30_001):
            day = _day(rng)
            roll = rng.random()
            people = rng.sample(self.members, 1 if roll < 0.7 else 2 if roll < 0.92 else 3)
            authors = [(people[0], "lead")] + [(m, "co") for m in people[1:]]
            kinds = ["opinion.submitted"]
            if rng.random() < 0.25:
                kinds.append(f"opinion.adopted.{_pick(rng, ADOPTION_LEVELS)}")
                if rng.random() < 0.2:  # adopted higher up too: only the highest level counts
                    kinds.append("opinion.adopted.province")
            if rng.random() < 0.05:
                kinds.append(f"opinion.instructed.{rng.choice(('county', 'city'))}")
            for kind in dict.fromkeys(kinds):
                for member, role in authors:
                    yield (member, kind, day, role, source_type, number)


def source_types():
    from django.contrib.contenttypes.models import ContentType

    def pk(app, model):
        return ContentType.objects.get_by_natural_key(app, model).pk

    return {
        "activity": pk("activities", "activity"),
        "proposal": pk("proposals", "proposal"),
        "opinion": pk("opinions", "opinionreport"),
        "study": pk("members", "member"),
        "change": pk("ledger", "dutyimportitem"),
    }


def year_filter(committee):
    from lvzhi.ledger.models import DutyRecord

    return DutyRecord.objects.filter(
        committee=committee, date__range=(datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31))
    )


def ensure_ledger(level, records, *, rebuild):
    """The year's ledger of the level: reused when it holds exactly `records` rows, written otherwise."""
    from django.db import connection, transaction
    from django.utils import timezone

    from lvzhi.ledger.models import DutyRecord
    from lvzhi.members.models import Member

    types = source_types()
    committee = level.committee
    # Leftovers of an interrupted run's changes (the bench's own import items) go first.
    DutyRecord.objects.filter(committee=committee, source_type_id=types["change"]).delete()
    found = year_filter(committee).count()
    if found == records and not rebuild:
        print(f"ledger: reused {found:,} records of {YEAR}")
        return
    member_ids = list(Member.objects.filter(committee=committee).order_by("pk").values_list("pk", flat=True))
    started = time.perf_counter()
    now = timezone.now()
    columns = (
        "member_id, committee_id, date, kind, role, share, source_type_id, source_id, source_label, "
        "recorded_at, note"
    )
    written = 0
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM ledger_dutyrecord WHERE committee_id = %s", [committee.pk])
        with cursor.copy(f"COPY ledger_dutyrecord ({columns}) FROM STDIN") as copy:
            for member, kind, day, role, source_type, source in LedgerMaker(
                member_ids, records, types
            ).rows():
                copy.write_row((member, committee.pk, day, kind, role, 1, source_type, source, "", now, ""))
                written += 1
    if written != records:
        raise SystemExit(f"the generator wrote {written:,} records, not {records:,}")
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) ledger_dutyrecord")
    print(f"ledger: wrote {written:,} records of {YEAR} in {time.perf_counter() - started:.1f} s (COPY)")


def ensure_rule_set(level):
    from lvzhi.scoring import selectors, services

    rule_set = selectors.active_rule_set(level.committee, YEAR)
    if rule_set is None:
        text = (scale_data.ROOT / "lvzhi" / "scoring" / "data" / "default_rules.yaml").read_text(
            encoding="utf-8"
        )
        rule_set = services.save_rule_set(committee=level.committee, year=YEAR, text=text, activate=True)
    return rule_set


def mix(committee):
    from django.db.models import Count

    rows = year_filter(committee).values("kind").annotate(n=Count("*")).order_by()
    return {row["kind"]: row["n"] for row in rows}


def group_by_seconds(committee):
    from django.db import connection

    sql = (
        "SELECT member_id, kind, count(*) FROM ledger_dutyrecord "
        "WHERE committee_id = %s AND date BETWEEN %s AND %s GROUP BY member_id, kind"
    )
    with connection.cursor() as cursor:
        started = time.perf_counter()
        cursor.execute(sql, [committee.pk, datetime.date(YEAR, 1, 1), datetime.date(YEAR, 12, 31)])
        rows = cursor.fetchall()
        return time.perf_counter() - started, len(rows)


def steps(committee, rule_set):
    """compute_year's steps one by one (the same code, timed apart)."""
    from django.db import transaction
    from django.utils import timezone

    from lvzhi.ledger import kinds as ledger_kinds
    from lvzhi.scoring import engine, selectors, services
    from lvzhi.scoring.models import MemberScore

    timings = {}
    # as compute_year: in one transaction, the garbage collector paused
    with engine.gc_paused(), transaction.atomic():
        t = time.perf_counter()
        parsed = rule_set.parsed()
        counted = engine.count_only_kinds(parsed, ledger_kinds.all_kinds())
        assessed = selectors.assessed_member_ids(committee)
        timings["rule set, members"] = time.perf_counter() - t
        t = time.perf_counter()
        counts = list(selectors.year_counts(committee, YEAR, kinds=counted))
        timings["counts (GROUP BY)"] = time.perf_counter() - t
        t = time.perf_counter()
        records = list(selectors.year_records(committee, YEAR, exclude_kinds=counted))
        timings["records (joint work)"] = time.perf_counter() - t
        t = time.perf_counter()
        results = engine.compute(parsed, records, counts=counts, member_ids=assessed, explain=False)
        timings["engine"] = time.perf_counter() - t
        t = time.perf_counter()
        MemberScore.objects.filter(rule_set=rule_set).delete()
        stored = services._store_scores(
            results.values(), rule_set=rule_set, committee_id=committee.pk, year=YEAR, now=timezone.now()
        )
        timings["store (delete + COPY)"] = time.perf_counter() - t
    return timings, len(counts), len(records), stored


class JointChange:
    """A joint item of three authors in an import of the bench's own; each change adds or removes its
    'accepted' records, which changes the split of all three."""

    def __init__(self, level):
        from lvzhi.ledger.models import DutyImport, DutyImportItem
        from lvzhi.members.models import Member

        self.committee = level.committee
        self.authors = list(Member.objects.filter(committee=self.committee).order_by("pk")[:3])
        job = DutyImport.objects.create(committee=self.committee, original_name="bench-scoring.xlsx")
        self.item = DutyImportItem.objects.create(job=job, key="bench", label="基准联名提案")
        self.accepted = False

    def facts(self):
        from lvzhi.ledger.services import Fact

        day = datetime.date(YEAR, 6, 1)
        kinds = ["proposal.submitted"] + (["proposal.accepted"] if self.accepted else [])
        roles = ["lead", "co", "co"]
        return [
            Fact(m, kind, day, role) for kind in kinds for m, role in zip(self.authors, roles, strict=True)
        ]

    def toggle(self):
        from lvzhi.ledger.services import sync_records

        self.accepted = not self.accepted
        sync_records(source=self.item, committee=self.committee, facts=self.facts())

    def retract(self):
        from lvzhi.ledger.services import retract_all

        retract_all(source=self.item, committee=self.committee)


def peak_mb():
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def main(argv=None):
    args = parse_args(argv)
    # The recompute task runs in the committing thread, as the tests run it: the bench times the path.
    os.environ["LVZHI_TASKS_BACKEND"] = "django_tasks.backends.immediate.ImmediateBackend"
    try:
        scale_data.setup(args.database_url)
    except scale_data.UnsafeDatabase as exc:
        raise SystemExit(f"refusing to run: {exc}") from None
    from django.conf import settings
    from django.db import connection

    from lvzhi.scoring import engine, services
    from lvzhi.scoring.models import MemberScore

    assert not settings.DEBUG, "the benchmark must run with DEBUG off"
    level = scale_data.ensure_level(MEMBERS)
    ensure_ledger(level, args.records, rebuild=args.rebuild_ledger)
    rule_set = ensure_rule_set(level)
    committee = level.committee
    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) ledger_dutyrecord, scoring_memberscore")

    kinds = mix(committee)
    parsed = rule_set.parsed()
    total = sum(kinds.values())
    by_item = sum(n for k, n in kinds.items() if not engine.counts_suffice(parsed, k))
    groups = {}
    for kind, n in kinds.items():
        groups[kind.split(".", 1)[0]] = groups.get(kind.split(".", 1)[0], 0) + n
    print(
        f"{MEMBERS:,} members, {total:,} records of {YEAR}: "
        + ", ".join(f"{g} {n / total:.0%}" for g, n in sorted(groups.items(), key=lambda kv: -kv[1]))
    )
    print(f"scored by item (read as rows): {by_item:,} ({by_item / total:.1%}); the rest read as counts\n")

    # Warm-ups, then rounds of the GROUP BY and the full year side by side, so that both meet the same
    # load (this machine is shared): the ratio is the median of the rounds' ratios.
    group_by_seconds(committee)
    rss_before = peak_mb()
    services.compute_year(committee=committee, year=YEAR)
    reference, full, ratios = [], [], []
    for _ in range(args.runs):
        seconds, group_rows = group_by_seconds(committee)
        gc.collect()
        started = time.perf_counter()
        result = services.compute_year(committee=committee, year=YEAR)
        elapsed = time.perf_counter() - started
        reference.append(seconds)
        full.append(elapsed)
        ratios.append(elapsed / seconds)
    reference_s, full_s, ratio = (
        statistics.median(reference),
        statistics.median(full),
        statistics.median(ratios),
    )
    stored = MemberScore.objects.filter(rule_set=rule_set).count()
    print(f"GROUP BY member_id, kind: {reference_s:.2f} s median of {args.runs} ({group_rows:,} rows)")
    print(
        f"compute_year (computed and stored): {full_s:.2f} s median of {args.runs} "
        f"({result.members:,} scores from {result.records:,} records; {stored:,} rows stored)"
    )
    print("ratio per round: " + ", ".join(f"{r:.2f}" for r in ratios) + f"; median {ratio:.2f}x")
    print(f"peak resident memory: {rss_before:,.0f} MB before, {peak_mb():,.0f} MB after")

    gc.collect()
    timings, n_counts, n_records, n_rows = steps(committee, rule_set)
    print(f"\nits steps ({n_counts:,} count rows, {n_records:,} records, {n_rows:,} scores):")
    for name, seconds in timings.items():
        print(f"  {name:<26}{seconds:7.2f} s")

    change = JointChange(level)
    lead = change.authors[0]
    one, path = [], []
    try:
        for run in range(args.member_runs + 2):
            # the change committed: records_changed, the three authors recomputed by the task
            started = time.perf_counter()
            change.toggle()
            path_elapsed = time.perf_counter() - started
            # and the lead alone, as the task does it for one member
            started = time.perf_counter()
            services.compute_members(committee=committee, year=YEAR, member_ids=[lead.pk])
            elapsed = time.perf_counter() - started
            if run >= 2:  # two warm-ups
                one.append(elapsed)
                path.append(path_elapsed)
    finally:
        change.retract()
    score = MemberScore.objects.get(rule_set=rule_set, member=lead)
    one_ms = statistics.median(one) * 1000
    print(
        f"\ncompute_members, one member after a change: {one_ms:.1f} ms median of {len(one)} "
        f"(min {min(one) * 1000:.1f}, max {max(one) * 1000:.1f})"
    )
    print(
        f"the whole path (sync of a joint item committed, records_changed, the three authors recomputed): "
        f"{statistics.median(path) * 1000:.1f} ms median"
    )
    print(f"  (the lead's stored total now {score.total})")

    print(f"\nPostgreSQL {connection.pg_version // 10000}; targets:")
    checks = [
        (f"full year {full_s:.1f} s < {TARGET_SECONDS:.0f} s", full_s < TARGET_SECONDS),
        (f"full year / GROUP BY = {ratio:.2f}x <= {TARGET_RATIO:.0f}x", ratio <= TARGET_RATIO),
        (f"one member {one_ms:.1f} ms < {TARGET_MEMBER_MS:.0f} ms", one_ms < TARGET_MEMBER_MS),
    ]
    for text, ok in checks:
        print(f"  {'OK    ' if ok else 'MISSED'} {text}")
    return 0 if all(ok for _t, ok in checks) else 1


if __name__ == "__main__":
    sys.exit(main())
