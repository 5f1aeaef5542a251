"""Step 2 of the roster import: clean each row.

RowCleaner turns one row of raw cells (from read.py's RosterTable) into the values of a member file
(MEMBER_FIELDS) and of the member's place in a term (TERM_KEYS and "term", units and term as ids): text
made half-width and trimmed, the ID number parsed and checked, birth date and gender taken from it (and
compared with their own cells when those are filled), parties, education levels and yes/no read the ways
people write them, sectors, town committees, special committees and the term matched by name against the
committee's Reference data (loaded once per plan, two queries).

A cell that cannot be cleaned becomes a RowIssue (row, column, what is wrong and what to do) and is left
out of the values; the rest of the row is still cleaned. Nothing is written and no query runs per row.
The next step is plan.py, which runs the cleaner over the table.
"""

import datetime
import difflib
import re
import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

from lvzhi.core import idcard
from lvzhi.organization.models import OrgUnit, Term

from .. import services
from ..forms import ID_ERRORS, MOBILE
from ..models import Member

# The member file's fields a roster fills, and the keys of the member's place in the term.
MEMBER_FIELDS = [
    "name",
    "gender",
    "ethnicity",
    "birth_date",
    "native_place",
    "id_number",
    "phone",
    "party",
    "education",
    "employer_post",
    "notes",
]
TERM_KEYS = ("sector", "town_committee", "special_committees", "is_standing")
# Longer text is a row issue here rather than an error of the database later.
MAX_LENGTHS = {"name": 50, "ethnicity": 20, "native_place": 50, "employer_post": 200}


@dataclass
class RowIssue:
    """What is wrong with one cell and what to do, by row number and column header as the user sees them."""

    row: int
    column: str
    message: str


class _Invalid(Exception):
    """A cell that cannot be cleaned; its message becomes the row's RowIssue."""


# --- reference data, loaded once per plan ---------------------------------------------------------

SECTOR_ABBREVIATIONS = {
    "中共": "中国共产党",
    "民革": "中国国民党革命委员会",
    "民盟": "中国民主同盟",
    "民建": "中国民主建国会",
    "民进": "中国民主促进会",
    "农工党": "中国农工民主党",
    "致公党": "中国致公党",
    "九三": "九三学社",
    "台盟": "台湾民主自治同盟",
    "无党派": "无党派人士",
    "共青团": "中国共产主义青年团",
    "工会": "总工会",
    "妇联": "妇女联合会",
    "工商联": "工商业联合会",
    "科协": "科学技术协会",
    "侨联": "归国华侨联合会",
    "台联": "台湾同胞联谊会",
    "青联": "青年联合会",
}
TOWN_SUFFIXES = ("政协工作委员会", "政协工委", "工作委员会", "工委", "政协")
TOWN_LOOSE_SUFFIXES = ("街道办事处", "街道", "镇", "乡", "区")
SPECIAL_SUFFIXES = ("专门委员会", "委员会", "专委会", "专委", "委")


def _key(text):
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", text or ""))


def _strip_suffixes(text, suffixes):
    for suffix in suffixes:
        if text.endswith(suffix) and len(text) > len(suffix):
            return text[: -len(suffix)]
    return text


class _UnitIndex:
    """Units of one kind by every name people write for them; a name shared by two units is ambiguous."""

    AMBIGUOUS = object()

    def __init__(self, units, variants):
        self.units = units
        self.variants = variants
        self.by_key = {}
        for unit in units:
            for name in filter(None, (unit.name, unit.short_name)):
                for key in variants(_key(name)):
                    existing = self.by_key.get(key)
                    self.by_key[key] = unit if existing in (None, unit) else self.AMBIGUOUS

    def find(self, value):
        for key in self.variants(_key(value)):
            unit = self.by_key.get(key)
            if unit is not None and unit is not self.AMBIGUOUS:
                return unit
        return None

    def suggestions(self, value):
        names = [u.name for u in self.units]
        return difflib.get_close_matches(_key(value), names, n=3, cutoff=0.4)


