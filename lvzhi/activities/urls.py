from django.urls import path

from . import leave_views, report_views, speech_views, views

app_name = "activities"
urlpatterns = [
    path("mine/", views.my_activities, name="mine"),
    path("stats/", report_views.stats_page, name="stats"),
    path("stats/export/", report_views.stats_export, name="stats_export"),
    path("standing-report/", report_views.standing_report, name="standing_report"),
    path("standing-report/docx/", report_views.standing_report_docx, name="standing_report_docx"),
    path("standing-report/xlsx/", report_views.standing_report_xlsx, name="standing_report_xlsx"),
    path("<int:pk>/", views.activity_detail, name="detail"),
    path("<int:pk>/confirm/", views.respond, {"action": "confirm"}, name="confirm"),
    path("<int:pk>/decline/", views.respond, {"action": "decline"}, name="decline"),
    path("<int:pk>/leave/", views.respond, {"action": "leave"}, name="leave"),
    path("<int:pk>/kiosk/", views.kiosk, name="kiosk"),
    path("<int:pk>/kiosk/code/", views.kiosk_code, name="kiosk_code"),
    path("<int:pk>/checkin/<str:token>/", views.scan, name="scan"),
    path("leave/", leave_views.leave_requests, name="leave_requests"),
    path("leave/<int:pk>/<str:decision>/", leave_views.leave_decide, name="leave_decide"),
    path("<int:pk>/speeches/", speech_views.speeches, name="speeches"),
    path("<int:pk>/speeches/<int:speech_pk>/delete/", speech_views.speech_delete, name="speech_delete"),
]
