"""Scale data for benchmarks: one county-like committee per size level, in a database of its own.

    .venv/bin/python bench/scale_data.py                  # build 50, 5,000 and 50,000 members
    .venv/bin/python bench/scale_data.py --sizes 200000   # any other level
    .venv/bin/python bench/scale_data.py --rebuild        # drop the bench database and start again

Each level is a committee with code ``bench-<size>`` holding the demo structure (25 sectors, 17 town
committees, 6 special committees), a current term, an office user ``bench-office-<size>`` and <size>
members with a current-term row. A level is built in one transaction, so it either exists completely
or not at all, and a rerun reuses it. Data is deterministic per level (seeded by the size).

Other benchmarks reuse it:

    import scale_data
    scale_data.setup(database_url)          # before importing any model
    level = scale_data.ensure_level(5000)   # -> Level(committee, term, office, units, size, ...)

The script only ever writes to a database whose committees it made itself (codes ``bench-*``).
"""

import argparse
import datetime
import functools
import os
import random
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DEFAULT_DATABASE_URL = "postgres://postgres@127.0.0.1:5432/lvzhi_bench"
DEFAULT_SIZES = (50, 5_000, 50_000)
CODE_PREFIX = "bench-"
BATCH_SIZE = 1_000
ANALYZED_TABLES = (
    "organization_committee",
    "organization_term",
    "organization_orgunit",
    "accounts_user",
    "members_member",
    "members_memberterm",
    "members_memberterm_special_committees",
)
CHUNK = 5_000  # members generated and inserted per round (bounds memory at any size)


class UnsafeDatabase(RuntimeError):
    """The target database holds data that the benchmark did not make."""


# --- database -------------------------------------------------------------------------------


def _server_conninfo(database_url):
    import dj_database_url

    cfg = dj_database_url.parse(database_url)
    if cfg["ENGINE"] != "django.db.backends.postgresql":
        raise SystemExit(f"The benchmark needs PostgreSQL, not {cfg['ENGINE']} ({database_url}).")
    params = {"dbname": "postgres", "user": cfg.get("USER") or "postgres"}
    for key, name in (("HOST", "host"), ("PORT", "port"), ("PASSWORD", "password")):
        if cfg.get(key):
            params[name] = str(cfg[key])
    return params, cfg["NAME"]


def _admin(database_url, statement_for):
    """Run CREATE/DROP DATABASE on the server's maintenance database (outside a transaction)."""
    import psycopg
    from psycopg import sql

    params, name = _server_conninfo(database_url)
    with psycopg.connect(**params, autocommit=True) as conn:
        exists = conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone()
        statement = statement_for(bool(exists))
        if statement:
            conn.execute(sql.SQL(statement).format(sql.Identifier(name)))
            return True
    return False


def ensure_database(database_url, *, verbose=True):
    created = _admin(database_url, lambda exists: None if exists else "CREATE DATABASE {}")
    if created and verbose:
        print(f"created database {_server_conninfo(database_url)[1]}")


def setup(database_url=DEFAULT_DATABASE_URL, *, rebuild=False, verbose=True):
    """Point Django at the bench database (created if missing), check that it is ours, migrate it.

    Must run before any model is imported: settings read DATABASE_URL and DEBUG when loaded.
    """
    if _server_conninfo(database_url)[1] in {"postgres", "template0", "template1"}:
        raise UnsafeDatabase("the server's maintenance databases are no place for bench data")
    os.environ["DATABASE_URL"] = database_url
    os.environ["DEBUG"] = "0"
    os.environ.setdefault("LOG_LEVEL", "ERROR")
    os.environ["DJANGO_SETTINGS_MODULE"] = "config.settings"
    ensure_database(database_url)

    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection

    check_database_is_ours()
    if rebuild:
        connection.close()
        _admin(database_url, lambda exists: "DROP DATABASE {}" if exists else None)
        ensure_database(database_url, verbose=False)
        print(f"dropped and recreated database {_server_conninfo(database_url)[1]}")
    started = time.monotonic()
    call_command("migrate", interactive=False, verbosity=0)
    if verbose:
        print(f"migrated ({time.monotonic() - started:.1f} s)")


def check_database_is_ours():
    """Refuse a database with committees the benchmark did not make, or with foreign tables."""
    from django.db import connection

    tables = set(connection.introspection.table_names())
    if not tables:
        return
    if "django_migrations" not in tables:
        raise UnsafeDatabase(
            f"database {connection.settings_dict['NAME']} has tables but is no Django database"
        )
    if "organization_committee" not in tables:
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT code FROM organization_committee WHERE code NOT LIKE %s", [CODE_PREFIX + "%"])
        foreign = [code for (code,) in cursor.fetchall()]
    if foreign:
        raise UnsafeDatabase(
            f"database {connection.settings_dict['NAME']} holds committees the benchmark did not make "
            f"({', '.join(foreign[:5])}); point --database-url at a database of its own"
        )