def _sector_variants(key):
    keys = [key, key + "界", key.removesuffix("界")]
    if key in SECTOR_ABBREVIATIONS:
        keys.append(SECTOR_ABBREVIATIONS[key])
    return [k for k in keys if k]


def _town_variants(key):
    base = _strip_suffixes(key, TOWN_SUFFIXES)
    return [k for k in (key, base, _strip_suffixes(base, TOWN_LOOSE_SUFFIXES)) if k]


def _special_variants(key):
    return [k for k in (key, _strip_suffixes(key, SPECIAL_SUFFIXES)) if k]


class Reference:
    """The committee's sectors, town committees, special committees and terms (two queries)."""

    def __init__(self, committee):
        kinds = [OrgUnit.Kind.SECTOR, OrgUnit.Kind.TOWN_COMMITTEE, OrgUnit.Kind.SPECIAL_COMMITTEE]
        units = list(
            OrgUnit.objects.filter(committee=committee, kind__in=kinds, is_active=True)
            .only("id", "committee_id", "kind", "name", "short_name")
            .order_by("sort_order", "name")
        )
        self.units_by_id = {u.pk: u for u in units}
        self.sectors = _UnitIndex([u for u in units if u.kind == OrgUnit.Kind.SECTOR], _sector_variants)
        self.towns = _UnitIndex([u for u in units if u.kind == OrgUnit.Kind.TOWN_COMMITTEE], _town_variants)
        self.specials = _UnitIndex(
            [u for u in units if u.kind == OrgUnit.Kind.SPECIAL_COMMITTEE], _special_variants
        )
        self.terms = {t.pk: t for t in Term.objects.filter(committee=committee)}
        self.terms_by_number = {t.number: t for t in self.terms.values()}
        self.current_term = next((t for t in self.terms.values() if t.is_current), None)
        # Every member's place goes through the one writer of places; it knows the units, so that the
        # history's names cost no query. The plan only compares; the apply queues and saves once.
        self.placements = services.TermPlacements(units=units)

    def unit_name(self, pk):
        unit = self.units_by_id.get(pk)
        return unit.name if unit else ""


# --- cleaning ------------------------------------------------------------------------------------

FULL_WIDTH_ALNUM = {
    **{0xFF10 + i: 0x30 + i for i in range(10)},
    **{0xFF21 + i: 0x41 + i for i in range(26)},
    **{0xFF41 + i: 0x61 + i for i in range(26)},
    0x3000: 0x20,
}
HAN = "\u3400-\u4dbf\u4e00-\u9fff\uf900-\ufaff"
SCIENTIFIC = re.compile(r"^[0-9]+(\.[0-9]+)?E\+?[0-9]+$", re.IGNORECASE)

