"""manage.py export_scores --year Y [--committee CODE] --format csv|xlsx [--output PATH]

Writes the stored scores of the year (compute_scores first), one row per member: ID number masked (6+4),
name, one column per category after caps, total, grade, passed 是/否, unmet requirements (joined with 、).
CSV is UTF-8 with a BOM so that Excel opens it; xlsx has one sheet per committee. Without --committee:
every committee with an active rule set for the year.
"""

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from lvzhi.organization.models import Committee
from lvzhi.scoring import selectors, services


class Command(BaseCommand):
    help = "Export the year's duty scores as CSV (UTF-8 with BOM) or xlsx, ID numbers masked."

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--committee", metavar="CODE", help="the committee's code (default: all)")
        parser.add_argument("--format", required=True, choices=services.EXPORT_FORMATS, dest="fmt")
        parser.add_argument(
            "--output", metavar="PATH", help="file to write (default: scores-YEAR[-CODE].FORMAT here)"
        )

    def handle(self, *args, year, fmt, committee=None, output=None, **options):
        if committee:
            committees = list(Committee.objects.filter(code=committee))
            if not committees:
                raise CommandError(f"没有代码为 {committee} 的委员会 / no committee with code {committee}")
        else:
            committees = [c for c in Committee.objects.order_by("code") if selectors.active_rule_set(c, year)]
        if not committees or not any(selectors.active_rule_set(c, year) for c in committees):
            raise CommandError(f"{year} 年度没有已生效的考核细则，无可导出 / no active rule set for {year}")
        path = Path(output or f"scores-{year}{f'-{committee}' if committee else ''}.{fmt}")
        try:
            content = services.export_scores(committees=committees, year=year, fmt=fmt, filename=path.name)
        except services.ScoringError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        try:
            path.write_bytes(content)
        except OSError as exc:
            raise CommandError(f"无法写入 {path}：{exc.strerror}") from exc
        self.stdout.write(f"已写入 {path}")
