from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from lvzhi.core.navigation import HomeCard, MenuEntry, has_perm


def has_member_file(user):
    """Whether the account is a member's own (the member pages of the menu are for them)."""
    return hasattr(user, "member")


class MembersConfig(AppConfig):
    name = "lvzhi.members"
    label = "members"
    verbose_name = _("Members")
    menu = [
        MenuEntry(_("Members"), "members:list", order=10, shown=has_perm("members.view_member")),
        MenuEntry(
            _("Contact updates"),
            "members:contact_requests",
            order=50,
            shown=has_perm("members.approve_contact_update"),
        ),
        MenuEntry(_("My file"), "members:me", order=70, shown=has_member_file),
    ]
    home_cards = [
        HomeCard("members/_home_figures.html", "lvzhi.members.home_cards.figures", order=10),
        HomeCard(
            "members/_home_contact_requests.html", "lvzhi.members.home_cards.contact_requests", order=20
        ),
        HomeCard("members/_home_imports.html", "lvzhi.members.home_cards.roster_imports", order=50),
    ]

    def ready(self):
        from lvzhi.core import retention

        from . import import_jobs

        retention.register("roster_uploads", lambda now: import_jobs.purge_stale(now=now))
