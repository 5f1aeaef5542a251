"""Roster-import benchmark: read, plan and apply 1,000- and 5,000-row .xlsx rosters on PostgreSQL.

    .venv/bin/python bench/member_import.py                  # 1,000 and 5,000 rows
    .venv/bin/python bench/member_import.py --sizes 20000    # any other size

Each run drops and recreates its own database (lvzhi_bench_import; audit rows are append-only, so an
imported committee cannot be deleted, only the database), then for each size: a fresh committee
``bench-import-<size>`` with the demo structure (25 sectors, 17 town committees, 6 special committees)
and a current term, a roster built with openpyxl the way offices send them (title row, merged title
cell, ID numbers as text, dates as 1975.03, 是/否), and

- read: uploads.check_spreadsheet + openpyxl read-only parse + header detection (roster_import.read_roster),
- plan: cleaning, validation, blind-index matching (plan_import), on an empty committee (all creates),
- apply: apply_import, creating every member file and its history row in bulk
  (services.create_members), one audit row for the new files and one for the import, and the term rows,
- re-plan / re-apply of the same file: every row unchanged, nothing written,
- update: a second file where one row in ten has a new phone and sector.

For each step it prints the wall time, the query count and time spent in SQL, and how long went into
field encryption and blind indexes (lvzhi.core.crypto), into the derived name keys (pinyin and stroke
order, lvzhi.core.chinese), into model validation (Member.full_clean) and into the history rows' change
lists (services._diff); the rest is Python and the ORM. It exits non-zero when 5,000 rows take 30 s or
more from read to apply (--target).
"""

import argparse
import datetime
import functools
import io
import random
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import scale_data  # noqa: E402  (the bench directory is not a package)

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/lvzhi_bench_import"
CODE_PREFIX = "bench-import-"
HEADER = [
    "序号",
    "姓名",
    "性别",
    "民族",
    "出生年月",
    "籍贯",
    "身份证号码",
    "党派",
    "学历",
    "界别",
    "工作单位及职务",
    "手机号码",
    "专委会",
    "所属工委",
    "是否常委",
    "备注",
]
PARTIES = ["中共", "无党派人士", "民盟", "民建", "民进", "农工党", "九三学社", "民革", "致公党", "群众"]
EDUCATION = ["博士研究生", "硕士研究生", "大学本科", "大学本科", "大学本科", "大专", "高中"]