# --- data -----------------------------------------------------------------------------------


@dataclass
class Level:
    size: int
    committee: object
    term: object
    office: object
    units: dict  # name -> OrgUnit
    build_seconds: float | None = None  # None when the level already existed
    counts: dict = field(default_factory=dict)

    @property
    def members_per_second(self):
        return self.size / self.build_seconds if self.build_seconds else None


def committee_code(size):
    return f"{CODE_PREFIX}{size}"


@functools.cache
def _name_keys(name):
    """The derived name columns, as Member.save() sets them (bulk_create does not call save()).
    MemberMaker._check compares a bulk row with a save() of it, so a new derived column is noticed."""
    from lvzhi.core import chinese

    return {
        "name_pinyin": chinese.pinyin_full(name),
        "name_pinyin_key": chinese.pinyin_sort_key(name),
        "name_initials": chinese.pinyin_initials(name),
        "name_stroke_key": chinese.stroke_sort_key(name),
    }


def ensure_level(size, *, seed=2026, progress=True):
    """The level of `size` members: reused when complete, built otherwise."""
    from django.utils import timezone

    from lvzhi.accounts.models import User
    from lvzhi.members.models import Member
    from lvzhi.organization.models import Committee, OrgUnit, Term

    committee = Committee.objects.filter(code=committee_code(size)).first()
    if committee is None:
        return _build_level(size, seed=seed, progress=progress)
    found = Member.objects.filter(committee=committee).count()
    if found != size:
        raise SystemExit(
            f"level {size} has {found} members (changed by hand?); rerun with --rebuild to start again"
        )
    office = User.objects.get(username=f"bench-office-{size}")
    # A long-lived bench user must not trip password expiry or forced-change rules.
    fresh = {"password_changed_at": timezone.now()}
    if any(f.name == "must_change_password" for f in User._meta.get_fields()):
        fresh["must_change_password"] = False
    User.objects.filter(pk=office.pk).update(**fresh)
    office.refresh_from_db()
    units = {u.name: u for u in OrgUnit.objects.filter(committee=committee)}
    term = Term.objects.get(committee=committee, is_current=True)
    return Level(size=size, committee=committee, term=term, office=office, units=units)


def _build_level(size, *, seed, progress):
    from django.contrib.auth.models import Group
    from django.db import transaction

    from lvzhi.accounts.models import User
    from lvzhi.accounts.roles import Role
    from lvzhi.demo import builder as demo
    from lvzhi.organization.models import Committee, OrgUnit, Term

    started = time.monotonic()
    with transaction.atomic():
        committee = Committee.objects.create(
            code=committee_code(size), name=f"政协基准县委员会（{size}人）", level=Committee.Level.COUNTY
        )
        term = Term.objects.create(
            committee=committee,
            number=9,
            name="第九届",
            start_date=datetime.date(2025, 1, 8),
            end_date=datetime.date(2029, 12, 31),
            is_current=True,
        )
        kind = OrgUnit.Kind
        plan = [(kind.OFFICE, "办公室")]
        plan += [(kind.SPECIAL_COMMITTEE, n) for n in demo.SPECIAL_COMMITTEES]
        plan += [(kind.SECTOR, n) for n in demo.SECTORS]
        plan += [(kind.TOWN_COMMITTEE, f"{t}政协工委") for t in demo.TOWNS]
        units = OrgUnit.objects.bulk_create(
            OrgUnit(committee=committee, kind=k, name=n, sort_order=i) for i, (k, n) in enumerate(plan)
        )
        units = {u.name: u for u in units}
        office = User.objects.create_user(
            username=f"bench-office-{size}",
            password=f"Bench-{random.Random(seed).getrandbits(64):x}",
            committee=committee,
            display_name=f"基准测试办公室（{size}）",
        )
        office.groups.add(Group.objects.get(name=Role.OFFICE.value))
        level = Level(size=size, committee=committee, term=term, office=office, units=units)
        level.counts = MemberMaker(level, seed=seed).make(progress=progress)
    level.build_seconds = time.monotonic() - started
    return level


