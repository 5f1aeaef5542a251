from django.core.management.base import BaseCommand

from .seed_demo import demo_accounts_text


class Command(BaseCommand):
    help = "Print the demo accounts and their password (make run shows them on every start)."

    def handle(self, *args, **options):
        self.stdout.write(demo_accounts_text())