def parse_args(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--database-url", default=DEFAULT_DATABASE_URL)
    parser.add_argument("--sizes", type=int, nargs="+", default=[1_000, 5_000])
    parser.add_argument("--target", type=float, default=30.0, help="seconds allowed for 5,000 rows")
    return parser.parse_args(argv)


# --- measuring ------------------------------------------------------------------------------------


class Meter:
    """Wall time of named functions (patched in place) and of SQL, plus the query count."""

    def __init__(self):
        self.seconds = {}
        self.queries = 0
        self.sql_seconds = 0.0

    def reset(self):
        self.seconds = dict.fromkeys(self.seconds, 0.0)
        self.queries = 0
        self.sql_seconds = 0.0

    def wrap(self, module, name, bucket):
        original = getattr(module, name)
        self.seconds.setdefault(bucket, 0.0)

        @functools.wraps(original)
        def timed(*args, **kwargs):
            started = time.perf_counter()
            try:
                return original(*args, **kwargs)
            finally:
                self.seconds[bucket] += time.perf_counter() - started

        setattr(module, name, timed)

    def __call__(self, execute, sql, params, many, context):
        self.queries += 1
        started = time.perf_counter()
        try:
            return execute(sql, params, many, context)
        finally:
            self.sql_seconds += time.perf_counter() - started


BUCKETS = ("crypto", "name keys", "validation", "history")


def instrument(meter):
    from lvzhi.core import chinese, crypto
    from lvzhi.members import services
    from lvzhi.members.models import Member

    for name in ("encrypt", "decrypt", "blind_index"):
        meter.wrap(crypto, name, "crypto")
    for name in ("pinyin_full", "pinyin_sort_key", "pinyin_initials", "stroke_sort_key"):
        meter.wrap(chinese, name, "name keys")
    # Disjoint from the two above: full_clean neither encrypts nor computes keys, _diff only masks.
    meter.wrap(Member, "full_clean", "validation")
    meter.wrap(services, "_diff", "history")


# --- data -----------------------------------------------------------------------------------------


def make_committee(size):
    from django.contrib.auth.models import Group

    from lvzhi.accounts.models import User
    from lvzhi.accounts.roles import Role
    from lvzhi.demo import builder as demo
    from lvzhi.organization.models import Committee, OrgUnit, Term

    committee = Committee.objects.create(
        code=f"{CODE_PREFIX}{size}", name=f"政协导入测试{size}县委员会", level=Committee.Level.COUNTY
    )
    Term.objects.create(
        committee=committee, number=9, name="第九届", start_date=datetime.date(2025, 1, 8), is_current=True
    )
    kind = OrgUnit.Kind
    units = [
        OrgUnit(committee=committee, kind=kind.SECTOR, name=n, sort_order=i)
        for i, n in enumerate(demo.SECTORS)
    ]
    units += [
        OrgUnit(
            committee=committee, kind=kind.TOWN_COMMITTEE, name=f"{t}政协工委", short_name=t, sort_order=i
        )
        for i, t in enumerate(demo.TOWNS)
    ]
    units += [
        OrgUnit(committee=committee, kind=kind.SPECIAL_COMMITTEE, name=n, sort_order=i)
        for i, n in enumerate(demo.SPECIAL_COMMITTEES)
    ]
    OrgUnit.objects.bulk_create(units)
    office = User.objects.create_user(username=f"bench-import-office-{size}", committee=committee)
    # The import's services check the importer's rights (members.add_member, change_member).
    office.groups.add(Group.objects.get(name=Role.OFFICE.value))
    return committee, office


def roster_rows(size, *, seed):
    """Fictional members written as offices write them (ID numbers valid, area code 99: nobody's)."""
    from lvzhi.core import idcard
    from lvzhi.demo import builder as demo

    rng = random.Random(seed)
    used_ids, used_names = set(), set()
    rows = []
    sectors = [s.removesuffix("界") if rng.random() < 0.3 else s for s in demo.SECTORS]
    for i in range(size):
        male = rng.random() < 0.68
        while True:
            name = rng.choice(demo.SURNAMES) + "".join(
                rng.choice(demo.GIVEN_MALE if male else demo.GIVEN_FEMALE)
                for _ in range(rng.choice((1, 2, 2)))
            )
            if name not in used_names:
                used_names.add(name)
                break
        while True:
            birth = datetime.date(1960, 1, 1) + datetime.timedelta(days=rng.randint(0, 365 * 32))
            number = idcard.make(
                rng.choice(demo.AREA_CODES), birth, 2 * rng.randint(0, 499) + (1 if male else 0)
            )
            if number not in used_ids:
                used_ids.add(number)
                break
        town = rng.choice(demo.TOWNS)
        specials = rng.sample(demo.SPECIAL_COMMITTEES, rng.choice((0, 1, 1, 2)))
        rows.append(
            [
                i + 1,
                name,
                "男" if male else "女",
                rng.choice(demo.ETHNICITIES),
                f"{birth.year}.{birth.month:02d}",
                rng.choice(demo.NATIVE_PLACES),
                number,
                rng.choice(PARTIES),
                rng.choice(EDUCATION),
                rng.choice(sectors),
                f"{town}中心学校{rng.choice(demo.POSTS)}",
                f"139{rng.randint(0, 99_999_999):08d}",
                "、".join(specials),
                town if rng.random() < 0.5 else f"{town}政协工委",
                "是" if rng.random() < 0.15 else "否",
                "",
            ]
        )
    return rows


def build_xlsx(rows, title):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.append([title])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADER))
    sheet.append(HEADER)
    for row in rows:
        sheet.append(row)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


# --- the steps ------------------------------------------------------------------------------------