class MemberMaker:
    """Builds member rows in bulk, with what Member.save() and the services would have set."""

    def __init__(self, level, *, seed):
        from lvzhi.demo import builder as demo

        self.demo = demo
        self.level = level
        self.rng = random.Random(f"{seed}-{level.size}")
        self.used_ids = set()
        # Surnames in demo.SURNAMES are listed most common first; weight them so (roughly like
        # real life) 王李张 are common and the tail is rare.
        self.surnames = demo.SURNAMES
        self.surname_weights = list(_cumulative([1 / (rank + 4) for rank in range(len(demo.SURNAMES))]))
        units = level.units
        self.sectors = {name: units[name] for name in demo.SECTORS}
        self.plain_sectors = [
            s for s in demo.SECTORS if s not in demo.PARTY_SECTOR.values() and s != "中国共产党"
        ]
        self.towns = [(t, units[f"{t}政协工委"]) for t in demo.TOWNS]
        self.special = [units[n] for n in demo.SPECIAL_COMMITTEES]
        self.party_values, party_weights = zip(*demo.PARTY_WEIGHTS, strict=True)
        self.party_weights = list(_cumulative(party_weights))
        self.education_values, education_weights = zip(*demo.EDUCATION_WEIGHTS, strict=True)
        self.education_weights = list(_cumulative(education_weights))

    def make(self, *, progress):
        from lvzhi.core.progress import ProgressBar
        from lvzhi.members.models import Member, MemberTerm

        size = self.level.size
        bar = ProgressBar(size, f"members (level {size})") if progress else None
        through = MemberTerm.special_committees.through
        counts = {"members": 0, "terms": 0, "special": 0, "standing": 0}
        for start in range(0, size, CHUNK):
            rows = [self._member_row(i) for i in range(start, min(start + CHUNK, size))]
            members = Member.objects.bulk_create([m for m, _ in rows], batch_size=BATCH_SIZE)
            terms = []
            for member, (_, term_row) in zip(members, rows, strict=True):
                term_row.member_id = member.pk
                terms.append(term_row)
            terms = MemberTerm.objects.bulk_create(terms, batch_size=BATCH_SIZE)
            links = [
                through(memberterm_id=t.pk, orgunit_id=unit.pk)
                for t in terms
                for unit in self.rng.sample(self.special, self.rng.choice([0, 1, 1, 1, 2]))
            ]
            through.objects.bulk_create(links, batch_size=BATCH_SIZE)
            counts["members"] += len(members)
            counts["terms"] += len(terms)
            counts["special"] += len(links)
            counts["standing"] += sum(t.is_standing for t in terms)
            if bar:
                bar.step(len(members))
        self._check(counts)
        return counts

    def _member_row(self, i):
        from lvzhi.core import idcard
        from lvzhi.members.models import Member, MemberTerm

        demo, rng = self.demo, self.rng
        male = rng.random() < 0.68
        birth = datetime.date(1960, 1, 1) + datetime.timedelta(days=rng.randint(0, 365 * 32))
        while True:
            # The 17th digit's parity carries the sex (odd: male).
            seq = 2 * rng.randrange(500) + (1 if male else 0)
            id_number = idcard.make(rng.choice(demo.AREA_CODES), birth, seq)
            if id_number not in self.used_ids:
                self.used_ids.add(id_number)
                break
        town, town_unit = rng.choice(self.towns)
        party = rng.choices(self.party_values, cum_weights=self.party_weights)[0]
        if party in demo.PARTY_SECTOR and rng.random() < 0.8:
            sector = demo.PARTY_SECTOR[party]
        elif party == Member.Party.CPC and rng.random() < 0.35:
            sector = "中国共产党"
        elif party == Member.Party.NON_PARTY and rng.random() < 0.25:
            sector = "无党派人士"
        else:
            sector = rng.choice(self.plain_sectors)
        name = self._name(male)
        member = Member(
            committee_id=self.level.committee.pk,
            name=name,
            **_name_keys(name),
            gender=Member.Gender.MALE if male else Member.Gender.FEMALE,
            ethnicity=rng.choice(demo.ETHNICITIES),
            birth_date=birth,
            native_place=rng.choice(demo.NATIVE_PLACES),
            # Encrypted by EncryptedCharField.get_prep_value and blind-indexed by
            # BlindIndexField.pre_save, both of which bulk_create runs per row.
            id_number=id_number,
            phone=f"1{rng.choice('3578')}{rng.randint(0, 999999999):09d}",
            email=f"b{self.level.size}m{i + 1}@example.cn" if rng.random() < 0.6 else "",
            party=party,
            education=rng.choices(self.education_values, cum_weights=self.education_weights)[0],
            employer_post=rng.choice(demo.EMPLOYERS).format(
                post=rng.choice(demo.POSTS),
                town=town,
                biz=rng.choice(demo.BUSINESSES),
                farm=rng.choice(demo.FARMS),
            ),
            address=f"基准县{town}{rng.choice('东西南北中')}街{rng.randint(1, 199)}号",
        )
        status, status_date, reason = MemberTerm.Status.SERVING, None, ""
        roll = rng.random()
        if roll < 0.015:
            status, status_date, reason = (
                MemberTerm.Status.TRANSFERRED,
                datetime.date(2026, 3, 20),
                "工作调动离开本县",
            )
        elif roll < 0.025:
            status, status_date, reason = (
                MemberTerm.Status.RESIGNED,
                datetime.date(2025, 11, 2),
                "本人申请辞去委员职务",
            )
        term_row = MemberTerm(
            term_id=self.level.term.pk,
            sector_id=self.sectors[sector].pk,
            town_committee_id=town_unit.pk,
            is_standing=rng.random() < 0.15,
            status=status,
            status_date=status_date,
            status_reason=reason,
        )
        return member, term_row

    def _name(self, male):
        rng = self.rng
        pool = self.demo.GIVEN_MALE if male else self.demo.GIVEN_FEMALE
        surname = rng.choices(self.surnames, cum_weights=self.surname_weights)[0]
        return surname + rng.choice(pool) + (rng.choice(pool) if rng.random() < 0.7 else "")

    def _check(self, counts):
        """The rows must look as if each had been saved one by one: keys and blind indexes set."""
        from django.db import connection

        from lvzhi.members.models import Member

        members = Member.objects.filter(committee=self.level.committee)
        derived = [*_name_keys("").keys(), "id_number_index", "phone_index"]
        missing = {name: members.filter(**{name: ""}).count() for name in derived}
        if any(missing.values()):
            raise RuntimeError(f"bulk-created members lack derived columns: {missing}")
        # Saving a bulk-created row through Member.save() must change nothing but updated_at.
        sample = members.order_by("id").first()
        saved = Member.objects.get(pk=sample.pk)
        saved.save()
        saved.refresh_from_db()
        differ = [
            f.attname
            for f in Member._meta.concrete_fields
            if f.attname != "updated_at" and getattr(sample, f.attname) != getattr(saved, f.attname)
        ]
        if differ:
            raise RuntimeError(f"bulk-created members differ from Member.save() in {differ}")
        if Member.objects.find_by_id_number(sample.id_number).filter(pk=sample.pk).count() != 1:
            raise RuntimeError("the blind index of a bulk-created member does not find it")
        with connection.cursor() as cursor:
            cursor.execute("SELECT id_number, phone FROM members_member WHERE id = %s", [sample.pk])
            stored = cursor.fetchone()
        if any(
            not v.startswith("v1:") or plain in v
            for v, plain in zip(stored, [sample.id_number, sample.phone], strict=True)
        ):
            raise RuntimeError("a bulk-created member's ID number or phone is not encrypted at rest")


