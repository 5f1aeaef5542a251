"""The shell on top of every app: the start page and the menu bar.

How an app appears in them (a convention this app discovers; no app imports it):

- Menu entries: the app's AppConfig lists them in `menu`, as `lvzhi.core.navigation.MenuEntry`
  (label, URL name, order, `shown(user)`, and optionally the key of a dropdown). The dropdowns are
  `MenuSection`s, declared here in `HomeConfig.menu` ("duty": 履职工作). The bar orders links and
  dropdowns by `order` across all apps, in steps of 10: members 10, organization 20–40, members' contact
  updates 50, the duty dropdown 60, a member's own pages 70–90, leave for unit heads 100, library 110,
  accounts 120, audit log 130.
- Start-page cards: the AppConfig lists them in `home_cards`, as `lvzhi.core.navigation.HomeCard`
  (a template, the dotted path of a function `context(user)` that returns the card's data or None to
  leave it out, an order, and `wide` for the panels under the row of figures).

`registry.gather()` collects both when Django starts (HomeConfig.ready); `registry.menu_for(user)` and
`registry.cards_for(user)` give one user's share. The menu is built only when a page draws it, so htmx
fragments pay nothing for it.
"""
