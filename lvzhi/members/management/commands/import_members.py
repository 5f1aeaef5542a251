"""manage.py import_members FILE [--committee CODE] [--dry-run] [--actor USERNAME]

Checks the roster like the web import, prints every row error as "row N, column: message" and the
summary `created N, updated M, unchanged U, errors E`, and exits with status 1 when any row has an
error. The valid rows are imported all the same (as "import the valid rows" on the web page); with
--dry-run nothing is written and the summary says what an import would do.
"""

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from lvzhi.accounts.models import User
from lvzhi.core.progress import ProgressBar
from lvzhi.core.uploads import UploadRefused
from lvzhi.members import roster_import
from lvzhi.organization.models import Committee


class Command(BaseCommand):
    help = "Import a member roster (.xlsx, .xls or .csv) into a committee."

    def add_arguments(self, parser):
        parser.add_argument("file", help="the roster file")
        parser.add_argument("--committee", help="committee code (default: the only committee)")
        parser.add_argument("--dry-run", action="store_true", help="check and count, write nothing")
        parser.add_argument("--actor", help="username recorded as the importer in history and audit log")

    def handle(self, *args, file, committee=None, dry_run=False, actor=None, **options):
        committee = self._committee(committee)
        user = self._actor(actor, committee)
        try:
            with open(file, "rb") as handle:
                table = roster_import.read_roster(handle, file)
        except OSError as exc:
            raise CommandError(str(exc)) from exc
        except UploadRefused as exc:
            raise CommandError(str(exc)) from exc

        plan = roster_import.plan_import(
            committee=committee, table=table, progress=self._progress(_("rows checked"))
        )
        for message in plan.file_issues:
            self.stderr.write(message)
        for row in plan.rows:
            for issue in row.issues:
                self.stderr.write(
                    _("Row %(row)d, column %(column)s: %(message)s")
                    % {"row": issue.row, "column": issue.column, "message": issue.message}
                )
        counts = plan.counts()
        if dry_run or plan.file_issues:
            result = {
                "created": counts["create"],
                "updated": counts["update"],
                "unchanged": counts["unchanged"],
                "errors": counts["error"],
            }
            if plan.file_issues:
                result = dict.fromkeys(result, 0) | {"errors": len(plan.rows)}
        else:
            result = roster_import.apply_import(
                committee=committee,
                plan=plan,
                actor=user,
                valid_only=True,
                progress=self._progress(_("rows imported")),
            )
        # The summary line is for scripts as much as for people: it is never translated.
        self.stdout.write(
            f"created {result['created']}, updated {result['updated']}, "
            f"unchanged {result['unchanged']}, errors {result['errors']}"
        )
        if plan.file_issues:
            raise CommandError(_("Nothing was imported: the file cannot be read as a roster."))
        if result["errors"]:
            raise CommandError(
                _("%(n)d rows have errors and were not imported.") % {"n": result["errors"]}
                if not dry_run
                else _("%(n)d rows have errors.") % {"n": result["errors"]}
            )

    def _committee(self, code):
        if code:
            try:
                return Committee.objects.get(code=code)
            except Committee.DoesNotExist as exc:
                raise CommandError(
                    _("There is no committee with the code “%(code)s”.") % {"code": code}
                ) from exc
        committees = list(Committee.objects.order_by("code")[:2])
        if len(committees) == 1:
            return committees[0]
        codes = ", ".join(Committee.objects.order_by("code").values_list("code", flat=True)) or "—"
        raise CommandError(
            _("Give the committee with --committee CODE (codes: %(codes)s).") % {"codes": codes}
        )

    def _actor(self, username, committee):
        if not username:
            return None
        try:
            return User.objects.get(username=username, committee=committee)
        except User.DoesNotExist as exc:
            raise CommandError(
                _("There is no user “%(username)s” in %(committee)s.")
                % {"username": username, "committee": committee}
            ) from exc

    def _progress(self, label):
        bar = None

        def report(done, total):
            nonlocal bar
            if bar is None:
                bar = ProgressBar(total, label, stream=self.stdout)
            if done > bar.done:
                bar.step(done - bar.done)

        return report
