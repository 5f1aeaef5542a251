from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class StudiesConfig(AppConfig):
    name = "lvzhi.studies"
    label = "studies"
    verbose_name = _("Study and training")
