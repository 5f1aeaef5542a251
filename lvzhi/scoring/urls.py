"""Duty assessment's URLs, gathered from one module per part (views/*.py)."""

from .views import claims, reports, rules, scores, units

app_name = "scoring"
urlpatterns = [
    *rules.urlpatterns,
    *scores.urlpatterns,
    *reports.urlpatterns,
    *units.urlpatterns,
    *claims.urlpatterns,
]