GENDERS = {
    "男": Member.Gender.MALE,
    "男性": Member.Gender.MALE,
    "M": Member.Gender.MALE,
    "MALE": Member.Gender.MALE,
    "女": Member.Gender.FEMALE,
    "女性": Member.Gender.FEMALE,
    "F": Member.Gender.FEMALE,
    "FEMALE": Member.Gender.FEMALE,
}
Party = Member.Party
PARTIES = {
    "中共": Party.CPC,
    "中国共产党": Party.CPC,
    "共产党": Party.CPC,
    "共产党员": Party.CPC,
    "中共党员": Party.CPC,
    "中国共产党党员": Party.CPC,
    "党员": Party.CPC,
    "中共预备党员": Party.CPC,
    "民革": Party.RCCK,
    "中国国民党革命委员会": Party.RCCK,
    "民盟": Party.CDL,
    "中国民主同盟": Party.CDL,
    "民建": Party.CNDCA,
    "中国民主建国会": Party.CNDCA,
    "民进": Party.CAPD,
    "中国民主促进会": Party.CAPD,
    "农工党": Party.PWDP,
    "农工": Party.PWDP,
    "中国农工民主党": Party.PWDP,
    "致公党": Party.CZGP,
    "致公": Party.CZGP,
    "中国致公党": Party.CZGP,
    "九三": Party.JIUSAN,
    "九三学社": Party.JIUSAN,
    "台盟": Party.TDSGL,
    "台湾民主自治同盟": Party.TDSGL,
    "无党派": Party.NON_PARTY,
    "无党派人士": Party.NON_PARTY,
    "无党派民主人士": Party.NON_PARTY,
    "群众": Party.NON_PARTY,
}
PARTY_MEMBER_SUFFIXES = ("党员", "盟员", "会员", "社员", "成员")
Education = Member.Education
# Checked in this order: the first keyword contained in the cell wins (大学专科 before 大学).
EDUCATION_KEYWORDS = [
    ("博士", Education.DOCTORATE),
    ("硕士", Education.MASTER),
    ("研究生", Education.MASTER),
    ("大专", Education.ASSOCIATE),
    ("专科", Education.ASSOCIATE),
    ("本科", Education.BACHELOR),
    ("大学", Education.BACHELOR),
    ("中专", Education.SECONDARY),
    ("中技", Education.SECONDARY),
    ("职高", Education.SECONDARY),
    ("技校", Education.SECONDARY),
    ("高中", Education.SECONDARY),
    ("初中", Education.BASIC),
    ("小学", Education.BASIC),
]
YES = {"是", "√", "✓", "✔", "☑", "常委", "Y", "YES", "TRUE", "1", "是常委"}
NO = {"否", "×", "✗", "✘", "N", "NO", "FALSE", "0", "不是", "非常委"}
CHINESE_DIGITS = {
    "零": 0,
    "一": 1,
    "二": 2,
    "两": 2,
    "三": 3,
    "四": 4,
    "五": 5,
    "六": 6,
    "七": 7,
    "八": 8,
    "九": 9,
}


def half_width_alnum(text):
    """Full-width digits, letters and the ideographic space become ASCII; Chinese punctuation stays."""
    return text.translate(FULL_WIDTH_ALNUM)


def clean_text(value):
    if value is None:
        return ""
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, datetime.datetime):
        value = value.date()
    if isinstance(value, datetime.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = half_width_alnum(str(value))
    return re.sub(r"\s+", " ", text).strip()


def clean_name(value):
    name = clean_text(value)
    # 张 三 and 张　三 (typed to line up two-character names) are 张三.
    name = re.sub(f"(?<=[{HAN}]) +(?=[{HAN}])", "", name)
    return re.sub(r"\s*[·•・]\s*", "·", name)


def clean_id_number(value):
    if isinstance(value, bool) or value is None:
        raise _Invalid(ID_ERRORS["format"])
    if isinstance(value, (int, float)):
        raise _Invalid(_excel_number_message(f"{value:.5E}"))
    text = idcard.normalize(str(value))
    if SCIENTIFIC.match(text):
        raise _Invalid(_excel_number_message(text))
    try:
        return idcard.parse(text)
    except idcard.InvalidIdNumber as exc:
        raise _Invalid(ID_ERRORS[str(exc)]) from exc


def _excel_number_message(shown):
    return _(
        "Excel turned this ID number into a number (%(value)s) and lost its last digits. "
        "Format the column as text, type the ID numbers again and upload the file again."
    ) % {"value": shown}


@dataclass(frozen=True)
class PartialDate:
    date: datetime.date
    precision: str  # "day" | "month" | "year"

    def matches(self, other):
        if self.precision == "year":
            return self.date.year == other.year
        if self.precision == "month":
            return (self.date.year, self.date.month) == (other.year, other.month)
        return self.date == other

    def display(self):
        return (
            {"day": "%Y-%m-%d", "month": "%Y-%m", "year": "%Y"}[self.precision]
            .replace("%Y", f"{self.date.year:04d}")
            .replace("%m", f"{self.date.month:02d}")
            .replace("%d", f"{self.date.day:02d}")
        )


DATE_TEXT = re.compile(r"^(\d{4})\s*[年.\-/]\s*(\d{1,2})\s*(?:[月.\-/]\s*(?:(\d{1,2})\s*日?)?)?$")
DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})?$")
YEAR_ONLY = re.compile(r"^(\d{4})\s*年?$")
TIME_SUFFIX = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")


