"""unit views"""

from django.contrib.auth.decorators import login_required  # noqa: E402
from django.shortcuts import render  # noqa: E402
from django.urls import path  # noqa: E402


@login_required
def unit(request):
    # Placeholder until this part's page is written.
    return render(request, "base.html")


urlpatterns: list = [path("unit/", unit, name="unit")]
