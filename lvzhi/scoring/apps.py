from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class ScoringConfig(AppConfig):
    name = "lvzhi.scoring"
    label = "scoring"
    verbose_name = _("Duty assessment")

    def ready(self):
        from lvzhi.ledger.signals import records_changed

        from .tasks import on_records_changed

        records_changed.connect(on_records_changed, dispatch_uid="scoring_recompute")
