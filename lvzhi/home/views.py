from django.contrib.auth.decorators import login_required
from django.shortcuts import render

from . import registry


@login_required
def index(request):
    """The start page: the cards every app contributes for this user (lvzhi.home.registry). A member
    starts here too: their activities, answers, notices and record first, then their file."""
    figures, panels = registry.cards_for(request.user)
    charts = any(isinstance(part.context, dict) and part.context.get("chart") for part in panels)
    return render(request, "home/index.html", {"figures": figures, "panels": panels, "charts": charts})
