from django.core.paginator import Paginator


def paginate(request, queryset, *, per_page=50):
    """A page of `queryset` from ?page=, clamped to the valid range (never a 404 for a stale link)."""
    return Paginator(queryset, per_page).get_page(request.GET.get("page"))
