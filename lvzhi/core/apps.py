from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from .navigation import HomeCard, MenuEntry, has_perm


class CoreConfig(AppConfig):
    name = "lvzhi.core"
    label = "core"
    verbose_name = _("Core")
    menu = [MenuEntry(_("Audit log"), "core:audit_log", order=130, shown=has_perm("core.view_audit_log"))]
    home_cards = [HomeCard("core/_home_audit.html", "lvzhi.core.home_cards.audit", order=55, wide=True)]

    def ready(self):
        from . import checks, crypto, retention  # noqa: F401  (checks and crypto register system checks)

        retention.register("submission_tokens", retention.purge_submission_tokens)
        retention.register("sessions", retention.purge_sessions)
