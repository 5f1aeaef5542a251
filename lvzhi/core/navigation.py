"""What an app puts in the shell: its menu entries and its home-page cards.

An app lists them on its AppConfig (`menu = [...]`, `home_cards = [...]`); lvzhi.home, on top of every
app, gathers them and draws the menu and the home page. These are plain descriptions, so that every app
can declare its own without importing the home app above it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    # Only for the hints: apps.py files import this module before the models are ready.
    from django.contrib.auth.models import AbstractUser

Predicate = Callable[["AbstractUser"], bool]


def has_perm(*perms: str) -> Predicate:
    """Shown to a user holding any of `perms`."""

    def shown(user: AbstractUser) -> bool:
        return any(user.has_perm(perm) for perm in perms)

    return shown


@dataclass(frozen=True)
class MenuSection:
    """A dropdown of the menu bar; it is drawn when at least one of its entries is shown."""

    key: str
    label: str
    order: int


@dataclass(frozen=True)
class MenuEntry:
    """A link of the menu bar, or of the dropdown `section` (a MenuSection's key).

    `order` places it among the bar's links and dropdowns (or among its section's entries); entries of
    different apps interleave by it. `shown(user)` is asked only when a page draws the menu."""

    label: str
    url_name: str
    order: int
    shown: Predicate
    section: str = ""


@dataclass(frozen=True)
class HomeCard:
    """A part of the home page: `template` rendered with `card` = what `context(user)` returns, or left
    out when that is None. `context` is a dotted path (it reads models, which apps.py cannot import).
    `wide` cards are panels below the row of figures."""

    template: str
    context: str
    order: int
    wide: bool = False
