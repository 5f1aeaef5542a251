"""manage.py proposal_reminders [--today YYYY-MM-DD] — the proposals' daily run.

Co-signers of joint proposals who did not confirm by the deadline drop off, and the handling units are
reminded of deadlines within the committee's reminder days and of deadlines passed (each once per
deadline). Run it once a day from cron or a systemd timer, next to send_digests (e.g. at 07:30, so that
the reminders are in the morning digest); running it more often is harmless."""

import datetime

from django.core.management.base import BaseCommand, CommandError

from lvzhi.proposals.services.reminders import run_daily


class Command(BaseCommand):
    help = "Drop unconfirmed co-signers and remind handling units of near and passed proposal deadlines."

    def add_arguments(self, parser):
        parser.add_argument("--today", help="run as if it were this day (YYYY-MM-DD); for catching up")

    def handle(self, *args, today=None, **options):
        day = None
        if today:
            try:
                day = datetime.date.fromisoformat(today)
            except ValueError as exc:
                raise CommandError("--today: YYYY-MM-DD") from exc
        run = run_daily(today=day)
        self.stdout.write(
            f"co-signers dropped: {run.dropped}, deadline reminders: {run.due_soon}, "
            f"overdue reminders: {run.overdue}"
        )
