"""Views of the opinions app: reports (the author's side and the editors' pipeline)."""

from django.contrib.auth.decorators import login_required
from django.shortcuts import render
from django.urls import path

from ..permissions import get_report_for_user


@login_required
def detail(request, pk):
    report = get_report_for_user(request.user, pk)
    return render(request, "opinions/report_detail.html", {"report": report})


urlpatterns: list = [
    path("reports/<int:pk>/", detail, name="detail"),
]
