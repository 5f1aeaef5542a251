from django.urls import path

from . import leave_views, report_views, speech_views, staff_views, views

app_name = "activities"
urlpatterns = [
    path("mine/", views.my_activities, name="mine"),
    # Staff pages: list, form, manage, attendance by hand, attachments.
    path("", staff_views.staff_list, name="staff_list"),
    path("new/", staff_views.activity_new, name="new"),
    path("invitee-count/", staff_views.invitee_count, name="invitee_count"),
    path("<int:pk>/edit/", staff_views.activity_edit, name="edit"),
    path("<int:pk>/manage/", staff_views.manage, name="manage"),
    path("<int:pk>/publish/", staff_views.lifecycle, {"action": "publish"}, name="publish"),
    path("<int:pk>/start/", staff_views.lifecycle, {"action": "start"}, name="start"),
    path("<int:pk>/close/", staff_views.lifecycle, {"action": "close"}, name="close"),
    path("<int:pk>/cancel/", staff_views.lifecycle, {"action": "cancel"}, name="cancel"),
    path("<int:pk>/reopen/", staff_views.lifecycle, {"action": "reopen"}, name="reopen"),
    path("<int:pk>/participants/add/", staff_views.checkin_add, name="checkin_add"),
    path("<int:pk>/participants/<int:ppk>/checkin/", staff_views.checkin_member, name="checkin_member"),
    path("<int:pk>/participants/<int:ppk>/left-early/", staff_views.left_early, name="left_early"),
    path("<int:pk>/participants/<int:ppk>/correct/", staff_views.correct, name="correct"),
    path("<int:pk>/attachments/add/", staff_views.attachment_add, name="attachment_add"),
    path("attachments/<int:pk>/", staff_views.attachment, name="attachment"),
    path("attachments/<int:pk>/delete/", staff_views.attachment_delete, name="attachment_delete"),
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
