"""Full-text search over 社情民意 reports: title, bodies, authors and serial number, cut into words by
jieba (lvzhi.opinions.search). Everyone searches what they may see: staff the committee's reports,
authors their own."""

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch
from django.shortcuts import render
from django.urls import path
from django.views.decorators.cache import never_cache

from lvzhi.core.pagination import paginate

from .. import permissions
from ..models import OpinionAuthor, OpinionReport
from ..search import filter_search

MAX_QUERY = 100


@login_required
@never_cache
def search(request):
    user = request.user
    if not (user.has_perm(permissions.VIEW_ALL) or user.has_perm("opinions.add_opinionreport")):
        raise PermissionDenied
    query = request.GET.get("q", "").strip()[:MAX_QUERY]
    status = request.GET.get("status", "")
    reports = OpinionReport.objects.visible_to(user)
    if status in OpinionReport.Status.values:
        reports = reports.filter(status=status)
    page = None
    if query:
        found = (
            filter_search(reports, query)
            .select_related("category")
            .prefetch_related(Prefetch("authors", queryset=OpinionAuthor.objects.order_by("order", "pk")))
        )
        page = paginate(request, found.order_by("-year", "-serial", "-pk"), per_page=30)
    return render(
        request,
        "opinions/search.html",
        {"q": query, "page": page, "status": status, "statuses": OpinionReport.Status.choices},
    )


urlpatterns = [path("search/", search, name="search")]
