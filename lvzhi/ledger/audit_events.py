"""The duty ledger's audit events (see lvzhi.core.audit): code → message with named parameters."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "ledger.synced": _(
        "Duty ledger updated from %(source)s: %(inserted)s added, %(updated)s changed, %(deleted)s removed"
    ),
    "ledger.import_uploaded": _("Duty records file uploaded for import: %(file)s"),
    "ledger.import_confirmed": _("Duty records imported from %(file)s: %(records)s records"),
    "ledger.import_discarded": _("Duty records import discarded: %(file)s"),
    "ledger.import_undone": _("Duty records import undone: %(file)s, %(records)s records retracted"),
}
