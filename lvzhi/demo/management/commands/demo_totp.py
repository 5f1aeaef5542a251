import pyotp
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from lvzhi.accounts.models import TOTPDevice
from lvzhi.demo.builder import COMMITTEE_CODE


class Command(BaseCommand):
    help = "Print the current second-factor codes of the demo accounts that have one (demo data only)."

    def handle(self, *args, **options):
        if settings.PRODUCTION:
            raise CommandError("demo_totp refuses to run with LVZHI_ENV=production.")
        devices = TOTPDevice.objects.filter(user__committee__code=COMMITTEE_CODE).select_related("user")
        if not devices:
            raise CommandError("No demo account has a second factor; run seed_demo first.")
        for device in devices.order_by("user__username"):
            totp = pyotp.TOTP(device.secret)
            self.stdout.write(f"{device.user.username:<10} {totp.now()}  (valid about {totp.interval} s)")
