"""manage.py load_rules FILE --committee CODE --year Y [--activate]

Saves a rule set written in the documented format (docs/rule-format.md) as the next version of the
committee's rules for the year, as a draft unless --activate. A file with problems is not saved: each
problem is printed with its line, and the command exits non-zero.
"""

import os

from django.core.management.base import BaseCommand, CommandError

from lvzhi.organization.models import Committee
from lvzhi.scoring import rules, services

MAX_BYTES = 1024 * 1024


class Command(BaseCommand):
    help = "Load a rule set file (YAML/JSON, UTF-8) as the next version of a committee's rules for a year."

    def add_arguments(self, parser):
        parser.add_argument("file", help="rule set in the documented YAML/JSON format, UTF-8")
        parser.add_argument("--committee", required=True, metavar="CODE", help="the committee's code")
        parser.add_argument("--year", required=True, type=int, help="the year the rules assess")
        parser.add_argument("--activate", action="store_true", help="make it the active rule set at once")

    def handle(self, *args, file, committee, year, activate=False, **options):
        committee_obj = Committee.objects.filter(code=committee).first()
        if committee_obj is None:
            raise CommandError(f"没有代码为 {committee} 的委员会 / no committee with code {committee}")
        text = self.read(file)
        try:
            rule_set = services.save_rule_set(
                committee=committee_obj, year=year, text=text, activate=activate
            )
        except rules.RuleSetError as exc:
            for message in exc.messages:
                self.stderr.write(f"{file}: {message}")
            raise CommandError(
                f"细则有 {len(exc.messages)} 处问题，未保存 / {len(exc.messages)} problem(s), nothing saved"
            ) from exc
        except services.ScoringError as exc:
            raise CommandError("；".join(exc.messages)) from exc
        state = "已生效" if rule_set.status == rule_set.Status.ACTIVE else "草稿"
        self.stdout.write(
            f"{committee_obj.name} {year} 年度考核细则第 {rule_set.version} 版已保存（{state}）：{rule_set.name}"
        )
        if rule_set.status == rule_set.Status.ACTIVE:
            # As activating on the page does: the year's scores follow the rules now in force.
            result = services.compute_year(committee=committee_obj, year=year, rule_set=rule_set)
            self.stdout.write(
                f"已按第 {rule_set.version} 版计算 {result.members} 名委员的得分（{result.records} 条履职记录）"
            )

    def read(self, path):
        try:
            size = os.path.getsize(path)
        except OSError as exc:
            raise CommandError(f"无法读取文件 {path}：{exc.strerror}") from exc
        if size > MAX_BYTES:
            raise CommandError(f"文件太大（{size} 字节），细则文件不能超过 1 MB / file over 1 MB")
        try:
            with open(path, "rb") as handle:
                data = handle.read(MAX_BYTES + 1)
        except OSError as exc:
            raise CommandError(f"无法读取文件 {path}：{exc.strerror}") from exc
        if len(data) > MAX_BYTES:
            raise CommandError("文件太大，细则文件不能超过 1 MB / file over 1 MB")
        try:
            # utf-8-sig: a file saved by Notepad starts with a BOM that YAML would read as text.
            return data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise CommandError(
                f"文件不是 UTF-8 编码（第 {exc.start + 1} 个字节起）：请用“另存为 UTF-8”保存后再试"
                " / the file is not UTF-8"
            ) from exc
