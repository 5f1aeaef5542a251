"""lvzhi.home.registry: the menu and start-page cards gathered from the apps' AppConfigs."""

import pytest
from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.test import RequestFactory

from lvzhi.core.navigation import MenuEntry
from lvzhi.home import context_processors, registry


@pytest.fixture
def library_config(monkeypatch):
    """The library's AppConfig, whose menu a test may replace; the registry is gathered afresh after."""
    config = apps.get_app_config("library")
    yield config
    monkeypatch.undo()
    registry.gather()


def test_an_entry_in_an_unknown_dropdown_stops_the_start(library_config, monkeypatch):
    monkeypatch.setattr(
        library_config, "menu", [MenuEntry("x", "library:list", order=1, shown=bool, section="nowhere")]
    )
    with pytest.raises(ImproperlyConfigured, match="nowhere"):
        registry.gather()


def test_a_dropdown_without_entries_for_the_user_is_left_out(library_config, monkeypatch, rf_user):
    monkeypatch.setattr(
        library_config,
        "menu",
        [
            MenuEntry("hidden", "library:list", order=1, shown=lambda user: False, section="duty"),
            MenuEntry("shown", "library:list", order=2, shown=lambda user: True),
        ],
    )
    registry.gather()
    bar = registry.menu_for(rf_user)
    assert [item.label for item in bar] == ["shown"]
    assert not any(isinstance(item, registry.Dropdown) for item in bar)


def test_the_menu_is_built_only_when_a_page_draws_it(library_config, monkeypatch, rf_user):
    asked = []
    monkeypatch.setattr(
        library_config,
        "menu",
        [MenuEntry("x", "library:list", order=1, shown=lambda user: asked.append(user))],
    )
    registry.gather()
    request = RequestFactory().get("/")
    request.user = rf_user
    context = context_processors.menu(request)
    assert asked == []
    list(context["menu"])
    assert asked == [rf_user]


@pytest.fixture
def rf_user(make_user):
    return make_user()
