from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from lvzhi.accounts import letters as letter_documents
from lvzhi.accounts import onboarding
from lvzhi.organization.models import Committee


class Command(BaseCommand):
    help = (
        "Create an account for every serving member of the committee's current term who has none, with "
        "the member role and an activation code (the security administrator's rule must allow it). "
        "Prints 'created N, skipped M'; --letters writes the account opening notices (.docx, one page "
        "per member, holding the codes). Audited, without an acting user."
    )

    def add_arguments(self, parser):
        parser.add_argument("--committee", required=True, help="The committee's code (Committee.code).")
        parser.add_argument(
            "--letters", metavar="OUT.docx", help="Write the letters of the new accounts here."
        )
        parser.add_argument(
            "--site-url",
            default="",
            help="The address printed on the letters (default: the LVZHI_SITE_URL setting).",
        )

    def handle(self, *args, committee, letters=None, site_url="", **options):
        found = Committee.objects.filter(code=committee).first()
        if found is None:
            raise CommandError(f"No committee with the code {committee!r}.")
        site = (site_url or getattr(settings, "LVZHI_SITE_URL", "")).rstrip("/")
        if letters and not site:
            raise CommandError(
                "The letters need the address members open: set LVZHI_SITE_URL or pass --site-url."
            )
        try:
            result = onboarding.create_member_accounts(found, None)
        except ValidationError as exc:
            raise CommandError(" ".join(exc.messages)) from exc
        if letters:
            codes = onboarding.valid_codes(result.batch)
            with translation.override(settings.LANGUAGE_CODE):
                document = letter_documents.build_letters(
                    codes, committee_name=found.name, site_url=site + "/"
                )
            document.save(letters)
        self.stdout.write(f"created {len(result.created)}, skipped {result.skipped}")
