from .views import bulletins, feedback, inspections, officers, reports, stats

app_name = "opinions"
urlpatterns = [
    *reports.urlpatterns,
    *bulletins.urlpatterns,
    *feedback.urlpatterns,
    *officers.urlpatterns,
    *stats.urlpatterns,
    *inspections.urlpatterns,
]
