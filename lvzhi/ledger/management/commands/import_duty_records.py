"""manage.py import_duty_records FILE --committee CODE [--dry-run] [--valid-only]

Checks a file of duty records like the import page (lvzhi.ledger.importing), prints every row error as
"第N行 列名：message", the counts by kind and by year, and the summary line
`rows N, valid V, errors E, records R`. Without --dry-run it imports through the same services as the
page (an import that can be undone there; audited, with no user): all rows, or nothing if any row has
an error, unless --valid-only asks for the valid rows alone. Exits with status 1 when any row has an
error.
"""

import os

from django.core.exceptions import ValidationError
from django.core.files import File
from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from lvzhi.core.uploads import UploadRefused
from lvzhi.ledger import import_services, importing, kinds
from lvzhi.organization.models import Committee


class Command(BaseCommand):
    help = "Import a year's existing duty records (.xlsx, .xls or .csv) into a committee's ledger."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the file of duty records")
        parser.add_argument("--committee", required=True, help="committee code")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        parser.add_argument(
            "--valid-only", action="store_true", help="import the valid rows even if other rows have errors"
        )

    def handle(self, *args, file, committee, dry_run=False, valid_only=False, **options):
        try:
            committee = Committee.objects.get(code=committee)
        except Committee.DoesNotExist as exc:
            raise CommandError(
                _("There is no committee with the code “%(code)s”.") % {"code": committee}
            ) from exc
        name = os.path.basename(file)
        try:
            with open(file, "rb") as handle:
                if dry_run:
                    table = importing.read_table(handle, name)
                    plan = importing.plan_import(committee=committee, table=table, file_name=name)
                    if plan.file_issues:
                        raise UploadRefused(" ".join(plan.file_issues))
                    preview = importing.summarize(plan)
                    job = None
                else:
                    job = import_services.start(
                        committee=committee, uploaded_file=File(handle, name=name), actor=None
                    )
                    preview = job.preview
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        except UploadRefused as exc:
            raise CommandError(str(exc)) from exc

        self._print_preview(preview)
        records = 0
        if job is not None:
            if preview["error_rows"] and not valid_only:
                import_services.discard(job=job, actor=None)
                self._summary(preview, records)
                raise CommandError(
                    _("%(n)d rows have errors; nothing was imported. Correct them, or use --valid-only.")
                    % {"n": preview["error_rows"]}
                )
            try:
                import_services.confirm(job=job, valid_only=True, actor=None)
            except ValidationError as exc:
                import_services.discard(job=job, actor=None)
                raise CommandError(" ".join(exc.messages)) from exc
            records = job.result["records"]
        self._summary(preview, records)
        if preview["error_rows"]:
            raise CommandError(
                _("%(n)d rows have errors and were not imported.") % {"n": preview["error_rows"]}
                if job is not None
                else _("%(n)d rows have errors.") % {"n": preview["error_rows"]}
            )

    def _print_preview(self, preview):
        for error in preview["errors"]:
            self.stderr.write(
                _("Row %(row)d, column %(column)s: %(message)s")
                % {"row": error["row"], "column": error["column"], "message": error["message"]}
            )
        if preview["error_count"] > len(preview["errors"]):
            self.stderr.write(
                _("… and %(n)d more errors.") % {"n": preview["error_count"] - len(preview["errors"])}
            )
        for warning in preview["warnings"]:
            self.stdout.write(
                _("Row %(row)d: %(message)s") % {"row": warning["row"], "message": warning["message"]}
            )
        for note in preview["notes"]:
            self.stdout.write(note)
        for kind, n in preview["by_kind"].items():
            self.stdout.write(f"  {kind}\t{kinds.label(kind)}\t{n}")
        for year, n in preview["by_year"].items():
            self.stdout.write(f"  {year}\t{n}")

    def _summary(self, preview, records):
        # The summary line is for scripts as much as for people: it is never translated.
        self.stdout.write(
            f"rows {preview['rows']}, valid {preview['valid']}, errors {preview['error_rows']}, records {records}"
        )
