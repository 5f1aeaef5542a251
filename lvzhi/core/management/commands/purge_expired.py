"""manage.py purge_expired: delete what lvzhi keeps only for a while (core/retention.py): used form
tokens, expired sessions, counted sign-in failures and ended lockouts, roster uploads left waiting…
Run it daily from a timer; it prints what it removed and writes one audit row."""

from django.core.management.base import BaseCommand

from lvzhi.core import retention


class Command(BaseCommand):
    help = "Delete expired temporary data (tokens, sessions, sign-in failures, stale uploads)."

    def handle(self, *args, **options):
        removed = retention.purge_all()
        for name, count in removed.items():
            self.stdout.write(f"{name}: {count}")
