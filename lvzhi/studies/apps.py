from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _

from lvzhi.core.navigation import HomeCard, MenuEntry, has_perm
from lvzhi.members.apps import has_member_file


class StudiesConfig(AppConfig):
    name = "lvzhi.studies"
    label = "studies"
    verbose_name = _("Study and training")
    menu = [
        MenuEntry(
            _("Training plans"),
            "studies:plans",
            section="duty",
            order=50,
            shown=has_perm("studies.view_trainingplan"),
        ),
        MenuEntry(
            _("Study notes and essays"),
            "studies:queue",
            section="duty",
            order=60,
            shown=has_perm("studies.view_studysubmission"),
        ),
        MenuEntry(_("Study and training"), "studies:home", order=90, shown=has_member_file),
    ]
    home_cards = [
        HomeCard("studies/_home_to_acknowledge.html", "lvzhi.studies.home_cards.to_acknowledge", order=40),
        HomeCard("studies/_home_due.html", "lvzhi.studies.home_cards.my_notes_due", order=130, wide=True),
    ]
