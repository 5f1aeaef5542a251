"""review views"""


def detail_context(request, proposal):
    """What the proposal page's review section needs (templates/proposals/detail/_review.html)."""
    return {}


from django.contrib.auth.decorators import login_required  # noqa: E402
from django.shortcuts import render  # noqa: E402
from django.urls import path  # noqa: E402


@login_required
def work(request):
    # Placeholder until this part's page is written.
    return render(request, "base.html")


urlpatterns: list = [path("work/", work, name="work")]