def measure(meter, label, size, step):
    from django.db import connection

    meter.reset()
    with connection.execute_wrapper(meter):
        started = time.perf_counter()
        result = step()
        seconds = time.perf_counter() - started
    figures = {
        "step": label,
        "rows": size,
        "seconds": seconds,
        "queries": meter.queries,
        "sql": meter.sql_seconds,
        **{bucket: meter.seconds.get(bucket, 0.0) for bucket in BUCKETS},
    }
    print(
        f"{label:<10} {size:>6,} {seconds:>8.2f} {meter.queries:>8,} {meter.sql_seconds:>7.2f} "
        f"{figures['crypto']:>7.2f} {figures['name keys']:>9.2f} {figures['validation']:>10.2f} "
        f"{figures['history']:>7.2f}"
    )
    return result, figures


def run_size(size, meter):
    from lvzhi.members import roster_import
    from lvzhi.members.models import Member

    committee, office = make_committee(size)
    rows = roster_rows(size, seed=size)
    data = build_xlsx(rows, f"政协导入测试{size}县第九届委员会委员名单")

    table, read = measure(
        meter, "read", size, lambda: roster_import.read_roster(io.BytesIO(data), "名单.xlsx")
    )
    plan, planned = measure(
        meter, "plan", size, lambda: roster_import.plan_import(committee=committee, table=table)
    )
    assert plan.counts()["create"] == size, plan.counts()
    counts, applied = measure(
        meter, "apply", size, lambda: roster_import.apply_import(committee=committee, plan=plan, actor=office)
    )
    assert counts["created"] == size, counts
    assert Member.objects.filter(committee=committee).count() == size

    table = roster_import.read_roster(io.BytesIO(data), "名单.xlsx")
    plan, replanned = measure(
        meter, "re-plan", size, lambda: roster_import.plan_import(committee=committee, table=table)
    )
    assert plan.counts()["unchanged"] == size, plan.counts()
    counts, reapplied = measure(
        meter,
        "re-apply",
        size,
        lambda: roster_import.apply_import(committee=committee, plan=plan, actor=office),
    )
    assert counts["unchanged"] == size, counts

    rng = random.Random(size + 1)
    for row in rows[::10]:
        row[11] = f"138{rng.randint(0, 99_999_999):08d}"
        row[9] = "经济界" if row[9] != "经济界" else "农业界"
    table = roster_import.read_roster(io.BytesIO(build_xlsx(rows, "更新")), "名单.xlsx")
    plan = roster_import.plan_import(committee=committee, table=table)
    changed = plan.counts()["update"]
    counts, updated = measure(
        meter,
        "update",
        changed,
        lambda: roster_import.apply_import(committee=committee, plan=plan, actor=office),
    )
    assert counts["updated"] == changed, counts
    return {
        "read": read,
        "plan": planned,
        "apply": applied,
        "re-plan": replanned,
        "re-apply": reapplied,
        "update": updated,
    }


def main(argv=None):
    args = parse_args(argv)
    scale_data.CODE_PREFIX = CODE_PREFIX  # refuse databases holding anything but this benchmark's committees
    scale_data.setup(args.database_url, rebuild=True)
    meter = Meter()
    instrument(meter)
    print()
    print("step         rows  seconds  queries  SQL s  crypto  name keys  validation  history")
    print("-" * 83)
    results = {}
    for size in args.sizes:
        results[size] = run_size(size, meter)
        print()
    ok = True
    for size, steps in results.items():
        total = sum(steps[s]["seconds"] for s in ("read", "plan", "apply"))
        apply_ = steps["apply"]
        other = apply_["seconds"] - apply_["sql"] - sum(apply_[bucket] for bucket in BUCKETS)
        print(
            f"{size:,} rows: read {steps['read']['seconds']:.1f} s + plan {steps['plan']['seconds']:.1f} s "
            f"+ apply {apply_['seconds']:.1f} s = {total:.1f} s ({size / total:,.0f} rows/s)"
        )
        print(
            f"  apply: SQL {apply_['sql']:.2f} s ({apply_['queries']:,} queries), "
            f"crypto {apply_['crypto']:.2f} s, name keys {apply_['name keys']:.2f} s, "
            f"validation {apply_['validation']:.2f} s, history {apply_['history']:.2f} s, "
            f"Python/ORM {other:.2f} s"
        )
        if size == 5_000:
            verdict = "OK" if total < args.target else "TOO SLOW"
            ok = ok and total < args.target
            print(f"target: 5,000 rows in under {args.target:.0f} s -> {verdict}")
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
