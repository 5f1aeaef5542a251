"""The proposals app's URLs, gathered from one module per part of the cycle (views/*.py)."""

from .views import assignment, detail, filing, handling, review, settings, stats, unit

app_name = "proposals"
urlpatterns = [
    *detail.urlpatterns,
    *filing.urlpatterns,
    *review.urlpatterns,
    *assignment.urlpatterns,
    *handling.urlpatterns,
    *unit.urlpatterns,
    *stats.urlpatterns,
    *settings.urlpatterns,
]
