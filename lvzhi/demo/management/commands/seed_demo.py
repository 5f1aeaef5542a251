import datetime

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from lvzhi.core.progress import ProgressBar
from lvzhi.demo import builder as demo


class Command(BaseCommand):
    help = "Build the demo county committee (政协青溪县委员会) with its members and one account per role."

    def add_arguments(self, parser):
        parser.add_argument(
            "--if-empty", action="store_true", help="Do nothing (and succeed) when the demo committee exists."
        )
        parser.add_argument("--members", type=int, default=280)
        parser.add_argument(
            "--as-of",
            type=datetime.date.fromisoformat,
            help="Build the demo as it stands on this day (YYYY-MM-DD, at 10:00): the activities of its "
            "year before it are closed, the later ones published. Default: now.",
        )

    def handle(self, *args, if_empty=False, members=280, as_of=None, **options):
        if settings.PRODUCTION:
            raise CommandError(
                "seed_demo refuses to run with LVZHI_ENV=production: it creates known passwords."
            )
        if demo.demo_exists():
            if if_empty:
                # `make run` starts with this: the accounts are printed on every start, not only the first.
                self.stdout.write("Demo data already loaded.")
                self.stdout.write(demo_accounts_text())
                return
            raise CommandError("The demo committee already exists; use a fresh database.")
        builder = demo.DemoBuilder(
            members=members,
            standing=min(45, members),
            progress=lambda total, label: ProgressBar(total, label, stream=self.stdout),
            now=timezone.make_aware(datetime.datetime.combine(as_of, datetime.time(10))) if as_of else None,
        )
        committee = builder.build()
        self.stdout.write(
            self.style.SUCCESS(
                f"Demo data loaded: {committee.name}, {members} members, "
                f"{len(builder.activities)} activities, {len(builder.documents)} library documents."
            )
        )
        self.stdout.write(demo_accounts_text())


def demo_accounts_text():
    lines = [f"Demo accounts (password: {settings.LVZHI_DEMO_PASSWORD}):"]
    for username, _display, role in demo.DEMO_USERS:
        lines.append(f"  {username:<10} {role.value}")
    lines.append(", ".join(demo.SECOND_FACTOR_USERS) + " also ask for a second-factor code:")
    lines.append("  .venv/bin/python manage.py demo_totp   prints their current codes")
    return "\n".join(lines)