def _cumulative(weights):
    total = 0
    for w in weights:
        total += w
        yield total


def analyze():
    """Refresh planner statistics and the visibility map, as autovacuum would on a live server. Right
    after a bulk load (or with autovacuum off) the planner takes 50,000 rows for a few dozen and
    picks plans no production database would run, and index-only scans must visit the heap."""
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("VACUUM (ANALYZE) " + ", ".join(ANALYZED_TABLES))


def ensure_levels(sizes, *, seed=2026, progress=True, report=print):
    levels = []
    for size in sizes:
        level = ensure_level(size, seed=seed, progress=progress)
        if level.build_seconds is None:
            report(f"level {size:>7,}: reused committee {level.committee.code}")
        else:
            report(
                f"level {size:>7,}: built in {level.build_seconds:.1f} s "
                f"({level.members_per_second:,.0f} members/s; {level.counts['standing']:,} standing, "
                f"{level.counts['special']:,} special-committee rows)"
            )
        levels.append(level)
    analyze()
    return levels


def add_database_arguments(parser):
    parser.add_argument(
        "--database-url",
        default=DEFAULT_DATABASE_URL,
        help=f"PostgreSQL database of the benchmark's own (default {DEFAULT_DATABASE_URL})",
    )
    parser.add_argument(
        "--rebuild", action="store_true", help="drop the bench database and build every level again"
    )


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    add_database_arguments(parser)
    parser.add_argument("--sizes", type=int, nargs="+", default=list(DEFAULT_SIZES))
    args = parser.parse_args(argv)
    try:
        setup(args.database_url, rebuild=args.rebuild)
    except UnsafeDatabase as exc:
        raise SystemExit(f"refusing to run: {exc}") from None
    ensure_levels(args.sizes)


if __name__ == "__main__":
    main()
