from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class MembersConfig(AppConfig):
    name = "lvzhi.members"
    label = "members"
    verbose_name = _("Members")

    def ready(self):
        from lvzhi.core import retention

        from . import import_jobs

        retention.register("roster_uploads", lambda now: import_jobs.purge_stale(now=now))
