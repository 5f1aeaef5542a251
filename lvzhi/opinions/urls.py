from .views import bulletins, feedback, inspections, officers, reports, search, stats

app_name = "opinions"
urlpatterns = [
    *reports.urlpatterns,
    *bulletins.urlpatterns,
    *feedback.urlpatterns,
    *officers.urlpatterns,
    *stats.urlpatterns,
    *search.urlpatterns,
    *inspections.urlpatterns,
]