def clean_birth_date(value):
    """A date, a year and month, or a year, from what people put in a birth-date cell."""
    if isinstance(value, datetime.datetime):
        return _checked_date(value.year, value.month, value.day, "day")
    if isinstance(value, datetime.date):
        return _checked_date(value.year, value.month, value.day, "day")
    if isinstance(value, bool):
        raise _Invalid(_date_message(value))
    if isinstance(value, (int, float)):
        return _date_from_number(value)
    text = unicodedata.normalize("NFKC", str(value)).strip()
    text = TIME_SUFFIX.sub("", text).strip()
    if m := DATE_TEXT.match(text):
        year, month, day = m.groups()
        return _checked_date(int(year), int(month), int(day) if day else 1, "day" if day else "month")
    if m := DATE_COMPACT.match(text):
        year, month, day = m.groups()
        return _checked_date(int(year), int(month), int(day) if day else 1, "day" if day else "month")
    if m := YEAR_ONLY.match(text):
        return _checked_date(int(m.group(1)), 1, 1, "year")
    raise _Invalid(_date_message(value))


def _date_from_number(value):
    if 1900 <= value < 2100:
        year = int(value)
        month = round((value - year) * 100)
        if month == 0:
            return _checked_date(year, 1, 1, "year")
        return _checked_date(year, month, 1, "month")
    if float(value).is_integer() and 19000101 <= value <= 21001231:
        number = int(value)
        return _checked_date(number // 10000, number // 100 % 100, number % 100, "day")
    if float(value).is_integer() and 190001 <= value <= 210012:
        number = int(value)
        return _checked_date(number // 100, number % 100, 1, "month")
    if 1 <= value < 80000:
        from openpyxl.utils.datetime import from_excel

        day = from_excel(value)
        return _checked_date(day.year, day.month, day.day, "day")
    raise _Invalid(_date_message(value))


def _checked_date(year, month, day, precision):
    try:
        date = datetime.date(year, month, day)
    except ValueError as exc:
        raise _Invalid(_("%(value)s is not a real date.") % {"value": f"{year}-{month}-{day}"}) from exc
    if year < 1900 or date > datetime.date.today():
        raise _Invalid(_("%(value)s is not a possible birth date.") % {"value": date.isoformat()})
    return PartialDate(date, precision)


def _date_message(value):
    return _("“%(value)s” is not a date; write it as 1975-03-01, 1975.03 or 1975年3月.") % {"value": value}


def clean_gender(value):
    text = clean_text(value).upper()
    if text in GENDERS:
        return GENDERS[text]
    raise _Invalid(
        _("“%(value)s” is not a gender; write %(choices)s.") % {"value": value, "choices": "男、女"}
    )


def clean_phone(value):
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = unicodedata.normalize("NFKC", str(value))
    digits = re.sub(r"[\s\-()（）]", "", text)
    if digits.startswith("+86"):
        digits = digits[3:]
    elif digits.startswith("86") and len(digits) == 13:
        digits = digits[2:]
    if not MOBILE.match(digits):
        raise _Invalid(_("A mobile number has 11 digits and starts with 1."))
    return digits


def clean_party(value):
    text = _key(value)
    party = PARTIES.get(text) or PARTIES.get(_strip_suffixes(text, PARTY_MEMBER_SUFFIXES))
    if party:
        return party
    raise _Invalid(
        _("“%(value)s” is not a party this system knows; write for example %(examples)s.")
        % {"value": value, "examples": "中共、民盟、九三学社、无党派人士"}
    )


def clean_education(value):
    text = _key(value)
    for keyword, level in EDUCATION_KEYWORDS:
        if keyword in text:
            return level
    raise _Invalid(
        _("“%(value)s” is not an education level this system knows; write for example %(examples)s.")
        % {"value": value, "examples": "研究生、大学本科、大专、高中"}
    )


def clean_ethnicity(value):
    text = clean_text(value).replace(" ", "")
    # 汉 and 汉族, 蒙古 and 蒙古族 are the same ethnic group.
    if text and re.fullmatch(f"[{HAN}]{{1,4}}", text) and not text.endswith("族"):
        text += "族"
    return text


def clean_yes_no(value):
    if value is None or value == "":
        return False
    if isinstance(value, bool):
        return value
    text = _key(clean_text(value)).upper()
    if text in YES:
        return True
    if text in NO or not text:
        return False
    raise _Invalid(
        _("“%(value)s” is neither yes nor no; write %(choices)s.") % {"value": value, "choices": "是、否"}
    )


def parse_term_number(value):
    if isinstance(value, (int, float)) and not isinstance(value, bool) and float(value).is_integer():
        return int(value)
    text = _key(clean_text(value))
    text = text.removeprefix("第").removesuffix("届")
    if text.isdecimal():
        return int(text)
    if text and all(c in CHINESE_DIGITS or c == "十" for c in text):
        if "十" not in text:
            return int("".join(str(CHINESE_DIGITS[c]) for c in text))
        tens, _sep, units = text.partition("十")
        return CHINESE_DIGITS.get(tens, 1) * 10 + (CHINESE_DIGITS[units] if units else 0)
    return None


def _unit_message(kind_label, value, suggestions):
    if suggestions:
        return _("There is no %(kind)s “%(value)s”. Did you mean %(suggestions)s?") % {
            "kind": kind_label,
            "value": value,
            "suggestions": "、".join(suggestions),
        }
    return _("There is no %(kind)s “%(value)s” in this committee.") % {"kind": kind_label, "value": value}


# --- one row ------------------------------------------------------------------------------------


@dataclass
class _Row:
    number: int
    name: str
    data: dict
    issues: list
    id_number: str = ""
    digest: str = ""

    def match_key(self):
        return (self.name, self.data.get("birth_date"))


class RowCleaner:
    def __init__(self, table, ref):
        self.table = table
        self.ref = ref

    def cell(self, values, name):
        index = self.table.fields.get(name)
        if index is None or index >= len(values):
            return None
        value = values[index]
        if isinstance(value, str) and not value.strip():
            return None
        return value

    def clean(self, number, values):
        row = _Row(number=number, name="", data={}, issues=[])

        def issue(field_name, message):
            column = self.table.header(field_name) or self.table.header("name")
            row.issues.append(RowIssue(row=number, column=column, message=str(message)))

        def run(field_name, cleaner, target=None):
            value = self.cell(values, field_name)
            if value is None:
                return None
            try:
                result = cleaner(value)
            except _Invalid as exc:
                issue(field_name, exc.args[0])
                return None
            if target and result not in (None, ""):
                row.data[target] = result
            return result

        data = row.data
        row.name = run("name", clean_name) or ""
        if not row.name:
            issue("name", _("The name is empty."))

        parsed_id = run("id_number", clean_id_number)
        birth = run("birth_date", clean_birth_date)
        gender = run("gender", clean_gender)
        if parsed_id:
            row.id_number = parsed_id.value
            row.digest = Member._meta.get_field("id_number_index").digest(parsed_id.value)
            data["id_number"] = parsed_id.value
            if birth and not birth.matches(parsed_id.birth_date):
                issue(
                    "birth_date",
                    _("The birth date %(birth)s does not match the ID number, which says %(id_birth)s.")
                    % {"birth": birth.display(), "id_birth": parsed_id.birth_date.isoformat()},
                )
            id_gender = Member.Gender.MALE if parsed_id.is_male else Member.Gender.FEMALE
            if gender and gender != id_gender:
                issue(
                    "gender",
                    _("The gender does not match the ID number, which says %(gender)s.")
                    % {"gender": Member.Gender(id_gender).label},
                )
            data["birth_date"] = parsed_id.birth_date
            data["gender"] = id_gender
        else:
            if birth:
                if birth.precision == "year":
                    issue(
                        "birth_date",
                        _("“%(value)s” gives only a year; write the year and month, for example 1975.03.")
                        % {"value": birth.display()},
                    )
                else:
                    data["birth_date"] = birth.date
            if gender:
                data["gender"] = gender

        if row.name:
            data["name"] = row.name
        run("ethnicity", clean_ethnicity, "ethnicity")
        run("native_place", clean_text, "native_place")
        run("phone", clean_phone, "phone")
        run("party", clean_party, "party")
        run("education", clean_education, "education")
        run("notes", lambda v: str(v).strip() if isinstance(v, str) else clean_text(v), "notes")
        employer_post = self._employer_post(values)
        if employer_post:
            data["employer_post"] = employer_post
        for name, limit in MAX_LENGTHS.items():
            if len(data.get(name) or "") > limit:
                column = (
                    name if name in self.table.fields else ("employer" if name == "employer_post" else name)
                )
                issue(column, _("This is longer than %(max)d characters.") % {"max": limit})
                data.pop(name, None)

        sector = run("sector", lambda v: self._unit(self.ref.sectors, _("sector"), v))
        if sector:
            data["sector"] = sector.pk
        town = run("town_committee", lambda v: self._unit(self.ref.towns, _("town committee"), v))
        if town:
            data["town_committee"] = town.pk
        specials = run("special_committees", self._specials)
        if specials is not None:
            data["special_committees"] = specials
        if "is_standing" in self.table.fields:
            try:
                data["is_standing"] = clean_yes_no(self.cell(values, "is_standing"))
            except _Invalid as exc:
                issue("is_standing", exc.args[0])
        term = self._term(values, issue)
        if term:
            data["term"] = term.pk
        return row

    def _employer_post(self, values):
        combined = clean_text(self.cell(values, "employer_post"))
        if combined:
            return combined
        employer = clean_text(self.cell(values, "employer"))
        post = clean_text(self.cell(values, "post"))
        if post and post in employer:
            return employer
        return f"{employer}{post}"

    def _unit(self, index, kind_label, value):
        text = clean_text(value)
        unit = index.find(text)
        if unit is None:
            raise _Invalid(_unit_message(kind_label, text, index.suggestions(text)))
        return unit

    def _specials(self, value):
        parts = [p for p in re.split(r"[、,，;；/\s]+", clean_text(value)) if p]
        ids, unknown = [], []
        for part in parts:
            unit = self.ref.specials.find(part)
            if unit is None:
                unknown.append(part)
            elif unit.pk not in ids:
                ids.append(unit.pk)
        if unknown:
            raise _Invalid(
                "；".join(
                    _unit_message(_("special committee"), part, self.ref.specials.suggestions(part))
                    for part in unknown
                )
            )
        return sorted(ids)

    def _term(self, values, issue):
        value = self.cell(values, "term")
        if value is None:
            if self.ref.current_term is None:
                issue(
                    "term" if "term" in self.table.fields else "name",
                    _("The committee has no current term; give the term of this row (for example 第九届)."),
                )
            return self.ref.current_term
        number = parse_term_number(value)
        term = self.ref.terms_by_number.get(number) if number is not None else None
        if term is None:
            issue(
                "term",
                _("The committee has no term “%(value)s”; it has %(terms)s.")
                % {
                    "value": clean_text(value),
                    "terms": "、".join(
                        t.name for t in sorted(self.ref.terms.values(), key=lambda t: t.number)
                    )
                    or "—",
                },
            )
        return term
