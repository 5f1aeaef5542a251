"""manage.py send_digests — email the daily digest of notifications.

Run it from cron or a systemd timer, e.g. every morning at 08:00; running it more often is harmless
(a user gets at most one digest a day)."""

from django.core.management.base import BaseCommand

from lvzhi.notifications.services import send_daily_digests


class Command(BaseCommand):
    help = "Email each user who chose a daily digest their unread notifications (at most once a day)."

    def handle(self, *args, **options):
        sent = send_daily_digests()
        self.stdout.write(f"digests sent: {sent}")
