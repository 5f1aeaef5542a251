from django.core.paginator import Paginator


class DeferredJoinPaginator(Paginator):
    """Fetches a page as "the rows whose ids are on this page": the OFFSET then walks only the ordering
    index for ids, not whole rows, which keeps page 500 of a 50,000-member list as fast as page 1
    (bench/member_list.py). The query count is the same as Django's Paginator."""

    def page(self, number):
        number = self.validate_number(number)
        bottom = (number - 1) * self.per_page
        top = bottom + self.per_page
        if top + self.orphans >= self.count:
            top = self.count
        ids = self.object_list.values("pk")[bottom:top]
        return self._get_page(self.object_list.filter(pk__in=ids), number, self)


def paginate(request, queryset, *, per_page=50):
    """A page of `queryset` from ?page=, clamped to the valid range (never a 404 for a stale link)."""
    return DeferredJoinPaginator(queryset, per_page).get_page(request.GET.get("page"))
