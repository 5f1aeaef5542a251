"""Showing the proposal page again from a part's POST view, with the refused form(s) bound to what was
typed, so nothing typed is lost. The page's view is found through the URL conf: the page gathers the
parts' sections (views/detail.py imports them), so a part importing the page would be a cycle."""

from __future__ import annotations

from django.urls import resolve

# Where the bound forms of a refused POST wait for the page's sections (their detail_context).
BOUND_FORMS = "_proposal_bound_forms"


def again(request, proposal, **forms):
    """The proposal page with `forms` (name → bound form) for the sections to show; status 400."""
    setattr(request, BOUND_FORMS, forms)
    match = resolve(proposal.get_absolute_url())
    response = match.func(request, *match.args, **match.kwargs)
    response.status_code = 400
    return response


def bound(request, name):
    """The bound form a refused POST left under `name`, or None."""
    return getattr(request, BOUND_FORMS, {}).get(name)
