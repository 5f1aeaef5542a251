from django.contrib.auth.decorators import login_required
from django.shortcuts import redirect, render

from . import registry


@login_required
def index(request):
    """The start page: the cards every app contributes for this user (lvzhi.home.registry)."""
    user = request.user
    # A member without staff rights has one page of their own to start from: their file.
    if not user.has_perm("members.view_member") and hasattr(user, "member"):
        return redirect("members:me")
    figures, panels = registry.cards_for(user)
    return render(request, "home/index.html", {"figures": figures, "panels": panels})
