"""The menu entries and start-page cards of every app, gathered once (see the package docstring)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from typing import TYPE_CHECKING, Any

from django.apps import apps
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse
from django.utils.module_loading import import_string

from lvzhi.core.navigation import HomeCard, MenuEntry, MenuSection

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractUser

# The bar: top-level entries and sections, each section with its entries, in order.
_bar: list[tuple[MenuEntry | MenuSection, list[MenuEntry]]] = []
_cards: list[HomeCard] = []


@dataclass(frozen=True)
class Link:
    label: str
    url: str


@dataclass(frozen=True)
class Dropdown:
    label: str
    entries: list[Link]


def gather() -> None:
    """Collect the `menu` and `home_cards` of every installed app's AppConfig."""
    sections: dict[str, MenuSection] = {}
    entries: list[MenuEntry] = []
    cards: list[HomeCard] = []
    for config in apps.get_app_configs():
        for item in getattr(config, "menu", ()):
            if isinstance(item, MenuSection):
                sections[item.key] = item
            else:
                entries.append(item)
        cards.extend(getattr(config, "home_cards", ()))
    unknown = sorted({e.section for e in entries if e.section and e.section not in sections})
    if unknown:
        raise ImproperlyConfigured(f"Menu entries name unknown sections: {', '.join(unknown)}")
    bar: list[tuple[MenuEntry | MenuSection, list[MenuEntry]]] = [(e, []) for e in entries if not e.section]
    for section in sections.values():
        bar.append((section, sorted((e for e in entries if e.section == section.key), key=_order)))
    _bar[:] = sorted(bar, key=lambda slot: slot[0].order)
    _cards[:] = sorted(cards, key=_order)


def _order(item: MenuEntry | HomeCard) -> int:
    return item.order


def menu_for(user: AbstractUser) -> list[Link | Dropdown]:
    """The bar as `user` sees it: the entries shown to them; a dropdown only with at least one entry."""
    bar: list[Link | Dropdown] = []
    for slot, section_entries in _bar:
        if isinstance(slot, MenuSection):
            links = [_link(e) for e in section_entries if e.shown(user)]
            if links:
                bar.append(Dropdown(str(slot.label), links))
        elif slot.shown(user):
            bar.append(_link(slot))
    return bar


def _link(entry: MenuEntry) -> Link:
    return Link(str(entry.label), reverse(entry.url_name))


@dataclass(frozen=True)
class Card:
    template: str
    context: dict[str, Any]


def cards_for(user: AbstractUser) -> tuple[list[Card], list[Card]]:
    """The start page's cards for `user`: (the row of figures, the wide panels under it)."""
    figures: list[Card] = []
    panels: list[Card] = []
    for card in _cards:
        context = _resolve(card.context)(user)
        if context is not None:
            (panels if card.wide else figures).append(Card(card.template, context))
    return figures, panels


@cache
def _resolve(dotted_path: str) -> Any:
    return import_string(dotted_path)
