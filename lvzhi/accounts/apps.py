from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "lvzhi.accounts"
    label = "accounts"
    verbose_name = _("Accounts")

    def ready(self):
        from lvzhi.core import retention

        from .backends import purge_sign_in_records

        retention.register("sign_in_records", purge_sign_in_records)
