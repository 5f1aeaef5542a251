from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from lvzhi.core.navigation import HomeCard, MenuEntry, has_perm


class AccountsConfig(AppConfig):
    name = "lvzhi.accounts"
    label = "accounts"
    verbose_name = _("Accounts")
    menu = [
        MenuEntry(
            _("Accounts"),
            "accounts:user_list",
            order=120,
            shown=has_perm("accounts.manage_users", "accounts.assign_roles"),
        )
    ]
    home_cards = [
        HomeCard("accounts/_home_accounts.html", "lvzhi.accounts.home_cards.accounts", order=60),
        HomeCard("accounts/_home_security.html", "lvzhi.accounts.home_cards.security", order=50, wide=True),
    ]

    def ready(self):
        from django.contrib.auth.signals import user_logged_in

        from lvzhi.core import retention

        from . import services
        from .backends import purge_sign_in_records
        from .middleware import stamp_session_times
        from .onboarding import purge_spent_codes

        retention.register("sign_in_records", purge_sign_in_records)
        # Not a purge, but the daily job: accounts of members whose term has ended or who left.
        retention.register("departed_member_accounts", services.disable_accounts_of_departed_members)
        retention.register("spent_activation_codes", purge_spent_codes)
        user_logged_in.connect(stamp_session_times, dispatch_uid="lvzhi.accounts.stamp_session_times")
