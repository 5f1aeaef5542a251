"""manage.py compute_scores --year Y [--committee CODE]

Computes the year's scores with each committee's active rule set and stores them in place of the old
ones (services.compute_year). Without --committee: every committee that has an active rule set for the
year; the others are named and skipped.
"""

import time

from django.core.management.base import BaseCommand, CommandError

from lvzhi.organization.models import Committee
from lvzhi.scoring import selectors, services


class Command(BaseCommand):
    help = "Compute the year's duty scores with the active rule set (all committees unless --committee)."

    def add_arguments(self, parser):
        parser.add_argument("--year", required=True, type=int)
        parser.add_argument("--committee", metavar="CODE", help="the committee's code (default: all)")

    def handle(self, *args, year, committee=None, **options):
        if committee:
            committees = list(Committee.objects.filter(code=committee))
            if not committees:
                raise CommandError(f"没有代码为 {committee} 的委员会 / no committee with code {committee}")
            if selectors.active_rule_set(committees[0], year) is None:
                raise CommandError(
                    f"{committees[0].name} 没有 {year} 年度已生效的考核细则 / no active rule set for {year}"
                )
        else:
            committees = list(Committee.objects.order_by("code"))
        for item in committees:
            if selectors.active_rule_set(item, year) is None:
                self.stdout.write(f"{item.name}（{item.code}）：没有 {year} 年度已生效的考核细则，跳过")
                continue
            started = time.perf_counter()
            try:
                result = services.compute_year(committee=item, year=year)
            except services.ScoringError as exc:
                raise CommandError(f"{item.name}：{'；'.join(exc.messages)}") from exc
            seconds = time.perf_counter() - started
            self.stdout.write(
                f"{item.name}（{item.code}）：{result.members} 名委员，{result.records} 条履职记录，"
                f"第 {result.rule_set.version} 版细则，用时 {seconds:.2f} 秒"
            )
