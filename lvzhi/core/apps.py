from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CoreConfig(AppConfig):
    name = "lvzhi.core"
    label = "core"
    verbose_name = _("Core")

    def ready(self):
        from . import checks, crypto, retention  # noqa: F401  (checks and crypto register system checks)

        retention.register("submission_tokens", retention.purge_submission_tokens)
        retention.register("sessions", retention.purge_sessions)
