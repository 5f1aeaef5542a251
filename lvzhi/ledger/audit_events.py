"""The duty ledger's audit events (see lvzhi.core.audit): code → message with named parameters."""

from django.utils.translation import gettext_lazy as _

EVENTS = {
    "ledger.synced": _(
        "Duty ledger updated from %(source)s: %(inserted)s added, %(updated)s changed, %(deleted)s removed"
    ),
}
