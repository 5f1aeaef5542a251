"""Member roster import: read a spreadsheet, clean and check every row, preview, then write.

    table = read_roster(fileobj, filename)              # checks the upload, finds the header row
    plan = plan_import(committee=c, table=table)         # no writes; a constant number of queries
    counts = apply_import(committee=c, plan=plan, actor=user)

One module per step, in the order the data flows through them:

1. read.py   the upload checked and read (.xlsx, .xls, .csv), the header row found: a RosterTable of raw
             cells, columns named by field.
2. clean.py  each row's cells made into a member file's values, units and term matched against the
             committee's reference data; a RowIssue for each cell that cannot be.
3. plan.py   every row cleaned, duplicates flagged, existing files matched, each row decided (create,
             update with its changes, unchanged, error): the ImportPlan the preview shows. No writes.
4. apply.py  the plan written in one transaction through members.services, and audited.

import_jobs runs the steps as background jobs behind the pages; the import_members command runs them
from the shell. Callers use the names below, from this package.

Rules worth knowing (the user guide repeats them):

- Columns are found by their header text (aliases in FIELD_ALIASES), in a header row anywhere in the
  first HEADER_SCAN_ROWS rows, below any title rows. 姓名 and a 身份证号 column are required.
  工作单位 and 职务 given as two columns are joined into one value.
- A row is matched to an existing member file of the committee by its ID number (through the blind
  index); a row without an ID number is matched by name and birth date to a file without one.
- An empty cell never erases stored data, except 是否常委, where an empty cell means "no" (rosters
  often mark only the standing members with √). A filled 专委会 cell replaces the member's list.
- Party: 群众 (no party at all) is stored as "non-party", the one value the model has for people outside
  every party; 无党派人士 and 群众 are therefore not told apart after an import.
- Numbers Excel made of ID numbers (a numeric cell, or text such as 1.10105E+17) are refused with a
  message saying so: the digits lost cannot be recovered.
- A birth date of a number 1900–2100 (Excel's "1975.03" typed into a general cell) reads as year.month,
  so 1975.1 is October (Excel dropped the 0 of 1975.10); the same as text, "1975.1", is January.
"""

from .apply import ImportHasErrors, ImportOutdated, apply_import
from .clean import (
    MAX_LENGTHS,
    MEMBER_FIELDS,
    TERM_KEYS,
    PartialDate,
    RowIssue,
    clean_birth_date,
    clean_education,
    clean_ethnicity,
    clean_gender,
    clean_id_number,
    clean_name,
    clean_party,
    clean_phone,
    clean_text,
    clean_yes_no,
    half_width_alnum,
    parse_term_number,
)
from .plan import ACTIONS, ImportPlan, PlannedRow, plan_import
from .read import (
    FIELD_ALIASES,
    HEADER_SCAN_ROWS,
    MAX_COLUMNS,
    MAX_ROWS,
    REQUIRED_FIELDS,
    RosterTable,
    normalize_header,
    read_roster,
)

__all__ = [
    "ACTIONS",
    "FIELD_ALIASES",
    "HEADER_SCAN_ROWS",
    "MAX_COLUMNS",
    "MAX_LENGTHS",
    "MAX_ROWS",
    "MEMBER_FIELDS",
    "REQUIRED_FIELDS",
    "TERM_KEYS",
    "ImportHasErrors",
    "ImportOutdated",
    "ImportPlan",
    "PartialDate",
    "PlannedRow",
    "RosterTable",
    "RowIssue",
    "apply_import",
    "clean_birth_date",
    "clean_education",
    "clean_ethnicity",
    "clean_gender",
    "clean_id_number",
    "clean_name",
    "clean_party",
    "clean_phone",
    "clean_text",
    "clean_yes_no",
    "half_width_alnum",
    "normalize_header",
    "parse_term_number",
    "plan_import",
    "read_roster",
]
